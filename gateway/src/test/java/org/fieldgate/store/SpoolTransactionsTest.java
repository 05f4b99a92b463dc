package org.fieldgate.store;

import org.fieldgate.forward.InfluxLines;
import org.fieldgate.reading.QcFlags;
import org.fieldgate.reading.Reading;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A group commit writes readings, their keys, their hourly counts and the dead letters of the same messages in one
 * transaction across the stores: when any part fails, nothing of it is there, and the retry counts everything once.
 */
class SpoolTransactionsTest {
    private static final long T0 = 1_763_856_000_000_000_000L;
    private static final long HOUR_NS = 3_600_000_000_000L;

    @Test
    void aFailedCommitLeavesNothingOfItsReadingsKeysCountsOrDeadLetters(@TempDir Path dir) {
        List<Reading> readings = List.of(new Reading("plot-a", "probe-1", "co2", "ppm", T0, 400, 0),
                new Reading("plot-a", "probe-1", "temp", "Cel", T0, 12.5, QcFlags.CLOCK_UNSYNCED));
        byte[] raw = "{not senml".getBytes();
        // the reason is NOT NULL: the dead letter, written after the readings and their counts, fails the transaction
        DeadLetterStore.Refused unwritable = new DeadLetterStore.Refused("fieldgate/plot-a/probe-1/senml", null, raw,
                raw.length);
        DeadLetterStore.Refused refused = new DeadLetterStore.Refused("fieldgate/plot-a/probe-1/senml", "not JSON", raw,
                raw.length);
        try (Spool spool = new Spool(dir, 64L << 20, FullPolicy.BACKPRESSURE, InfluxLines::gap)) {
            assertThrows(SpoolException.class, () -> spool.readings().commit(readings, List.of(unwritable), 1L));
            assertEquals(List.of(), spool.readings().oldest(10), "readings of a failed commit");
            assertEquals(List.of(), spool.hourlyCounts().between(T0, T0 + HOUR_NS), "hourly counts of a failed commit");
            assertEquals(0, spool.deadLetters().total());
            assertEquals(List.of(), spool.deadLetters().recent(10));

            // the broker delivers the messages again: the readings are new (their keys went with the rollback)
            spool.readings().commit(readings, List.of(refused), 2L);
            assertEquals(0, spool.readings().duplicatesTotal(), "keys of a failed commit");
            assertEquals(2, spool.readings().depth());
            assertEquals(1, spool.deadLetters().total());
        }
        try (Spool spool = new Spool(dir, 64L << 20, FullPolicy.BACKPRESSURE, InfluxLines::gap)) {
            assertEquals(List.of(new HourlyCountStore.HourlyCount("2025-11-23T00", "plot-a/probe-1/co2", 1, 0, 0, 0),
                            new HourlyCountStore.HourlyCount("2025-11-23T00", "plot-a/probe-1/temp", 1, 1, 0, 1)),
                    spool.hourlyCounts().between(T0, T0 + HOUR_NS));
            assertEquals(1, spool.deadLetters().total());
            assertEquals(2, spool.readings().depth());
        }
    }
}
