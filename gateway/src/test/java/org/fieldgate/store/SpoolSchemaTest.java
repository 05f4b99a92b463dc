package org.fieldgate.store;

import org.fieldgate.forward.InfluxLines;
import org.fieldgate.reading.Reading;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A spool written by the version before the split into focused stores (resources {@code spool-before-split/}, see its
 * README) opens without damage and keeps every table's data and every count, and goes on from there.
 */
class SpoolSchemaTest {
    private static final long T0 = 1_763_856_000_000_000_000L;
    private static final long S = 1_000_000_000L;

    @Test
    void aSpoolFromBeforeTheSplitOpensWithItsData(@TempDir Path dir) throws IOException {
        copySpool("spool-before-split", dir);
        try (Spool spool = new Spool(dir, 64L << 20, FullPolicy.BACKPRESSURE, InfluxLines::gap)) {
            assertEquals("", spool.damageAtStart());
            assertEquals(0, spool.lostTotal());

            List<SpooledReading> waiting = spool.readings().oldest(100);
            assertEquals(8, spool.readings().depth());
            assertEquals(List.of(5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L), waiting.stream().map(SpooledReading::id).toList());
            assertEquals(new Reading("plot-a", "probe-1", "co2", "ppm", T0 + 4 * 60 * S, 404, 0, "cal-7"),
                    waiting.get(0).reading());
            assertEquals(5L, waiting.get(0).receivedNs());
            assertEquals(new Reading("plot-b", "node-2", "vwc", "/", T0 + 3600 * S, 0.31, 0), waiting.get(7).reading());
            assertEquals(1, spool.readings().duplicatesTotal());
            assertEquals(1, spool.readings().conflictsTotal());

            List<DeadLetter> dead = spool.deadLetters().recent(10);
            assertEquals(1, spool.deadLetters().total());
            assertEquals("not JSON", dead.get(0).reason());
            assertEquals("{not senml", new String(dead.get(0).raw()));

            List<QuarantineStore.QuarantinedReading> quarantined = spool.quarantine().after(0, 10);
            assertEquals(1, spool.quarantine().total());
            assertEquals("field type conflict", quarantined.get(0).reason());
            assertEquals(403, quarantined.get(0).reading().value());

            assertEquals(1, spool.points().depth());
            assertEquals(T0 + S, spool.points().pending(10).get(0).timeNs());
            List<GapRecord> gaps = spool.gaps().recent(10);
            assertEquals(1, gaps.size());
            assertEquals("probe failed: no answer", gaps.get(0).cause());
            assertEquals(5, gaps.get(0).readings());

            Map<String, HourlyCountStore.HourlyCount> counts = counts(spool);
            assertEquals(new HourlyCountStore.HourlyCount("2025-11-23T00", "plot-a/probe-1/co2", 10, 1, 3, 0),
                    counts.get("2025-11-23T00 plot-a/probe-1/co2"));
            assertEquals(new HourlyCountStore.HourlyCount("2025-11-23T00", "plot-a/probe-1/temp", 1, 1, 0, 1),
                    counts.get("2025-11-23T00 plot-a/probe-1/temp"));
            assertEquals(new HourlyCountStore.HourlyCount("2025-11-23T01", "plot-b/node-2/vwc", 1, 0, 0, 0),
                    counts.get("2025-11-23T01 plot-b/node-2/vwc"));
            assertEquals(3, counts.size());

            assertArrayEquals(new double[]{1, 2, 3, 4}, spool.accumulators().get("latest-flux:plot-a").get("c1"));
            assertEquals(3600, spool.accumulators().range("uptime:", "uptime:\uffff").get(0).sums()[0]);
            assertEquals(T0, spool.accumulators().recordOnce("commissioned_ns", T0 + 3600 * S));

            // and it goes on: a redelivered old reading is still known, a new one lands, the rest is delivered
            spool.readings().commit(List.of(new Reading("plot-a", "probe-1", "co2", "ppm", T0, 400, 0, "cal-7"),
                    new Reading("plot-a", "probe-1", "co2", "ppm", T0 + 10 * 60 * S, 410, 0, "cal-7")), List.of(), 8L);
            assertEquals(2, spool.readings().duplicatesTotal());
            assertEquals(9, spool.readings().depth());
            spool.readings().delivered(spool.readings().oldest(100));
            assertEquals(0, spool.readings().depth());
            assertEquals(new HourlyCountStore.HourlyCount("2025-11-23T00", "plot-a/probe-1/co2", 11, 1, 10, 0),
                    counts(spool).get("2025-11-23T00 plot-a/probe-1/co2"));
        }
        try (Spool again = new Spool(dir, 64L << 20, FullPolicy.BACKPRESSURE, InfluxLines::gap)) {
            assertEquals("", again.damageAtStart());
            assertEquals(0, again.readings().depth());
        }
    }

    /** The spool files of a test resource folder into {@code dir}. */
    static void copySpool(String folder, Path dir) throws IOException {
        for (String f : List.of("spool.db", "spool.hwm", "keys.db")) {
            try (InputStream in = SpoolSchemaTest.class.getResourceAsStream(folder + "/" + f)) {
                Files.copy(in, dir.resolve(f));
            }
        }
    }

    private static Map<String, HourlyCountStore.HourlyCount> counts(Spool spool) {
        return spool.hourlyCounts().between(T0, T0 + 2 * 3600 * S).stream()
                .collect(Collectors.toMap(c -> c.hour() + " " + c.series(), Function.identity()));
    }
}
