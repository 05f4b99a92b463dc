package org.fieldgate.bench;

import org.fieldgate.testkit.Cleanup;
import org.fieldgate.testkit.FreePorts;
import org.fieldgate.testkit.InfluxdProcess;
import org.fieldgate.testkit.MosquittoProcess;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Where the gateway's CPU goes under the pipeline benchmark's load, per thread: a gateway child JVM (the site's
 * gateway/jvm.options unless told otherwise) fed by the benchmark's QoS 1 publisher, after a warm-up, for both message
 * shapes of issue 12 (100 readings per message from 50 devices; 1 reading per message from 1,000 devices). For each
 * shape: readings/s, CPU-seconds per million readings of the gateway and of each of its threads (/proc/PID/task),
 * and the shape's part of a JFR recording (profile settings, started before the warm-up, {@code JFR.dump} per shape)
 * summarised by {@link JfrTopFrames}.
 * A load driver run by {@code gateway/bench/profile-bench}, not a test. Gateway settings can be varied with
 * {@code --set=NAME=VALUE} (repeatable), so two runs compare e.g. two forward batch sizes. {@code --jfr=off} records
 * nothing (no JFR thread in the CPU figures).
 */
public final class ForwardProfile {
    private static final String RECORDING = "profile-bench";
    private final Cleanup cleanup = new Cleanup();
    private final Path out;
    private int warmReadings = 500_000;
    private int burstReadings = 500_000;
    private int singleReadings = 100_000;
    // 25,000 (a twentieth of the 100/msg warm-up) left C2 compiling the 1/msg path through the measured shape:
    // C2 4.5-13.9 CPU-s per million readings there; after 150,000, 1.7
    private int warmSingleReadings = 150_000;
    private List<String> jvm = List.of("-Xmx96m", "-XX:+UseSerialGC");
    private boolean jfr = true;
    private final Map<String, String> settings = new LinkedHashMap<>();
    private InfluxdProcess influx;
    private PipelineBenchmark.BenchGateway gateway;
    private String brokerUrl;

    private ForwardProfile(Path out) {
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        ForwardProfile p = new ForwardProfile(Paths.get(System.getProperty("fieldgate.bench.jfr-dir", "target/profile")));
        for (String a : args) {
            int eq = a.indexOf('=');
            if (!a.startsWith("--") || eq < 0) {
                System.err.println("profile-bench: unknown argument '" + a + "'");
                System.exit(64);
            }
            String value = a.substring(eq + 1);
            switch (a.substring(2, eq)) {
                case "warm-readings" -> p.warmReadings = Integer.parseInt(value);
                case "burst-readings" -> p.burstReadings = Integer.parseInt(value);
                case "single-readings" -> p.singleReadings = Integer.parseInt(value);
                case "warm-single-readings" -> p.warmSingleReadings = Integer.parseInt(value);
                case "gateway-jvm" -> p.jvm = List.of(value.trim().split("\\s+"));
                case "jfr" -> p.jfr = switch (value) {
                    case "on" -> true;
                    case "off" -> false;
                    default -> throw new IllegalArgumentException("--jfr must be on or off, not '" + value + "'");
                };
                case "set" -> {
                    int e2 = value.indexOf('=');
                    if (e2 < 0) {
                        System.err.println("profile-bench: --set wants NAME=VALUE, not '" + value + "'");
                        System.exit(64);
                    }
                    p.settings.put(value.substring(0, e2), value.substring(e2 + 1));
                }
                default -> {
                    System.err.println("profile-bench: unknown option " + a);
                    System.exit(64);
                }
            }
        }
        int code = 0;
        try {
            p.run();
        } catch (Throwable t) {
            System.err.println("profile-bench FAILED: " + t);
            t.printStackTrace(System.err);
            if (p.gateway != null) {
                System.err.println(p.gateway.child.tail(40));
            }
            code = 1;
        } finally {
            p.cleanup.close();
        }
        System.exit(code);
    }

