package org.fieldgate.it.security;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.MqttSecurityException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.fieldgate.testkit.Cleanup;
import org.fieldgate.testkit.DeployedMosquitto;
import org.fieldgate.testkit.FreePorts;
import org.fieldgate.testkit.MosquittoProcess;
import org.fieldgate.testkit.Poll;
import org.fieldgate.testkit.StartsProcesses;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocketFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The site broker as shipped (deploy/mosquitto: fieldgate.conf, conf.d/fieldgate-auth.conf, fieldgate-local.conf,
 * fieldgate-remote-tls.conf, fieldgate.acl; CA, server certificate and nodes made by make-ca and add-node) refuses
 * what it must: clients without credentials, a node writing under another node's topics, and TLS clients
 * whose certificate or trust does not match the site CA. Each refusal has a positive control next to it, so a
 * broker that refuses everything fails too.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@StartsProcesses
class BrokerSecurityTest {
    private static final String SITE = "site-a";
    private static final String GATEWAY_USER = "fieldgate-gateway";
    private static final String GATEWAY_PASSWORD = "gateway-test-password";

    private final Cleanup cleanup = new Cleanup();
    private DeployedMosquitto site;
    private DeployedMosquitto rogue;
    private MosquittoProcess broker;
    private int tlsPort;
    private DeployedMosquitto.Node nodeA;
    private DeployedMosquitto.Node nodeB;
    private DeployedMosquitto.Node rogueA;

    @BeforeAll
    void startTheShippedBroker() {
        site = cleanup.add(DeployedMosquitto.create());
        site.makeCa("127.0.0.1", "localhost")
                .install("fieldgate-auth.conf")
                .install("fieldgate-local.conf")
                .install("fieldgate-remote-tls.conf")
                .setPassword(GATEWAY_USER, GATEWAY_PASSWORD);
        nodeA = site.addNode(SITE, "node-a", true);
        nodeB = site.addNode(SITE, "node-b", true);
        // another CA issuing a certificate for the same identity: what a forged or foreign node would hold
        rogue = cleanup.add(DeployedMosquitto.create());
        rogue.makeCa("127.0.0.1");
        rogueA = rogue.addNode(SITE, "node-a", true);

        tlsPort = FreePorts.next();
        broker = cleanup.add(MosquittoProcess.builder().config(site.config(tlsPort)).started());
    }

    @AfterAll
    void stopEverything() throws Exception {
        cleanup.close();
    }

    // ---- (a) no credentials, wrong credentials ---------------------------------------------------

    @Test
    void aClientWithoutCredentialsIsRefusedOnBothListeners() throws MqttException {
        MqttSecurityException loopback = assertThrows(MqttSecurityException.class,
                () -> connect(broker.url(), "anonymous-probe", null, null, null));
        assertEquals(MqttException.REASON_CODE_NOT_AUTHORIZED, loopback.getReasonCode(), loopback.toString());

        // a valid site certificate alone is not enough on the remote listener: the node must also log in
        MqttSecurityException remote = assertThrows(MqttSecurityException.class,
                () -> connect(tlsUrl(), "anonymous-node", null, null, nodeTls(nodeA)));
        assertEquals(MqttException.REASON_CODE_NOT_AUTHORIZED, remote.getReasonCode(), remote.toString());

        MqttSecurityException wrongPassword = assertThrows(MqttSecurityException.class,
                () -> connect(broker.url(), "wrong-password", GATEWAY_USER, "not-" + GATEWAY_PASSWORD, null));
        assertEquals(MqttException.REASON_CODE_NOT_AUTHORIZED, wrongPassword.getReasonCode(), wrongPassword.toString());

        // positive controls: the same listeners let the right credentials in
        disconnect(connect(broker.url(), "gateway-control", GATEWAY_USER, GATEWAY_PASSWORD, null));
        disconnect(connect(tlsUrl(), "node-a-control", nodeA.identity(), nodeA.password(), nodeTls(nodeA)));
    }

    // ---- (b) a node writing under another node's topics ------------------------------------------

