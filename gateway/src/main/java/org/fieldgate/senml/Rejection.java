package org.fieldgate.senml;

/**
 * Why a message, or one record of it, was refused. {@code raw} is what was refused: the whole payload when
 * the message could not be read at all, the record's JSON when only that record was bad.
 */
public record Rejection(String topic, String reason, byte[] raw, int rawLength) {
}
