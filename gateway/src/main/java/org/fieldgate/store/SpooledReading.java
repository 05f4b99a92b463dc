package org.fieldgate.store;

import org.fieldgate.reading.Reading;

/** A reading as it waits in the spool: its row id orders delivery, receivedNs dates its wait. */
public record SpooledReading(long id, Reading reading, long receivedNs) {
}
