package org.fieldgate.forward;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.fieldgate.config.GatewaySettings;
import org.fieldgate.reading.Reading;
import org.fieldgate.store.FullPolicy;
import org.fieldgate.store.Spool;
import org.fieldgate.testkit.InfluxProxy;
import org.fieldgate.testkit.InfluxdProcess;
import org.fieldgate.testkit.Poll;
import org.fieldgate.testkit.StartsProcesses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * fieldgate.influx.gzip and fieldgate.forward.linger against a real influxd, through a proxy that records each
 * /write as it arrives (its Content-Encoding, its lines, when): gzipped or plain bodies as configured and InfluxDB
 * stores exactly the readings either way; a steady stream goes in few writes, a trickle is written within the linger,
 * and no reading is written twice or lost.
 */
@StartsProcesses
class InfluxForwarderGzipLingerTest {
    private static final long HOUR_NS = 3_600_000_000_000L;

    @Test
    void bodiesAreGzippedOrPlainAsConfiguredAndInfluxdbStoresExactlyTheReadings(@TempDir Path dir) throws Exception {
        try (InfluxdProcess influx = InfluxdProcess.started(); InfluxProxy proxy = InfluxProxy.to(influx.url())) {
            for (GatewaySettings.Gzip gzip : GatewaySettings.Gzip.values()) {
                String db = "fwd_gzip_" + gzip.label;
                influx.createDatabase(db);
                int writesBefore = proxy.writeEncodings().size();
                long start = (System.currentTimeMillis() * 1_000_000L / HOUR_NS - 2) * HOUR_NS;
                SplittableRandom random = new SplittableRandom(gzip.ordinal());
                Map<String, Double> expected = new HashMap<>();
                List<Reading> readings = new ArrayList<>();
                for (int i = 0; i < 12_345; i++) {
                    // full-precision and short values, a few series, distinct times: every point its own
                    double value = i % 3 == 0 ? random.nextDouble() * 1e4 - 5e3 : Math.round(random.nextDouble() * 1e3) / 10.0;
                    Reading r = new Reading("plot-g", "probe-" + i % 7, "co2 " + i % 3, "ppm", start + i * 1_000_003L, value, i % 2);
                    readings.add(r);
                    expected.put(r.device() + "|" + r.channel() + "|" + r.timeNs(), value);
                }
                Path spoolDir = dir.resolve(gzip.label);
                try (Spool spool = new Spool(spoolDir, 64L << 20, FullPolicy.BACKPRESSURE, InfluxLines::gap)) {
                    spool.readings().commit(readings, List.of(), start);
                    var settings = new GatewaySettings.Forward(5000, Duration.ofMillis(50), Duration.ofMillis(500));
                    var target = new GatewaySettings.Influx(proxy.url(), db, null, null, null, gzip);
                    try (InfluxForwarder forwarder = new InfluxForwarder(target, settings, spool, new SimpleMeterRegistry())) {
                        forwarder.start();
                        Poll.until("spool drained", Duration.ofSeconds(60), () -> spool.readings().depth() == 0
                                        && forwarder.delivered() == readings.size(),
                                () -> "depth " + spool.readings().depth() + ", last error " + forwarder.lastError());
                    }
                }
                // the proxy is on 127.0.0.1: auto sends plain bodies there; the proxy passes each body on as it
                // came, so InfluxDB decodes the gzip itself
                List<String> encodings = proxy.writeEncodings().subList(writesBefore, proxy.writeEncodings().size());
                assertTrue(encodings.size() >= 3, "12,345 readings in batches of 5,000: " + encodings);
                String expectedEncoding = gzip == GatewaySettings.Gzip.ALWAYS ? "gzip" : "identity";
                assertTrue(encodings.stream().allMatch(expectedEncoding::equals), gzip.label + ": " + encodings);
                Map<String, Double> stored = new HashMap<>();
                influx.forEachRow(db, "SELECT value FROM reading GROUP BY device, channel", row ->
                        stored.put(row.get("device") + "|" + row.get("channel") + "|" + row.get("time"),
                                ((Number) row.get("value")).doubleValue()));
                assertEquals(expected, stored, gzip.label + ": InfluxDB holds exactly the readings");
            }
        }
    }

