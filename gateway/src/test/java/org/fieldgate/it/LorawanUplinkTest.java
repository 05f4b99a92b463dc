package org.fieldgate.it;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.fieldgate.config.GatewaySettings;
import org.fieldgate.forward.InfluxLines;
import org.fieldgate.lorawan.LorawanDecoder;
import org.fieldgate.lorawan.Uplinks;
import org.fieldgate.senml.SenmlDecoder;
import org.fieldgate.site.SiteConfig;
import org.fieldgate.site.SiteConfigs;
import org.fieldgate.store.DeadLetter;
import org.fieldgate.store.FullPolicy;
import org.fieldgate.store.GapRecord;
import org.fieldgate.store.Spool;
import org.fieldgate.testkit.FreePorts;
import org.fieldgate.testkit.MosquittoProcess;
import org.fieldgate.testkit.Poll;
import org.fieldgate.testkit.StartsProcesses;
import org.fieldgate.transport.IngestCommitter;
import org.fieldgate.transport.MqttIngest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.fieldgate.lorawan.Uplinks.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * ChirpStack v4 and The Things Stack v3 uplinks (written from their published formats, see {@link Uplinks}) through a
 * real Mosquitto into the gateway's own subscriber, committer and spool: exact counts of readings, gap records and dead
 * letters, and an uplink redelivered after a restart of the gateway's ingest is not stored twice.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@StartsProcesses
class LorawanUplinkTest {
    private static final Path CONFIG = Path.of("..", "firmware-config").toAbsolutePath().normalize();
    private static final SiteConfig SITE = SiteConfigs.loadOrThrow(CONFIG.resolve("sites/lorawan-soil-example.yaml"),
            CONFIG.resolve("models"));
    private static final String EUI = "a84041000181c5e1";
    private static final String CS_TOPIC = Uplinks.chirpstackTopic(EUI);
    private static final String TTS_TOPIC = Uplinks.ttsTopic("lse01-plot-b-1", true);
    /** Readings of one mapped LSE01 uplink: five fields, RSSI and SNR. */
    private static final int PER_UPLINK = 7;

    private static String cs(Integer fCnt, String time) {
        return Uplinks.chirpstack("lse01-plot-a-1", EUI, fCnt, time, Uplinks.lse01("25.52", "9.12", 124));
    }

    private static String tts(Integer fCnt, String time) {
        return Uplinks.tts("lse01-plot-b-1", fCnt, time, Uplinks.lse01("31.07", "-1.50", 2010));
    }

    /** The gateway's ingest on {@code spool}: subscriber, committer and LoRaWAN decoder, as IngestBuilder wires them. */
    record Ingest(IngestCommitter committer, MqttIngest mqtt, LorawanDecoder lorawan) implements AutoCloseable {
        static Ingest started(MosquittoProcess broker, Spool spool) {
            var lorawan = new LorawanDecoder(List.of(SITE), (site, device, firstNs, lastNs, missing, cause) ->
                    spool.gaps().record(site, device, "*", firstNs, lastNs, missing, cause));
            var committer = new IngestCommitter(new SenmlDecoder(262_144, 10_000, 1_420_070_400L, 86_400_000_000_000L),
                    spool.readings(), 200, new SimpleMeterRegistry());
            committer.decodeLorawanWith(lorawan);
            var mqtt = new MqttIngest(new GatewaySettings.Mqtt(broker.url(), false, "it-gw-lorawan", null, null), committer);
            mqtt.alsoSubscribe(LorawanDecoder.TOPIC_FILTERS);
            committer.start();
            mqtt.start();
            Poll.until("the gateway's subscription", Duration.ofSeconds(20), mqtt::isConnected, () -> broker.logTail(20));
            return new Ingest(committer, mqtt, lorawan);
        }

        @Override
        public void close() {
            mqtt.close();
            committer.close();
        }
    }

