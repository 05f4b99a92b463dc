package org.fieldgate.forward;

import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.fieldgate.config.GatewaySettings;
import org.fieldgate.reading.EpochNanos;
import org.fieldgate.reading.Reading;
import org.fieldgate.store.FullPolicy;
import org.fieldgate.store.Spool;
import org.fieldgate.testkit.InfluxProxy;
import org.fieldgate.testkit.InfluxdProcess;
import org.fieldgate.testkit.Poll;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The forward path alone at a steady rate against a real influxd (through a proxy that counts the writes): readings
 * committed to a spool as the ingest committer commits them, stamped with the wall clock at the commit, so the
 * forwarder's {@code fieldgate.forward.latency} is commit to InfluxDB's acknowledgement. Prints per variant the writes,
 * readings per write, that latency's p50/p99/max and the CPU of the forward path's threads (thread CPU time, so a busy
 * box shows in the latency but hardly in the CPU). Variants alternate, each on a fresh spool and database.
 * Arguments: readings/s (5000), seconds (20), readings per commit (100), rounds (2), then variants as
 * {@code linger/gzip} ({@code 0ms/always}: the forwarder before the linger and the loopback gzip policy; {@code
 * 100ms/auto}).
 */
public final class ForwardLatencyRun {
    private ForwardLatencyRun() {
    }

    /** CPU time by thread id of the forward path's threads; each one's id and name to {@code seen}. */
    private static Map<Long, Long> forwardThreadsCpuNs(ThreadMXBean cpu, java.util.function.BiConsumer<Long, String> seen) {
        Map<Long, Long> cpuNs = new java.util.HashMap<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            String name = t.getName();
            if (name.equals("influx-forwarder") || name.equals("influx-batch-preparer") || name.equals("spool-settler")
                    || name.equals("influx-http") || name.startsWith("HttpClient-")) {
                cpuNs.put(t.getId(), Math.max(0, cpu.getThreadCpuTime(t.getId())));
                seen.accept(t.getId(), name.startsWith("HttpClient-") ? "HttpClient" : name);
            }
        }
        return cpuNs;
    }

    public static void main(String[] args) throws Exception {
        int rate = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int perCommit = args.length > 2 ? Integer.parseInt(args[2]) : 100;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        List<String> variants = args.length > 4 ? List.of(args).subList(4, args.length) : List.of("0ms/always", "100ms/auto");
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        try (InfluxdProcess influx = InfluxdProcess.started(); InfluxProxy proxy = InfluxProxy.to(influx.url())) {
            AtomicLong writes = new AtomicLong();
            proxy.fault(body -> {
                writes.incrementAndGet();
                return null;
            });
            int run = 0;
            for (int round = 0; round < rounds; round++) {
                for (String variant : variants) {
                    String[] v = variant.split("/");
                    Duration linger = Duration.ofMillis(Long.parseLong(v[0].replace("ms", "")));
                    GatewaySettings.Gzip gzip = GatewaySettings.Gzip.valueOf(v[1].toUpperCase(java.util.Locale.ROOT));
                    String db = "latency_" + run++;
                    influx.createDatabase(db);
                    Path dir = Files.createTempDirectory("fieldgate-fwdlat");
                    SimpleMeterRegistry metrics = new SimpleMeterRegistry();
                    long writesBefore = writes.get();
                    long total = (long) rate * seconds / perCommit * perCommit;
                    Map<String, Long> threadCpuNs = new TreeMap<>();
                    // the HTTP clients of earlier variants keep their selector threads until collected
                    Map<Long, Long> before = forwardThreadsCpuNs(cpu, (id, name) -> { });
                    try (Spool spool = new Spool(dir, 256L << 20, FullPolicy.BACKPRESSURE, InfluxLines::gap)) {
                        var settings = new GatewaySettings.Forward(5000, Duration.ofMillis(50), Duration.ofMillis(500),
                                Duration.ofDays(1), Duration.ofHours(1), Duration.ofMinutes(15), linger);
                        try (InfluxForwarder forwarder = new InfluxForwarder(
                                new GatewaySettings.Influx(proxy.url(), db, null, null, null, gzip), settings, spool, metrics)) {
                            forwarder.start();
                            long periodNs = 1_000_000_000L * perCommit / rate;
                            long t0 = System.nanoTime();
                            for (long i = 0; i < total; i += perCommit) {
                                long due = t0 + i / perCommit * periodNs;
                                long waitNs = due - System.nanoTime();
                                if (waitNs > 0) {
                                    Thread.sleep(waitNs / 1_000_000, (int) (waitNs % 1_000_000));
                                }
                                long now = EpochNanos.now();
                                List<Reading> commit = new ArrayList<>(perCommit);
                                for (long k = i; k < i + perCommit; k++) {
                                    // 1,000 devices of 10 channels; the time keeps each point distinct
                                    commit.add(new Reading("plot-lat", "dev-" + k / 10 % 1000, "ch-" + k % 10, "ppm",
                                            now - k % perCommit, 400 + k % 977 * 0.1, 0));
                                }
                                spool.readings().commit(commit, List.of(), now);
                                forwarder.wake();
                            }
                            Poll.until("delivered", Duration.ofSeconds(60), () -> forwarder.delivered() == total);
                            Map<Long, String> names = new java.util.HashMap<>();
                            forwardThreadsCpuNs(cpu, names::put).forEach((id, ns) -> threadCpuNs.merge(
                                    names.get(id), ns - before.getOrDefault(id, 0L), Long::sum));
                        }
                    }
                    var snapshot = metrics.get("fieldgate.forward.latency").summary().takeSnapshot();
                    StringBuilder line = new StringBuilder(String.format(java.util.Locale.ROOT,
                            "%-12s round %d: %,d readings in %,d writes (%.0f per write); commit to ack ms",
                            variant, round + 1, total, writes.get() - writesBefore,
                            total / (double) Math.max(1, writes.get() - writesBefore)));
                    for (ValueAtPercentile p : snapshot.percentileValues()) {
                        line.append(String.format(java.util.Locale.ROOT, " p%.0f %.0f", p.percentile() * 100, p.value() * 1000));
                    }
                    line.append(String.format(java.util.Locale.ROOT, " max %.0f; forward CPU-s per million:", snapshot.max() * 1000));
                    long sum = 0;
                    for (var e : threadCpuNs.entrySet()) {
                        line.append(String.format(java.util.Locale.ROOT, " %s %.2f", e.getKey(), e.getValue() / 1e3 / total));
                        sum += e.getValue();
                    }
                    line.append(String.format(java.util.Locale.ROOT, "; all %.2f", sum / 1e3 / total));
                    System.out.println(line);
                    try (var files = Files.walk(dir)) {
                        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                    }
                }
            }
        }
    }
}
