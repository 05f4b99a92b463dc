package org.fieldgate.reading;

import java.time.Instant;

/** The wall clock in ns since the epoch, the unit every reading's time is kept in. */
public final class EpochNanos {
    private EpochNanos() {
    }

    public static long now() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
