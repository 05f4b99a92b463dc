package org.fieldgate.it;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.fieldgate.config.GatewaySettings;
import org.fieldgate.forward.InfluxLines;
import org.fieldgate.senml.SenmlDecoder;
import org.fieldgate.store.FullPolicy;
import org.fieldgate.store.Spool;
import org.fieldgate.testkit.MosquittoProcess;
import org.fieldgate.testkit.Pack;
import org.fieldgate.testkit.Poll;
import org.fieldgate.testkit.SenmlPacks;
import org.fieldgate.testkit.SenmlPublisher;
import org.fieldgate.testkit.StartsProcesses;
import org.fieldgate.threads.PipelineThreads;
import org.fieldgate.transport.IngestCommitter;
import org.fieldgate.transport.MqttIngest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A burst wider than ingest's bound: the broker's in-flight window (100 messages, the kit's mosquitto) holds many
 * times {@code max-pending-bytes}, so ingest reaches its bound again and again. The MQTT client must wait for room
 * instead of leaving messages unacknowledged: one connection for the whole burst (no reconnect, nothing deferred),
 * every reading committed exactly once, and what ingest holds never above its bound plus one message.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
@StartsProcesses
class IngestBurstTest {
    private static final int PACKS = 400;
    private static final int RECORDS_PER_PACK = 100;
    /** A few messages' worth (a pack here is about 6 KB): the broker's window is 100 messages. */
    private static final long BOUND_BYTES = 32 * 1024;

    @Test
    void aBurstWiderThanTheBoundWaitsForRoomOnOneConnection(@TempDir Path dir) throws Exception {
        SenmlPacks probes = new SenmlPacks(Site.NAME, "probe", 10, RECORDS_PER_PACK, SenmlPacks.anHourAgo(), 12_000);
        long largest = probes.packs(PACKS).stream().mapToLong(p -> p.payload().length).max().orElseThrow();
        try (MosquittoProcess broker = MosquittoProcess.started();
             Spool spool = new Spool(dir.resolve("spool"), 256L << 20, FullPolicy.BACKPRESSURE, InfluxLines::gap)) {
            PipelineThreads threads = new PipelineThreads();
            var committer = new IngestCommitter(new SenmlDecoder(262_144, 10_000, 1_420_070_400L, 86_400_000_000_000L),
                    spool.readings(), new IngestCommitter.Bounds(200, 20_000, BOUND_BYTES), new SimpleMeterRegistry(),
                    threads);
            var mqtt = new MqttIngest(new GatewaySettings.Mqtt(broker.url(), false, "it-gw-burst", null, null), committer,
                    threads);
            AtomicBoolean sampling = new AtomicBoolean(true);
            AtomicLong mostHeld = new AtomicLong();
            Thread sampler = new Thread(() -> {
                while (sampling.get()) {
                    mostHeld.accumulateAndGet(committer.pendingBytes(), Math::max);
                    Thread.onSpinWait();
                }
            }, "pending-sampler");
            try (committer; mqtt) {
                committer.start();
                mqtt.start();
                Poll.until("the gateway's subscription", Duration.ofSeconds(20), mqtt::isConnected, () -> broker.logTail(20));
                sampler.start();
                try (SenmlPublisher publisher = new SenmlPublisher(broker.url(), "it-probe-burst").connect()) {
                    for (Pack pack : probes.packs(PACKS)) {
                        publisher.publish(pack);
                    }
                    publisher.flush(Duration.ofSeconds(60));
                    assertEquals(PACKS, publisher.acknowledgedPackCount(), "packs the broker acknowledged; " + publisher.events());
                }
                long readings = (long) PACKS * RECORDS_PER_PACK;
                Poll.until("every reading committed", Duration.ofSeconds(120), () -> committer.ingested() >= readings,
                        () -> "ingested " + committer.ingested() + ", connections " + mqtt.connections() + ", deferred "
                                + mqtt.deferred() + "; broker: " + broker.logTail(10));
                sampling.set(false);
                sampler.join();
                System.out.println("burst of " + PACKS + " packs: bound " + BOUND_BYTES + " bytes, most held " + mostHeld.get()
                        + ", room waits " + committer.roomWaits() + ", deferred " + mqtt.deferred() + ", connections "
                        + mqtt.connections());

                assertTrue(committer.roomWaits() > 0, "ingest never reached its bound: the burst tested nothing");
                assertEquals(0, mqtt.deferred(), "messages left unacknowledged during the burst");
                assertEquals(1, mqtt.connections(), "MQTT connections (1 = no reconnect during the burst)");
                assertEquals(readings, committer.ingested(), "readings committed: each exactly once");
                assertEquals(readings, spool.readings().depth(), "readings in the spool");
                long cost = largest + IngestCommitter.Bounds.MESSAGE_OVERHEAD_BYTES;
                assertTrue(mostHeld.get() <= Math.max(BOUND_BYTES, cost), "ingest held " + mostHeld.get() + " bytes, bound "
                        + BOUND_BYTES);
            } finally {
                sampling.set(false);
            }
        }
    }
}
