package org.fieldgate.store;

import org.fieldgate.forward.InfluxLines;
import org.fieldgate.reading.Reading;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The delivered counts of the ledger, per series and UTC hour, whether a delivered run is counted from the readings in
 * hand (the whole run still in the spool) or read back from the table (part of it quarantined just before), against
 * counts made here from the readings that landed, on generated runs over several hours (negative times and a bucket
 * that two series join to among them).
 */
class DeliveredCountsTest {
    private static final long HOUR_NS = 3_600_000_000_000L;
    private static final long T0 = 1_763_852_400_000_000_000L;

    @Test
    void deliveredCountsPerSeriesAndHourAreTheReadingsThatLandedWhicheverWayARunIsCounted(@TempDir Path dir) {
        Random random = new Random(7);
        Map<String, Long> expected = new TreeMap<>();
        int quarantinedRuns = 0;
        try (Spool spool = new Spool(dir, 64L << 20, FullPolicy.BACKPRESSURE, InfluxLines::gap)) {
            for (int round = 0; round < 6; round++) {
                spool.readings().commit(generated(random, round, 700), List.of(), T0);
                for (List<SpooledReading> run = spool.readings().oldest(97 + round * 40); !run.isEmpty();
                     run = spool.readings().oldest(97 + round * 40)) {
                    List<SpooledReading> refused = new ArrayList<>();
                    if (random.nextInt(3) == 0) {
                        refused.add(run.get(random.nextInt(run.size())));
                        refused.add(run.get(run.size() - 1));
                        spool.readings().quarantine(List.copyOf(new java.util.LinkedHashSet<>(refused)), "refused", T0);
                        quarantinedRuns++;
                    }
                    for (SpooledReading s : run) {
                        if (!refused.contains(s)) {
                            expected.merge(key(s.reading()), 1L, Long::sum);
                        }
                    }
                    spool.readings().delivered(run);
                }
            }
            assertEquals(expected, deliveredCounts(spool));
            assertEquals(0, spool.readings().depth());
        }
        assertEquals(true, quarantinedRuns > 3, "runs with quarantined readings: " + quarantinedRuns);
    }

    @Test
    void runsDeliveredTogetherCountAsTheReadingsThatLandedPastTheKeptGroups(@TempDir Path dir) {
        int groupsSeen = 0;
        Map<String, Long> expected = new TreeMap<>();
        try (Spool spool = new Spool(dir, 256L << 20, FullPolicy.BACKPRESSURE, InfluxLines::gap)) {
            // many more series and hours than the settler's counting keeps room for, so its table grows mid-run
            List<Reading> many = new ArrayList<>();
            // (three readings of each series in an hour, a pass over all series apart, so a group is met again)
            for (int hour = 0; hour < 9; hour++) {
                for (int pass = 0; pass < 3; pass++) {
                    for (int device = 0; device < 250; device++) {
                        for (int channel = 0; channel < 10; channel++) {
                            many.add(new Reading("plot-c", "node-" + device, channel == 9 ? "x/t" : "ch" + channel,
                                    "ppm", T0 + hour * HOUR_NS + pass * 60_000_000_000L + device * 1_000_000L + channel,
                                    channel, (hour + pass) % 2));
                        }
                    }
                }
                groupsSeen += 2500;
            }
            spool.readings().commit(many, List.of(), T0);
            Random random = new Random(11);
            for (int round = 0; round < 4; round++) {
                spool.readings().commit(generated(random, round, 700), List.of(), T0);
            }
            long afterId = 0;
            int quarantinedRuns = 0;
            int groupedSettles = 0;
            for (List<SpooledReading> run = spool.readings().after(afterId, 1 + random.nextInt(800)); !run.isEmpty();
                 run = spool.readings().after(afterId, 1 + random.nextInt(800))) {
                List<List<SpooledReading>> runs = new ArrayList<>();
                int together = 1 + random.nextInt(5);
                for (; !run.isEmpty(); run = spool.readings().after(afterId, 1 + random.nextInt(800))) {
                    afterId = run.get(run.size() - 1).id();
                    List<SpooledReading> refused = new ArrayList<>();
                    if (random.nextInt(6) == 0) {
                        refused.add(run.get(random.nextInt(run.size())));
                        spool.readings().quarantine(refused, "refused", T0);
                        quarantinedRuns++;
                    }
                    List<SpooledReading> landed = run.stream().filter(x -> !refused.contains(x)).toList();
                    for (SpooledReading x : landed) {
                        expected.merge(key(x.reading()), 1L, Long::sum);
                    }
                    // the settler hands over a run without its quarantined readings; some are given whole anyway
                    runs.add(random.nextBoolean() ? landed : run);
                    if (runs.size() == together) {
                        break;
                    }
                }
                groupedSettles += runs.size() > 1 ? 1 : 0;
                spool.readings().deliveredRuns(runs);
                if (run.isEmpty()) {
                    break;
                }
            }
            assertEquals(expected, deliveredCounts(spool));
            assertEquals(0, spool.readings().depth());
            assertEquals(true, quarantinedRuns > 3 && groupedSettles > 3,
                    "runs with quarantined readings " + quarantinedRuns + ", settles of several runs " + groupedSettles);
        }
        assertEquals(true, groupsSeen > 10 * HourlyCountStore.SeriesHourCounts.GROUPS_KEPT, "groups " + groupsSeen);
    }

    /** The ledger's delivered counts other than 0, by hour and series, over the generated readings' hours. */
    private static Map<String, Long> deliveredCounts(Spool spool) {
        Map<String, Long> counted = new TreeMap<>();
        for (HourlyCountStore.HourlyCount c : spool.hourlyCounts().between(-10 * HOUR_NS, T0 + 20 * HOUR_NS)) {
            if (c.delivered() > 0) {
                counted.put(c.hour() + " " + c.series(), c.delivered());
            }
        }
        return counted;
    }

    private static String key(Reading r) {
        return HourlyCountStore.hourOf(r.timeNs()) + " " + r.site() + "/" + r.device() + "/" + r.channel();
    }

    /** Readings of a few series over four hours (the first round around 1970, some before it), none twice. */
    private static List<Reading> generated(Random random, int round, int n) {
        String[][] series = {{"plot-a", "probe-1", "co2"}, {"plot-a", "probe-1/x", "t"}, {"plot-a", "probe-1", "x/t"},
                {"plot-b", "house", "rh"}};
        long base = round == 0 ? -2 * HOUR_NS : T0;
        List<Reading> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String[] s = series[random.nextInt(series.length)];
            long timeNs = base + (round * n + i) * 1_000_003L + random.nextInt(4) * HOUR_NS;
            out.add(new Reading(s[0], s[1], s[2], "ppm", timeNs, random.nextInt(1000) / 4.0, random.nextInt(2)));
        }
        return out;
    }
}
