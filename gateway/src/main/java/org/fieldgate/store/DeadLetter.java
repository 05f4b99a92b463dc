package org.fieldgate.store;

/** A refused message or record, kept for the technician with the reason it was refused. */
public record DeadLetter(long id, long receivedNs, String topic, String reason, byte[] raw, int rawLength) {
}
