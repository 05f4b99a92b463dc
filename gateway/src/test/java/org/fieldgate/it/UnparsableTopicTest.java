package org.fieldgate.it;

import org.fieldgate.testkit.AttachGatewayLogs;
import org.fieldgate.testkit.Cleanup;
import org.fieldgate.testkit.GatewayProcess;
import org.fieldgate.testkit.InfluxdProcess;
import org.fieldgate.testkit.LandedReadings;
import org.fieldgate.testkit.Pack;
import org.fieldgate.testkit.Poll;
import org.fieldgate.testkit.RawMqttBroker;
import org.fieldgate.testkit.Reading;
import org.fieldgate.testkit.SenmlPacks;
import org.fieldgate.testkit.StartsProcesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the MQTT client cannot parse must not stop ingestion. A broker that forwards a PUBLISH whose topic holds a
 * newline (Moquette did; Mosquitto 2.0 refuses it) made Paho's receive thread die on "Invalid UTF-8 char": the
 * connection looked up, nothing more was read, and the broker redelivered the message on every reconnect. Real
 * brokers will not send such bytes on purpose, so a raw-bytes broker ({@link RawMqttBroker}) plays the broker,
 * with a persistent session; the gateway and InfluxDB are the real processes.
 */
@ExtendWith(AttachGatewayLogs.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
@StartsProcesses
class UnparsableTopicTest {
    private static final int GOOD_PACKS = 40;
    private static final int RECORDS_PER_PACK = 20;

    private final Cleanup cleanup = new Cleanup();

    @AfterEach
    void stopEverything() throws Exception {
        cleanup.close();
    }

    @Test
    void aTopicWithANewlineIsDeadLetteredAcknowledgedOnceAndIngestGoesOn() {
        RawMqttBroker broker = cleanup.add(RawMqttBroker.started());
        InfluxdProcess influx = cleanup.add(InfluxdProcess.started());
        List<Pack> good = new SenmlPacks(Site.NAME, "probe", 4, RECORDS_PER_PACK, SenmlPacks.anHourAgo(), 7).packs(GOOD_PACKS);
        byte[] poisonTopic = "fieldgate/it-site/probe\nx/senml".getBytes(StandardCharsets.UTF_8);
        int poisonId = broker.publish(poisonTopic, good.get(0).payload());
        Map<Reading.Key, Reading> sent = queue(broker, good);

        GatewayProcess gateway = cleanup.add(gateway(broker, influx, "it-gw-poison-topic").start());
        Supplier<String> diagnostics = diagnostics(gateway, broker);

        LandedReadings.awaitAtLeast(influx, Site.DB, sent.size(), Duration.ofSeconds(60), diagnostics);
        var landed = LandedReadings.fetch(influx, Site.DB);
        Poll.until("the broker to have every message acknowledged", Duration.ofSeconds(30),
                () -> broker.unacknowledged() == 0, diagnostics);
        List<Map<String, Object>> letters = gateway.deadLetters(10);
        System.out.println("poison topic: " + broker.pubacks(poisonId) + " PUBACK(s) for it, " + broker.connects()
                + " connection(s), dead letters " + letters);
        System.out.println("FAULT unparsable-topic: sent=" + sent.size() + " landed=" + landed.size() + " lost="
                + (sent.size() - landed.size()) + " counted_as_lost=0");

        LandedReadings.assertExactly(Site.NAME, sent, landed);
        assertEquals(1, broker.pubacks(poisonId), "PUBACKs for the unparsable message: acknowledged once, not redelivered forever");
        assertEquals(1, broker.connects(), "connections: the receive thread never died, so none was replaced");
        assertEquals(1, letters.size(), "dead letters: " + letters);
        Map<String, Object> letter = letters.get(0);
        assertEquals("fieldgate/it-site/probe\\u000Ax/senml", letter.get("topic"), "dead letter's topic, escaped: " + letter);
        assertTrue(String.valueOf(letter.get("reason")).contains("U+000A"), "reason names the character: " + letter);
        GatewayProcess.Health health = gateway.health();
        assertEquals(200, health.httpStatus(), "/health after the poison message: " + health);
    }

    @Test
    void aReceiveThreadKilledByAMalformedPacketIsNoticedAndItsConnectionReplaced() {
        RawMqttBroker broker = cleanup.add(RawMqttBroker.started());
        InfluxdProcess influx = cleanup.add(InfluxdProcess.started());
        List<Pack> good = new SenmlPacks(Site.NAME, "probe", 4, RECORDS_PER_PACK, SenmlPacks.anHourAgo(), 11).packs(GOOD_PACKS);
        // PUBLISH with QoS 3, which MQTT does not have: Paho's MqttMessage.setQos throws and its receive thread dies
        byte[] topic = SenmlPacks.topic(Site.NAME, "probe-0").getBytes(StandardCharsets.UTF_8);
        byte[] body = new byte[2 + topic.length + 2];
        body[0] = (byte) (topic.length >>> 8);
        body[1] = (byte) topic.length;
        System.arraycopy(topic, 0, body, 2, topic.length);
        broker.sendOnce(RawMqttBroker.packet(0x36, body));
        Map<Reading.Key, Reading> sent = queue(broker, good);

        GatewayProcess gateway = cleanup.add(gateway(broker, influx, "it-gw-dead-receiver").start());
        Supplier<String> diagnostics = diagnostics(gateway, broker);

        LandedReadings.awaitAtLeast(influx, Site.DB, sent.size(), Duration.ofSeconds(90), diagnostics);
        var landed = LandedReadings.fetch(influx, Site.DB);
        long noticed = gateway.logLinesContaining("receive thread has not read from the broker");
        long keepAliveTimeouts = gateway.logLinesContaining("Timed out waiting for a response from the server");
        System.out.println("dead receive thread: noticed " + noticed + " time(s), Paho keep-alive timeouts "
                + keepAliveTimeouts + ", " + broker.connects() + " connection(s)");
        System.out.println("FAULT dead-mqtt-receiver: sent=" + sent.size() + " landed=" + landed.size() + " lost="
                + (sent.size() - landed.size()) + " counted_as_lost=0");

        LandedReadings.assertExactly(Site.NAME, sent, landed);
        assertEquals(1, noticed, "the dead receive thread reported once");
        // Paho itself gives up only after two keep-alive intervals (60 s), reporting the connection up until then
        assertEquals(0, keepAliveTimeouts, "connections replaced by Paho's keep-alive timeout rather than by the watch");
        assertEquals(2, broker.connects(), "connections: the first, whose receive thread died, and its replacement");
    }

    private static Map<Reading.Key, Reading> queue(RawMqttBroker broker, List<Pack> packs) {
        Map<Reading.Key, Reading> sent = new LinkedHashMap<>();
        for (Pack p : packs) {
            broker.publish(p.topic().getBytes(StandardCharsets.UTF_8), p.payload());
            p.readings().forEach(r -> sent.put(r.key(), r));
        }
        return sent;
    }

    private static Supplier<String> diagnostics(GatewayProcess gateway, RawMqttBroker broker) {
        return () -> gateway.diagnostics().get() + "\nbroker: " + broker.connects() + " connects, "
                + broker.unacknowledged() + " unacknowledged";
    }

    private static GatewayProcess.Builder gateway(RawMqttBroker broker, InfluxdProcess influx, String clientId) {
        return GatewayProcess.builder().site(Site.NAME).mqttUrl(broker.url()).influxUrl(influx.url()).database(Site.DB)
                .clientId(clientId);
    }
}
