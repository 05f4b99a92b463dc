package org.fieldgate.forward;

import org.fieldgate.reading.Reading;
import org.fieldgate.store.FullPolicy;
import org.fieldgate.store.ReadingStore;
import org.fieldgate.store.Spool;
import org.fieldgate.store.SpooledReading;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * CPU time per reading of the spool settler's work (keep the acknowledged run in delivered.db, count it delivered in
 * the hourly counts, delete it from the spool, record the removal in the high-water mark), on the settling thread
 * only, so a busy box shows in the wall clock but hardly in these figures. The readings are committed and read as the
 * gateway does (ingest commits, the preparer's read-ahead in forward batches), outside the measurement.
 * Arguments: shape ({@code 100x500}: 50 devices of 10 channels, 10 times per message; {@code 1x1000}: 1,000 devices of
 * 10 channels, 10,000 series), readings measured (a third as many first, not measured), forward batch size, batches
 * settled together (1 unless given; the settler takes up to the four waiting in its queue).
 * Prints the CPU-seconds per million readings, of the archive's copy and of the spool's part (counts, delete, mark).
 */
public final class SettleCpuRun {
    private static final long T0_NS = 1_763_856_000L * 1_000_000_000L;

    private SettleCpuRun() {
    }

    public static void main(String[] args) throws IOException {
        List<String> given = List.of(args);
        String shape = given.isEmpty() ? "100x500" : given.get(0);
        long measured = given.size() < 2 ? 500_000 : Long.parseLong(given.get(1));
        int batchSize = given.size() < 3 ? 5000 : Integer.parseInt(given.get(2));
        int runsPerSettle = given.size() < 4 ? 1 : Integer.parseInt(given.get(3));
        int devices = switch (shape) {
            case "100x500" -> 50;
            case "1x1000" -> 1000;
            default -> throw new IllegalArgumentException("shape: 100x500 or 1x1000, not " + shape);
        };
        int channels = 10;
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Path dir = Files.createTempDirectory("fieldgate-settle-cpu");
        long[] spent = new long[2];
        long counted = 0;
        long step = 0;
        try (Spool spool = new Spool(dir, 64L << 30, FullPolicy.BACKPRESSURE, InfluxLines::gap);
             DeliveredArchive archive = new DeliveredArchive(dir, spool.file())) {
            ReadingStore store = spool.readings();
            long afterId = 0;
            for (long done = 0; done < measured * 4 / 3; ) {
                List<Reading> readings = new ArrayList<>(20_000);
                while (readings.size() < 20_000) {
                    // one reading of every series per step, series after series as the messages arrive
                    for (int d = 0; d < devices; d++) {
                        for (int c = 0; c < channels; c++) {
                            readings.add(new Reading("bench", "node-" + d, "ch" + c, "ppm", T0_NS + step * 1_000_000L,
                                    400 + (c * 37 + d * 11) % 1000 + 0.25, 0));
                        }
                    }
                    step++;
                }
                store.commit(readings, List.of(), T0_NS + step * 1_000_000L);
                for (List<SpooledReading> b = store.after(afterId, batchSize); !b.isEmpty();
                     b = store.after(afterId, batchSize)) {
                    // up to runsPerSettle batches settled together, as the settler takes those waiting in its queue
                    List<List<SpooledReading>> runs = new ArrayList<>();
                    for (; !b.isEmpty(); b = store.after(afterId, batchSize)) {
                        runs.add(b);
                        afterId = b.get(b.size() - 1).id();
                        if (runs.size() == runsPerSettle) {
                            break;
                        }
                    }
                    long[] firstIds = runs.stream().mapToLong(r -> r.get(0).id()).toArray();
                    long[] lastIds = runs.stream().mapToLong(r -> r.get(r.size() - 1).id()).toArray();
                    int size = runs.stream().mapToInt(List::size).sum();
                    long start = threads.getCurrentThreadCpuTime();
                    archive.keepSpoolRuns(firstIds, lastIds);
                    long mid = threads.getCurrentThreadCpuTime();
                    store.deliveredRuns(runs);
                    // the first quarter warms up, not measured
                    if (done >= measured / 3) {
                        spent[0] += mid - start;
                        spent[1] += threads.getCurrentThreadCpuTime() - mid;
                        counted += size;
                    }
                    done += size;
                    if (b.isEmpty()) {
                        break;
                    }
                }
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        double perMillion = 1e6 / 1e9 / counted;
        System.out.printf("settle-cpu shape=%s batch=%d runs=%d readings=%d cpu_s_per_million=%.2f (archive %.2f, spool %.2f)%n",
                shape, batchSize, runsPerSettle, counted, (spent[0] + spent[1]) * perMillion, spent[0] * perMillion,
                spent[1] * perMillion);
    }
}