    private void run() throws Exception {
        Files.createDirectories(out);
        System.out.printf("profile-bench: load average %s; gateway JVM %s; settings %s%n", PipelineBenchmark.loadAverage(),
                String.join(" ", jvm), settings);
        MosquittoProcess broker = cleanup.add(MosquittoProcess.started());
        influx = cleanup.add(InfluxdProcess.started());
        brokerUrl = broker.url();
        Map<String, String> props = new LinkedHashMap<>();
        props.put("micronaut.server.host", "127.0.0.1");
        props.put("micronaut.server.port", Integer.toString(FreePorts.next()));
        props.put("fieldgate.site", "bench");
        props.put("fieldgate.mqtt.url", broker.url());
        props.put("fieldgate.mqtt.embedded", "false");
        props.put("fieldgate.mqtt.client-id", "profile-gateway");
        props.put("fieldgate.influx.url", influx.url());
        props.put("fieldgate.influx.database", "bench");
        props.put("fieldgate.simulator.enabled", "false");
        props.putAll(settings);
        gateway = cleanup.add(new PipelineBenchmark.BenchGateway(jvm, props));
        gateway.start();
        System.out.printf("gateway PID %d%n", gateway.pid());

        // The first JFR.start in a running JVM retransforms JDK classes for its I/O events, and HotSpot then throws
        // away all compiled code (its dependencies are only recorded when JVMTI is there from the start): about
        // 2,400 methods made not entrant at once and compiled again, which counted as the gateway's C2 and C1 CPU in
        // the first recorded shape (C2 7-10 CPU-s per million readings instead of 1-2). So one recording runs from
        // before the warm-up (which takes that hit and warms JFR's own code) to the end, and each recorded shape is
        // dumped from it.
        if (jfr) {
            jcmd("JFR.start", "name=" + RECORDING, "settings=profile");
        }
        shape("warm-up", Load.burst("prof-warm", 50, warmReadings, 31), false);
        shape("warm-up 1/msg", Load.single("prof-warm1", 1_000, warmSingleReadings, 33), false);
        shape("100-per-msg", Load.burst("prof-c", 50, burstReadings, 32), true);
        shape("1-per-msg", Load.single("prof-c1", 1_000, singleReadings, 34), true);
        System.out.printf("profile-bench: load average at the end %s%n", PipelineBenchmark.loadAverage());
    }

    private void shape(String label, Load load, boolean record) throws Exception {
        long total = load.readings();
        long startDelivered = gateway.status().delivered();
        boolean recorded = record && jfr;
        Path recording = out.resolve(label + ".jfr").toAbsolutePath();
        Instant from = Instant.now();
        Map<String, Long> threadsBefore = ThreadCpu.snapshot(gateway.pid());
        long ticksBefore = ProcStat.ticks(gateway.pid());
        long t0 = System.nanoTime();
        try (PipelineBenchmark.Publisher pub = new PipelineBenchmark.Publisher(brokerUrl, "prof-pub", 100)) {
            for (int k = 0; k < load.payloads.size(); k++) {
                pub.publish(load.topic("fieldgate", k), load.payloads.get(k));
            }
            pub.flush(Duration.ofSeconds(600));
        }
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(30);
        while (gateway.status().delivered() < startDelivered + total) {
            if (System.nanoTime() > deadline || !gateway.child.isAlive()) {
                throw new IllegalStateException(label + ": not all delivered: " + gateway.status().raw());
            }
            Thread.sleep(100);
        }
        long t1 = System.nanoTime();
        long ticks = ProcStat.ticks(gateway.pid()) - ticksBefore;
        Map<String, Long> threads = ThreadCpu.between(threadsBefore, ThreadCpu.snapshot(gateway.pid()));
        Instant to = Instant.now();
        if (recorded) {
            jcmd("JFR.dump", "name=" + RECORDING, "filename=" + recording, "begin=" + from, "end=" + to);
        }
        long hz = ClockTicks.perSecond();
        double s = (t1 - t0) / 1e9;
        System.out.printf("%n== %s: %,d readings in %.1f s = %,.0f readings/s; gateway %.1f CPU-s per million readings "
                        + "(%.0f %% of a core); load average %s%n", label, total, s, total / s,
                ProcStat.cpuSecondsPerMillion(ticks, hz, total), 100.0 * ticks / hz / s, PipelineBenchmark.loadAverage());
        List<String> parts = new ArrayList<>();
        threads.forEach((name, t) -> {
            if (100.0 * t / ticks >= 1.0) {
                parts.add(String.format("%s %.1f (%.0f %%)", name, ProcStat.cpuSecondsPerMillion(t, hz, total), 100.0 * t / ticks));
            }
        });
        System.out.println("   CPU-s per million by thread (share of the gateway's CPU): " + String.join(", ", parts));
        if (recorded) {
            System.out.print(JfrTopFrames.of(recording, from, to).table(6, 0.005).indent(3));
        }
    }

    private void jcmd(String... command) throws IOException, InterruptedException {
        List<String> line = new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(gateway.pid())));
        line.addAll(List.of(command));
        Process p = new ProcessBuilder(line).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", line) + " failed: " + text);
        }
    }
}