    private static void publish(MosquittoProcess broker, String[][] messages) throws Exception {
        MqttClient client = new MqttClient(broker.url(), "network-server-" + FreePorts.next(), new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(true);
        o.setMaxInflight(100); // blocking QoS 1 publishes in a loop: see Li7810Fake on Paho's in-flight count
        client.connect(o);
        try {
            for (String[] m : messages) {
                client.publish(m[0], bytes(m[1]), 1, false);
            }
        } finally {
            client.disconnect();
            client.close();
        }
    }

    @Test
    void uplinksOfBothNetworksLandOnceWithResetsAsGapsAndUndecodedAsDeadLetters(@TempDir Path dir) throws Exception {
        String t0 = "2026-12-05T09:00:00.25Z";
        String t1 = "2026-12-05T09:20:00.25Z";
        String t2 = "2026-12-05T09:40:00.25Z";
        try (MosquittoProcess broker = MosquittoProcess.started()) {
            try (Spool spool = new Spool(dir.resolve("spool"), 64L << 20, FullPolicy.BACKPRESSURE, InfluxLines::gap);
                 Ingest ingest = Ingest.started(broker, spool)) {
                publish(broker, new String[][] {
                        {CS_TOPIC, cs(10, t0)},                  // 7 readings
                        {CS_TOPIC, cs(10, t0)},                  // redelivered: the spool's keys drop all 7
                        {CS_TOPIC, cs(10, "2026-12-05T09:00:03Z")}, // same fCnt, another time: a duplicate uplink
                        {CS_TOPIC, cs(11, t1)},                  // 7
                        {CS_TOPIC, cs(null, t2)},                // fCnt 0 (left out): a reset, a gap; 7
                        {CS_TOPIC, Uplinks.chirpstack("lse01-plot-a-1", EUI, 1, "2026-12-05T10:00:00Z", null)}, // no object
                        {TTS_TOPIC, tts(42, "2026-12-05T09:10:00.401Z")}, // 7
                        {TTS_TOPIC, tts(5, "2026-12-05T09:30:00.401Z")},  // reset: a gap; 7
                        {TTS_TOPIC, "{\"end_device_ids\": {\"device_id\": \"lse01-plot-b-1\"}, \"uplink_message\": "}, // bad JSON
                });
                int readings = 5 * PER_UPLINK;
                Poll.until("every uplink committed", Duration.ofSeconds(30),
                        () -> spool.readings().depth() + spool.deadLetters().total() >= readings + 2
                                && ingest.committer().isDrained(), () -> broker.logTail(20));
                Thread.sleep(500);
                assertEquals(readings, spool.readings().depth());
                assertEquals(PER_UPLINK, spool.readings().duplicatesTotal(), "the redelivered event's readings");
                assertEquals(1, ingest.lorawan().duplicates(), "the second copy of fCnt 10");
                List<GapRecord> gaps = spool.gaps().recent(10).stream()
                        .sorted(Comparator.comparing(GapRecord::device)).toList();
                assertEquals(List.of("lse01-plot-a-1: LoRaWAN frame counter reset from 11 to 0 (node rejoined or restarted)",
                        "lse01-plot-b-1: LoRaWAN frame counter reset from 42 to 5 (node rejoined or restarted)"),
                        gaps.stream().map(g -> g.device() + ": " + g.cause()).toList());
                List<String> dead = spool.deadLetters().recent(10).stream().map(DeadLetter::reason).sorted().toList();
                assertEquals(2, dead.size(), dead.toString());
                assertEquals("The Things Stack uplink message: not JSON: Unexpected end-of-input within/between Object "
                        + "entries at line 1, column 71", dead.get(0));
                assertEquals("object: absent: the uplink was not decoded (no payload codec on the network server, or it "
                        + "failed); fCnt 1", dead.get(1));
            }
            // a restart: new spool handle, new ingest, a network server redelivering fCnt 11 (as after a lost PUBACK)
            try (Spool spool = new Spool(dir.resolve("spool"), 64L << 20, FullPolicy.BACKPRESSURE, InfluxLines::gap);
                 Ingest ingest = Ingest.started(broker, spool)) {
                long duplicatesBefore = spool.readings().duplicatesTotal();
                publish(broker, new String[][] {{CS_TOPIC, cs(11, t1)}});
                Poll.until("the redelivery seen", Duration.ofSeconds(30),
                        () -> spool.readings().duplicatesTotal() == duplicatesBefore + PER_UPLINK, () -> broker.logTail(20));
                assertEquals(5 * PER_UPLINK, spool.readings().depth(), "nothing stored twice after the restart");
                assertEquals(2, spool.gaps().recent(10).size());
                assertEquals(2, spool.deadLetters().total());
            }
        }
    }
}
