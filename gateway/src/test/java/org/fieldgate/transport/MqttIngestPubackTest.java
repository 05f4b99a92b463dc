package org.fieldgate.transport;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.fieldgate.config.GatewaySettings;
import org.fieldgate.forward.InfluxLines;
import org.fieldgate.reading.EpochNanos;
import org.fieldgate.senml.SenmlDecoder;
import org.fieldgate.store.FullPolicy;
import org.fieldgate.store.Spool;
import org.fieldgate.testkit.Poll;
import org.fieldgate.testkit.RawMqttBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The committer's own PUBACKs ({@link PubackOutput}) on a plain-TCP connection, against a broker that counts every
 * PUBACK per packet id ({@link RawMqttBroker}, in this JVM): each of 3,000 one-reading messages is acknowledged exactly
 * once, never before its reading is in the spool, the broker is left holding nothing, and Paho's own packets (its
 * keep-alive pings, 1 s here) still pass, so the one connection stays up throughout.
 */
class MqttIngestPubackTest {
    private static final int MESSAGES = 3_000;

    private static IngestCommitter committer(Spool spool) {
        var decoder = new SenmlDecoder(262_144, 10_000, 1_420_070_400L, 86_400L * 1_000_000_000L);
        return new IngestCommitter(decoder, spool.readings(), 200, new SimpleMeterRegistry());
    }

    private static GatewaySettings.Mqtt keepAliveOneSecond(RawMqttBroker broker, String clientId) {
        return new GatewaySettings.Mqtt(broker.url(), false, clientId, null, null, null, null, null, null, Duration.ofSeconds(1));
    }

    @Test
    void everyMessageIsAcknowledgedOnceAfterItsCommitAndPahosPingsStillPass(@TempDir Path dir) throws Exception {
        long baseS = EpochNanos.now() / 1_000_000_000L - 3600;
        try (RawMqttBroker broker = RawMqttBroker.started();
             Spool spool = new Spool(dir, 100_000_000, FullPolicy.BACKPRESSURE, InfluxLines::gap)) {
            List<Integer> ids = new ArrayList<>();
            for (int m = 0; m < MESSAGES; m++) {
                String device = "dev-" + m % 100;
                byte[] payload = ("[{\"bn\":\"" + device + "/\",\"bt\":" + (baseS + m) + ",\"n\":\"co2_10cm\",\"u\":\"ppm\",\"v\":"
                        + (400 + m % 50) + "}]").getBytes(StandardCharsets.UTF_8);
                ids.add(broker.publish(("fieldgate/plot-a/" + device + "/senml").getBytes(StandardCharsets.UTF_8), payload));
            }
            try (IngestCommitter committer = committer(spool);
                 MqttIngest ingest = new MqttIngest(keepAliveOneSecond(broker, "puback-test"), committer)) {
                committer.start();
                ingest.start();
                Poll.until("every message acknowledged", Duration.ofSeconds(60), () -> {
                    // acknowledged only once committed: the broker never holds fewer than the spool lacks
                    long depth = spool.readings().depth();
                    int acknowledged = MESSAGES - broker.unacknowledged();
                    assertTrue(acknowledged <= depth, acknowledged + " acknowledged, " + depth + " in the spool");
                    return acknowledged == MESSAGES;
                }, () -> broker.unacknowledged() + " unacknowledged, " + spool.readings().depth() + " in the spool");
                // several keep-alive intervals: Paho pings through PubackOutput and the broker's answers keep it up
                Poll.sleep(Duration.ofMillis(3_500));
                assertTrue(ingest.isConnected(), "connected after the pings: " + ingest.lastError());
                assertEquals(MESSAGES, spool.readings().depth(), "readings in the spool");
                assertEquals(MESSAGES, committer.ingested());
                for (int id : ids) {
                    assertEquals(1, broker.pubacks(id), "PUBACKs for packet id " + id);
                }
                assertEquals(1, broker.connects(), "connections");
                assertEquals(0, ingest.deferred());
            }
        }
    }

    /**
     * On plain TCP the guard takes every PUBLISH away from Paho, so Paho reads nothing but its PINGRESPs: under a
     * stream lasting several keep-alive intervals its pings must still be answered in time and the connection kept.
     */
    @Test
    void aStreamOverManyKeepAlivesKeepsItsOneConnection(@TempDir Path dir) throws Exception {
        long baseS = EpochNanos.now() / 1_000_000_000L - 3600;
        try (RawMqttBroker broker = RawMqttBroker.started();
             Spool spool = new Spool(dir, 100_000_000, FullPolicy.BACKPRESSURE, InfluxLines::gap)) {
            try (IngestCommitter committer = committer(spool);
                 MqttIngest ingest = new MqttIngest(keepAliveOneSecond(broker, "stream-test"), committer)) {
                committer.start();
                ingest.start();
                Poll.until("connected", Duration.ofSeconds(20), ingest::isConnected, ingest::lastError);
                List<Integer> ids = new ArrayList<>();
                long endNs = System.nanoTime() + 4_500_000_000L;
                for (int m = 0; m < 20_000 && System.nanoTime() < endNs; m++) {
                    String device = "dev-" + m % 100;
                    byte[] payload = ("[{\"bn\":\"" + device + "/\",\"bt\":" + (baseS + m) + ",\"n\":\"co2_10cm\","
                            + "\"u\":\"ppm\",\"v\":" + (400 + m % 50) + "}]").getBytes(StandardCharsets.UTF_8);
                    ids.add(broker.publish(("fieldgate/plot-a/" + device + "/senml").getBytes(StandardCharsets.UTF_8),
                            payload));
                    if (m % 20 == 19) {
                        Poll.sleep(Duration.ofMillis(10));
                    }
                }
                int sent = ids.size();
                assertTrue(sent > 1_000, "published " + sent);
                Poll.until("every message acknowledged", Duration.ofSeconds(60), () -> broker.unacknowledged() == 0,
                        () -> broker.unacknowledged() + " unacknowledged, " + spool.readings().depth() + " in the spool");
                assertTrue(ingest.isConnected(), "connected: " + ingest.lastError());
                assertEquals(1, broker.connects(), "connections over " + sent + " messages in 4.5 s, keep-alive 1 s");
                assertEquals(sent, spool.readings().depth(), "readings in the spool");
                for (int id : ids) {
                    assertEquals(1, broker.pubacks(id), "PUBACKs for packet id " + id);
                }
            }
        }
    }
}
