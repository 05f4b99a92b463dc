package org.fieldgate.senml;

import org.fieldgate.forward.InfluxLines;
import org.fieldgate.live.LatestReadings;
import org.fieldgate.reading.Reading;
import org.fieldgate.store.FullPolicy;
import org.fieldgate.store.ReadingStore;
import org.fieldgate.store.Spool;
import org.fieldgate.store.SpooledReading;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * CPU time and allocation per reading of the ingest committer's work (decode a group of messages, commit their
 * readings to a real spool with keys and hourly counts), measured on the committing thread only, so a busy box
 * shows in the wall clock but hardly in these figures. One shape per run, printed as one line; run by
 * {@code gateway/bench/ingest-cpu}, which runs the same class on a baseline build too and prints the ratios.
 * Arguments: shape ({@code 100x500} or {@code 1x1000}), messages per commit group, readings measured, optionally
 * the readings of one first commit, not measured (a gateway that took a burst in large commits before the measured
 * ones; 0, none, by default), and the values' form ({@code short}, 400.25, by default; {@code full}, doubles printed
 * to 17 digits as the pipeline benchmark's publisher sends them). Each commit is handed to the live page's
 * {@link LatestReadings} too, as the gateway's committer does.
 * The spool is drained between groups outside the measurement (the forwarder's work, on another thread in the
 * gateway). The class uses only what the spool and decoder offered before issue 12's ingest work, so the baseline
 * build runs it unchanged.
 */
public final class IngestCpuRun {
    private static final long NOW_NS = 1_763_856_000L * 1_000_000_000L;

    private IngestCpuRun() {
    }

    public static void main(String[] args) throws IOException {
        String shape = args.length > 0 ? args[0] : "100x500";
        int group = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        long measured = args.length > 2 ? Long.parseLong(args[2]) : 600_000;
        long prime = args.length > 3 ? Long.parseLong(args[3]) : 0;
        // "short": values like 400.25; "full": doubles printed in full (17 digits), as the pipeline benchmark sends
        boolean fullValues = args.length > 4 && args[4].equals("full");
        int perMessage = shape.equals("100x500") ? 100 : 1;
        int devices = shape.equals("100x500") ? 5 : 1000;
        byte[][] templates = new byte[devices][];
        String[] topics = new String[devices];
        int[] fractionAt = new int[devices];
        for (int d = 0; d < devices; d++) {
            String device = "node-" + d;
            StringBuilder json = new StringBuilder("[{\"bn\":\"" + device + "/\",\"bt\":1763855000.000000000");
            for (int c = 0; c < perMessage; c++) {
                json.append(c == 0 ? "," : ",{").append("\"n\":\"ch").append(c).append("\",\"u\":\"ppm\",\"v\":")
                        .append(fullValues ? 400 + (c * 37 + d * 11) % 1000 + Math.sqrt(c + d + 2.0)
                                : 400 + (c * 37 + d * 11) % 1000 + 0.25).append('}');
            }
            json.append(']');
            templates[d] = json.toString().getBytes(StandardCharsets.UTF_8);
            fractionAt[d] = json.indexOf("1763855000.") + "1763855000.".length();
            topics[d] = SenmlPack.topic("bench", device);
        }
        SenmlDecoder decoder = new SenmlDecoder(65_536, 1000, 1_420_070_400L, 86_400L * 1_000_000_000L);
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long self = Thread.currentThread().getId();
        Path dir = Files.createTempDirectory("ingest-cpu");
        long sequence = 0;
        int next = 0;
        long cpuNs = 0;
        long allocated = 0;
        long counted = 0;
        long warmUp = measured / 3;
        // the first listener of each commit in the gateway: the live page's latest readings
        LatestReadings latest = new LatestReadings();
        try (Spool spool = new Spool(dir, 64L << 30, FullPolicy.BACKPRESSURE, InfluxLines::gap)) {
            ReadingStore store = spool.readings();
            boolean priming = prime > 0;
            for (long done = 0; done < warmUp + measured; ) {
                int messages = priming ? (int) Math.max(group, (prime + perMessage - 1) / perMessage) : group;
                long startCpu = threads.getCurrentThreadCpuTime();
                long startAlloc = threads.getThreadAllocatedBytes(self);
                List<Reading> readings = new ArrayList<>();
                for (int i = 0; i < messages; i++) {
                    int d = next;
                    next = (next + 1) % devices;
                    byte[] payload = templates[d];
                    long ns = ++sequence % 1_000_000_000L; // a fresh base time per message: no duplicate
                    for (int k = fractionAt[d] + 8; k >= fractionAt[d]; k--) {
                        payload[k] = (byte) ('0' + ns % 10);
                        ns /= 10;
                    }
                    readings.addAll(decoder.decode(topics[d], payload, NOW_NS).readings());
                }
                store.commit(readings, List.of(), NOW_NS);
                latest.update(readings);
                if (done >= warmUp && !priming) {
                    cpuNs += threads.getCurrentThreadCpuTime() - startCpu;
                    allocated += threads.getThreadAllocatedBytes(self) - startAlloc;
                    counted += readings.size();
                }
                done += readings.size();
                priming = false;
                for (List<SpooledReading> b = store.oldest(50_000); !b.isEmpty(); b = store.oldest(50_000)) {
                    store.delivered(b);
                }
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        System.out.printf("ingest-cpu shape=%s values=%s group=%d prime=%d readings=%d cpu_us_per_reading=%.3f "
                + "alloc_bytes_per_reading=%.0f%n", shape, fullValues ? "full" : "short", group, prime, counted, cpuNs / 1000.0 / counted, (double) allocated / counted);
    }
}
