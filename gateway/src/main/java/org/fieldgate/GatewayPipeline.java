package org.fieldgate;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Context;
import jakarta.annotation.PreDestroy;
import org.fieldgate.acquire.LorawanSoilNodeSimulator;
import org.fieldgate.acquire.SoilProbeSimulator;
import org.fieldgate.config.GatewaySettings;
import org.fieldgate.export.ExportStage;
import org.fieldgate.forward.InfluxForwarder;
import org.fieldgate.forward.Reconciler;
import org.fieldgate.live.LatestReadings;
import org.fieldgate.live.LiveCalculations;
import org.fieldgate.pipeline.Acquisition;
import org.fieldgate.pipeline.AcquisitionBuilder;
import org.fieldgate.pipeline.DerivedPoints;
import org.fieldgate.pipeline.ForwardBuilder;
import org.fieldgate.pipeline.HealthPoints;
import org.fieldgate.pipeline.IngestBuilder;
import org.fieldgate.pipeline.SiteFiles;
import org.fieldgate.pipeline.SpoolBuilder;
import org.fieldgate.pipeline.StatusSnapshots;
import org.fieldgate.store.Spool;
import org.fieldgate.threads.PipelineThreads;
import org.fieldgate.transport.EmbeddedBroker;
import org.fieldgate.transport.IngestCommitter;
import org.fieldgate.transport.MqttIngest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;

/**
 * Builds the stages in the order the data flows (broker → ingest → spool → forwarder) and stops them in the
 * reverse order, so nothing is acknowledged that is not on disk and nothing leaves the disk unsent. Each stage is
 * built by its builder in {@code org.fieldgate.pipeline}; {@link PipelineBeans} hands the web layer what it reads.
 */
@Context
public class GatewayPipeline implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayPipeline.class);

    private final PipelineThreads threads = new PipelineThreads();
    private final LatestReadings latest;
    private final SiteFiles sites;
    private final Spool spool;
    private final InfluxForwarder forwarder;
    /** Checks InfluxDB holds what it acknowledged, and re-sends what it does not. */
    private final Reconciler reconciler;
    /** The completeness ledger (counted by the spool) and the scheduled export of closed windows. */
    private final ExportStage export;
    private final IngestCommitter committer;
    /** null: an outside broker */
    private final EmbeddedBroker broker;
    private final MqttIngest ingest;
    private final Acquisition acquisition;
    private final LiveCalculations live;
    /** null unless fieldgate.simulator.enabled */
    private final SoilProbeSimulator simulator;
    /** null unless fieldgate.simulator.enabled and a site file maps LoRaWAN applications */
    private final LorawanSoilNodeSimulator lorawanNode;
    private final StatusSnapshots status;
    private final HealthPoints healthPoints;

    public GatewayPipeline(GatewaySettings settings, MeterRegistry metrics) {
        this.sites = SiteFiles.load(settings);
        this.latest = new LatestReadings(settings.live().maxSeries());
        Gauge.builder("fieldgate.live.series", latest, LatestReadings::seriesCount)
                .description("series the live page holds").register(metrics);
        FunctionCounter.builder("fieldgate.live.series.evicted", latest, LatestReadings::evictedSeries)
                .description("series the live page dropped at fieldgate.live.max-series").register(metrics);
        LOG.info("fieldgate site {}: MQTT {}{}, InfluxDB {} database {}, spool {}", settings.site(),
                settings.mqtt().url(), settings.mqtt().embedded() ? " (embedded)" : "", settings.influx().url(),
                settings.influx().database(), settings.spool().dir());
        this.spool = SpoolBuilder.build(settings, metrics);
        var forward = ForwardBuilder.build(settings, spool, metrics);
        this.forwarder = forward.forwarder();
        this.reconciler = forward.reconciler();
        this.export = new ExportStage(settings, sites.sites(), spool, Clock.systemUTC());
        var in = IngestBuilder.build(settings, sites, spool, metrics, threads);
        this.committer = in.committer();
        this.broker = in.broker();
        this.ingest = in.mqtt();
        // the forwarder's writer, preparer and settler, watched for death after ingest's threads
        forwarder.threads().forEach(threads::watch);
        var derived = new DerivedPoints(spool, forwarder);
        this.acquisition = AcquisitionBuilder.build(settings, sites, in.packs(), derived.gaps(), derived);
        this.live = new LiveCalculations(sites.sites(), settings.calc(), spool.accumulators(), acquisition::lids,
                acquisition.time()::nowNs, derived);
        this.simulator = settings.simulator().enabled()
                ? new SoilProbeSimulator(settings.mqtt().url(), settings.site(), settings.simulator().device(),
                settings.simulator().interval())
                : null;
        this.lorawanNode = settings.simulator().enabled() ? lorawanNode(settings, sites) : null;
        // who hears of each committed group, in this order: the page's latest values, the forwarder, live calculations
        committer.onCommitted(latest::update);
        committer.onCommitted(readings -> forwarder.wake());
        committer.onCommitted(live::accept);
        this.status = new StatusSnapshots(settings.site(), settings.acquire().mode(), spool, committer, ingest,
                forwarder, reconciler, acquisition.stage(), latest, export::keyFingerprint);
        this.healthPoints = new HealthPoints(status, derived);

        healthPoints.start();
        forwarder.start();
        reconciler.start();
        committer.start();
        ingest.start();
        live.start();
        if (acquisition.stage() != null) {
            acquisition.stage().start();
        }
        if (simulator != null) {
            simulator.start();
        }
        if (lorawanNode != null) {
            lorawanNode.start();
        }
        export.start();
    }

    @PreDestroy
    @Override
    public void close() {
        threads.stopping();
        healthPoints.close();
        export.close();
        if (simulator != null) {
            simulator.close();
        }
        if (lorawanNode != null) {
            lorawanNode.close();
        }
        if (acquisition.stage() != null) {
            acquisition.stage().close();
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
        LOG.info("fieldgate stopped; {} readings wait in the spool for the next start", spool.readings().depth());
    }

    /** The demo's LoRaWAN soil node: the first site file's first application and the first device profile it maps. */
    private static LorawanSoilNodeSimulator lorawanNode(GatewaySettings settings, SiteFiles sites) {
        for (var site : sites.sites()) {
            var lora = site.lorawan();
            if (lora != null && !lora.profiles().isEmpty()) {
                return new LorawanSoilNodeSimulator(settings.mqtt().url(), lora.applications().get(0), "demo-lorawan-soil-1",
                        "a84041000181c5ff", lora.profiles().keySet().iterator().next(), settings.simulator().interval());
            }
        }
        return null;
    }

    // what the web layer reads, handed out as beans by PipelineBeans only

    PipelineThreads threads() {
        return threads;
    }

    LatestReadings latest() {
        return latest;
    }

    SiteFiles sites() {
        return sites;
    }

    Spool spool() {
        return spool;
    }

    InfluxForwarder forwarder() {
        return forwarder;
    }

    ExportStage export() {
        return export;
    }

    Acquisition acquisition() {
        return acquisition;
    }

    LiveCalculations live() {
        return live;
    }

    StatusSnapshots status() {
        return status;
    }
}
