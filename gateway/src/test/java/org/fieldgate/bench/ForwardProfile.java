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
 * and a JFR recording ({@code jcmd PID JFR.start}, profile settings) of the shape summarised by {@link JfrTopFrames}.
 * A load driver run by {@code gateway/bench/profile-bench}, not a test. Gateway settings can be varied with
 * {@code --set=NAME=VALUE} (repeatable), so two runs compare e.g. two forward batch sizes.
 */
public final class ForwardProfile {
    private final Cleanup cleanup = new Cleanup();
    private final Path out;
    private int warmReadings = 500_000;
    private int burstReadings = 500_000;
    private int singleReadings = 100_000;
    private List<String> jvm = List.of("-Xmx96m", "-XX:+UseSerialGC");
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
                case "gateway-jvm" -> p.jvm = List.of(value.trim().split("\\s+"));
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

        shape("warm-up", Load.burst("prof-warm", 50, warmReadings, 31), false);
        shape("warm-up 1/msg", Load.single("prof-warm1", 1_000, warmReadings / 20, 33), false);
        shape("100-per-msg", Load.burst("prof-c", 50, burstReadings, 32), true);
        shape("1-per-msg", Load.single("prof-c1", 1_000, singleReadings, 34), true);
        System.out.printf("profile-bench: load average at the end %s%n", PipelineBenchmark.loadAverage());
    }

    private void shape(String label, Load load, boolean record) throws Exception {
        long total = load.readings();
        long startDelivered = gateway.status().delivered();
        String jcmd = Paths.get(System.getProperty("java.home"), "bin", "jcmd").toString();
        String pid = Long.toString(gateway.pid());
        Path jfr = out.resolve(label + ".jfr").toAbsolutePath();
        if (record) {
            exec(jcmd, pid, "JFR.start", "name=" + label, "settings=profile", "filename=" + jfr);
        }
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
        if (record) {
            exec(jcmd, pid, "JFR.stop", "name=" + label);
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
        if (record) {
            System.out.print(JfrTopFrames.of(jfr).table(6, 0.005).indent(3));
        }
    }

    private static void exec(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + text);
        }
    }
}
