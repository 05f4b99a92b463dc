package org.fieldgate.store;

import org.fieldgate.forward.InfluxLines;
import org.fieldgate.reading.QcFlags;
import org.fieldgate.reading.Reading;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The received counts that commits keep per series and hour ({@link HourlyCountStore.SeriesHourCounts}, by series id
 * and hour) against counting the same readings here, one by one: random commits of many sizes over a few hours, series
 * that come and go, flagged and unsynchronised readings, and two series whose names join to one bucket (their counts
 * add up).
 */
class HourlyCountsTest {
    private static final long T0 = 1_763_856_000_000_000_000L;
    private static final long HOUR_NS = 3_600_000_000_000L;

    @Test
    void receivedCountsMatchCountingEachReading(@TempDir Path dir) {
        try (Spool spool = new Spool(dir, 1L << 30, FullPolicy.BACKPRESSURE, InfluxLines::gap)) {
            Map<String, long[]> expected = commitRandomly(new Random(2026), 300,
                    readings -> spool.readings().commit(readings, List.of(), T0));
            assertCounted(expected, spool.hourlyCounts().between(T0, T0 + 4 * HOUR_NS));
        }
    }

    /**
     * The same, the counts alone on a connection of their own, with commits of up to 2,000 readings of up to 1,200
     * series and hours: the counting's table grows in the middle of a commit and starts small again after it.
     */
    @Test
    void receivedCountsStayExactWhenTheGroupTableGrowsMidCommit(@TempDir Path dir) throws SQLException {
        Map<String, long[]> expected;
        try (Connection c = SpoolDatabase.open(dir.resolve("spool.db"), true)) {
            SpoolDatabase.createSchema(c);
            c.commit();
            try (SeriesIds ids = new SeriesIds(c, SeriesIds.READING_SERIES);
                 HourlyCountStore.SeriesHourCounts counts = HourlyCountStore.SeriesHourCounts.received(c)) {
                expected = commitRandomly(new Random(12), 200, readings -> {
                    try {
                        counts.add(readings, ids.of(readings));
                        c.commit();
                        ids.committed();
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                });
            }
        }
        try (Spool spool = new Spool(dir, 1L << 30, FullPolicy.BACKPRESSURE, InfluxLines::gap)) {
            assertCounted(expected, spool.hourlyCounts().between(T0, T0 + 4 * HOUR_NS));
        }
    }

    /**
     * Names with quotes, backslashes, control characters, non-ASCII and characters outside the BMP are counted under
     * exactly those names, received (ingest) and delivered (settler) alike: the bucket is built from them and bound as
     * text, and a change to how the rows reach SQLite (an escaped form, for one) must keep them.
     */
    @Test
    void namesWithQuotesBackslashesAndControlCharactersAreCountedUnderTheirOwnNames(@TempDir Path dir) {
        List<String> channels = List.of("say \"co2\"", "back\\slash", "tab\there", "nl\nx", "µmol m⁻²", "leaf 🌱",
                "\"", "\\", "u\u0001ctl", "plain");
        try (Spool spool = new Spool(dir, 1L << 30, FullPolicy.BACKPRESSURE, InfluxLines::gap)) {
            List<Reading> readings = new ArrayList<>();
            for (int i = 0; i < channels.size(); i++) {
                for (int k = 0; k <= i; k++) {
                    readings.add(new Reading("site \"s\"", "dev\\1", channels.get(i), "ppm", T0 + i * 1000L + k, k,
                            k == 0 ? 1 : 0));
                }
            }
            spool.readings().commit(readings, List.of(), T0);
            spool.readings().delivered(spool.readings().oldest(1000));
            Map<String, List<Long>> counted = new TreeMap<>();
            for (HourlyCountStore.HourlyCount c : spool.hourlyCounts().between(T0, T0 + HOUR_NS)) {
                counted.put(c.series(), List.of(c.received(), c.flagged(), c.delivered()));
            }
            Map<String, List<Long>> expected = new TreeMap<>();
            for (int i = 0; i < channels.size(); i++) {
                expected.put("site \"s\"/dev\\1/" + channels.get(i), List.of(i + 1L, 1L, i + 1L));
            }
            assertEquals(expected, counted);
        }
    }

    /** Random commits handed to {@code commit}; the counts expected from counting each reading here. */
    private static Map<String, long[]> commitRandomly(Random random, int commits, Consumer<List<Reading>> commit) {
        Map<String, long[]> expected = new TreeMap<>();
        long sequence = 0;
        for (int n = 0; n < commits; n++) {
            int size = random.nextInt(10) == 0 ? 2000 : 1 + random.nextInt(40);
            List<Reading> readings = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                int series = random.nextInt(random.nextBoolean() ? 5 : 300);
                // "a/b" + "c" and "a" + "b/c": one bucket name for two series
                String device = series == 0 ? "dev/x" : "dev";
                String channel = series == 0 ? "ch" : series == 1 ? "x/ch" : "ch" + series;
                long timeNs = T0 + random.nextInt(4) * HOUR_NS + (++sequence);
                int qc = random.nextInt(4) == 0 ? (random.nextBoolean() ? 1 : QcFlags.CLOCK_UNSYNCED) : 0;
                readings.add(new Reading("site", device, channel, "ppm", timeNs, i, qc));
                long[] counts = expected.computeIfAbsent(HourlyCountStore.hourOf(timeNs) + " site/" + device + "/"
                        + channel, k -> new long[3]);
                counts[0]++;
                counts[1] += qc != 0 ? 1 : 0;
                counts[2] += (qc & QcFlags.CLOCK_UNSYNCED) != 0 ? 1 : 0;
            }
            commit.accept(readings);
        }
        return expected;
    }

    private static void assertCounted(Map<String, long[]> expected, List<HourlyCountStore.HourlyCount> stored) {
        Map<String, long[]> counted = new TreeMap<>();
        for (HourlyCountStore.HourlyCount c : stored) {
            counted.put(c.hour() + " " + c.series(), new long[]{c.received(), c.flagged(), c.clockUnsynced()});
            assertEquals(0, c.delivered(), c.toString());
        }
        assertEquals(expected.keySet(), counted.keySet());
        expected.forEach((key, counts) -> assertEquals(List.of(counts[0], counts[1], counts[2]),
                List.of(counted.get(key)[0], counted.get(key)[1], counted.get(key)[2]), key));
    }
}