    @Test
    void aNodePublishingUnderAnotherNodesTopicIsDropped() throws MqttException {
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        MqttClient gateway = connect(broker.url(), "gateway-reader", GATEWAY_USER, GATEWAY_PASSWORD, null);
        MqttClient a = connect(tlsUrl(), "node-a-forger", nodeA.identity(), nodeA.password(), nodeTls(nodeA));
        MqttClient b = connect(tlsUrl(), "node-b-honest", nodeB.identity(), nodeB.password(), nodeTls(nodeB));
        try {
            gateway.subscribe("fieldgate/#", 1, (topic, m) -> received.add(topic + " " + new String(m.getPayload(), StandardCharsets.UTF_8)));

            // B's own topic reaches the reader: the forged message below would be seen if it got through
            publish(b, "fieldgate/site-a/node-b/senml", "b-own");
            assertEquals("fieldgate/site-a/node-b/senml b-own", take(received, "node B's own message"));

            // forged messages first, then A's legitimate marker on the same connection: the broker handles one
            // connection's packets in order and delivers them to one subscriber in order, so once the marker is
            // in, anything forged that got through would already be in front of it
            publish(a, "fieldgate/site-a/node-b/senml", "forged-as-b");
            publish(a, "fieldgate/site-b/node-a/senml", "forged-other-site");
            publish(a, "fieldgate/site-a/node-a-extra/senml", "forged-prefix");
            publish(a, "fieldgate/site-a/node-a/senml", "a-marker");
            assertEquals("fieldgate/site-a/node-a/senml a-marker", take(received, "node A's own marker"),
                    "the first message after B's should be A's marker; a forged one arrived instead");
            assertTrue(received.isEmpty(), "nothing else may arrive: " + received);
        } finally {
            disconnect(a);
            disconnect(b);
            disconnect(gateway);
        }
    }

    // ---- (c) TLS: certificates and trust ---------------------------------------------------------

    @Test
    void aClientCertificateFromAnotherCaIsRefusedAtTheHandshake() {
        // right password, right identity in the certificate, wrong issuer
        SSLSocketFactory foreignCert = PemTls.socketFactory(site.etc().resolve("certs/fieldgate-ca.crt"),
                rogueA.certificate(), rogueA.key());
        refusedAtTls("node-a-foreign-cert", foreignCert);
    }

    @Test
    void aClientWithoutACertificateIsRefusedAtTheHandshake() {
        SSLSocketFactory noCert = PemTls.socketFactory(site.etc().resolve("certs/fieldgate-ca.crt"), null, null);
        refusedAtTls("node-a-no-cert", noCert);
    }

    @Test
    void aClientThatDoesNotTrustTheSiteCaRefusesTheServer() {
        // the node's own certificate is fine, but it trusts only the other CA: the server cannot prove itself
        SSLSocketFactory wrongTrust = PemTls.socketFactory(rogue.etc().resolve("certs/fieldgate-ca.crt"),
                nodeA.certificate(), nodeA.key());
        MqttException refused = refusedAtTls("node-a-wrong-trust", wrongTrust);
        assertTrue(causes(refused).stream().anyMatch(t -> String.valueOf(t.getMessage()).contains("PKIX path")),
                "the client should refuse the server's certificate chain: " + causes(refused));
    }

    @Test
    void aNodeWithTheSiteCertificateAndPasswordConnectsAndPublishes() throws MqttException {
        MqttClient a = connect(tlsUrl(), "node-a-good", nodeA.identity(), nodeA.password(), nodeTls(nodeA));
        try {
            publish(a, "fieldgate/site-a/node-a/senml", "a-connects");
            assertTrue(a.isConnected());
        } finally {
            disconnect(a);
        }
    }

    // ---- adding a node to a running broker --------------------------------------------------------

    @Test
    void aNodeAddedWhileTheBrokerRunsGetsInAfterAReload() throws MqttException {
        DeployedMosquitto.Node nodeC = site.addNode(SITE, "node-c", true);
        MqttSecurityException beforeReload = assertThrows(MqttSecurityException.class,
                () -> connect(tlsUrl(), "node-c-early", nodeC.identity(), nodeC.password(), nodeTls(nodeC)));
        assertEquals(MqttException.REASON_CODE_NOT_AUTHORIZED, beforeReload.getReasonCode(), beforeReload.toString());

        broker.reload();
        MqttClient c = Poll.value("node C to be let in after SIGHUP", Duration.ofSeconds(15),
                () -> connect(tlsUrl(), "node-c", nodeC.identity(), nodeC.password(), nodeTls(nodeC)),
                client -> client != null, () -> broker.logTail(30));
        disconnect(c);
    }

