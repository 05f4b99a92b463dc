package org.fieldgate;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Context;
import jakarta.annotation.PreDestroy;
import org.fieldgate.acquire.ProbeFactory;
import org.fieldgate.acquire.SoilProbeSimulator;
import org.fieldgate.acquire.site.AcquisitionStage;
import org.fieldgate.acquire.site.GapSink;
import org.fieldgate.acquire.site.PackSink;
import org.fieldgate.acquire.site.SimulatedProbes;
import org.fieldgate.acquire.time.ClockSyncSource;
import org.fieldgate.acquire.time.Clocks;
import org.fieldgate.acquire.time.SyncStatus;
import org.fieldgate.acquire.time.SystemClockSyncSource;
import org.fieldgate.acquire.time.TimeKeeper;
import org.fieldgate.acquire.hardware.HardwareProbeFactory;
import org.fieldgate.live.LiveCalculations;
import org.fieldgate.live.LivePoints;
import org.fieldgate.site.SiteConfig;
import org.fieldgate.store.PointLine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.fieldgate.config.GatewaySettings;
import org.fieldgate.forward.InfluxForwarder;
import org.fieldgate.site.SiteConfigs;
import org.fieldgate.store.Spool;
import org.fieldgate.transport.EmbeddedBroker;
import org.fieldgate.transport.IngestCommitter;
import org.fieldgate.transport.MqttIngest;
import org.fieldgate.senml.SenmlDecoder;
import org.fieldgate.web.LatestReadings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the stages in the order the data flows (broker → ingest → spool → forwarder) and stops them in the
 * reverse order, so nothing is acknowledged that is not on disk and nothing leaves the disk unsent.
 */
