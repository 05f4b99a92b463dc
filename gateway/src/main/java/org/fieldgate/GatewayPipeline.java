package org.fieldgate;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Context;
import jakarta.annotation.PreDestroy;
import org.fieldgate.acquire.SoilProbeSimulator;
import org.fieldgate.config.GatewaySettings;
import org.fieldgate.forward.InfluxForwarder;
import org.fieldgate.site.SiteConfigs;
import org.fieldgate.store.Spool;
import org.fieldgate.transport.EmbeddedBroker;
import org.fieldgate.transport.IngestCommitter;
import org.fieldgate.transport.MqttIngest;
import org.fieldgate.transport.SenmlDecoder;
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
    private final IngestCommitter committer;
    private final EmbeddedBroker broker;
    private final MqttIngest ingest;
    private final SoilProbeSimulator simulator;

    public GatewayPipeline(GatewaySettings settings, MeterRegistry metrics, LatestReadings latest) {
        this.settings = settings;
        // An invalid site file stops start-up here, with every error as file:line: field (see config check).
        settings.siteConfig().ifPresent(file -> {
            var site = SiteConfigs.loadOrThrow(file, SiteConfigs.defaultModelsDir(file));
            LOG.info("site file {} valid: site {}", file, site.id());
        });
        LOG.info("fieldgate site {}: MQTT {}{}, InfluxDB {} database {}, spool {}", settings.site(),
                settings.mqtt().url(), settings.mqtt().embedded() ? " (embedded)" : "", settings.influx().url(),
                settings.influx().database(), settings.spool().dir());
        this.spool = new Spool(settings.spool().dir(), settings.spool().maxBytes(), settings.spool().fullPolicy());
        this.forwarder = new InfluxForwarder(settings.influx(), settings.forward(), spool, metrics);
        var ingestSettings = settings.ingest();
        var decoder = new SenmlDecoder(ingestSettings.maxMessageBytes(), ingestSettings.maxRecordsPerPack(),
                ingestSettings.notBeforeEpochS(), ingestSettings.maxFutureSkew().toNanos());
        this.committer = new IngestCommitter(decoder, spool, ingestSettings.commitBatchMessages(), metrics);
        committer.onCommitted(latest::update);
        committer.onCommitted(readings -> forwarder.wake());
        this.broker = settings.mqtt().embedded()
                ? new EmbeddedBroker(settings.mqtt().url(), settings.spool().dir().resolve("broker"),
                ingestSettings.maxMessageBytes())
                : null;
        this.ingest = new MqttIngest(settings.mqtt(), committer);
        this.simulator = settings.simulator().enabled()
                ? new SoilProbeSimulator(settings.mqtt().url(), settings.site(), settings.simulator().device(),
                settings.simulator().interval())
                : null;

        Gauge.builder("fieldgate.spool.depth", spool, Spool::depth).description("readings waiting in the spool")
                .register(metrics);
        Gauge.builder("fieldgate.spool.used.bytes", spool, Spool::usedBytes).register(metrics);
        Gauge.builder("fieldgate.spool.full", spool, s -> s.isFull() ? 1 : 0).register(metrics);
        Gauge.builder("fieldgate.spool.dead.letters.total", spool, Spool::deadLettersTotal).register(metrics);
        Gauge.builder("fieldgate.mqtt.connected", ingest, i -> i.isConnected() ? 1 : 0).register(metrics);
        Gauge.builder("fieldgate.influx.reachable", forwarder, f -> f.isReachable() ? 1 : 0).register(metrics);

        forwarder.start();
        committer.start();
        ingest.start();
        if (simulator != null) {
            simulator.start();
        }
    }

    public GatewaySettings settings() {
        return settings;
    }

    public Spool spool() {
        return spool;
    }

    public InfluxForwarder forwarder() {
        return forwarder;
    }

    public IngestCommitter committer() {
        return committer;
    }

    public MqttIngest ingest() {
        return ingest;
    }

    @PreDestroy
    @Override
    public void close() {
        if (simulator != null) {
            simulator.close();
        }
        ingest.close();
        committer.close();
        forwarder.close();
        if (broker != null) {
            broker.close();
        }
        spool.close();
        LOG.info("fieldgate stopped; {} readings wait in the spool for the next start", spool.depth());
    }
}