    @Test
    void aSteadyStreamGoesInFewFullerWritesAndNothingIsLostOrWrittenTwice(@TempDir Path dir) throws Exception {
        try (InfluxdProcess influx = InfluxdProcess.started(); InfluxProxy proxy = InfluxProxy.to(influx.url())) {
            Recorder recorder = Recorder.on(proxy);
            String db = database(influx, "fwd_linger");
            long start = (System.currentTimeMillis() * 1_000_000L / HOUR_NS - 1) * HOUR_NS;
            int total = 4_000;
            int perCommit = 4;
            Duration linger = Duration.ofMillis(200);
            try (Spool spool = new Spool(dir, 64L << 20, FullPolicy.BACKPRESSURE, InfluxLines::gap);
                 InfluxForwarder forwarder = forwarder(spool, proxy, db, linger)) {
                // a few readings per commit, a commit every 2 ms or as fast as the spool commits: without the
                // linger each commit's readings would go in a write of their own or nearly
                long t0 = System.nanoTime();
                for (int i = 0; i < total; i += perCommit) {
                    List<Reading> commit = new ArrayList<>();
                    for (int k = i; k < i + perCommit; k++) {
                        commit.add(new Reading("plot-l", "probe-" + k % 50, "co2", "ppm", start + k * 1_000_000L, k, 0));
                    }
                    spool.readings().commit(commit, List.of(), start);
                    forwarder.wake();
                    Poll.sleep(Duration.ofMillis(2));
                }
                long streamNs = System.nanoTime() - t0;
                Poll.until("all delivered", Duration.ofSeconds(30), () -> forwarder.delivered() == total
                        && spool.readings().depth() == 0, () -> "delivered " + forwarder.delivered());
                List<Write> writes = recorder.writes();
                int lines = writes.stream().mapToInt(Write::lines).sum();
                assertEquals(total, lines, "each reading written once");
                assertEquals(total, forwarder.delivered());
                // a write per linger while the stream lasts, and the last one after it
                long most = streamNs / linger.toNanos() + 3;
                assertTrue(writes.size() <= most && writes.size() < total / perCommit / 10, "writes: " + writes.size()
                        + " for " + total / perCommit + " commits in " + streamNs / 1_000_000 + " ms");
            }
            assertEquals(total, influx.count(db));
        }
    }

