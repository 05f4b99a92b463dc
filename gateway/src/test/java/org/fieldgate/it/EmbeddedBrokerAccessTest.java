package org.fieldgate.it;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.fieldgate.testkit.AttachGatewayLogs;
import org.fieldgate.testkit.Cleanup;
import org.fieldgate.testkit.Command;
import org.fieldgate.testkit.FreePorts;
import org.fieldgate.testkit.GatewayProcess;
import org.fieldgate.testkit.InfluxdProcess;
import org.fieldgate.testkit.LandedReadings;
import org.fieldgate.testkit.Pack;
import org.fieldgate.testkit.Pki;
import org.fieldgate.testkit.Poll;
import org.fieldgate.testkit.Reading;
import org.fieldgate.testkit.SenmlPacks;
import org.fieldgate.testkit.SenmlPublisher;
import org.fieldgate.testkit.StartsProcesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The embedded broker (Moquette) behaves like the shipped Mosquitto: it refuses topics with control characters
 * (forwarded, they would kill the gateway's Paho receive thread) and, with credentials set, it admits only the
 * gateway's user and the nodes of the node password file, each node publishing under its own device only.
 */
@ExtendWith(AttachGatewayLogs.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
@StartsProcesses
class EmbeddedBrokerAccessTest {
    private static final Pattern REFUSED = Pattern.compile(
            "fieldgate_broker_refused_publishes_total\\{reason=\"([a-z-]+)\",?} ([0-9.E]+)");
    private final Cleanup cleanup = new Cleanup();

    @AfterEach
    void stopEverything() throws Exception {
        cleanup.close();
    }

    private GatewayProcess.Builder embedded(InfluxdProcess influx, String brokerUrl) {
        return GatewayProcess.builder().site(Site.NAME).mqttUrl(brokerUrl).influxUrl(influx.url()).database(Site.DB)
                .property("fieldgate.mqtt.embedded", "true");
    }

    @Test
    void topicsWithControlCharactersAreRefusedAndCountedAndTheGatewayKeepsIngesting() throws Exception {
        InfluxdProcess influx = cleanup.add(InfluxdProcess.started());
        int port = FreePorts.next();
        String url = "tcp://127.0.0.1:" + port;
        GatewayProcess gateway = cleanup.add(embedded(influx, url).start());
        Poll.until("the gateway's client on its embedded broker", Duration.ofSeconds(30),
                () -> gateway.status().brokerConnected(), gateway.diagnostics());

        long base = SenmlPacks.anHourAgo();
        SenmlPacks hostile = new SenmlPacks(Site.NAME, "hostile", 1, 10, base - 600, 21);
        List<String> controls = List.of("\n", "\r", "\t", "\u0000", "\u007f");
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(connect("it-raw-hostile"));
            byte[] connack = new DataInputStream(socket.getInputStream()).readNBytes(4);
            assertArrayEquals(new byte[]{0x20, 0x02, 0x00, 0x00}, connack, "CONNACK accepted");
            for (int i = 0; i < controls.size(); i++) {
                String topic = "fieldgate/" + Site.NAME + "/dev" + controls.get(i) + i + "/senml";
                out.write(publishQos1(topic, i + 1, hostile.pack(i).payload()));
            }
            out.write(new byte[]{(byte) 0xE0, 0x00}); // DISCONNECT
            out.flush();
        }

        SenmlPacks good = new SenmlPacks(Site.NAME, "node", 2, 10, base, 22);
        Map<Reading.Key, Reading> goodReadings = new HashMap<>();
        try (SenmlPublisher publisher = new SenmlPublisher(url, "it-probe-after-hostile").connect()) {
            for (Pack pack : good.packs(20)) {
                publisher.publish(pack);
                pack.readings().forEach(r -> goodReadings.put(r.key(), r));
            }
            publisher.flush(Duration.ofSeconds(60));
        }
        var diagnostics = gateway.diagnostics();
        LandedReadings.awaitAtLeast(influx, Site.DB, goodReadings.size(), Duration.ofSeconds(60), diagnostics);
        var status = Site.awaitSpoolDrained(gateway, Duration.ofSeconds(30));
        Map<String, Double> refused = Poll.value("the broker to count " + controls.size() + " refused topics",
                Duration.ofSeconds(20), () -> refusedPublishes(gateway),
                r -> r.getOrDefault("control-character", 0.0) >= controls.size(), diagnostics);
        long landed = influx.count(Site.DB);
        int sent = goodReadings.size() + controls.size() * 10;
        long counted = Math.round(refused.get("control-character")) * 10;
        System.out.println("FAULT embedded-broker-control-character-topics: sent=" + sent + " landed=" + landed
                + " lost=" + (sent - landed) + " counted_as_lost=" + counted);

        assertEquals(controls.size(), refused.get("control-character"), "refused topics: " + refused);
        assertEquals(goodReadings.size(), landed, "the good readings, nothing else: " + influx.seriesSummary(Site.DB));
        LandedReadings.assertExactly(Site.NAME, goodReadings, LandedReadings.fetch(influx, Site.DB));
        assertTrue(status.brokerConnected(), "the gateway's client survived: " + status);
        assertEquals(0, status.deadLetters(), "refused by the broker, never reached the gateway: " + status);
        assertEquals(goodReadings.size(), status.ingested(), status.toString());
    }

    @Test
    void withCredentialsOnlyKnownUsersGetInAndANodeWritesOnlyUnderItsOwnDevice(@TempDir Path dir) throws Exception {
        InfluxdProcess influx = cleanup.add(InfluxdProcess.started());
        String url = "tcp://127.0.0.1:" + FreePorts.next();
        String node = Site.NAME + "/node-1";
        String nodePassword = "node-1-secret";
        // the same tool deploy/mosquitto/set-password (and so add-node) uses for Mosquitto's password file
        Path nodes = dir.resolve("fieldgate.passwd");
        Command.run(List.of("mosquitto_passwd", "-b", "-c", nodes.toString(), node, nodePassword), Map.of(),
                Duration.ofSeconds(30));
        Command.run(List.of("mosquitto_passwd", "-b", nodes.toString(), "fieldgate-bridge", "bridge-secret"), Map.of(),
                Duration.ofSeconds(30));
        GatewayProcess gateway = cleanup.add(embedded(influx, url)
                .property("fieldgate.mqtt.username", "fieldgate-gateway")
                .property("fieldgate.mqtt.password-file", Pki.secretFile(dir.resolve("gateway.pass"), "gw-secret").toString())
                .property("fieldgate.mqtt.node-password-file", nodes.toString())
                .start());
        var diagnostics = gateway.diagnostics();
        Poll.until("the gateway's client logged in to its embedded broker", Duration.ofSeconds(30),
                () -> gateway.status().brokerConnected(), diagnostics);

        // refused at CONNECT: anonymous, a wrong password, a user of the file that is no node, a node name not in it
        assertRefused(url, null, null);
        assertRefused(url, node, nodePassword + "x");
        assertRefused(url, "fieldgate-bridge", "bridge-secret");
        assertRefused(url, Site.NAME + "/node-2", nodePassword);
        assertRefused(url, "fieldgate-gateway", "wrong");

        long base = SenmlPacks.anHourAgo();
        // devices are node-0, node-1, ...: pack(i) is node-(i % devices)'s
        Pack otherDevice = new SenmlPacks(Site.NAME, "node", 3, 10, base - 900, 31).pack(2);
        Pack otherSite = new SenmlPacks("other-site", "node", 2, 10, base - 1800, 32).pack(1);
        MqttClient client = new MqttClient(url, "it-node-1-stray", new MemoryPersistence());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setUserName(node);
        options.setPassword(nodePassword.toCharArray());
        client.connect(options);
        try {
            // QoS 0: the broker drops them without a PUBACK under MQTT 3.1.1 either way
            for (Pack stray : List.of(otherDevice, otherSite)) {
                MqttMessage message = new MqttMessage(stray.payload());
                message.setQos(0);
                client.publish(stray.topic(), message);
            }
        } finally {
            client.disconnect(5_000);
            client.close();
        }

        SenmlPacks own = new SenmlPacks(Site.NAME, "node", 2, 10, base, 33);
        Map<Reading.Key, Reading> ownReadings = new HashMap<>();
        try (SenmlPublisher publisher = new SenmlPublisher(url, "it-node-1").credentials(node, nodePassword).connect()) {
            for (int i = 1; i < 20; i += 2) {
                Pack pack = own.pack(i);
                publisher.publish(pack);
                pack.readings().forEach(r -> ownReadings.put(r.key(), r));
            }
            publisher.flush(Duration.ofSeconds(60));
        }
        LandedReadings.awaitAtLeast(influx, Site.DB, ownReadings.size(), Duration.ofSeconds(60), diagnostics);
        var status = Site.awaitSpoolDrained(gateway, Duration.ofSeconds(30));
        Map<String, Double> refused = Poll.value("the broker to count 2 publishes outside the node's device",
                Duration.ofSeconds(20), () -> refusedPublishes(gateway), r -> r.getOrDefault("acl", 0.0) >= 2, diagnostics);

        assertEquals(2.0, refused.get("acl"), "refused publishes: " + refused);
        assertEquals(ownReadings.size(), influx.count(Site.DB), "only node-1's own readings: " + influx.seriesSummary(Site.DB));
        LandedReadings.assertExactly(Site.NAME, ownReadings, LandedReadings.fetch(influx, Site.DB));
        assertEquals(ownReadings.size(), status.ingested(), status.toString());
        assertEquals(0, status.deadLetters(), status.toString());
    }

    private static void assertRefused(String url, String user, String password) throws MqttException {
        MqttClient client = new MqttClient(url, "it-intruder", new MemoryPersistence());
        try {
            MqttConnectOptions options = new MqttConnectOptions();
            options.setConnectionTimeout(10);
            // no fallback to MQTT 3.1, whose retry would hide the first answer
            options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
            if (user != null) {
                options.setUserName(user);
                options.setPassword(password.toCharArray());
            }
            MqttException refused = assertThrows(MqttException.class, () -> client.connect(options),
                    "user " + user + " must not get in");
            assertTrue(refused.getReasonCode() == MqttException.REASON_CODE_FAILED_AUTHENTICATION
                            || refused.getReasonCode() == MqttException.REASON_CODE_NOT_AUTHORIZED,
                    "refused as a login, not some other failure: " + refused);
        } finally {
            if (client.isConnected()) {
                client.disconnectForcibly(1_000);
            }
            client.close();
        }
    }

    /** The broker's refused-publish counters by reason, from the open /prometheus endpoint. */
    private static Map<String, Double> refusedPublishes(GatewayProcess gateway) throws Exception {
        var response = gateway.get("/prometheus");
        assertEquals(200, response.statusCode(), "/prometheus is open");
        Map<String, Double> counts = new HashMap<>();
        Matcher m = REFUSED.matcher(response.body());
        while (m.find()) {
            counts.put(m.group(1), Double.parseDouble(m.group(2)));
        }
        return counts;
    }

    /** MQTT 3.1.1 CONNECT, anonymous, clean session, 60 s keep-alive. */
    private static byte[] connect(String clientId) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        writeString(body, "MQTT".getBytes(StandardCharsets.UTF_8));
        body.write(new byte[]{4, 0x02, 0, 60});
        writeString(body, clientId.getBytes(StandardCharsets.UTF_8));
        return packet(0x10, body.toByteArray());
    }

    /** A PUBLISH at QoS 1 with the topic's bytes as given: Paho and mosquitto_pub refuse to send such topics. */
    private static byte[] publishQos1(String topic, int packetId, byte[] payload) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        writeString(body, topic.getBytes(StandardCharsets.UTF_8));
        body.write(new byte[]{(byte) (packetId >> 8), (byte) packetId});
        body.write(payload);
        return packet(0x32, body.toByteArray());
    }

    private static byte[] packet(int type, byte[] body) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(type);
        int length = body.length;
        do {
            int digit = length % 128;
            length /= 128;
            out.write(length > 0 ? digit | 0x80 : digit);
        } while (length > 0);
        out.write(body);
        return out.toByteArray();
    }

    private static void writeString(ByteArrayOutputStream out, byte[] bytes) throws IOException {
        out.write(new byte[]{(byte) (bytes.length >> 8), (byte) bytes.length});
        out.write(bytes);
    }
}
