package org.fieldgate.store;

import org.fieldgate.reading.Reading;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;

/**
 * CPU time per reading of the settler's delivered counts alone (counting and the upsert, committed on a throwaway
 * database): the counting of 6ce9d21 ({@code old}, text keys) or {@link HourlyCountStore.SeriesHourCounts} ({@code
 * new}, series ids looked up by name as the settler does), on
 * settles of 2,000 readings shaped as the spool's read hands them over (names shared within a read, new copies at
 * the next). Arguments: which ({@code old}/{@code new}), shape ({@code 100x500}: 50 devices x 10 channels, a pack's
 * readings channel after channel; {@code 1x1000}: 1,000 devices x 10 channels, device after device), settles.
 */
public final class CountCpuRun {
    private static final long T0_NS = 1_763_856_000L * 1_000_000_000L;

    private CountCpuRun() {
    }

    public static void main(String[] args) throws Exception {
        boolean old = args[0].equals("old");
        int devices = args[1].equals("1x1000") ? 1000 : 50;
        int settles = Integer.parseInt(args[2]);
        Path dir = Files.createTempDirectory("fieldgate-count-cpu");
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long spent = 0;
        long counted = 0;
        long step = 0;
        try (Connection c = SpoolDatabase.open(dir.resolve("spool.db"), false)) {
            SpoolDatabase.createSchema(c);
            c.commit();
            SeriesHourCountsDifferentialTest.OldDeliveredCounts before = old
                    ? new SeriesHourCountsDifferentialTest.OldDeliveredCounts(c, 20_000) : null;
            HourlyCountStore.SeriesHourCounts after = old ? null : HourlyCountStore.SeriesHourCounts.delivered(c);
            SeriesIds ids = new SeriesIds(c, SeriesIds.READING_SERIES);
            for (int n = 0; n < settles; n++) {
                List<List<SpooledReading>> runs = new ArrayList<>();
                for (int run = 0; run < 4; run++) {
                    List<SpooledReading> readings = new ArrayList<>(500);
                    java.util.Map<String, String> names = new java.util.HashMap<>();
                    while (readings.size() < 500) {
                        for (int d = 0; d < devices && readings.size() < 500; d++) {
                            for (int ch = 0; ch < 10 && readings.size() < 500; ch++) {
                                int device = devices == 50 ? (int) (step / 10 % 50) : (int) (step % 1000);
                                readings.add(new SpooledReading(step, new Reading(
                                        oneCopy(names, new String("bench")),
                                        oneCopy(names, "node-" + device),
                                        oneCopy(names, "ch" + (devices == 50 ? step % 10 : step / 1000 % 10)),
                                        "ppm", T0_NS + step * 100_000_000L, 400, 0), T0_NS));
                                step++;
                            }
                        }
                    }
                    runs.add(readings);
                }
                long start = threads.getCurrentThreadCpuTime();
                if (old) {
                    before.add(runs);
                } else {
                    after.addRuns(runs, ids);
                }
                c.commit();
                ids.committed();
                if (n >= settles / 3) {
                    spent += threads.getCurrentThreadCpuTime() - start;
                    counted += 2000;
                }
            }
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        System.out.printf("count-cpu %s shape=%s readings=%d cpu_s_per_million=%.3f%n", args[0], args[1], counted,
                spent / 1e9 / counted * 1e6);
    }

    /** One String per distinct name, as the spool's read hands the settler (ReadingStore's BatchNames). */
    private static String oneCopy(java.util.Map<String, String> names, String name) {
        String first = names.putIfAbsent(name, name);
        return first == null ? name : first;
    }
}