    @Test
    void aTrickleIsWrittenWithinTheLinger(@TempDir Path dir) throws Exception {
        Duration linger = Duration.ofMillis(150);
        try (InfluxdProcess influx = InfluxdProcess.started(); InfluxProxy proxy = InfluxProxy.to(influx.url())) {
            Recorder recorder = Recorder.on(proxy);
            String db = database(influx, "fwd_trickle");
            long start = (System.currentTimeMillis() * 1_000_000L / HOUR_NS - 1) * HOUR_NS;
            try (Spool spool = new Spool(dir, 64L << 20, FullPolicy.BACKPRESSURE, InfluxLines::gap);
                 InfluxForwarder forwarder = forwarder(spool, proxy, db, linger)) {
                // pairs: the first of a pair after a quiet second (written at once), the second 30 ms behind it
                // (waits for the rest of the linger)
                List<Long> committedNs = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    Poll.sleep(Duration.ofMillis(i % 2 == 0 ? 600 : 30));
                    spool.readings().commit(List.of(new Reading("plot-t", "probe-1", "co2", "ppm",
                            start + i * 1_000_000_000L, i, 0)), List.of(), start);
                    committedNs.add(System.nanoTime());
                    forwarder.wake();
                }
                Poll.until("all delivered", Duration.ofSeconds(30), () -> forwarder.delivered() == 10,
                        () -> "delivered " + forwarder.delivered());
                List<Write> writes = recorder.writes();
                assertEquals(10, writes.stream().mapToInt(Write::lines).sum(), "each reading written once");
                int reading = 0;
                long worstNs = 0;
                for (Write w : writes) {
                    for (int k = 0; k < w.lines(); k++, reading++) {
                        worstNs = Math.max(worstNs, w.arrivedNs() - committedNs.get(reading));
                    }
                }
                // the linger, plus a round trip and the scheduling of a busy 2-core box
                assertTrue(worstNs < linger.toNanos() + 250_000_000L, "slowest commit to write: "
                        + worstNs / 1_000_000 + " ms, linger " + linger.toMillis() + " ms");
            }
            assertEquals(10, influx.count(db));
        }
    }

    @Test
    void autoGzipsUnlessTheHostIsLoopback() {
        for (String url : List.of("http://127.0.0.1:8086", "http://localhost:8086", "http://LOCALHOST.", "http://[::1]:8086",
                "http://[0:0:0:0:0:0:0:1]:8086", "http://127.1.2.3", "https://influx.localhost:8086")) {
            assertEquals(false, InfluxWriter.gzips(influx(url, GatewaySettings.Gzip.AUTO)), url);
            assertEquals(true, InfluxWriter.gzips(influx(url, GatewaySettings.Gzip.ALWAYS)), url);
        }
        for (String url : List.of("http://10.0.0.5:8086", "https://influx.example.org", "http://192.168.1.20:8086",
                "http://[fe80::1]:8086", "http://127.0.0.1.example.org", "http://128.0.0.1", "http://localhost-influx:8086")) {
            assertEquals(true, InfluxWriter.gzips(influx(url, GatewaySettings.Gzip.AUTO)), url);
            assertEquals(false, InfluxWriter.gzips(influx(url, GatewaySettings.Gzip.NEVER)), url);
        }
    }

    private static GatewaySettings.Influx influx(String url, GatewaySettings.Gzip gzip) {
        return new GatewaySettings.Influx(url, "db", null, null, null, gzip);
    }

    /** One /write as the proxy saw it: its lines, and when it arrived. */
    private record Write(int lines, long arrivedNs) {
    }

    private static String database(InfluxdProcess influx, String name) {
        influx.createDatabase(name);
        return name;
    }

    /** Records each /write passing through the proxy (its body unpacked), in order of arrival. */
    private static final class Recorder implements InfluxProxy.WriteFault {
        private final List<Write> writes = new ArrayList<>();

        static Recorder on(InfluxProxy proxy) {
            Recorder recorder = new Recorder();
            proxy.fault(recorder);
            return recorder;
        }

        @Override
        public InfluxProxy.Refusal refusal(String body) {
            long arrivedNs = System.nanoTime();
            int lines = (int) body.lines().filter(l -> !l.isEmpty()).count();
            synchronized (writes) {
                writes.add(new Write(lines, arrivedNs));
            }
            return null;
        }

        List<Write> writes() {
            synchronized (writes) {
                return List.copyOf(writes);
            }
        }
    }

    /** A forwarder from {@code spool} through {@code proxy} into {@code db}, with {@code linger}, started. */
    private static InfluxForwarder forwarder(Spool spool, InfluxProxy proxy, String db, Duration linger) {
        var settings = new GatewaySettings.Forward(5000, Duration.ofMillis(50), Duration.ofMillis(500),
                Duration.ofDays(1), Duration.ofHours(1), Duration.ofMinutes(15), linger);
        InfluxForwarder forwarder = new InfluxForwarder(new GatewaySettings.Influx(proxy.url(), db, null, null),
                settings, spool, new SimpleMeterRegistry());
        forwarder.start();
        return forwarder;
    }
}