    @Test
    void aRotatedPasswordLocksTheOldOneOutAfterAReload() throws MqttException {
        DeployedMosquitto.Node before = site.addNode(SITE, "node-d", true);
        broker.reload();
        MqttClient old = Poll.value("node D to be let in after SIGHUP", Duration.ofSeconds(15),
                () -> connect(tlsUrl(), "node-d-old", before.identity(), before.password(), nodeTls(before)),
                client -> client != null, () -> broker.logTail(30));
        MqttClient gateway = connect(broker.url(), "gateway-across-reload", GATEWAY_USER, GATEWAY_PASSWORD, null);
        try {
            DeployedMosquitto.Node after = site.addNode(SITE, "node-d", true); // same node again: rotation
            assertFalse(before.password().equals(after.password()), "add-node should have made a new password");
            broker.reload();
            MqttClient rotated = Poll.value("node D's new password to be accepted", Duration.ofSeconds(15),
                    () -> connect(tlsUrl(), "node-d-new", after.identity(), after.password(), nodeTls(after)),
                    client -> client != null, () -> broker.logTail(30));
            disconnect(rotated);
            MqttSecurityException stale = assertThrows(MqttSecurityException.class,
                    () -> connect(tlsUrl(), "node-d-stale", before.identity(), before.password(), nodeTls(before)));
            assertEquals(MqttException.REASON_CODE_NOT_AUTHORIZED, stale.getReasonCode(), stale.toString());
            // what the reload does to connections that are already open (deploy/README.md says so)
            Poll.until("the connection made with the old password to be closed by the reload", Duration.ofSeconds(10),
                    () -> !old.isConnected(), () -> broker.logTail(30));
            assertTrue(gateway.isConnected(), "a client whose credentials did not change keeps its connection");
        } finally {
            disconnect(old);
            disconnect(gateway);
        }
    }

    // ---- helpers --------------------------------------------------------------------------------

    private String tlsUrl() {
        return "ssl://127.0.0.1:" + tlsPort;
    }

    private SSLSocketFactory nodeTls(DeployedMosquitto.Node node) {
        return PemTls.socketFactory(site.etc().resolve("certs/fieldgate-ca.crt"), node.certificate(), node.key());
    }

    private static MqttClient connect(String url, String clientId, String user, String password, SSLSocketFactory tls)
            throws MqttException {
        MqttClient client = new MqttClient(url, clientId, new MemoryPersistence());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setCleanSession(true);
        options.setConnectionTimeout(10);
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        if (user != null) {
            options.setUserName(user);
        }
        if (password != null) {
            options.setPassword(password.toCharArray());
        }
        if (tls != null) {
            options.setSocketFactory(tls);
        }
        try {
            client.connect(options);
            return client;
        } catch (MqttException e) {
            client.close(true);
            throw e;
        }
    }

    private static void publish(MqttClient client, String topic, String payload) throws MqttException {
        MqttMessage message = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
        message.setQos(1);
        client.publish(topic, message); // returns on PUBACK, which MQTT 3.1.1 sends for a denied publish too
    }

    private static String take(BlockingQueue<String> received, String what) {
        try {
            String next = received.poll(15, TimeUnit.SECONDS);
            assertNotNull(next, "no message within 15 s: expected " + what);
            return next;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for " + what, e);
        }
    }

    private static void disconnect(MqttClient client) throws MqttException {
        if (client.isConnected()) {
            client.disconnect(5_000);
        }
        client.close(true);
    }

    /**
     * Node A's right user name and password over {@code tls}: refused by TLS, not by MQTT (no CONNACK came back,
     * and an SSL exception is the reason).
     */
    private MqttException refusedAtTls(String clientId, SSLSocketFactory tls) {
        MqttException refused = assertThrows(MqttException.class,
                () -> connect(tlsUrl(), clientId, nodeA.identity(), nodeA.password(), tls));
        assertFalse(refused instanceof MqttSecurityException, "expected a TLS failure, got a CONNACK refusal: " + refused);
        assertTrue(causes(refused).stream().anyMatch(t -> t instanceof SSLException
                        || (t instanceof java.net.SocketException && String.valueOf(t.getMessage()).contains("reset"))),
                "expected an SSL exception among the causes: " + causes(refused));
        return refused;
    }

    private static List<Throwable> causes(Throwable t) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable c = t; c != null && chain.size() < 10; c = c.getCause()) {
            chain.add(c);
        }
        return chain;
    }
}
