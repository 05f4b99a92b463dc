package org.fieldgate.pipeline;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.fieldgate.acquire.site.PackSink;
import org.fieldgate.config.GatewaySettings;
import org.fieldgate.lorawan.LorawanDecoder;
import org.fieldgate.senml.SenmlDecoder;
import org.fieldgate.store.Spool;
import org.fieldgate.threads.PipelineThreads;
import org.fieldgate.transport.BrokerAccess;
import org.fieldgate.transport.EmbeddedBroker;
import org.fieldgate.transport.IngestCommitter;
import org.fieldgate.transport.MqttIngest;

import java.time.Duration;

/**
 * The way in: the embedded MQTT broker (when configured), the subscription, and the committer that decodes each
 * message and commits it to the spool before the broker's message is acknowledged.
 */
public final class IngestBuilder {
    private IngestBuilder() {
    }

    /** {@code broker}: null when the gateway uses an outside broker. */
    public record Ingest(EmbeddedBroker broker, IngestCommitter committer, MqttIngest mqtt) {
        /** The gateway's own probes go through the same decoder and spool as a remote node's messages. */
        public PackSink packs() {
            return (topic, senml) -> {
                try {
                    return committer.offer(new IngestCommitter.Incoming(topic, senml, () -> { }), Duration.ofSeconds(2));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            };
        }
    }

    public static Ingest build(GatewaySettings settings, SiteFiles sites, Spool spool, MeterRegistry metrics,
                               PipelineThreads threads) {
        var ingest = settings.ingest();
        var decoder = new SenmlDecoder(ingest.maxMessageBytes(), ingest.maxRecordsPerPack(),
                ingest.notBeforeEpochS(), ingest.maxFutureSkew().toNanos(), sites::declaredUnit);
        var committer = new IngestCommitter(decoder, spool.readings(), new IngestCommitter.Bounds(ingest.commitBatchMessages(),
                ingest.commitBatchReadings(), ingest.maxPendingBytes()), metrics, threads);
        var mqtt = settings.mqtt();
        EmbeddedBroker broker = mqtt.embedded()
                ? new EmbeddedBroker(mqtt.url(), settings.spool().dir().resolve("broker"), ingest.maxMessageBytes(),
                new BrokerAccess(mqtt.username(), mqtt.password(), mqtt.nodePasswordFile()))
                : null;
        MqttIngest subscription = new MqttIngest(mqtt, committer, threads);
        var lorawan = new LorawanDecoder(sites.sites(), (site, device, firstNs, lastNs, missing, cause) ->
                spool.gaps().record(site, device, "*", firstNs, lastNs, missing, cause),
                new SpoolFrameCounters(spool.accumulators()));
        if (lorawan.hasApplications()) {
            committer.decodeLorawanWith(lorawan);
            subscription.alsoSubscribe(LorawanDecoder.TOPIC_FILTERS);
        }
        register(metrics, subscription, broker);
        return new Ingest(broker, committer, subscription);
    }

    private static void register(MeterRegistry metrics, MqttIngest mqtt, EmbeddedBroker broker) {
        Gauge.builder("fieldgate.mqtt.connected", mqtt, i -> i.isConnected() ? 1 : 0)
                .description("1 while the MQTT subscription is connected, else 0").register(metrics);
        FunctionCounter.builder("fieldgate.mqtt.connections", mqtt, MqttIngest::connections)
                .description("MQTT connections made; more than one means it dropped or was replaced").register(metrics);
        FunctionCounter.builder("fieldgate.mqtt.deferred", mqtt, MqttIngest::deferred)
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
    }
}
