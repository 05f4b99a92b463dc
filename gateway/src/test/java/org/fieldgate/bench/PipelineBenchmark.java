package org.fieldgate.bench;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.fieldgate.config.SettingDefaults;
import org.fieldgate.testkit.ChildProcess;
import org.fieldgate.testkit.Cleanup;
import org.fieldgate.testkit.FreePorts;
import org.fieldgate.testkit.InfluxdProcess;
import org.fieldgate.testkit.MosquittoProcess;
import org.fieldgate.testkit.Poll;
import org.fieldgate.testkit.SenmlPacks;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

/**
 * The pipeline benchmark of issue 12 (per reading cheaper than a Node-RED flow, against the real InfluxDB ceiling): a
 * load driver run by {@code gateway/bench/pipeline-bench}, not a test (the name does not end in Test, so surefire
 * never picks it up). It starts its own mosquitto and influxd (testkit), the gateway as a child JVM with
 * gateway/jvm.options, and Node-RED as the peer, then measures one after the other (gateway/bench/README.md):
 * <ol>
 *   <li>(a) the InfluxDB server's ceiling: pre-encoded line-protocol bodies of 5,000 points, keep-alive, 1 and 2
 *       writers ({@link InfluxCeiling}); the higher rate counts;</li>
 *   <li>(b) the raw Mosquitto QoS 1 ceiling: Paho publisher (100 in flight) → mosquitto → Paho subscriber;</li>
 *   <li>(p) the (c) publisher alone ({@link RawMqttPublisher}) into mosquitto, nobody subscribed: what it can offer;</li>
 *   <li>start-up as a site runs it: the packaged jar with the AppCDS archive the launchers make, process start →
 *       GET /health 200, 5 fresh gateways with and 5 without the archive, interleaved, medians;</li>
 *   <li>(c) end to end after a warm-up of 1 million readings, for fieldgate and Node-RED with the same publisher,
 *       shapes and counts: 100 readings per message (500 series) and 1 reading per message (1,000 devices), in
 *       rounds that alternate the two peers (3 by default; the verdicts take the medians of the rounds); then
 *       fieldgate alone with 10,000 and 50,000 series; exact stored counts; CPU-seconds per million readings of
 *       each process from /proc/PID/stat;</li>
 *   <li>memory: VmHWM over a steady 10,000 readings/s with 10,000 series; heap used after a full GC after the
 *       50,000-series run;</li>
 *   <li>latency at 5,000 readings/s and the drain after an InfluxDB outage.</li>
 * </ol>
 * Every wait is bounded; every child is stopped by its own PID at the end, also on failure. Exit code 0: all targets
 * met; 2: measured, some target missed; 1: the benchmark failed or a target has no figure (FAILED).
 */
