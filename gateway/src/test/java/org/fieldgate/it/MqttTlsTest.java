package org.fieldgate.it;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.fieldgate.config.GatewaySettings;
import org.fieldgate.config.TlsFiles;
import org.fieldgate.forward.InfluxLines;
import org.fieldgate.store.FullPolicy;
import org.fieldgate.store.Spool;
import org.fieldgate.testkit.GatewayProcess;
import org.fieldgate.testkit.GatewayStatus;
import org.fieldgate.testkit.FreePorts;
import org.fieldgate.testkit.Pack;
import org.fieldgate.testkit.Pki;
import org.fieldgate.testkit.Poll;
import org.fieldgate.testkit.SenmlPacks;
import org.fieldgate.testkit.StartsProcesses;
import org.fieldgate.testkit.TlsMosquitto;
import org.fieldgate.transport.IngestCommitter;
import org.fieldgate.transport.MqttIngest;
import org.fieldgate.senml.SenmlDecoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MQTT over TLS against a real Mosquitto with a CA made at test time: readings arrive over mutual TLS with the
 * password from an owner-only file; a broker certificate from another CA, or for another host name, is never
 * trusted, so the gateway stays disconnected, says why, and takes nothing in.
 */
@StartsProcesses
class MqttTlsTest {
    private static final String GATEWAY_PASSWORD = "gw-pass-1";
    private static final String PROBE_PASSWORD = "probe-pass-1";
    private static final int PACKS = 30;
    private static final int RECORDS_PER_PACK = 10;

    @Test
    void readingsArriveOverMutualTlsAndAWrongCaIsNeverTrusted(@TempDir Path dir) throws Exception {
        Pki pki = Pki.create(dir, "site");
        Pki.Issued broker = pki.server("broker", "127.0.0.1");
        Pki.Issued gatewayCert = pki.client("gateway", "fieldgate-gateway");
        Pki.Issued probeCert = pki.client("probe", "probe-1");
        Path passwordFile = Pki.secretFile(dir.resolve("mqtt.pass"), GATEWAY_PASSWORD);
        SenmlPacks probes = new SenmlPacks(Site.NAME, "probe", 3, RECORDS_PER_PACK, SenmlPacks.anHourAgo(), 7);

        try (TlsMosquitto mosquitto = TlsMosquitto.started(pki.caFile(), broker, true,
                Map.of("gateway", GATEWAY_PASSWORD, "probe", PROBE_PASSWORD))) {
            List<Pack> packs = new ArrayList<>();
            for (int i = 0; i < PACKS; i++) {
                packs.add(probes.pack(i));
            }
            try (GatewayProcess gateway = tlsGateway(mosquitto, pki.caFile(), gatewayCert, passwordFile).start()) {
                Poll.until("the gateway to connect over TLS", Duration.ofSeconds(30), () -> gateway.status().brokerConnected(),
                        () -> gateway.diagnostics().get() + mosquitto.log());
                publish(mosquitto.url(), pki, probeCert, packs);
                GatewayStatus landed = Poll.value("all " + PACKS * RECORDS_PER_PACK + " readings in the spool",
                        Duration.ofSeconds(30), gateway::status, s -> s.ingested() >= PACKS * RECORDS_PER_PACK,
                        gateway.diagnostics());
                assertEquals(PACKS * RECORDS_PER_PACK, landed.ingested());
                assertEquals(PACKS * RECORDS_PER_PACK, landed.spoolDepth(), "InfluxDB is absent: all wait in the spool");
                assertEquals(0, landed.deadLetters());
                assertTrue(mosquitto.log().contains("as " + gateway.properties().get("fieldgate.mqtt.client-id")),
                        "mosquitto saw the gateway log in\n" + mosquitto.log());
            }

            Pki otherCa = Pki.create(dir, "other");
            try (GatewayProcess gateway = tlsGateway(mosquitto, otherCa.caFile(), gatewayCert, passwordFile).start()) {
                String clientId = gateway.properties().get("fieldgate.mqtt.client-id");
                GatewayProcess.Health health = Poll.value("/health to report the broker DOWN with the TLS error",
                        Duration.ofSeconds(30), gateway::health,
                        h -> String.valueOf(h.indicator("mqtt").get("details")).contains("PKIX"), gateway.diagnostics());
                assertEquals(503, health.httpStatus(), health.toString());
                assertEquals("DOWN", String.valueOf(health.indicator("mqtt").get("status")), health.toString());
                Poll.until("the gateway log to explain the TLS failure", Duration.ofSeconds(10), () -> Files.readString(
                        gateway.dir().resolve("gateway.log")).contains("TLS handshake failed"), gateway::logTail);
                assertTrue(Files.readString(gateway.dir().resolve("gateway.log")).contains(
                        "check that fieldgate.mqtt.ca-file (" + otherCa.caFile() + ") holds the CA"), gateway.logTail());

                publish(mosquitto.url(), pki, probeCert, List.of(probes.pack(PACKS), probes.pack(PACKS + 1)));
                Poll.sleep(Duration.ofSeconds(3));
                GatewayStatus status = gateway.status();
                assertFalse(status.brokerConnected());
                assertEquals(0, status.ingested(), "nothing accepted from an untrusted broker");
                assertEquals(0, status.spoolDepth());
                assertFalse(mosquitto.log().contains("as " + clientId), "the broker never saw a login\n" + mosquitto.log());
            }
        }
    }