@Context
public class GatewayPipeline implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayPipeline.class);

    private final GatewaySettings settings;
    private final Spool spool;
    private final InfluxForwarder forwarder;
    /** Checks InfluxDB holds what it acknowledged, and re-sends what it does not. */
    private final org.fieldgate.forward.Reconciler reconciler;
    private final IngestCommitter committer;
    private final EmbeddedBroker broker;
    private final MqttIngest ingest;
    private final SoilProbeSimulator simulator;
    private final List<SiteConfig> sites;
    private final AcquisitionStage acquisition;
    private final LiveCalculations live;
    /** The completeness ledger (counted by the spool) and the scheduled export of closed windows. */
    private final org.fieldgate.export.ExportStage export;
    private final java.util.concurrent.ScheduledExecutorService healthTimer;
    private final PipelineThreads threads = new PipelineThreads();
    static final int HEALTH_EVERY_S = 30;

    public GatewayPipeline(GatewaySettings settings, MeterRegistry metrics, LatestReadings latest) {
        this.settings = settings;
        // An invalid site file stops start-up here, with every error as file:line: field (see config check).
        List<SiteConfig> sites = new ArrayList<>();
        for (Path file : settings.siteConfigs()) {
            var site = SiteConfigs.loadOrThrow(file, SiteConfigs.defaultModelsDir(file));
            LOG.info("site file {} valid: site {}, {} probes, {} channels", file, site.id(), site.probes().size(),
                    site.channelCount());
            sites.add(site);
        }
        this.sites = List.copyOf(sites);
        LOG.info("fieldgate site {}: MQTT {}{}, InfluxDB {} database {}, spool {}", settings.site(),
                settings.mqtt().url(), settings.mqtt().embedded() ? " (embedded)" : "", settings.influx().url(),
                settings.influx().database(), settings.spool().dir());
        this.spool = new Spool(settings.spool().dir(), settings.spool().maxBytes(), settings.spool().fullPolicy());
        this.forwarder = new InfluxForwarder(settings.influx(), settings.forward(), spool, metrics);
        this.reconciler = new org.fieldgate.forward.Reconciler(forwarder, spool, org.fieldgate.reading.EpochNanos::now);
        this.export = new org.fieldgate.export.ExportStage(settings, this.sites, spool, java.time.Clock.systemUTC());
        var ingestSettings = settings.ingest();
        var decoder = new SenmlDecoder(ingestSettings.maxMessageBytes(), ingestSettings.maxRecordsPerPack(),
                ingestSettings.notBeforeEpochS(), ingestSettings.maxFutureSkew().toNanos(), this::declaredUnit);
        this.committer = new IngestCommitter(decoder, spool, new IngestCommitter.Bounds(ingestSettings.commitBatchMessages(),
                ingestSettings.commitBatchReadings(), ingestSettings.maxPendingBytes()), metrics, threads);
        committer.onCommitted(latest::update);
        committer.onCommitted(readings -> forwarder.wake());
        this.broker = settings.mqtt().embedded()
                ? new EmbeddedBroker(settings.mqtt().url(), settings.spool().dir().resolve("broker"),
                ingestSettings.maxMessageBytes(), new org.fieldgate.transport.BrokerAccess(settings.mqtt().username(),
                settings.mqtt().password(), settings.mqtt().nodePasswordFile()))
                : null;
        this.ingest = new MqttIngest(settings.mqtt(), committer, threads);
        forwarder.threads().forEach(threads::watch);
        // The gateway's own probes go through the same decoder and spool as a remote node's messages.
        PackSink packs = (topic, senml) -> {
            try {
                return committer.offer(new IngestCommitter.Incoming(topic, senml, () -> { }), Duration.ofSeconds(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        };
        Consumer<List<PointLine>> derived = lines -> {
            spool.commitPoints(lines);
            forwarder.wake();
        };
        GapSink gaps = (site, device, channel, firstNs, lastNs, readings, cause) -> {
            spool.recordGap(site, device, channel, firstNs, lastNs, readings, cause);
            derived.accept(List.of(LivePoints.gap(site, device, channel, firstNs, lastNs, readings, cause)));
        };
        var mode = settings.acquire().mode();
        TimeKeeper time = new TimeKeeper(Clocks.system(), TimeKeeper.DEFAULT_JUMP_THRESHOLD,
                TimeKeeper.DEFAULT_MAX_BUFFERED, jump -> LOG.warn("wall clock jump: {}", jump));
        ClockSyncSource sync = settings.acquire().clockSync() == GatewaySettings.ClockSync.ASSUME_SYNCED
                ? () -> SyncStatus.synchronised("assumed (fieldgate.acquire.clock-sync = assume-synced)")
                : new SystemClockSyncSource();
        SimulatedProbes simulated = null;
        HardwareProbeFactory hardware = null;
        if (sites.isEmpty() || mode == GatewaySettings.AcquireMode.OFF) {
            this.acquisition = null;
        } else {
            ProbeFactory factory;
            if (mode == GatewaySettings.AcquireMode.SIMULATED) {
                simulated = new SimulatedProbes(20251123L, time::nowNs);
                factory = simulated;
            } else {
                hardware = HardwareProbeFactory.raspberryPi();
                factory = hardware;
            }
            this.acquisition = new AcquisitionStage(sites, factory, time, sync, packs, gaps,
                    c -> derived.accept(List.of(LivePoints.clockCorrection(c))));
        }
        SimulatedProbes simulatedLids = simulated;
        HardwareProbeFactory hardwareLids = hardware;
        this.live = new LiveCalculations(sites, settings.calc(), spool,
                site -> simulatedLids != null ? simulatedLids.lids(site)
                        : hardwareLids != null ? hardwareLids.lids(site) : null, time::nowNs, derived);
        committer.onCommitted(live::accept);
        this.simulator = settings.simulator().enabled()
                ? new SoilProbeSimulator(settings.mqtt().url(), settings.site(), settings.simulator().device(),
                settings.simulator().interval())
                : null;

        Gauge.builder("fieldgate.spool.depth", spool, Spool::depth).description("readings waiting in the spool")
                .register(metrics);
        Gauge.builder("fieldgate.spool.oldest.undelivered.age", spool,
                        s -> s.oldestUndeliveredAgeS(org.fieldgate.reading.EpochNanos.now())).baseUnit("seconds")
                .description("time since the oldest reading still waiting in the spool was received; 0 when none waits")
                .register(metrics);
        Gauge.builder("fieldgate.spool.used.bytes", spool, Spool::usedBytes)
                .description("bytes the spool file uses, of fieldgate.spool.max-bytes").register(metrics);
        Gauge.builder("fieldgate.spool.full", spool, s -> s.isFull() ? 1 : 0)
                .description("1 while the spool is full and its full-policy applies, else 0").register(metrics);
        // a gauge, not a counter: the count lives in the spool and survives restarts
        Gauge.builder("fieldgate.spool.dead.letters", spool, Spool::deadLettersTotal)
                .description("dead letters kept in the spool since it was created").register(metrics);
        Gauge.builder("fieldgate.spool.points", spool, Spool::pointDepth)
                .description("derived points (fluxes, rates, gaps) waiting in the spool").register(metrics);
        Gauge.builder("fieldgate.mqtt.connected", ingest, i -> i.isConnected() ? 1 : 0)
                .description("1 while the MQTT subscription is connected, else 0").register(metrics);
        FunctionCounter.builder("fieldgate.mqtt.connections", ingest, MqttIngest::connections)
                .description("MQTT connections made; more than one means it dropped or was replaced").register(metrics);
        FunctionCounter.builder("fieldgate.mqtt.deferred", ingest, MqttIngest::deferred)
                .description("messages left unacknowledged while ingest was at its memory bound, delivered again later")
                .register(metrics);
        if (broker != null) {
            var access = broker.access();
            String refused = "fieldgate.broker.refused.publishes";
            FunctionCounter.builder(refused, access, a -> a.refusedControlCharacters()).tag("reason", "control-character")
                    .description("PUBLISHes the embedded broker dropped").register(metrics);
            FunctionCounter.builder(refused, access, a -> a.refusedOutsideAcl()).tag("reason", "acl")
                    .description("PUBLISHes the embedded broker dropped").register(metrics);
            FunctionCounter.builder("fieldgate.broker.refused.logins", access, a -> a.refusedLogins())
                    .description("logins the embedded broker refused").register(metrics);
        }
        Gauge.builder("fieldgate.influx.reachable", forwarder, f -> f.isReachable() ? 1 : 0)
                .description("1 while InfluxDB answers, else 0").register(metrics);

        // the gateway's own health, through the spool like any result, so a dashboard sees it after an outage too
        this.healthTimer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "gateway-health-points");
            t.setDaemon(true);
            return t;
        });
        healthTimer.scheduleAtFixedRate(() -> {
            try {
                derived.accept(List.of(healthPoint()));
            } catch (RuntimeException e) {
                LOG.warn("gateway health point not stored: {}", e.getMessage());
            }
        }, HEALTH_EVERY_S, HEALTH_EVERY_S, java.util.concurrent.TimeUnit.SECONDS);

        forwarder.start();
        reconciler.start();
        committer.start();
        ingest.start();
        live.start();
        if (acquisition != null) {
            acquisition.start();
        }
        if (simulator != null) {
            simulator.start();
        }
        export.start();
    }

    /** Measurement {@code gateway}: the figures of /api/status, every {@value #HEALTH_EVERY_S} s. */
    private PointLine healthPoint() {
        long now = org.fieldgate.reading.EpochNanos.now();
        double oldestS = spool.oldestUndeliveredAgeS(now);
        return org.fieldgate.forward.InfluxLines.derived("gateway", now, java.util.Map.of("site", settings.site()),
                LivePoints.fieldsOf("spool_depth", spool.depth(), "spool_bytes", spool.usedBytes(),
                        "spool_full", spool.isFull(), "points_waiting", spool.pointDepth(),
                        "oldest_undelivered_s", oldestS, "dead_letters_total", spool.deadLettersTotal(),
                        "dropped_total", spool.droppedTotal(), "ingested_total", committer.ingested(),
                        "delivered_total", forwarder.delivered(), "quarantined_total", forwarder.quarantined(),
                        "mqtt_connected", ingest.isConnected(), "influx_reachable", forwarder.isReachable()));
    }

    /** For records without a unit: what the site file of {@code site} declares for the channel, or null. */
    private String declaredUnit(String site, String device, String channel) {
        for (SiteConfig s : sites) {
            if (s.id().equals(site)) {
                return s.declaredUnit(device, channel);
            }
        }
        return null;
    }

    public List<SiteConfig> sites() {
        return sites;
    }

    public AcquisitionStage acquisition() {
        return acquisition;
    }

    public LiveCalculations live() {
        return live;
    }

    public GatewaySettings settings() {
        return settings;
    }

    public org.fieldgate.export.ExportStage export() {
        return export;
    }

    public Spool spool() {
        return spool;
    }

    public InfluxForwarder forwarder() {
        return forwarder;
    }

    public org.fieldgate.forward.Reconciler reconciler() {
        return reconciler;
    }

    public IngestCommitter committer() {
        return committer;
    }

    public MqttIngest ingest() {
        return ingest;
    }

    /** The pipeline's threads, watched for death and silence (/health, the systemd watchdog). */
    public PipelineThreads threads() {
        return threads;
    }

    @PreDestroy
    @Override
    public void close() {
        threads.stopping();
        healthTimer.shutdownNow();
        export.close();
        if (simulator != null) {
            simulator.close();
        }
        if (acquisition != null) {
            acquisition.close();
        }
        live.close();
        ingest.close();
        committer.close();
        reconciler.close();
        forwarder.close();
        if (broker != null) {
            broker.close();
        }
        spool.close();
        LOG.info("fieldgate stopped; {} readings wait in the spool for the next start", spool.depth());
    }
}