public final class PipelineBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int RECORDS_PER_PACK = 100;
    private static final String RAW_DB = "bench_raw";
    private static final String GATEWAY_DB = "bench";
    private static final String NODE_RED_DB = "bench_node_red";
    private static final double MIB = 1024.0 * 1024.0;

    private final Options o;
    private final Results r = new Results();
    private final Cleanup cleanup = new Cleanup();
    private final long startNanos = System.nanoTime();
    private MosquittoProcess broker;
    private InfluxdProcess influx;
    private BenchGateway gateway;
    /** The AppCDS archive the start-up phase (or the gateway's own training start) wrote; null before either. */
    private Path trainedArchive;
    private RssSampler rss;
    private volatile NodeRedPeer nodeRed;

    private PipelineBenchmark(Options o) {
        this.o = o;
    }

    public static void main(String[] args) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("pipeline-bench: " + e.getMessage());
            System.exit(64);
            return;
        }
        PipelineBenchmark bench = new PipelineBenchmark(options);
        boolean failed = false;
        try {
            bench.run();
        } catch (Throwable t) {
            failed = true;
            // keep the logs and data of a failed run for a post-mortem
            System.setProperty("fieldgate.it.keep", "true");
            System.out.flush();
            System.err.println();
            System.err.println("pipeline-bench FAILED: " + t);
            t.printStackTrace(System.err);
            if (bench.gateway != null) {
                System.err.println(bench.gateway.child.tail(40));
            }
            System.err.println("work directories kept under " + System.getProperty("fieldgate.it.workdir", "target/it-work"));
        } finally {
            bench.stopEverything();
        }
        if (!failed || bench.r.hasAny()) {
            bench.printResults(failed);
        }
        System.out.flush();
        if (options.publisherOnly) {
            System.exit(failed || Double.isNaN(bench.r.pubSingle) ? 1 : 0); // a figure, no target
        }
        if (options.drainOnly) {
            System.exit(failed || Double.isNaN(bench.r.drain) ? 1 : 0); // a figure, no target
        }
        System.exit(failed || bench.r.anyFailed() ? 1 : bench.r.allMet() ? 0 : 2);
    }

    // ---- the run -------------------------------------------------------------------------------------------

    private void run() throws Exception {
        System.out.printf("fieldgate pipeline benchmark (%s%s): %d cores, load average %s, CLK_TCK %d%n",
                o.quick ? "QUICK mode, figures indicative only" : "full issue specification",
                o.memoryOnly ? "; --only=memory" : o.startupOnly ? "; --only=startup" : o.publisherOnly ? "; --only=publisher"
                        : o.drainOnly ? "; --only=drain" : "",
                Runtime.getRuntime().availableProcessors(), loadAverage(), ClockTicks.perSecond());
        System.out.printf("  (a) %,d readings (+%,d warm-up) in %,d-point line-protocol bodies, 1 and 2 writers, java.net.http and OkHttp; (b) %,d packs x %d readings;%n",
                o.rawReadings, o.rawWarmup, o.batch, o.rawPacks, RECORDS_PER_PACK);
        System.out.printf("  (c) warm-up %,d readings at 100/msg and %,d at 1/msg; 100/msg x 500 series %,d; 1/msg x 1,000 devices %,d; 10,000 and 50,000 series %,d each;%n",
                o.warmReadings, o.warmSingleReadings, o.burstReadings, o.singleReadings, o.seriesReadings);
        System.out.printf("  steady %,d readings/s x 10,000 series for %d s; latency %d s at %,d readings/s after %d s settling; outage %d s;%n",
                o.steadyRate, o.steadySeconds, o.latencySeconds, o.rate, o.latencyWarmupSeconds, o.outageSeconds);
        System.out.printf("  gateway JVM %s%n%n", String.join(" ", o.gatewayJvm));

        log("starting mosquitto and influxd");
        broker = cleanup.add(MosquittoProcess.started());
        influx = cleanup.add(InfluxdProcess.started());
        log("mosquitto PID %d on %s, influxd PID %d on %s", broker.pid(), broker.url(), influx.pid(), influx.url());

        if (o.memoryOnly) {
            memoryOnly();
            return;
        }
        if (o.startupOnly) {
            startUps();
            r.loadEnd = loadAverage();
            return;
        }
        if (o.publisherOnly) {
            publisherCeiling();
            r.loadEnd = loadAverage();
            return;
        }
        if (o.drainOnly) {
            drainOnly();
            return;
        }
        rawInflux();
        rawMosquitto();
        publisherCeiling();
        startUps();

        startGateway();
        rss.phase("(c)");
        e2e("warm-up", Load.burst("bench-warm", 50, o.warmReadings, 31), Peer.FIELDGATE);
        e2e("warm-up 1/msg", Load.single("bench-warm1", 1_000, o.warmSingleReadings, 33), Peer.FIELDGATE);
        nodeRed();
        seriesAndMemory();

        try (Publisher probe = new Publisher(broker.url(), "bench-probe", o.inflight)) {
            rss.phase("latency");
            latency(probe);
            rss.phase("outage");
            drain(probe);
        }

        Status last = wholeRunFigures();
        r.finalStatus = last.raw.toString();
        if (last.deadLetters != 0 || last.quarantined != 0) {
            throw new IllegalStateException("the gateway dead-lettered or quarantined readings of well-formed packs: " + last.raw);
        }
        r.loadEnd = loadAverage();
    }

    /**
     * {@code --only=memory}: the memory phases alone on one gateway, as in the full run (a 100/msg warm-up of
     * {@code --warm-readings}, the 10,000-series run, the steady rate, the 50,000-series run, the heap after a full GC);
     * the other phases are not run and have no verdict line.
     */
    private void memoryOnly() throws Exception {
        startGateway();
        rss.phase("(c)");
        e2e("warm-up", Load.burst("bench-warm", 50, o.warmReadings, 31), Peer.FIELDGATE);
        seriesAndMemory();
        r.finalStatus = wholeRunFigures().raw.toString();
        r.loadEnd = loadAverage();
    }

    /**
     * {@code --only=drain}: a 100/msg warm-up of {@code --warm-readings} through one gateway, then the drain phase alone
     * (InfluxDB down for {@code --outage-s}, then the rate the spool drains at), with the gateway's CPU per thread.
     */
    private void drainOnly() throws Exception {
        startGateway();
        rss.phase("(c)");
        e2e("warm-up", Load.burst("bench-warm", 50, o.warmReadings, 31), Peer.FIELDGATE);
        try (Publisher probe = new Publisher(broker.url(), "bench-probe", o.inflight)) {
            rss.phase("outage");
            drain(probe);
        }
        r.finalStatus = wholeRunFigures().raw.toString();
        r.loadEnd = loadAverage();
    }

    /**
     * The gateway the (c) phases and what follows them measure, with its RSS sampled from its start: by default as the
     * launchers run it ({@code --gateway-launch=jar-cds}: the packaged jar with the AppCDS archive of the start-up
     * phase, trained first when that phase did not run), or from the compiled classes ({@code classes}, no archive).
     */
    private void startGateway() throws Exception {
        if (o.launchJarCds) {
            Path jar = requireJar();
            if (trainedArchive == null) {
                try (MosquittoProcess startBroker = MosquittoProcess.started()) {
                    trainNewArchive(jar, startBroker);
                }
            }
            List<String> jvm = new ArrayList<>(o.gatewayJvm);
            jvm.add("-XX:SharedArchiveFile=" + trainedArchive);
            log("starting the gateway as the launchers do (%s -jar %s)", String.join(" ", jvm), jar);
            gateway = cleanup.add(BenchGateway.ofJar(jvm, gatewayProperties(), jar));
            gateway.start();
            if (!CdsArchive.mapped(gateway.pid(), trainedArchive)) {
                throw new IllegalStateException("the gateway did not map the AppCDS archive " + trainedArchive
                        + " (stale or refused; see " + gateway.child.tail(20) + ")");
            }
            r.gatewayLaunch = "the packaged jar with the AppCDS archive (mapped), as the launchers run it";
        } else {
            log("starting the gateway from the compiled classes (%s)", String.join(" ", o.gatewayJvm));
            gateway = cleanup.add(new BenchGateway(o.gatewayJvm, gatewayProperties()));
            gateway.start();
            r.gatewayLaunch = "the compiled classes, no AppCDS archive (--gateway-launch=classes)";
        }
        rss = new RssSampler(gateway.pid());
        rss.phase("start-up");
        rss.start();
        log("gateway PID %d on %s", gateway.pid(), gateway.baseUrl());
    }

    /** The 10,000-series run, the steady rate's memory, the 50,000-series run and the heap after a full GC. */
    private void seriesAndMemory() throws Exception {
        rss.phase("(c) 10k series");
        r.gw10k = e2e("100/msg, 10,000 series", Load.burst("bench-10k", 1_000, o.seriesReadings, 35), Peer.FIELDGATE);
        steadyMemory();
        rss.phase("(c) 50k series");
        r.gw50k = e2e("100/msg, 50,000 series", Load.burst("bench-50k", 5_000, o.seriesReadings, 36), Peer.FIELDGATE);
        heapAfterGc();
    }

    /** The whole run's VmHWM and sampled RSS; the gateway's last status. */
    private Status wholeRunFigures() throws Exception {
        r.vmHwmKb = procStatusKb(gateway.pid(), "VmHWM");
        r.maxRssKb = Math.max(rss.maxKb(), procStatusKb(gateway.pid(), "VmRSS"));
        r.rssSamples = rss.samples();
        r.rssByPhase = rss.byPhase();
        return gateway.status();
    }

    private Map<String, String> gatewayProperties() {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("micronaut.server.host", "127.0.0.1");
        props.put("micronaut.server.port", Integer.toString(FreePorts.next()));
        props.put("fieldgate.site", "bench");
        props.put("fieldgate.mqtt.url", broker.url());
        props.put("fieldgate.mqtt.embedded", "false");
        props.put("fieldgate.mqtt.client-id", "bench-gateway");
        props.put("fieldgate.influx.url", influx.url());
        props.put("fieldgate.influx.database", GATEWAY_DB);
        props.put("fieldgate.simulator.enabled", "false");
        return props;
    }

    /**
     * Start-up as a site runs it: the packaged jar ({@code java <jvm.options> -jar}) with the AppCDS archive made the
     * way the launchers make it (gateway/fieldgate and deploy/debian/fieldgate: the first start runs with
     * -XX:ArchiveClassesAtExit and the JVM writes the archive when the gateway stops cleanly; later starts map it with
     * -XX:SharedArchiveFile). One training start (it ingests and forwards a few thousand readings, as a site would
     * before its first clean stop), then {@code o.starts} fresh gateways (empty spool) without and with the archive,
     * interleaved, each timed from process start to the first GET /health 200. The figure with the archive is the
     * verdict's, and only when the archive was mapped in every one of those starts; the one without is context.
     * Against a broker of their own: their persistent sessions would otherwise collect every (c) message.
     */
    private void startUps() throws Exception {
        Path jar = requireJar();
        try (MosquittoProcess startBroker = MosquittoProcess.started()) {
            Path archive = trainNewArchive(jar, startBroker);
            long archiveKb = Files.size(archive) / 1024;
            log("start-up: AppCDS archive %s, %,d KiB", archive, archiveKb);
            List<StartUp> plain = new ArrayList<>();
            List<StartUp> cds = new ArrayList<>();
            List<String> withArchive = new ArrayList<>(o.gatewayJvm);
            withArchive.add("-XX:SharedArchiveFile=" + archive);
            for (int i = 0; i < o.starts; i++) {
                plain.add(timedStart(jar, o.gatewayJvm, null, startBroker, "plain-" + i));
                cds.add(timedStart(jar, withArchive, archive, startBroker, "cds-" + i));
                log("start-up %d of %d: /health 200 after %.2f s without the archive (CPU %.2f s), %.2f s with it (CPU %.2f s; archive mapped: %s)",
                        i + 1, o.starts, plain.get(i).seconds(), plain.get(i).cpuSeconds(), cds.get(i).seconds(),
                        cds.get(i).cpuSeconds(), cds.get(i).archiveMapped() ? "yes" : "no");
            }
            r.startUps = new StartUpRuns(plain, cds, archiveKb);
        }
    }

    private Path requireJar() {
        Path jar = o.gatewayJar;
        if (jar == null || !Files.isRegularFile(jar)) {
            throw new IllegalStateException("no gateway jar at " + jar
                    + " (pipeline-bench builds it and passes it as -Dfieldgate.bench.jar)");
        }
        return jar;
    }

    /** A training start into a new work directory; its archive becomes {@link #trainedArchive}, which it returns. */
    private Path trainNewArchive(Path jar, MosquittoProcess startBroker) throws Exception {
        Path archive = ChildProcess.newWorkDir("cds").resolve("fieldgate.jsa");
        trainArchive(jar, archive, startBroker);
        trainedArchive = archive;
        return archive;
    }

    /** The launchers' first start: -XX:ArchiveClassesAtExit, readings in and out, a clean stop (SIGTERM) writes the archive. */
    private void trainArchive(Path jar, Path archive, MosquittoProcess startBroker) throws Exception {
        List<String> jvm = new ArrayList<>(o.gatewayJvm);
        jvm.add("-XX:ArchiveClassesAtExit=" + archive);
        jvm.add("-Xlog:cds*=off"); // as the launchers: the dump's warnings about classes it skips are not wanted
        try (BenchGateway g = BenchGateway.ofJar(jvm, startProperties(startBroker, "train"), jar)) {
            g.start();
            Load burst = Load.burst("bench-start-train", 10, 5_000, 71);
            Load single = Load.single("bench-start-train1", 100, 1_000, 72);
            try (Publisher pub = new Publisher(startBroker.url(), "bench-start-train-pub", o.inflight)) {
                for (Load load : List.of(burst, single)) {
                    for (int k = 0; k < load.payloads.size(); k++) {
                        pub.publish(load.topic("fieldgate", k), load.payloads.get(k));
                    }
                }
                pub.flush(Duration.ofSeconds(120));
            }
            long total = burst.readings() + single.readings();
            Poll.until("the training gateway to deliver " + total + " readings", Duration.ofSeconds(180),
                    () -> g.status().delivered >= total, g::diagnostics);
            log("start-up: training start (-XX:ArchiveClassesAtExit) delivered %,d readings; stopping it cleanly", total);
            g.child.stop(120);
        }
        if (!Files.isRegularFile(archive) || Files.size(archive) == 0) {
            throw new IllegalStateException("start-up: the training start wrote no AppCDS archive at " + archive);
        }
    }

    private StartUp timedStart(Path jar, List<String> jvm, Path archive, MosquittoProcess startBroker, String name) {
        try (BenchGateway g = BenchGateway.ofJar(jvm, startProperties(startBroker, name), jar)) {
            return g.timedStart(archive);
        }
    }

    private Map<String, String> startProperties(MosquittoProcess startBroker, String name) {
        Map<String, String> props = gatewayProperties();
        props.put("fieldgate.mqtt.url", startBroker.url());
        props.put("fieldgate.mqtt.client-id", "bench-start-" + name);
        return props;
    }

    enum Peer { FIELDGATE, NODE_RED }

    /**
     * One end-to-end run: every message of {@code load} published QoS 1 with {@code o.inflight} in flight; done when
     * the gateway reports all delivered (fieldgate) or InfluxDB's count is exact (Node-RED, which reports nothing);
     * the stored count must then be exactly the readings sent. CPU-seconds per million readings per process.
     */
    private E2e e2e(String label, Load load, Peer peer) throws Exception {
        String who = peer == Peer.FIELDGATE ? "fieldgate" : "node-red";
        String db = peer == Peer.FIELDGATE ? GATEWAY_DB : NODE_RED_DB;
        String prefix = peer == Peer.FIELDGATE ? "fieldgate" : NodeRedPeer.TOPIC_PREFIX;
        long total = load.readings();
        List<String> topics = load.topics(prefix);
        Status start = peer == Peer.FIELDGATE ? gateway.status() : null;
        try (RawMqttPublisher pub = new RawMqttPublisher(broker.url(), "bench-pub-" + who, o.pubConnections, o.inflight)) {
            RawMqttPublisher.Plan plan = pub.plan(topics, load.payloads);
            Cpu cpu = cpu(peer);
            Map<String, Long> threadsBefore = peer == Peer.FIELDGATE ? ThreadCpu.snapshot(gateway.pid()) : Map.of();
            log("(c) %s %s: publishing %,d messages (%,d readings, %,d series) over %d connections, %d in flight", who, label,
                    topics.size(), total, load.series(), pub.connections(), pub.inflightTotal());
            long t0 = System.nanoTime();
            pub.send(plan, Duration.ofSeconds(600));
            long tPublished = System.nanoTime();
            long tDone;
            if (peer == Peer.FIELDGATE) {
                tDone = awaitDelivered(start.delivered + total, Duration.ofSeconds(1800), "(c) " + label);
            } else {
                tDone = awaitCount(NODE_RED_DB, load.site, total, Duration.ofSeconds(1800), Duration.ofMillis(250));
            }
            Map<String, Double> perMillion = cpu.perMillion(total);
            String cpuText = cpu.since(tDone - t0);
            String threads = peer == Peer.FIELDGATE ? threadsPerMillion(threadsBefore, total) : "";
            awaitCount(db, load.site, total, Duration.ofSeconds(180), Duration.ofMillis(250));
            E2e e = new E2e(who, label, total, load.series(), seconds(tDone - t0), total / seconds(tDone - t0),
                    total / seconds(tPublished - t0), perMillion, threads);
            log("(c) %s %s: %,.0f readings/s (%.2f s; offered %,.0f/s); count exact; CPU-s per million readings %s; %s",
                    who, label, e.rate(), e.seconds(), e.offered(), perMillionText(perMillion), cpuText);
            r.runs.add(e);
            return e;
        }
    }

    /**
     * The gateway's threads since {@code before}, CPU-s per million of {@code readings}, the busiest first, and what
     * the JIT compilers (C1, C2) took of it: a warm-up too short for a shape shows there.
     */
    private String threadsPerMillion(Map<String, Long> before, long readings) {
        Map<String, Long> spent = ThreadCpu.between(before, ThreadCpu.snapshot(gateway.pid()));
        long jit = spent.entrySet().stream().filter(e -> e.getKey().startsWith("C1 Compiler") || e.getKey().startsWith("C2 Compiler"))
                .mapToLong(Map.Entry::getValue).sum();
        return String.format("JIT compilers %.2f; ", ProcStat.cpuSecondsPerMillion(jit, ClockTicks.perSecond(), readings))
                + perMillionByThread(spent, readings, 8);
    }

    /** The first {@code limit} threads of {@code spent} (ticks, busiest first), each as CPU-s per million {@code readings}. */
    private static String perMillionByThread(Map<String, Long> spent, long readings, int limit) {
        return spent.entrySet().stream().limit(limit)
                .map(e -> String.format("%s %.2f", e.getKey(),
                        ProcStat.cpuSecondsPerMillion(e.getValue(), ClockTicks.perSecond(), readings)))
                .collect(Collectors.joining(", "));
    }

    /**
     * Node-RED as the peer: the same publisher, shapes and counts as fieldgate's. After Node-RED's own warm-up, the
     * two shapes run {@code o.peerRounds} times, each round both peers one after the other (fieldgate first in odd
     * rounds, Node-RED first in even ones; the other one idles, connected), every run on a site of its own. A round's
     * two runs are minutes apart at most, so their ratio is measured on one state of the box; the verdicts take the
     * median of the rounds' ratios (Node-RED's own figures moved by a quarter between two whole runs of this script).
     */
    private void nodeRed() throws Exception {
        influx.createDatabase(NODE_RED_DB);
        log("starting Node-RED from %s with %s", o.nodeRedInstall, o.nodeRedFlow);
        try (NodeRedPeer peer = new NodeRedPeer(o.nodeRedInstall, o.nodeRedFlow, port(broker.url()), port(influx.url()), NODE_RED_DB)) {
            nodeRed = peer;
            peer.start();
            log("Node-RED PID %d", peer.pid());
            e2e("warm-up", Load.burst("bench-warm", 50, o.warmReadings, 31), Peer.NODE_RED);
            e2e("warm-up 1/msg", Load.single("bench-warm1", 1_000, o.warmSingleReadings, 33), Peer.NODE_RED);
            for (int round = 1; round <= o.peerRounds; round++) {
                String site = round == 1 ? "" : "-r" + round;
                String label = o.peerRounds == 1 ? "" : " #" + round;
                r.burstPairs.add(pair(round, "100/msg, 500 series" + label, () -> Load.burst("bench-c" + site, 50, o.burstReadings, 32)));
                r.singlePairs.add(pair(round, "1/msg, 1,000 devices" + label, () -> Load.single("bench-c1" + site, 1_000, o.singleReadings, 34)));
            }
            String errors = peer.errors();
            if (!errors.isEmpty()) {
                throw new IllegalStateException("Node-RED logged errors:\n" + errors);
            }
        } finally {
            nodeRed = null;
        }
    }

    /** One shape through both peers, in the order of the round; {fieldgate's run, Node-RED's}. */
    private E2e[] pair(int round, String label, java.util.function.Supplier<Load> load) throws Exception {
        E2e[] runs = new E2e[2];
        for (Peer peer : round % 2 == 1 ? List.of(Peer.FIELDGATE, Peer.NODE_RED) : List.of(Peer.NODE_RED, Peer.FIELDGATE)) {
            runs[peer == Peer.FIELDGATE ? 0 : 1] = e2e(label, load.get(), peer);
        }
        return runs;
    }

    private static int port(String url) {
        return URI.create(url).getPort();
    }

    /**
     * Memory at a steady rate: {@code o.steadyRate} readings/s as 100-reading packs from 1,000 devices (10,000 series,
     * the series of the 10k run); VmHWM is reset first (/proc/PID/clear_refs 5), so the figure is this phase's peak.
     */
    private void steadyMemory() throws Exception {
        r.vmHwmBeforeSteadyKb = procStatusKb(gateway.pid(), "VmHWM");
        Files.writeString(Path.of("/proc/" + gateway.pid() + "/clear_refs"), "5");
        rss.phase("steady 10k/s");
        int pps = o.steadyRate / RECORDS_PER_PACK;
        Status start = gateway.status();
        try (Publisher pub = new Publisher(broker.url(), "bench-steady", o.inflight)) {
            log("steady: %,d readings/s from 1,000 devices (10,000 series) for %d s; VmHWM so far %.1f MiB, reset",
                    o.steadyRate, o.steadySeconds, r.vmHwmBeforeSteadyKb / 1024.0);
            Cpu cpu = cpu(Peer.FIELDGATE);
            Paced paced = new Paced(pub, "bench-10k", 1_000, pps, pps * o.steadySeconds, 61);
            paced.run();
            pub.flush(Duration.ofSeconds(60));
            long total = (long) pps * o.steadySeconds * RECORDS_PER_PACK;
            long t = awaitDelivered(start.delivered + total, Duration.ofSeconds(300), "steady");
            r.steadyOffered = total / seconds(paced.endNanos - paced.startNanos);
            r.steadyCpuPerMillion = cpu.perMillion(total);
            r.steadyVmHwmKb = procStatusKb(gateway.pid(), "VmHWM");
            log("steady: offered %,.0f readings/s; VmHWM %.1f MiB; CPU-s per million %s; %s", r.steadyOffered,
                    r.steadyVmHwmKb / 1024.0, perMillionText(r.steadyCpuPerMillion), cpu.since(t - paced.startNanos));
        }
    }

    /** The heap after a full GC with 50,000 more series in the live view and ledger (jcmd GC.run, GC.heap_info). */
    private void heapAfterGc() throws Exception {
        String jcmd = Paths.get(System.getProperty("java.home"), "bin", "jcmd").toString();
        run(jcmd, Long.toString(gateway.pid()), "GC.run");
        String info = run(jcmd, Long.toString(gateway.pid()), "GC.heap_info");
        r.heapAfterGcKb = JvmHeap.usedKb(info);
        if (r.heapAfterGcKb < 0) {
            throw new IllegalStateException("jcmd GC.heap_info named no generation:\n" + info);
        }
        log("heap used after a full GC with the 50,000-series run behind: %.1f MiB", r.heapAfterGcKb / 1024.0);
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }

    /** (a): the InfluxDB server's ceiling from pre-encoded line-protocol bodies, 1 and 2 writers; the higher counts. */
    private void rawInflux() throws Exception {
        InfluxCeiling ceiling = new InfluxCeiling(influx.url());
        influx.createDatabase(RAW_DB);
        log("(a) encoding %,d readings into %,d-point bodies", o.rawWarmup + 4L * o.rawReadings, o.batch);
        List<byte[]> warm = InfluxCeiling.bodies("bench-a-warm", o.devices, o.rawWarmup, o.batch, 11);
        ceiling.write(RAW_DB, warm, 2, InfluxCeiling.Client.JAVA_NET_HTTP);
        ceiling.write(RAW_DB, warm, 2, InfluxCeiling.Client.OKHTTP);
        long seed = 12;
        for (InfluxCeiling.Client client : InfluxCeiling.Client.values()) {
            for (int writers = 1; writers <= 2; writers++) {
                String how = writers + " writer(s) " + (client == InfluxCeiling.Client.OKHTTP ? "OkHttp" : "java.net.http");
                String site = "bench-a-" + writers + "w-" + client.name().toLowerCase(java.util.Locale.ROOT);
                List<byte[]> bodies = InfluxCeiling.bodies(site, o.devices, o.rawReadings, o.batch, seed++);
                Cpu cpu = cpu(null);
                long wall = ceiling.write(RAW_DB, bodies, writers, client);
                Map<String, Double> perMillion = cpu.perMillion(o.rawReadings);
                String cpuText = cpu.since(wall);
                awaitCount(RAW_DB, site, o.rawReadings, Duration.ofSeconds(120), Duration.ofMillis(250));
                double rate = o.rawReadings / seconds(wall);
                r.rawByClient.put(how, rate);
                if (Double.isNaN(r.rawInflux) || rate > r.rawInflux) {
                    r.rawInflux = rate;
                    r.rawCpuPerMillion = perMillion;
                    r.rawBest = how;
                }
                log("(a) %s: %,.0f readings/s (%.2f s); count exact (%,d); CPU-s per million %s; %s", how, rate,
                        seconds(wall), o.rawReadings, perMillionText(perMillion), cpuText);
            }
        }
    }

    /** (b): Paho → mosquitto → Paho, QoS 1 both ways, the same packs as (c) on a topic the gateway never sees. */
    private void rawMosquitto() throws Exception {
        List<byte[]> payloads = payloads("bench-b", Math.min(5_000, o.rawPacks), 21);
        List<byte[]> warm = payloads("bench-b", 200, 22);
        int packs = o.rawPacks; // the payloads are cycled: (b) runs longer than (c) for a steadier figure
        try (CountingSubscriber sub = new CountingSubscriber(broker.url(), "bench-raw-sub");
             Publisher pub = new Publisher(broker.url(), "bench-raw-pub", o.inflight)) {
            log("(b) warm-up: %d packs", warm.size());
            for (int i = 0; i < warm.size(); i++) {
                pub.publish("bench/warm/dev-" + (i % o.devices) + "/senml", warm.get(i));
            }
            pub.flush(Duration.ofSeconds(60));
            Poll.until("the raw subscriber to receive the warm-up packs", Duration.ofSeconds(60), () -> sub.warm.get() >= warm.size());
            Cpu cpu = cpu();
            log("(b) publishing %,d packs (%,d readings)", packs, (long) packs * RECORDS_PER_PACK);
            long t0 = System.nanoTime();
            for (int i = 0; i < packs; i++) {
                pub.publish("bench/raw/dev-" + (i % o.devices) + "/senml", payloads.get(i % payloads.size()));
            }
            pub.flush(Duration.ofSeconds(120));
            Poll.value("the raw subscriber to receive all " + packs + " packs", Duration.ofSeconds(300),
                    Duration.ofMillis(10), sub.count::get, n -> n >= packs, () -> "");
            long t1 = sub.lastNanos;
            r.phaseCpu.put("(b)", cpu.since(t1 - t0));
            if (sub.count.get() != packs) {
                throw new IllegalStateException("(b): subscriber received " + sub.count.get() + " packs, " + packs + " sent");
            }
            r.rawMqtt = (double) packs * RECORDS_PER_PACK / seconds(t1 - t0);
            log("(b) %,.0f readings/s (%,.0f packs/s, %.2f s). %s", r.rawMqtt, packs / seconds(t1 - t0), seconds(t1 - t0),
                    r.phaseCpu.get("(b)"));
        }
    }

    /**
     * (p): the end-to-end publisher alone against mosquitto, on topics nobody subscribes to, so that what it offers is
     * known to be above what either server takes (otherwise the fieldgate/Node-RED ratio would measure the publisher).
     * The 1/msg shape of (c) (at least 200,000 messages) once to warm up this JVM, then timed; the 100/msg shape; and
     * for comparison the Paho client of the earlier runs (one connection) on up to 50,000 of the 1/msg messages.
     */
    private void publisherCeiling() throws Exception {
        // at least 200,000 messages (3-4 s), also with --quick: a shorter run times thread starts and a cold JIT
        Load single = Load.single("bench-p1", 1_000, Math.max(o.singleReadings, 200_000), 91);
        Load burst = Load.burst("bench-p", 50, Math.min(o.burstReadings, 200_000), 92);
        try (RawMqttPublisher pub = new RawMqttPublisher(broker.url(), "bench-ceiling", o.pubConnections, o.inflight)) {
            RawMqttPublisher.Plan singlePlan = pub.plan(single.topics("ceiling"), single.payloads);
            RawMqttPublisher.Plan burstPlan = pub.plan(burst.topics("ceiling"), burst.payloads);
            log("(p) publisher alone: %d connections, %d in flight in all; warm-up %,d messages", pub.connections(),
                    pub.inflightTotal(), singlePlan.messages());
            pub.send(singlePlan, Duration.ofSeconds(600));
            Cpu cpu = cpu(null);
            long t0 = System.nanoTime();
            pub.send(singlePlan, Duration.ofSeconds(600));
            long wall = System.nanoTime() - t0;
            r.phaseCpu.put("(p)", cpu.since(wall));
            r.pubSingle = single.readings() / seconds(wall);
            t0 = System.nanoTime();
            pub.send(burstPlan, Duration.ofSeconds(600));
            r.pubBurst = burst.readings() / seconds(System.nanoTime() - t0);
            r.pubInflight = pub.inflightTotal();
            log("(p) 1/msg %,.0f readings/s (%,d messages, %.2f s; %s); 100/msg %,.0f readings/s", r.pubSingle,
                    singlePlan.messages(), seconds(wall), r.phaseCpu.get("(p)"), r.pubBurst);
        }
        int n = Math.min(single.payloads.size(), 50_000);
        List<String> topics = single.topics("ceiling");
        try (Publisher paho = new Publisher(broker.url(), "bench-ceiling-paho", o.inflight)) {
            long t0 = System.nanoTime();
            for (int k = 0; k < n; k++) {
                paho.publish(topics.get(k), single.payloads.get(k));
            }
            paho.flush(Duration.ofSeconds(600));
            r.pubPaho = n / seconds(System.nanoTime() - t0);
        }
        log("(p) Paho, 1 connection, %d in flight (the earlier publisher): 1/msg %,.0f readings/s (%,d messages)", o.inflight, r.pubPaho, n);
    }

    private List<byte[]> payloads(String site, int count, long seed) {
        SenmlPacks packs = new SenmlPacks(site, "dev", o.devices, RECORDS_PER_PACK, SenmlPacks.anHourAgo(), seed);
        List<byte[]> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(packs.pack(i).payload());
        }
        return out;
    }

    /** Latency at a steady rate, acquisition time = publish time. */
    private void latency(Publisher probe) throws Exception {
        int pps = o.rate / RECORDS_PER_PACK;
        int warmPacks = pps * o.latencyWarmupSeconds;
        int measuredPacks = pps * o.latencySeconds;
        Status start = gateway.status();
        DeliveredPoller poller = new DeliveredPoller(gateway, Duration.ofMillis(50),
                o.latencyWarmupSeconds + o.latencySeconds + 180);
        poller.start();
        log("latency: %,d readings/s for %d s (+%d s settling), acquisition time = publish time", o.rate,
                o.latencySeconds, o.latencyWarmupSeconds);
        Paced paced;
        Cpu cpu;
        try {
            Paced settle = new Paced(probe, "bench-lat", o.devices, pps, warmPacks, 41);
            settle.run();
            cpu = cpu();
            paced = new Paced(probe, "bench-lat", o.devices, pps, measuredPacks, 42, settle.devicesUsedUpTo());
            paced.run();
            probe.flush(Duration.ofSeconds(60));
            awaitDelivered(start.delivered + (long) (warmPacks + measuredPacks) * RECORDS_PER_PACK, Duration.ofSeconds(300), "latency");
        } finally {
            poller.halt();
        }
        r.phaseCpu.put("latency", cpu.since(System.nanoTime() - paced.startNanos));
        r.latencyOfferedRate = (double) measuredPacks * RECORDS_PER_PACK / seconds(paced.endNanos - paced.startNanos);
        r.latencyMaxLateMs = paced.maxLateNanos / 1e6;

        // the gateway's own figure: Micrometer timer acquisition -> InfluxDB ack, 1-minute decaying window
        String prometheus = gateway.get("/prometheus");
        List<String> lines = prometheus.lines().filter(l -> l.startsWith("fieldgate_forward_latency")).toList();
        r.prometheusLines = lines;
        r.promP50 = quantile(lines, "0.5");
        r.promP99 = quantile(lines, "0.99");

        // independent figure: publish time -> first /api/status poll that counts the reading delivered (FIFO spool)
        long base = start.delivered + (long) warmPacks * RECORDS_PER_PACK;
        long[] lat = new long[measuredPacks];
        int j = 0;
        for (int k = 0; k < measuredPacks; k++) {
            long needed = base + (long) (k + 1) * RECORDS_PER_PACK;
            while (j < poller.n && poller.delivered[j] < needed) {
                j++;
            }
            if (j >= poller.n) {
                throw new IllegalStateException("latency: no status poll saw pack " + k + " delivered");
            }
            lat[k] = Math.max(0, poller.nanos[j] - paced.publishNanos[k]);
        }
        Arrays.sort(lat);
        r.extP50 = percentile(lat, 0.50) / 1e9;
        r.extP99 = percentile(lat, 0.99) / 1e9;
        r.extMax = lat[lat.length - 1] / 1e9;
        r.pollIntervalMs = poller.meanIntervalMs();
        log("latency: gateway p50 %s s, p99 %s s; external p50 %.3f s, p99 %.3f s, max %.3f s (status polled every %.0f ms); "
                        + "offered %,.0f readings/s, publisher at most %.0f ms late. %s",
                fmt(r.promP50), fmt(r.promP99), r.extP50, r.extP99, r.extMax, r.pollIntervalMs, r.latencyOfferedRate,
                r.latencyMaxLateMs, r.phaseCpu.get("latency"));
        for (String l : lines) {
            log("  /prometheus: %s", l);
        }
    }

    /** InfluxDB down for the outage, readings pile up in the spool; then the drain rate after it comes back. */
    private void drain(Publisher probe) throws Exception {
        int pps = o.rate / RECORDS_PER_PACK;
        int packs = pps * o.outageSeconds;
        long total = (long) packs * RECORDS_PER_PACK;
        Status start = gateway.status();
        log("drain: stopping influxd (PID %d)", influx.pid());
        influx.stop();
        log("drain: publishing %,d readings/s for %d s while InfluxDB is down", o.rate, o.outageSeconds);
        Paced paced = new Paced(probe, "bench-drain", o.devices, pps, packs, 51);
        paced.run();
        probe.flush(Duration.ofSeconds(120));
        Status spooled = Poll.value("the gateway to spool all " + total + " readings of the outage", Duration.ofSeconds(300),
                Duration.ofMillis(200), gateway::status, s -> s.ingested >= start.ingested + total, gateway::diagnostics);
        r.drainSpoolDepth = spooled.spoolDepth;
        r.drainSpoolBytes = spooled.spoolBytes;
        r.drainOfferedRate = total / seconds(paced.endNanos - paced.startNanos);
        if (spooled.spoolFull) {
            throw new IllegalStateException("drain: the spool filled up during the outage; raise fieldgate.spool.max-bytes: " + spooled.raw);
        }
        log("drain: %,d readings (%.1f MiB) wait in the spool; starting influxd", spooled.spoolDepth, spooled.spoolBytes / MIB);
        long tLaunch = System.nanoTime();
        influx.start();
        long tUp = System.nanoTime();
        log("drain: influxd PID %d answers /ping after %.1f s; timing from here", influx.pid(), seconds(tUp - tLaunch));
        rss.phase("drain");
        Cpu cpu = cpu();
        Map<String, Long> threadsAtUp = ThreadCpu.snapshot(gateway.pid());
        long deliveredAtUp = gateway.status().delivered;
        long tFirst = 0;
        long tEmpty = 0;
        long deadline = tUp + TimeUnit.SECONDS.toNanos(o.quick ? 600 : 1800);
        Status s = null;
        while (System.nanoTime() < deadline) {
            s = gateway.status();
            long now = System.nanoTime();
            if (tFirst == 0 && s.delivered > deliveredAtUp) {
                tFirst = now;
            }
            if (s.spoolDepth == 0 && s.delivered >= start.delivered + total) {
                tEmpty = now;
                break;
            }
            Thread.sleep(100);
        }
        if (tEmpty == 0) {
            throw new IllegalStateException("drain: spool not empty after the deadline: " + (s == null ? "" : s.raw));
        }
        r.phaseCpu.put("drain", cpu.since(tEmpty - tUp));
        long drained = s.delivered - deliveredAtUp;
        r.drainThreads = perMillionByThread(ThreadCpu.between(threadsAtUp, ThreadCpu.snapshot(gateway.pid())), drained, 12);
        long tCount = awaitCount(GATEWAY_DB, "bench-drain", total, Duration.ofSeconds(180), Duration.ofMillis(250));
        r.drained = drained;
        r.drainSeconds = seconds(tEmpty - tUp);
        r.drain = drained / seconds(tEmpty - tUp);
        r.drainFirstWriteS = seconds(tFirst - tUp);
        r.drainSteady = drained / seconds(tEmpty - tFirst);
        log("drain: %,d readings in %.1f s = %,.0f readings/s (first write %.1f s after /ping; %,.0f readings/s from then on); "
                        + "InfluxDB count exact %.1f s after /ping. %s",
                drained, r.drainSeconds, r.drain, r.drainFirstWriteS, r.drainSteady, seconds(tCount - tUp), r.phaseCpu.get("drain"));
    }

    // ---- waits ------------------------------------------------------------------------------------------------

    /** Polls /api/status every 100 ms until {@code delivered >= target}; returns the nanoTime of that poll. */
    private long awaitDelivered(long target, Duration timeout, String what) {
        return awaitDelivered(target, timeout, what, s -> { });
    }

    private long awaitDelivered(long target, Duration timeout, String what, java.util.function.Consumer<Status> each) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Status last = null;
        while (System.nanoTime() < deadline) {
            if (!gateway.child.isAlive()) {
                throw new IllegalStateException(what + ": the gateway exited with code " + gateway.child.exitCode()
                        + " before reporting " + target + " readings delivered\n" + gateway.child.tail(30));
            }
            try {
                last = gateway.status();
            } catch (RuntimeException e) {
                // a missed poll is retried
            }
            long now = System.nanoTime();
            if (last != null) {
                each.accept(last);
            }
            if (last != null && last.delivered >= target) {
                return now;
            }
            Poll.sleep(Duration.ofMillis(100));
        }
        throw new IllegalStateException(what + ": the gateway did not report " + target + " readings delivered within "
                + timeout.toSeconds() + " s; last status " + (last == null ? "none" : last.raw) + "\n" + gateway.child.tail(30));
    }

    /** Polls SELECT count(value) for one site until it is exactly {@code total}; fails at once if it is more. */
    private long awaitCount(String db, String site, long total, Duration timeout, Duration interval) {
        Poll.value("InfluxDB database " + db + " to hold exactly " + total + " readings of site " + site, timeout, interval, () -> {
            long count = countWhere(db, site);
            if (count > total) {
                throw new IllegalStateException("InfluxDB holds " + count + " readings of site " + site + " in " + db
                        + ", more than the " + total + " sent");
            }
            return count;
        }, count -> count == total, () -> nodeRed == null ? "" : nodeRed.tail());
        return System.nanoTime();
    }

    private long countWhere(String db, String site) {
        List<Map<String, Object>> rows = influx.query(db, "SELECT count(value) FROM reading WHERE site = '" + site + "'");
        return rows.isEmpty() ? 0 : ((Number) rows.get(0).get("count")).longValue();
    }

    // ---- the report ---------------------------------------------------------------------------------------------

    private void printResults(boolean partial) {
        Results x = r;
        System.out.println();
        System.out.println("==================== fieldgate pipeline benchmark: results" + (partial ? " (PARTIAL: the run failed)" : "")
                + " ====================");
        System.out.printf("mode %s; %d cores; load average at start %s, at end %s; CLK_TCK %d%n", o.quick ? "QUICK (indicative only)" : "full",
                Runtime.getRuntime().availableProcessors(), x.loadStart, x.loadEnd == null ? "n/a" : x.loadEnd, ClockTicks.perSecond());
        System.out.printf("gateway JVM: %s; defaults otherwise (forward.batch-size %s, ingest.commit-batch-messages %s)%n",
                String.join(" ", o.gatewayJvm), SettingDefaults.of("fieldgate.forward.batch-size"),
                SettingDefaults.of("fieldgate.ingest.commit-batch-messages"));
        System.out.printf("gateway run from: %s%n", r.gatewayLaunch);
        System.out.println();
        System.out.printf("(a) InfluxDB server ceiling   %s readings/s   pre-encoded line protocol, %,d-point bodies, keep-alive; %s; %,d readings%n",
                rate(x.rawInflux), o.batch, x.rawByClient.entrySet().stream()
                        .map(e -> e.getKey() + " " + rate(e.getValue()).trim() + "/s").collect(Collectors.joining(", ")), o.rawReadings);
        System.out.printf("                              best: %s; its CPU-s per million readings: %s%n", x.rawBest, perMillionText(x.rawCpuPerMillion));
        System.out.printf("(b) raw Mosquitto QoS 1       %s readings/s   Paho pub (%d in flight) -> mosquitto -> Paho sub, %,d packs x %d%n",
                rate(x.rawMqtt), o.inflight, o.rawPacks, RECORDS_PER_PACK);
        System.out.printf("(p) publisher alone           %s readings/s   at 1/msg (%s/s at 100/msg): raw MQTT 3.1.1 QoS 1, %d connections x %d in flight -> mosquitto, no subscriber%n",
                rate(x.pubSingle), rate(x.pubBurst).trim(), o.pubConnections, o.inflight);
        System.out.printf("                              Paho, 1 connection, %d in flight (the publisher before): %s readings/s at 1/msg%n",
                o.inflight, rate(x.pubPaho).trim());
        System.out.println();
        System.out.printf("(c) end to end, QoS 1, the (p) publisher (%d connections x %d in flight), exact counts (warm-up %,d readings at 100/msg and %,d at 1/msg first); CPU-s per million readings by process:%n",
                o.pubConnections, o.inflight, o.warmReadings, o.warmSingleReadings);
        System.out.printf("    %-10s %-24s %10s %7s %11s %11s %8s  %s%n", "peer", "shape", "readings", "series", "readings/s", "offered/s",
                "of (a)", "CPU-s/M");
        for (E2e e : x.runs) {
            if (e.label().startsWith("warm-up")) {
                continue;
            }
            System.out.printf("    %-10s %-24s %,10d %,7d %s %s %8s  %s%n", e.who(), e.label(), e.readings(), e.series(), rate(e.rate()),
                    rate(e.offered()), pct(e.rate() / x.rawInflux), perMillionText(e.cpuPerMillion()));
        }
        for (E2e e : x.runs) {
            if (!e.label().startsWith("warm-up") && !e.gatewayThreads().isEmpty()) {
                System.out.printf("    fieldgate %s, the gateway's threads, CPU-s/M: %s%n", e.label(), e.gatewayThreads());
            }
        }
        double gwOfPub = median(x.singlePairs, p -> p[0].rate()) / x.pubSingle;
        double nrOfPub = median(x.singlePairs, p -> p[1].rate()) / x.pubSingle;
        System.out.printf("    1/msg as a share of the publisher's own rate (p), medians of the rounds: fieldgate %s, Node-RED %s%s%n", pct(gwOfPub), pct(nrOfPub),
                gwOfPub > 0.5 || nrOfPub > 0.5 ? " (above half of it: the publisher may be part of what the ratio measures)" : "");
        double thrBurst = median(x.burstPairs, p -> ratio(p[0], p[1], E2e::rate));
        double thrSingle = median(x.singlePairs, p -> ratio(p[0], p[1], E2e::rate));
        double cpuBurst = median(x.burstPairs, p -> ratio(p[0], p[1], E2e::subjectCpu));
        double cpuSingle = median(x.singlePairs, p -> ratio(p[0], p[1], E2e::subjectCpu));
        System.out.printf("    fieldgate / Node-RED per round: 100/msg throughput %s, CPU per reading %s; 1/msg throughput %s, CPU per reading %s%n",
                ratios(x.burstPairs, E2e::rate), ratios(x.burstPairs, E2e::subjectCpu), ratios(x.singlePairs, E2e::rate),
                ratios(x.singlePairs, E2e::subjectCpu));
        System.out.printf("    fieldgate / Node-RED, median of %d round(s): 100/msg throughput %s, CPU per reading %s; 1/msg throughput %s, CPU per reading %s%n",
                x.burstPairs.size(), times(thrBurst), times(cpuBurst), times(thrSingle), times(cpuSingle));
        System.out.println();
        System.out.printf("memory: VmHWM %s MiB at a steady %,d readings/s (offered %s/s) with 10,000 series over %d s (VmHWM reset before; %s MiB before the reset)%n",
                mib(x.steadyVmHwmKb), o.steadyRate, rate(x.steadyOffered).trim(), o.steadySeconds, mib(x.vmHwmBeforeSteadyKb));
        System.out.printf("    steady CPU-s per million readings: %s%n", perMillionText(x.steadyCpuPerMillion));
        System.out.printf("    heap used after a full GC (jcmd GC.run; GC.heap_info) after the 50,000-series run: %s MiB%n", mib(x.heapAfterGcKb));
        System.out.printf("    whole run: VmHWM %s MiB; max VmRSS sampled each second %s MiB (%d samples); by phase: %s%n",
                mib(x.vmHwmKb), mib(x.maxRssKb), x.rssSamples, x.rssByPhase);
        StartUpRuns su = x.startUps;
        System.out.printf("start to /health 200 (fresh spool; the packaged jar as the launchers run it, %d starts each way, interleaved):%n",
                su.withArchive().size());
        System.out.printf("    with AppCDS:     median %s s (CPU %s s); all %s; archive used: %s (mapped in %d of %d starts; %s KiB, written at the clean stop of a -XX:ArchiveClassesAtExit start as the launchers do)%n",
                fmt(StartUpRuns.median(su.withArchive(), StartUp::seconds)), fmt(StartUpRuns.median(su.withArchive(), StartUp::cpuSeconds)),
                startTimes(su.withArchive()), su.archiveUsedInEveryStart() ? "yes" : "no", su.archiveMappedStarts(), su.withArchive().size(),
                su.archiveKb() < 0 ? "n/a" : String.format("%,d", su.archiveKb()));
        System.out.printf("    without archive: median %s s (CPU %s s); all %s (context: a first start after an install or upgrade)%n",
                fmt(StartUpRuns.median(su.plain(), StartUp::seconds)), fmt(StartUpRuns.median(su.plain(), StartUp::cpuSeconds)),
                startTimes(su.plain()));
        System.out.println();
        System.out.printf("latency at %,d readings/s (%d s measured, offered %s readings/s):%n", o.rate, o.latencySeconds,
                rate(x.latencyOfferedRate).trim());
        System.out.printf("    gateway /prometheus fieldgate_forward_latency_seconds: p50 %s s, p99 %s s%n", fmt(x.promP50), fmt(x.promP99));
        System.out.printf("    external (publish -> counted delivered, +<=%.0f ms polling): p50 %s s, p99 %s s, max %s s%n",
                x.pollIntervalMs, fmt(x.extP50), fmt(x.extP99), fmt(x.extMax));
        System.out.printf("drain after a %d s InfluxDB outage: %,d readings (%.1f MiB spool) in %s s = %s readings/s = %s of (a); "
                        + "first write %s s after /ping, from then on %s readings/s%n",
                o.outageSeconds, x.drained, x.drainSpoolBytes / MIB, fmt1(x.drainSeconds), rate(x.drain).trim(), pct(x.drain / x.rawInflux),
                fmt1(x.drainFirstWriteS), rate(x.drainSteady).trim());
        if (!x.drainThreads.isEmpty()) {
            System.out.printf("    the gateway's busiest threads over the drain, CPU-s per million readings: %s%n", x.drainThreads);
        }
        System.out.println();
        System.out.println("CPU per phase (% of one core; 200 % = both cores busy):");
        x.phaseCpu.forEach((phase, text) -> System.out.printf("    %-8s %s%n", phase, text));
        if (x.finalStatus != null) {
            System.out.println("final /api/status: " + x.finalStatus);
        }
        System.out.println();
        System.out.printf("verdicts (issue 12 acceptance; FAILED = the phase failed or gave no figure; the fieldgate/Node-RED ratios and the "
                + "end-to-end share are medians of %d round(s)):%n", x.burstPairs.size());
        x.verdicts.clear();
        x.verdicts.add(Verdict.of("CPU per reading 100/msg <= 1/3 of Node-RED's", cpuBurst, 1.0 / 3, false, "%.2fx"));
        x.verdicts.add(Verdict.of("CPU per reading 1/msg   <= 1/3 of Node-RED's", cpuSingle, 1.0 / 3, false, "%.2fx"));
        x.verdicts.add(Verdict.of("throughput 100/msg      >= 2x Node-RED's", thrBurst, 2, true, "%.2fx"));
        x.verdicts.add(Verdict.of("throughput 1/msg        >= 2x Node-RED's", thrSingle, 2, true, "%.2fx"));
        x.verdicts.add(Verdict.of("end to end 100/msg      >= 30 % of (a)",
                100 * median(x.burstPairs, p -> p[0].rate()) / x.rawInflux, 30, true, "%.1f %%"));
        x.verdicts.add(Verdict.of("VmHWM at 10,000 readings/s, 10,000 series <= 160 MiB", x.steadyVmHwmKb / 1024.0, 160, false, "%.1f MiB"));
        x.verdicts.add(Verdict.of("heap after full GC, 50,000 series <= -Xmx", x.heapAfterGcKb / 1024.0, JvmHeap.xmxMiB(o.gatewayJvm), false, "%.1f MiB"));
        x.verdicts.add(Verdict.of("start to /health 200 with AppCDS <= 3 s median", x.startUps.medianWithArchive(), 3, false, "%.2f s"));
        x.verdicts.add(Verdict.of("latency p99 at 5,000 readings/s <= 2 s (worse of two)", Verdict.worse(x.promP99, x.extP99), 2, false, "%.2f s"));
        if (o.startupOnly) {
            x.verdicts.removeIf(v -> !v.line().contains("start to /health"));
            System.out.println("    (--only=startup: no other phase was run)");
        }
        if (o.publisherOnly) {
            x.verdicts.clear(); // (p) has no target of its own; its figure is in the lines above
            System.out.println("    (--only=publisher: no verdict; no other phase was run)");
        }
        if (o.drainOnly) {
            x.verdicts.clear(); // the drain has no target of its own; its figure is in the lines above
            System.out.println("    (--only=drain: no verdict; only a warm-up and the drain were run)");
        }
        if (o.memoryOnly) {
            // --only=memory: the verdicts of the phases that ran; the others were not measured, not failed
            x.verdicts.removeIf(v -> !v.line().contains("VmHWM at") && !v.line().contains("heap after full GC"));
            System.out.println("    (--only=memory: no other phase was run)");
        }
        x.verdicts.forEach(v -> System.out.println(v.line()));
        System.out.println("=====================================================================================================");
    }

    private static String startTimes(List<StartUp> starts) {
        return starts.isEmpty() ? "none" : starts.stream().map(u -> String.format("%.2f", u.seconds())).collect(Collectors.joining(" "));
    }

    /** KiB as MiB; "n/a" for the -1 of a figure never read. */
    static String mib(long kb) {
        return kb < 0 ? "n/a" : String.format("%.1f", kb / 1024.0);
    }

    static double ratio(E2e a, E2e b, java.util.function.ToDoubleFunction<E2e> f) {
        return a == null || b == null ? Double.NaN : f.applyAsDouble(a) / f.applyAsDouble(b);
    }

    /** The median of {@code f} over the rounds' {fieldgate, Node-RED} pairs; NaN when there are none (not measured). */
    private static double median(List<E2e[]> pairs, java.util.function.ToDoubleFunction<E2e[]> f) {
        return StartUpRuns.median(pairs.stream().mapToDouble(f).toArray());
    }

    /** Each round's fieldgate/Node-RED ratio of {@code f}, in round order. */
    private static String ratios(List<E2e[]> pairs, java.util.function.ToDoubleFunction<E2e> f) {
        return pairs.isEmpty() ? "n/a" : pairs.stream().map(p -> times(ratio(p[0], p[1], f))).collect(Collectors.joining(", "));
    }

    static String times(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "n/a" : String.format("%.2fx", v);
    }

    // ---- stopping -------------------------------------------------------------------------------------------------

    private void stopEverything() {
        if (rss != null) {
            rss.halt();
        }
        try {
            cleanup.close(); // gateway, then influxd, then mosquitto: each by its own PID, SIGTERM then SIGKILL
        } catch (Exception e) {
            System.err.println("pipeline-bench: stopping the child processes: " + e);
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------------------------

    private void log(String format, Object... args) {
        long s = (System.nanoTime() - startNanos) / 1_000_000_000L;
        System.out.printf("[%02d:%02d] %s%n", s / 60, s % 60, String.format(format, args));
        System.out.flush();
    }

    private Cpu cpu() {
        return cpu(Peer.FIELDGATE);
    }

    /** The processes whose CPU a phase counts: the subject (gateway or Node-RED; none for (a)), influxd, mosquitto, the driver. */
    private Cpu cpu(Peer subject) {
        Map<String, LongSupplier> pids = new LinkedHashMap<>();
        if (subject == Peer.FIELDGATE && gateway != null) {
            pids.put("gateway", gateway::pid);
        }
        NodeRedPeer peer = nodeRed;
        if (subject == Peer.NODE_RED && peer != null) {
            pids.put("node-red", peer::pid);
        }
        pids.put("influxd", influx::pid);
        pids.put("mosquitto", broker::pid);
        pids.put("bench", () -> ProcessHandle.current().pid());
        return new Cpu(pids);
    }

    static String perMillionText(Map<String, Double> perMillion) {
        return perMillion.entrySet().stream().map(e -> e.getKey() + " " + fmt1(e.getValue())).collect(Collectors.joining(", "));
    }

    static double seconds(long nanos) {
        return nanos / 1e9;
    }

    static long percentile(long[] sorted, double q) {
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    static double quantile(List<String> lines, String q) {
        for (String line : lines) {
            if (line.startsWith("fieldgate_forward_latency_seconds{") && line.contains("quantile=\"" + q + "\"")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1).trim());
            }
        }
        return Double.NaN;
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "n/a";
        }
    }

    static long procStatusKb(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.substring(field.length() + 1).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    static String rate(double v) {
        return Double.isNaN(v) ? "       n/a" : String.format("%,10.0f", v);
    }

    static String pct(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "n/a" : String.format("%.1f %%", 100 * v);
    }

    static String fmt(double v) {
        return Double.isNaN(v) ? "n/a" : String.format("%.3f", v);
    }

    static String fmt1(double v) {
        return Double.isNaN(v) ? "n/a" : String.format("%.1f", v);
    }

    // ---- parts ----------------------------------------------------------------------------------------------------

    /** Command line. The defaults are the issue's specification; --quick shortens every phase for a smoke run. */
    static final class Options {
        boolean quick;
        boolean memoryOnly;
        boolean startupOnly;
        boolean publisherOnly;
        boolean drainOnly;
        int rawReadings = 1_000_000;
        int rawWarmup = 200_000;
        int batch = 5_000;
        int rawPacks = 20_000;
        int warmReadings = 1_000_000;
        /**
         * The 1/msg warm-up through each peer, after the 100/msg one. 150,000 as profile-bench's: after 25,000 C2 was
         * still compiling the 1/msg path (Paho's loops, the committer's small groups) through the measured shape.
         */
        int warmSingleReadings = 150_000;
        /** Rounds of the two shapes through both peers (see nodeRed). */
        int peerRounds = 3;
        int burstReadings = 1_000_000;
        int singleReadings = 300_000;
        int seriesReadings = 1_000_000;
        int steadyRate = 10_000;
        int steadySeconds = 60;
        int starts = 5;
        int devices = 50;
        int inflight = 100;
        int pubConnections = 4;
        int rate = 5_000;
        int latencyWarmupSeconds = 20;
        int latencySeconds = 60;
        int outageSeconds = 300;
        List<String> gatewayJvm = List.of("-Xmx96m", "-XX:+UseSerialGC");
        Path nodeRedInstall = Paths.get(System.getProperty("fieldgate.bench.node-red", "target/bench-node-red")).toAbsolutePath();
        Path nodeRedFlow = Paths.get(System.getProperty("fieldgate.bench.node-red-flow", "bench/node-red-flow.json")).toAbsolutePath();
        /** The measured gateway as the launchers run it (packaged jar, AppCDS) rather than from the compiled classes. */
        boolean launchJarCds = true;
        /** The packaged jar the start-up phase runs (pipeline-bench copies it into its work directory). */
        Path gatewayJar = System.getProperty("fieldgate.bench.jar") == null ? null
                : Paths.get(System.getProperty("fieldgate.bench.jar")).toAbsolutePath();

        static Options parse(String[] args) {
            Options o = new Options();
            for (String a : args) {
                if (a.equals("--quick")) {
                    o.quick = true;
                    o.rawReadings = 200_000;
                    o.rawWarmup = 50_000;
                    o.rawPacks = 5_000;
                    o.warmReadings = 200_000;
                    o.warmSingleReadings = 10_000;
                    o.peerRounds = 1;
                    o.burstReadings = 200_000;
                    o.singleReadings = 40_000;
                    o.seriesReadings = 100_000;
                    o.steadySeconds = 20;
                    // settling >= 45 s: the gateway's 1-minute percentile window then holds no (c) readings
                    o.latencyWarmupSeconds = 45;
                    o.latencySeconds = 15;
                    o.outageSeconds = 20;
                }
            }
            for (String a : args) {
                if (a.equals("--quick")) {
                    continue;
                }
                int eq = a.indexOf('=');
                if (!a.startsWith("--") || eq < 0) {
                    throw new IllegalArgumentException("unknown argument '" + a + "' (options are --quick and --name=value)");
                }
                String name = a.substring(2, eq);
                String value = a.substring(eq + 1);
                switch (name) {
                    case "raw-readings" -> o.rawReadings = positive(name, value);
                    case "raw-warmup" -> o.rawWarmup = positive(name, value);
                    case "raw-packs" -> o.rawPacks = positive(name, value);
                    case "warm-readings" -> o.warmReadings = positive(name, value);
                    case "warm-single-readings" -> o.warmSingleReadings = positive(name, value);
                    case "peer-rounds" -> o.peerRounds = positive(name, value);
                    case "burst-readings" -> o.burstReadings = positive(name, value);
                    case "single-readings" -> o.singleReadings = positive(name, value);
                    case "series-readings" -> o.seriesReadings = positive(name, value);
                    case "steady-rate" -> o.steadyRate = positive(name, value);
                    case "steady-s" -> o.steadySeconds = positive(name, value);
                    case "starts" -> o.starts = positive(name, value);
                    case "devices" -> o.devices = positive(name, value);
                    case "inflight" -> o.inflight = positive(name, value);
                    case "pub-connections" -> o.pubConnections = positive(name, value);
                    case "rate" -> o.rate = positive(name, value);
                    case "latency-settle-s" -> o.latencyWarmupSeconds = positive(name, value);
                    case "latency-s" -> o.latencySeconds = positive(name, value);
                    case "outage-s" -> o.outageSeconds = positive(name, value);
                    case "only" -> {
                        switch (value) {
                            case "memory" -> o.memoryOnly = true;
                            case "startup" -> o.startupOnly = true;
                            case "publisher" -> o.publisherOnly = true;
                            case "drain" -> o.drainOnly = true;
                            default -> throw new IllegalArgumentException("--only takes 'memory', 'startup', 'publisher' or 'drain', not '" + value + "'");
                        }
                    }
                    case "gateway-jvm" -> o.gatewayJvm = List.of(value.trim().split("\\s+"));
                    case "gateway-launch" -> o.launchJarCds = switch (value) {
                        case "jar-cds" -> true;
                        case "classes" -> false;
                        default -> throw new IllegalArgumentException("--gateway-launch takes 'jar-cds' or 'classes', not '" + value + "'");
                    };
                    default -> throw new IllegalArgumentException("unknown option --" + name);
                }
            }
            if (o.rate % RECORDS_PER_PACK != 0 || o.steadyRate % RECORDS_PER_PACK != 0) {
                throw new IllegalArgumentException("--rate and --steady-rate must be multiples of " + RECORDS_PER_PACK + " (readings per pack)");
            }
            return o;
        }

        private static int positive(String name, String value) {
            try {
                int v = Integer.parseInt(value.replace("_", ""));
                if (v > 0) {
                    return v;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException("--" + name + " must be a positive integer, not '" + value + "'");
        }
    }

    /** One end-to-end run of fieldgate or Node-RED. */
    record E2e(String who, String label, long readings, int series, double seconds, double rate, double offered,
               Map<String, Double> cpuPerMillion, String gatewayThreads) {
        /** CPU-seconds per million readings of the subject process (gateway or node-red). */
        double subjectCpu() {
            return cpuPerMillion.getOrDefault(who.equals("fieldgate") ? "gateway" : "node-red", Double.NaN);
        }
    }

    /** Everything measured; NaN = not measured. */
    static final class Results {
        double rawInflux = Double.NaN;
        String rawBest = "";
        final Map<String, Double> rawByClient = new LinkedHashMap<>();
        Map<String, Double> rawCpuPerMillion = Map.of();
        double rawMqtt = Double.NaN;
        double pubSingle = Double.NaN;
        double pubBurst = Double.NaN;
        double pubPaho = Double.NaN;
        int pubInflight;
        final List<E2e> runs = new ArrayList<>();
        /** Per round {fieldgate, Node-RED} of each shape (see nodeRed). */
        final List<E2e[]> burstPairs = new ArrayList<>();
        final List<E2e[]> singlePairs = new ArrayList<>();
        E2e gw10k;
        E2e gw50k;
        StartUpRuns startUps = StartUpRuns.NONE;
        String gatewayLaunch = "not started";
        long vmHwmBeforeSteadyKb = -1;
        long steadyVmHwmKb = -1;
        double steadyOffered = Double.NaN;
        Map<String, Double> steadyCpuPerMillion = Map.of();
        long heapAfterGcKb = -1;
        double latencyOfferedRate = Double.NaN;
        double latencyMaxLateMs = Double.NaN;
        double promP50 = Double.NaN;
        double promP99 = Double.NaN;
        double extP50 = Double.NaN;
        double extP99 = Double.NaN;
        double extMax = Double.NaN;
        double pollIntervalMs = Double.NaN;
        List<String> prometheusLines = List.of();
        long drainSpoolDepth;
        long drainSpoolBytes;
        long drained;
        double drainOfferedRate = Double.NaN;
        double drainSeconds = Double.NaN;
        double drain = Double.NaN;
        double drainFirstWriteS = Double.NaN;
        double drainSteady = Double.NaN;
        /** The gateway's busiest threads over the drain, CPU-s per million readings drained. */
        String drainThreads = "";
        long vmHwmKb = -1;
        long maxRssKb = -1;
        int rssSamples;
        String rssByPhase = "";
        String loadStart = loadAverage();
        String loadEnd;
        String finalStatus;
        final Map<String, String> phaseCpu = new LinkedHashMap<>();
        final List<Verdict> verdicts = new ArrayList<>();

        boolean hasAny() {
            return !Double.isNaN(rawInflux) || steadyVmHwmKb >= 0 || !startUps.withArchive().isEmpty() || !Double.isNaN(pubSingle);
        }

        /** Decided while printing the results; a target not measured counts as failed. */
        boolean anyFailed() {
            return verdicts.isEmpty() || verdicts.stream().anyMatch(Verdict::failed);
        }

        boolean allMet() {
            return !verdicts.isEmpty() && verdicts.stream().allMatch(Verdict::met);
        }
    }

    /** The gateway as a child JVM with the benchmark's JVM options (testkit's GatewayProcess fixes -Xmx256m). */
    static final class BenchGateway implements AutoCloseable {
        private final Path dir;
        private final int port;
        final ChildProcess child;
        private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

        BenchGateway(List<String> jvm, Map<String, String> properties) {
            this(jvm, properties, List.of("-cp", childClasspath(), "org.fieldgate.Application"));
        }

        /**
         * The gateway as the launchers start it: {@code java <jvm> -jar JAR}, the packaged (shaded) jar; AppCDS needs
         * a classpath of jar files, which the compiled classes' directories are not.
         */
        static BenchGateway ofJar(List<String> jvm, Map<String, String> properties, Path jar) {
            return new BenchGateway(jvm, properties, List.of("-jar", jar.toString()));
        }

        private BenchGateway(List<String> jvm, Map<String, String> properties, List<String> launch) {
            dir = ChildProcess.newWorkDir("gateway");
            port = Integer.parseInt(properties.get("micronaut.server.port"));
            List<String> command = new ArrayList<>();
            command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(jvm);
            command.add("-Dfieldgate.spool.dir=" + dir.resolve("spool"));
            properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
            command.addAll(launch);
            child = new ChildProcess("gateway:" + port, command, dir.resolve("gateway.log"), dir.resolve("gateway.stderr.log"));
        }

        /** As testkit's GatewayProcess: this JVM's classpath minus test-classes, so the gateway runs on main code only. */
        static String childClasspath() {
            return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                    .filter(entry -> !entry.isBlank())
                    .filter(entry -> !Paths.get(entry).getFileName().toString().equals("test-classes"))
                    .collect(Collectors.joining(File.pathSeparator));
        }

        void start() {
            child.start();
            Poll.until("the gateway (PID " + child.pid() + ") to answer GET /api/status", Duration.ofSeconds(120), () -> {
                if (!child.isAlive()) {
                    throw new IllegalStateException("the gateway exited during start-up with code " + child.exitCode() + "\n" + child.tail(40));
                }
                return response("/api/status").statusCode() == 200;
            }, () -> child.tail(40));
            Poll.until("the gateway to connect to the broker", Duration.ofSeconds(60), () -> status().brokerConnected,
                    () -> child.tail(40));
        }

        /**
         * Starts the gateway and times it from the process start to the first GET /health 200 (polled every 20 ms),
         * with the CPU the JVM used by then and whether {@code archive} (null: none asked for) is mapped into it.
         */
        StartUp timedStart(Path archive) {
            long t0 = System.nanoTime();
            child.start();
            Poll.value("the gateway (PID " + child.pid() + ") to answer GET /health with 200", Duration.ofSeconds(120),
                    Duration.ofMillis(20), () -> {
                        if (!child.isAlive()) {
                            throw new IllegalStateException("the gateway exited during start-up with code " + child.exitCode() + "\n" + child.tail(40));
                        }
                        try {
                            return response("/health").statusCode();
                        } catch (IOException e) {
                            return -1; // not listening yet
                        }
                    }, code -> code == 200, () -> child.tail(40));
            long wallNanos = System.nanoTime() - t0;
            long ticks = ProcStat.ticks(child.pid());
            return new StartUp(seconds(wallNanos), ticks < 0 ? Double.NaN : (double) ticks / ClockTicks.perSecond(),
                    archive != null && CdsArchive.mapped(child.pid(), archive));
        }

        long pid() {
            return child.pid();
        }

        String baseUrl() {
            return "http://127.0.0.1:" + port;
        }

        HttpResponse<String> response(String path) throws IOException, InterruptedException {
            return http.send(HttpRequest.newBuilder(URI.create(baseUrl() + path)).timeout(Duration.ofSeconds(10)).GET().build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        }

        String get(String path) {
            try {
                HttpResponse<String> response = response(path);
                if (response.statusCode() != 200) {
                    throw new IllegalStateException("GET " + path + " answered HTTP " + response.statusCode() + ": " + response.body());
                }
                return response.body();
            } catch (IOException e) {
                throw new IllegalStateException("GET " + path + " failed: " + e, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted during GET " + path, e);
            }
        }

        Status status() {
            try {
                return Status.of(JSON.readValue(get("/api/status"), new TypeReference<LinkedHashMap<String, Object>>() { }));
            } catch (IOException e) {
                throw new IllegalStateException("/api/status is not JSON: " + e, e);
            }
        }

        String diagnostics() {
            return child.tail(30);
        }

        @Override
        public void close() {
            try {
                if (child.isAlive()) {
                    child.stop(60);
                }
            } finally {
                ChildProcess.deleteWorkDir(dir);
            }
        }
    }

    /** The /api/status fields the benchmark uses. */
    record Status(long spoolDepth, long spoolBytes, boolean spoolFull, boolean brokerConnected, long ingested,
                  long delivered, long deadLetters, long quarantined, Map<String, Object> raw) {
        static Status of(Map<String, Object> json) {
            return new Status(num(json, "spoolDepth"), num(json, "spoolBytes"), Boolean.TRUE.equals(json.get("spoolFull")),
                    Boolean.TRUE.equals(json.get("brokerConnected")), num(json, "ingested"), num(json, "delivered"),
                    num(json, "deadLetters"), num(json, "quarantined"), json);
        }

        private static long num(Map<String, Object> json, String field) {
            if (json.get(field) instanceof Number n) {
                return n.longValue();
            }
            throw new IllegalStateException("/api/status field " + field + " is not a number: " + json);
        }
    }

    /**
     * A lean QoS 1 publisher: at most {@code inflight} packs awaiting PUBACK, nothing else kept (testkit's
     * SenmlPublisher keeps every reading in maps, which at 1.5 million readings would load this JVM and the 2 cores).
     */
    static final class Publisher implements AutoCloseable {
        private final MqttAsyncClient client;
        private final Semaphore window;
        private final int inflight;
        private final AtomicLong failed = new AtomicLong();
        private final AtomicReference<Throwable> firstFailure = new AtomicReference<>();
        private final IMqttActionListener listener = new IMqttActionListener() {
            @Override
            public void onSuccess(IMqttToken token) {
                window.release();
            }

            @Override
            public void onFailure(IMqttToken token, Throwable exception) {
                failed.incrementAndGet();
                firstFailure.compareAndSet(null, exception);
                window.release();
            }
        };

        Publisher(String url, String clientId, int inflight) throws MqttException {
            this.inflight = inflight;
            this.window = new Semaphore(inflight);
            client = new MqttAsyncClient(url, clientId, new MemoryPersistence());
            MqttConnectOptions options = new MqttConnectOptions();
            options.setCleanSession(true);
            options.setAutomaticReconnect(false);
            options.setMaxInflight(inflight);
            options.setConnectionTimeout(10);
            options.setKeepAliveInterval(60);
            client.connect(options).waitForCompletion(15_000);
        }

        void publish(String topic, byte[] payload) {
            if (failed.get() > 0) {
                throw new IllegalStateException("a QoS 1 publish failed: " + firstFailure.get(), firstFailure.get());
            }
            try {
                if (!window.tryAcquire(120, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("no PUBACK for " + inflight + " in-flight packs within 120 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            MqttMessage message = new MqttMessage(payload);
            message.setQos(1);
            for (int attempt = 0; ; attempt++) {
                try {
                    client.publish(topic, message, null, listener);
                    return;
                } catch (MqttException e) {
                    // Paho frees its in-flight slot just before our listener runs: retry that race, briefly
                    if (e.getReasonCode() == MqttException.REASON_CODE_MAX_INFLIGHT && attempt < 10_000) {
                        Poll.sleep(Duration.ofMillis(1));
                        continue;
                    }
                    window.release();
                    throw new IllegalStateException("publish to " + topic + " failed: " + e, e);
                }
            }
        }

        /** Waits until every pack handed over has its PUBACK. */
        void flush(Duration timeout) {
            try {
                if (!window.tryAcquire(inflight, timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new IllegalStateException((inflight - window.availablePermits()) + " packs without PUBACK after "
                            + timeout.toSeconds() + " s");
                }
                window.release(inflight);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            if (failed.get() > 0) {
                throw new IllegalStateException("a QoS 1 publish failed: " + firstFailure.get(), firstFailure.get());
            }
        }

        @Override
        public void close() throws MqttException {
            try {
                if (client.isConnected()) {
                    client.disconnect(5_000).waitForCompletion(10_000);
                }
            } finally {
                client.close(true);
            }
        }
    }

    /** (b)'s subscriber: QoS 1, clean session off, automatic acknowledgement, counts packs. */
    static final class CountingSubscriber implements MqttCallback, AutoCloseable {
        private final MqttAsyncClient client;
        final AtomicLong count = new AtomicLong();
        final AtomicLong warm = new AtomicLong();
        volatile long lastNanos;

        CountingSubscriber(String url, String clientId) throws MqttException {
            client = new MqttAsyncClient(url, clientId, new MemoryPersistence());
            client.setCallback(this);
            MqttConnectOptions options = new MqttConnectOptions();
            options.setCleanSession(false);
            options.setAutomaticReconnect(false);
            options.setMaxInflight(1000);
            options.setConnectionTimeout(10);
            options.setKeepAliveInterval(60);
            client.connect(options).waitForCompletion(15_000);
            client.subscribe("bench/#", 1).waitForCompletion(15_000);
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            if (topic.startsWith("bench/warm/")) {
                warm.incrementAndGet();
            } else {
                lastNanos = System.nanoTime(); // before the count, so whoever sees the last count sees its time
                count.incrementAndGet();
            }
        }

        @Override
        public void connectionLost(Throwable cause) {
            System.err.println("raw subscriber lost its connection: " + cause);
        }

        @Override
        public void deliveryComplete(IMqttDeliveryToken token) {
            // subscribe-only
        }

        @Override
        public void close() throws MqttException {
            try {
                if (client.isConnected()) {
                    client.unsubscribe("bench/#").waitForCompletion(10_000); // leave no queue behind in the broker
                    client.disconnect(5_000).waitForCompletion(10_000);
                }
            } finally {
                client.close(true);
            }
        }
    }

    /**
     * Paced publishing of live packs: {@code packsPerSecond} packs of 100 readings on a fixed schedule; each pack's
     * 10 channels x 10 samples are stamped with the publish time (the samples 1 microsecond apart, ending at it).
     */
    static final class Paced {
        private static final String[][] CHANNELS = SenmlPacks.CHANNELS;
        private final Publisher publisher;
        private final String site;
        private final int devices;
        private final int packsPerSecond;
        private final int count;
        private final Random random;
        private final int firstDevice;
        final long[] publishNanos;
        long startNanos;
        long endNanos;
        long maxLateNanos;

        Paced(Publisher publisher, String site, int devices, int packsPerSecond, int count, long seed) {
            this(publisher, site, devices, packsPerSecond, count, seed, 0);
        }

        Paced(Publisher publisher, String site, int devices, int packsPerSecond, int count, long seed, int firstDevice) {
            this.publisher = publisher;
            this.site = site;
            this.devices = devices;
            this.packsPerSecond = packsPerSecond;
            this.count = count;
            this.random = new Random(seed);
            this.firstDevice = firstDevice;
            this.publishNanos = new long[count];
        }

        int devicesUsedUpTo() {
            return (firstDevice + count) % devices;
        }

        void run() throws InterruptedException {
            startNanos = System.nanoTime();
            for (int k = 0; k < count; k++) {
                long due = startNanos + (long) (k * 1e9 / packsPerSecond);
                long early = due - System.nanoTime();
                if (early > 0) {
                    TimeUnit.NANOSECONDS.sleep(early);
                } else {
                    maxLateNanos = Math.max(maxLateNanos, -early);
                }
                String device = "dev-" + ((firstDevice + k) % devices);
                Instant now = Instant.now();
                byte[] payload = livePack(device, now.getEpochSecond(), now.getNano() / 1000);
                publishNanos[k] = System.nanoTime();
                publisher.publish(SenmlPacks.topic(site, device), payload);
            }
            endNanos = System.nanoTime();
        }

        private byte[] livePack(String device, long epochSecond, int micros) {
            StringBuilder json = new StringBuilder(RECORDS_PER_PACK * 64).append('[');
            for (int s = 0; s < RECORDS_PER_PACK / CHANNELS.length; s++) {
                int behindUs = RECORDS_PER_PACK / CHANNELS.length - 1 - s;
                for (String[] channel : CHANNELS) {
                    if (json.length() > 1) {
                        json.append(',');
                    }
                    json.append('{');
                    if (json.length() == 2) {
                        json.append("\"bn\":\"").append(device).append("/\",\"bt\":").append(epochSecond).append('.')
                                .append(String.format("%06d", micros)).append(',');
                    }
                    json.append("\"n\":\"").append(channel[0]).append("\",\"u\":\"").append(channel[1]).append("\",\"v\":")
                            .append(Math.round(random.nextDouble() * 1e6) / 1e3);
                    if (behindUs > 0) {
                        json.append(",\"t\":-0.00000").append(behindUs);
                    }
                    json.append('}');
                }
            }
            return json.append(']').toString().getBytes(StandardCharsets.UTF_8);
        }
    }

    /** Polls /api/status at a fixed interval and keeps (time, delivered) pairs for the external latency figure. */
    static final class DeliveredPoller extends Thread {
        private final BenchGateway gateway;
        private final long intervalMs;
        final long[] nanos;
        final long[] delivered;
        volatile int n;
        private volatile boolean running = true;

        DeliveredPoller(BenchGateway gateway, Duration interval, int maxSeconds) {
            super("delivered-poller");
            setDaemon(true);
            this.gateway = gateway;
            this.intervalMs = interval.toMillis();
            int capacity = (int) (maxSeconds * 1000L / intervalMs) + 1;
            nanos = new long[capacity];
            delivered = new long[capacity];
        }

        @Override
        public void run() {
            while (running && n < nanos.length) {
                poll();
                try {
                    Thread.sleep(intervalMs);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        double meanIntervalMs() {
            return n < 2 ? Double.NaN : (nanos[n - 1] - nanos[0]) / 1e6 / (n - 1);
        }

        /** One poll; synchronized so the final poll of halt() and the thread's own never write the same slot. */
        private synchronized void poll() {
            if (n >= nanos.length) {
                return;
            }
            try {
                long d = gateway.status().delivered;
                long t = System.nanoTime(); // the response time: the counter was read at or before it
                nanos[n] = t;
                delivered[n] = d;
                n++;
            } catch (RuntimeException e) {
                // a missed poll only coarsens the figure
            }
        }

        /**
         * Stops the thread, then polls once more: the caller has just seen everything delivered, and without this last
         * poll the thread could stop before a poll that counts the last pack (the race of the first issue-12 run).
         */
        void halt() throws InterruptedException {
            running = false;
            interrupt();
            join(5_000);
            poll();
        }
    }

    /** Samples the gateway's VmRSS once a second, keeping the maximum overall and per phase. */
    static final class RssSampler extends Thread {
        private final long pid;
        private final Map<String, Long> phaseMaxKb = new java.util.concurrent.ConcurrentHashMap<>();
        private final List<String> phases = new java.util.concurrent.CopyOnWriteArrayList<>();
        private volatile String phase = "";
        private volatile boolean running = true;
        private volatile long maxKb = -1;
        private volatile int samples;

        void phase(String name) {
            phases.add(name);
            phase = name;
            sample();
        }

        String byPhase() {
            return phases.stream().map(p -> p + " " + fmt1(phaseMaxKb.getOrDefault(p, -1L) / 1024.0))
                    .collect(Collectors.joining(", "));
        }

        private synchronized void sample() {
            long kb = procStatusKb(pid, "VmRSS");
            if (kb > 0) {
                maxKb = Math.max(maxKb, kb);
                phaseMaxKb.merge(phase, kb, Math::max);
                samples++;
            }
        }

        RssSampler(long pid) {
            super("rss-sampler");
            setDaemon(true);
            this.pid = pid;
        }

        @Override
        public void run() {
            while (running) {
                sample();
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        long maxKb() {
            return maxKb;
        }

        int samples() {
            return samples;
        }

        void halt() {
            running = false;
            interrupt();
            sample(); // the last moment counts too
        }
    }

    /** CPU time of each process over a phase. */
    static final class Cpu {
        private final Map<String, LongSupplier> pids;
        private final Map<String, Long> pidAtStart = new LinkedHashMap<>();
        private final Map<String, Long> ticksAtStart = new LinkedHashMap<>();

        Cpu(Map<String, LongSupplier> pids) {
            this.pids = pids;
            pids.forEach((name, pid) -> {
                long p = pid.getAsLong();
                pidAtStart.put(name, p);
                ticksAtStart.put(name, ProcStat.ticks(p));
            });
        }

        /** "gateway 95 %, influxd 40 %, ..." over {@code wallNanos}. */
        String since(long wallNanos) {
            double wall = seconds(wallNanos);
            List<String> parts = new ArrayList<>();
            double sum = 0;
            for (var e : pids.entrySet()) {
                long p = pidAtStart.get(e.getKey());
                long now = ProcStat.ticks(p);
                long then = ticksAtStart.get(e.getKey());
                if (now < 0 || then < 0 || p != e.getValue().getAsLong()) {
                    parts.add(e.getKey() + " n/a");
                    continue;
                }
                double share = (double) (now - then) / ClockTicks.perSecond() / wall;
                sum += share;
                parts.add(String.format("%s %.0f %%", e.getKey(), 100 * share));
            }
            return String.format("cpu over %.1f s: %s (sum %.0f %%)", wall, String.join(", ", parts), 100 * sum);
        }

        /** CPU-seconds per million readings of each process since the start; NaN for a process that is gone or restarted. */
        Map<String, Double> perMillion(long readings) {
            Map<String, Double> out = new LinkedHashMap<>();
            for (var e : pids.entrySet()) {
                long p = pidAtStart.get(e.getKey());
                long now = ProcStat.ticks(p);
                long then = ticksAtStart.get(e.getKey());
                boolean same = now >= 0 && then >= 0 && p == e.getValue().getAsLong();
                out.put(e.getKey(), same ? ProcStat.cpuSecondsPerMillion(now - then, ClockTicks.perSecond(), readings) : Double.NaN);
            }
            return out;
        }
    }
}