    /** Host name verification is on: a certificate from the right CA but for another host is refused too. */
    @Test
    void aBrokerCertificateForAnotherHostIsRefused(@TempDir Path dir) throws Exception {
        Pki pki = Pki.create(dir, "site");
        Pki.Issued elsewhere = pki.server("elsewhere", "broker.elsewhere.example");
        try (TlsMosquitto mosquitto = TlsMosquitto.started(pki.caFile(), elsewhere, false, Map.of("gateway", GATEWAY_PASSWORD));
             Spool spool = new Spool(dir.resolve("spool"), 64L << 20, FullPolicy.BACKPRESSURE, InfluxLines::gap);
             IngestCommitter committer = new IngestCommitter(new SenmlDecoder(262_144, 10_000, 1_420_070_400L, 86_400_000_000_000L),
                     spool.readings(), 200, new SimpleMeterRegistry());
             MqttIngest ingest = new MqttIngest(new GatewaySettings.Mqtt(mosquitto.url(), false, "fieldgate-tls-host", "gateway",
                     GATEWAY_PASSWORD, pki.caFile(), null, null), committer)) {
            committer.start();
            ingest.start();
            String error = Poll.value("the handshake to fail on the host name", Duration.ofSeconds(20), ingest::lastError,
                    e -> e.contains("127.0.0.1"), mosquitto::log);
            assertTrue(error.contains("No subject alternative names matching IP address 127.0.0.1"), error);
            assertFalse(ingest.isConnected());
            assertFalse(mosquitto.log().contains("as fieldgate-tls-host"), mosquitto.log());
        }
    }

    /** A gateway on the TLS broker with mutual TLS and the password from a file; InfluxDB absent. */
    private static GatewayProcess.Builder tlsGateway(TlsMosquitto mosquitto, Path caFile, Pki.Issued cert, Path passwordFile) {
        return GatewayProcess.builder()
                .site(Site.NAME)
                .mqttUrl(mosquitto.url())
                .property("fieldgate.mqtt.ca-file", caFile.toString())
                .property("fieldgate.mqtt.client-cert-file", cert.certFile().toString())
                .property("fieldgate.mqtt.client-key-file", cert.keyFile().toString())
                .property("fieldgate.mqtt.username", "gateway")
                .property("fieldgate.mqtt.password-file", passwordFile.toString())
                .influxUrl("http://127.0.0.1:" + FreePorts.next());
    }

    /** An independent probe over TLS (its own client certificate and login); each publish waits for the PUBACK. */
    private static void publish(String url, Pki pki, Pki.Issued cert, List<Pack> packs) throws Exception {
        MqttClient client = new MqttClient(url, "probe-tls-" + FreePorts.next(), new MemoryPersistence());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setCleanSession(true);
        options.setUserName("probe");
        options.setPassword(PROBE_PASSWORD.toCharArray());
        options.setSocketFactory(TlsFiles.clientContext(pki.caFile(), cert.certFile(), cert.keyFile()).getSocketFactory());
        options.setHttpsHostnameVerificationEnabled(true);
        options.setConnectionTimeout(10);
        try {
            client.connect(options);
            for (Pack pack : packs) {
                client.publish(pack.topic(), pack.payload(), 1, false);
            }
            client.disconnect(5000);
        } finally {
            client.close();
        }
    }
}
