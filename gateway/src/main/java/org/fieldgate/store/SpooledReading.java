package org.fieldgate.store;

import org.fieldgate.reading.Reading;

import java.util.ArrayList;
import java.util.List;

/** A reading as it waits in the spool: its row id orders delivery, receivedNs dates its wait. */
public record SpooledReading(long id, Reading reading, long receivedNs) {
    /** The readings of {@code spooled}, in order. */
    public static List<Reading> readings(List<SpooledReading> spooled) {
        List<Reading> out = new ArrayList<>(spooled.size());
        for (SpooledReading s : spooled) {
            out.add(s.reading());
        }
        return out;
    }
}
