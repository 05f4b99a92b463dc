package org.fieldgate.senml;

import org.fieldgate.forward.InfluxLines;
import org.fieldgate.reading.Reading;
import org.fieldgate.store.FullPolicy;
import org.fieldgate.store.ReadingStore;
import org.fieldgate.store.Spool;
import org.fieldgate.store.SpooledReading;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Microseconds of CPU per MQTT message on the ingest path without the network: decode a commit group of
 * {@value #GROUP} messages as the committer does and commit their readings to a real spool (keys, hourly counts,
 * one transaction). Two shapes of issue 12: {@code 100x500} (100 readings per message, 5 devices of 100 channels,
 * 500 series) and {@code 1x1000} (1 reading per message, 1,000 devices). {@code path} {@code tree} is the Jackson tree
 * decoder (the baseline), {@code streaming} the streaming one; both in the same run for a ratio. Each message carries
 * a fresh base time, so no reading is a duplicate. Run by {@code gateway/bench/ingest-bench}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class IngestBenchmark {
    static final int GROUP = 200;
    private static final long NOW_NS = 1_763_856_000L * 1_000_000_000L;

    @Param({"100x500", "1x1000"})
    public String shape;
    @Param({"tree", "streaming"})
    public String path;

    private final SenmlDecoder decoder = new SenmlDecoder(65_536, 1000, 1_420_070_400L, 86_400L * 1_000_000_000L);
    private Path dir;
    private Spool spool;
    private ReadingStore store;
    private byte[][] templates;
    private String[] topics;
    /** Where the 9 fraction digits of bt sit in each template. */
    private int[] fractionAt;
    private long sequence;
    private int next;
    private boolean streaming;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        streaming = path.equals("streaming");
        int readingsPerMessage = shape.equals("100x500") ? 100 : 1;
        int devices = shape.equals("100x500") ? 5 : 1000;
        templates = new byte[devices][];
        topics = new String[devices];
        fractionAt = new int[devices];
        for (int d = 0; d < devices; d++) {
            String device = "node-" + d;
            StringBuilder json = new StringBuilder("[{\"bn\":\"" + device + "/\",\"bt\":1763855000.000000000");
            for (int c = 0; c < readingsPerMessage; c++) {
                json.append(c == 0 ? "," : ",{").append("\"n\":\"ch").append(c).append("\",\"u\":\"ppm\",\"v\":")
                        .append(400 + (c * 37 + d * 11) % 1000 + 0.25).append('}');
            }
            json.append(']');
            templates[d] = json.toString().getBytes(StandardCharsets.UTF_8);
            fractionAt[d] = json.indexOf("1763855000.") + "1763855000.".length();
            topics[d] = SenmlPack.topic("bench", device);
        }
        dir = Files.createTempDirectory("ingest-bench");
        spool = new Spool(dir, 64L << 30, FullPolicy.BACKPRESSURE, InfluxLines::gap);
        store = spool.readings();
    }

    /** Empties the spool between iterations (the forwarder's part, not measured), so it does not grow for ever. */
    @TearDown(Level.Iteration)
    public void drain() {
        for (List<SpooledReading> batch = store.oldest(50_000); !batch.isEmpty(); batch = store.oldest(50_000)) {
            store.delivered(batch);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        spool.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** One commit group: decode {@value #GROUP} messages and commit them; the score divided by GROUP is per message. */
    @Benchmark
    public int decodeAndCommit() {
        List<Reading> readings = new ArrayList<>();
        for (int i = 0; i < GROUP; i++) {
            readings.addAll(decodeNext().readings());
        }
        store.commit(readings, List.of(), NOW_NS);
        return readings.size();
    }

    /** Decoding alone, one message. */
    @Benchmark
    public int decodeOnly() {
        return decodeNext().readings().size();
    }

    private DecodedPack decodeNext() {
        int d = next;
        next = (next + 1) % templates.length;
        byte[] payload = templates[d];
        // a fresh base time per message (ns digits), so no reading repeats a series and time
        long ns = ++sequence % 1_000_000_000L;
        for (int k = fractionAt[d] + 8; k >= fractionAt[d]; k--) {
            payload[k] = (byte) ('0' + ns % 10);
            ns /= 10;
        }
        return decoder.decode(topics[d], payload, NOW_NS, streaming);
    }
}
