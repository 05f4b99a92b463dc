package org.fieldgate.forward;

import org.fieldgate.reading.Reading;
import org.fieldgate.store.SpooledReading;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * Preparing one InfluxDB write body of 5,000 spooled readings (500 series of a site, 10 readings each, values with
 * three decimals, every fifth series with a calibration tag), per point: {@code pointPath} as the forwarder did it
 * (an influxdb-java Point per reading, then its line), {@code encoder} the line written straight from the spool row
 * into a reused byte buffer as UTF-8, {@code wireBody} that and its gzip as the forwarder sends it. {@code bodyBytes}
 * and {@code bodyGzip} are what influxdb-java's request cost on top of a String body: the UTF-8 copy every write made,
 * and that copy gzipped at zlib's default level.
 * Run by {@code gateway/bench/line-protocol-bench} (with {@code -prof gc} for bytes allocated per point).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class LineProtocolBenchmark {
    static final int POINTS = 5000;

    private List<SpooledReading> batch;
    private LineBuffer reused;
    private LineEncoder wire;
    private WriteBody wireBody;
    private String body;

    @Setup
    public void setUp() throws IOException {
        batch = spoolRows();
        reused = new LineBuffer(POINTS * 110);
        wire = new LineEncoder(POINTS * 110, true);
        wireBody = new WriteBody(POINTS * 16);
        body = InfluxWriter.lineProtocol(batch);
        byte[] plain = body.getBytes(StandardCharsets.UTF_8);
        System.out.printf("%nbody: %d points, %d bytes plain, %d bytes gzipped (%.1fx smaller), %d at the fastest level"
                        + " (%.1fx)%n", POINTS, plain.length, gzip(plain).length,
                plain.length / (double) gzip(plain).length, gzip(plain, Deflater.BEST_SPEED).length,
                plain.length / (double) gzip(plain, Deflater.BEST_SPEED).length);
    }

    static List<SpooledReading> spoolRows() {
        SplittableRandom random = new SplittableRandom(5000);
        List<SpooledReading> rows = new ArrayList<>(POINTS);
        long t0 = 1_763_000_000_000_000_000L;
        for (int i = 0; i < POINTS; i++) {
            int series = i % 500;
            Reading r = new Reading("plot-a", "probe-" + series / 10, "ch_" + series % 10, "ppm",
                    t0 + i / 500 * 1_000_000_000L + random.nextInt(1_000_000),
                    Math.round(random.nextDouble(300, 900) * 1000) / 1000.0, i % 97 == 0 ? 4 : 0,
                    series % 5 == 0 ? "model:GMP252" : null);
            rows.add(new SpooledReading(i + 1, r, t0));
        }
        return rows;
    }

    @Benchmark
    @OperationsPerInvocation(POINTS)
    public String pointPath() {
        StringBuilder lines = new StringBuilder(batch.size() * 110);
        for (SpooledReading s : batch) {
            lines.append(InfluxPoints.reading(s.reading()).lineProtocol(TimeUnit.NANOSECONDS)).append('\n');
        }
        return lines.toString();
    }

    @Benchmark
    @OperationsPerInvocation(POINTS)
    public int encoder() {
        reused.clear();
        for (SpooledReading s : batch) {
            InfluxLines.appendReading(reused, s.reading());
            reused.append('\n');
        }
        return reused.length();
    }

    /** What the forwarder's preparer does per batch: the UTF-8 lines into a reused buffer, gzipped into a reused body. */
    @Benchmark
    @OperationsPerInvocation(POINTS)
    public int wireBody() {
        return wire.encode(batch, wireBody).length();
    }

    @Benchmark
    @OperationsPerInvocation(POINTS)
    public byte[] bodyBytes() {
        return body.getBytes(StandardCharsets.UTF_8);
    }

    @Benchmark
    @OperationsPerInvocation(POINTS)
    public byte[] bodyGzip() throws IOException {
        return gzip(body.getBytes(StandardCharsets.UTF_8));
    }

    /** The same at zlib's fastest level, to see what a cheaper setting would trade (influxdb-java has none). */
    @Benchmark
    @OperationsPerInvocation(POINTS)
    public byte[] bodyGzipFastest() throws IOException {
        return gzip(body.getBytes(StandardCharsets.UTF_8), Deflater.BEST_SPEED);
    }

    private static byte[] gzip(byte[] plain) throws IOException {
        return gzip(plain, Deflater.DEFAULT_COMPRESSION);
    }

    private static byte[] gzip(byte[] plain, int level) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(plain.length / 4);
        try (GZIPOutputStream z = new GZIPOutputStream(out, 8192) {
            {
                def.setLevel(level);
            }
        }) {
            z.write(plain);
        }
        return out.toByteArray();
    }
}
