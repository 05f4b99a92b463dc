package org.fieldgate.it.fleet;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.fieldgate.testkit.Cleanup;
import org.fieldgate.testkit.DeployedMosquitto;
import org.fieldgate.testkit.FreePorts;
import org.fieldgate.testkit.MosquittoProcess;
import org.fieldgate.testkit.Pack;
import org.fieldgate.testkit.Poll;
import org.fieldgate.testkit.Reading;
import org.fieldgate.testkit.SenmlPacks;
import org.fieldgate.testkit.StartsProcesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fleet scale-out on one machine: an edge broker started from the shipped deploy/mosquitto config with the shipped
 * bridge-central.conf.example (address, password and CA pointed at the test's central broker), bridging to a
 * central broker over TLS with its own credentials. A node publishes a paced stream to the edge; the central
 * broker is stopped (SIGTERM) for 60 s mid-stream and restarted on the same port and data directory. Every
 * reading the edge acknowledged reaches a persistent-session consumer at the centre: the distinct
 * (device, channel, time) received equal those sent, exactly; duplicates (QoS 1) are counted, not failed.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
@StartsProcesses
class BridgeOutageTest {
    private static final String SITE = "site-a";
    private static final String BRIDGE_USER = "fieldgate-bridge-site-a"; // remote_username in the shipped example
    private static final String CONSUMER = "central-consumer";
    private static final int PACKS = 2_000;
    private static final int RECORDS_PER_PACK = 10;
    private static final Duration STREAM = Duration.ofSeconds(75);
    private static final Duration OUTAGE = Duration.ofSeconds(60);

    private final Cleanup cleanup = new Cleanup();

    @AfterEach
    void stopEverything() throws Exception {
        cleanup.close();
    }

    @Test
    void aSixtySecondCentralOutageLosesNothing() throws Exception {
        String bridgePassword = "bridge-test-password";
        String consumerPassword = "consumer-test-password";

        // the centre: "any MQTT broker"; here a mosquitto with TLS, a password per client and an ACL
        DeployedMosquitto centralFiles = cleanup.add(DeployedMosquitto.create());
        centralFiles.makeCa("127.0.0.1").setPassword(BRIDGE_USER, bridgePassword).setPassword(CONSUMER, consumerPassword);
        Path centralAcl = centralFiles.etc().resolve("central.acl");
        Files.writeString(centralAcl, String.join("\n",
                "user " + BRIDGE_USER, "topic write fieldgate/" + SITE + "/#", "topic write fieldgate-bridge/" + SITE + "/state",
                "user " + CONSUMER, "topic read fieldgate/#", ""));
        int centralTlsPort = FreePorts.next();
        Path certs = centralFiles.etc().resolve("certs");
        MosquittoProcess central = cleanup.add(MosquittoProcess.builder()
                .allowAnonymous(false)
                .extraConfig("password_file " + centralFiles.etc().resolve("fieldgate.passwd"),
                        "acl_file " + centralAcl,
                        "listener " + centralTlsPort + " 127.0.0.1",
                        "cafile " + certs.resolve("fieldgate-ca.crt"),
                        "certfile " + certs.resolve("fieldgate-server.crt"),
                        "keyfile " + certs.resolve("fieldgate-server.key"))
                .started());
        CentralConsumer consumer = cleanup.add(new CentralConsumer(central.url(), consumerPassword));

        // the edge: shipped config and bridge, rewritten only where the machine differs
        DeployedMosquitto edgeFiles = cleanup.add(DeployedMosquitto.create());
        edgeFiles.install("fieldgate-auth.conf").install("fieldgate-local.conf")
                .install("bridge-central.conf.example", "bridge-central.conf", Map.of(
                        "address", "127.0.0.1:" + centralTlsPort,
                        "remote_password", bridgePassword,
                        "bridge_cafile", certs.resolve("fieldgate-ca.crt").toString()));
        SenmlPacks probes = new SenmlPacks(SITE, "probe", 1, RECORDS_PER_PACK, SenmlPacks.anHourAgo(), 60_001);
        DeployedMosquitto.Node node = edgeFiles.addNode(SITE, "probe-0", false);
        MosquittoProcess edge = cleanup.add(MosquittoProcess.builder().config(edgeFiles.config(FreePorts.next())).started());
        Supplier<String> diagnostics = () -> "---- edge\n" + edge.logTail(30) + "---- central\n" + central.logTail(30);

        List<Pack> packs = probes.packs(PACKS);
        consumer.expect(packs);
        consumer.connect(Duration.ofSeconds(20), true);
        PacedPublisher publisher = cleanup.add(new PacedPublisher(edge.url(), node, packs, PACKS / (double) STREAM.toSeconds()));

        Poll.until("the first 50 packs to cross the bridge", Duration.ofSeconds(60), () -> consumer.distinctPacks() >= 50, diagnostics);
        central.stop();
        long stoppedNanos = System.nanoTime();
        int ackedAtStop = publisher.acknowledged();
        int receivedAtStop = consumer.distinctPacks();
        Poll.sleep(OUTAGE); // the outage itself: the edge keeps acknowledging, the bridge's queue grows
        int ackedBeforeRestart = publisher.acknowledged();
        int receivedDuringOutage = consumer.arrivals() - consumer.arrivalsAt(stoppedNanos);
        central.start();
        long restartNanos = System.nanoTime();
        consumer.connect(Duration.ofSeconds(30), false); // same client id, persistent session: no re-subscribe

        publisher.join(STREAM.plus(Duration.ofSeconds(60)));
        Poll.until("every acknowledged pack at the centre", Duration.ofSeconds(90),
                () -> consumer.distinctPacks() >= publisher.acknowledged(),
                () -> "received " + consumer.distinctPacks() + " of " + publisher.acknowledged() + " packs\n" + diagnostics.get());

        assertEquals(PACKS, publisher.acknowledged(), "the edge acknowledged every pack");
        assertTrue(ackedBeforeRestart - ackedAtStop >= 1_000, "the outage should span most of the stream: edge acknowledged "
                + (ackedBeforeRestart - ackedAtStop) + " packs while the centre was down");
        assertEquals(0, receivedDuringOutage, "nothing can arrive while the centre is down");
        assertEquals(List.of(), consumer.unknownPayloads(), "payloads the edge never sent (corrupted?)");
        Set<Reading.Key> sent = new HashSet<>();
        packs.forEach(p -> p.readings().forEach(r -> sent.add(r.key())));
        assertEquals(PACKS * RECORDS_PER_PACK, sent.size(), "distinct readings sent");
        assertEquals(sent, consumer.receivedReadings(), "distinct (device, channel, time) at the centre");

        double firstSeconds = (consumer.firstArrivalAfter(restartNanos) - restartNanos) / 1e9;
        double drainSeconds = (consumer.lastFirstArrivalAmong(ackedBeforeRestart) - restartNanos) / 1e9;
        System.out.printf("bridge outage: %d packs / %d readings sent; central down %.1f s; edge acknowledged %d packs "
                        + "during the outage (%d packs had crossed before it); after the central restart the first pack "
                        + "arrived in %.1f s (bridge reconnect backoff) and the backlog of %d packs was drained in %.1f s; "
                        + "%d duplicate deliveries; consumer connects %d%n",
                PACKS, sent.size(), (restartNanos - stoppedNanos) / 1e9, ackedBeforeRestart - ackedAtStop, receivedAtStop,
                firstSeconds, ackedBeforeRestart - receivedAtStop, drainSeconds, consumer.duplicates(), consumer.connects());
    }

    /** A node on the edge: QoS 1, one pack after another at a steady pace, counting PUBACKs. */
    private static final class PacedPublisher implements AutoCloseable {
        private final MqttClient client;
        private final Thread thread;
        private final AtomicInteger acknowledged = new AtomicInteger();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();

        PacedPublisher(String url, DeployedMosquitto.Node node, List<Pack> packs, double packsPerSecond) throws MqttException {
            client = new MqttClient(url, "edge-probe", new MemoryPersistence());
            MqttConnectOptions options = new MqttConnectOptions();
            options.setUserName(node.identity());
            options.setPassword(node.password().toCharArray());
            options.setCleanSession(true);
            options.setConnectionTimeout(10);
            client.connect(options);
            thread = new Thread(() -> {
                long start = System.nanoTime();
                try {
                    for (int i = 0; i < packs.size(); i++) {
                        long early = start + (long) (i * 1e9 / packsPerSecond) - System.nanoTime();
                        if (early > 0) {
                            TimeUnit.NANOSECONDS.sleep(early); // pacing, not waiting for a condition
                        }
                        MqttMessage message = new MqttMessage(packs.get(i).payload());
                        message.setQos(1);
                        client.publish(packs.get(i).topic(), message); // returns on the edge's PUBACK
                        acknowledged.incrementAndGet();
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "edge-probe");
            thread.setDaemon(true);
            thread.start();
        }

        int acknowledged() {
            return acknowledged.get();
        }

        void join(Duration timeout) throws InterruptedException {
            thread.join(timeout.toMillis());
            if (thread.isAlive()) {
                throw new AssertionError("the edge probe was still publishing after " + timeout.toSeconds() + " s ("
                        + acknowledged.get() + " acknowledged)");
            }
            if (failure.get() != null) {
                throw new AssertionError("the edge probe failed after " + acknowledged.get() + " packs", failure.get());
            }
        }

        @Override
        public void close() throws Exception {
            thread.interrupt();
            thread.join(10_000);
            if (client.isConnected()) {
                client.disconnect(5_000);
            }
            client.close(true);
        }
    }

    /** The centre's consumer (a central gateway or Telegraf would sit here): persistent session, QoS 1. */
    private static final class CentralConsumer implements AutoCloseable {
        private final String url;
        private final String password;
        private final Map<String, Integer> packIndexByPayload = new HashMap<>();
        private final Map<Integer, Long> firstArrivalNanos = new ConcurrentHashMap<>();
        private final Map<Integer, Pack> packsByIndex = new HashMap<>();
        private final List<Long> arrivalNanos = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final List<String> unknown = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final AtomicLong duplicates = new AtomicLong();
        private final AtomicInteger connects = new AtomicInteger();
        private MqttClient client;

        CentralConsumer(String url, String password) {
            this.url = url;
            this.password = password;
        }

        void expect(List<Pack> packs) {
            for (int i = 0; i < packs.size(); i++) {
                packIndexByPayload.put(new String(packs.get(i).payload(), StandardCharsets.UTF_8), i);
                packsByIndex.put(i, packs.get(i));
            }
        }

        /**
         * Connects with a fresh client instance (Paho 1.2.5 may hang reconnecting a dropped one), retrying while the
         * broker starts; subscribes only the first time, afterwards the broker's persistent session has it.
         */
        void connect(Duration timeout, boolean subscribe) throws MqttException {
            if (client != null) {
                client.close(true);
            }
            client = Poll.value("the central consumer to connect", timeout, () -> {
                MqttClient fresh = new MqttClient(url, CONSUMER, new MemoryPersistence());
                fresh.setCallback(new org.eclipse.paho.client.mqttv3.MqttCallback() {
                    @Override
                    public void connectionLost(Throwable cause) {
                        // expected when the centre stops; connect() makes a new client afterwards
                    }

                    @Override
                    public void messageArrived(String topic, MqttMessage message) {
                        arrived(new String(message.getPayload(), StandardCharsets.UTF_8));
                    }

                    @Override
                    public void deliveryComplete(org.eclipse.paho.client.mqttv3.IMqttDeliveryToken token) {
                        // subscribe-only client
                    }
                });
                MqttConnectOptions options = new MqttConnectOptions();
                options.setCleanSession(false);
                options.setUserName(CONSUMER);
                options.setPassword(password.toCharArray());
                options.setConnectionTimeout(5);
                options.setMaxInflight(1000);
                try {
                    fresh.connect(options);
                } catch (MqttException e) {
                    fresh.close(true);
                    throw e;
                }
                return fresh;
            }, c -> c != null, () -> "");
            connects.incrementAndGet();
            if (subscribe) {
                client.subscribe("fieldgate/+/+/senml", 1);
            }
        }

        private void arrived(String payload) {
            long now = System.nanoTime();
            arrivalNanos.add(now);
            Integer index = packIndexByPayload.get(payload);
            if (index == null) {
                unknown.add(payload.length() > 200 ? payload.substring(0, 200) + "…" : payload);
            } else if (firstArrivalNanos.putIfAbsent(index, now) != null) {
                duplicates.incrementAndGet();
            }
        }

        int distinctPacks() {
            return firstArrivalNanos.size();
        }

        int arrivals() {
            return arrivalNanos.size();
        }

        int arrivalsAt(long nanos) {
            return (int) arrivalNanos.stream().filter(t -> t <= nanos).count();
        }

        long duplicates() {
            return duplicates.get();
        }

        int connects() {
            return connects.get();
        }

        List<String> unknownPayloads() {
            return List.copyOf(unknown);
        }

        Set<Reading.Key> receivedReadings() {
            Set<Reading.Key> keys = new HashSet<>();
            for (Integer index : firstArrivalNanos.keySet()) {
                packsByIndex.get(index).readings().forEach(r -> keys.add(r.key()));
            }
            return keys;
        }

        long firstArrivalAfter(long nanos) {
            return arrivalNanos.stream().filter(t -> t > nanos).min(Long::compare)
                    .orElseThrow(() -> new AssertionError("nothing arrived after the central restart"));
        }

        /** When the last of packs 0 … count-1 first arrived: the moment a backlog of them was drained. */
        long lastFirstArrivalAmong(int count) {
            long last = Long.MIN_VALUE;
            for (int i = 0; i < count; i++) {
                Long at = firstArrivalNanos.get(i);
                if (at == null) {
                    throw new AssertionError("pack " + i + " never arrived");
                }
                last = Math.max(last, at);
            }
            return last;
        }

        @Override
        public void close() throws MqttException {
            if (client != null) {
                if (client.isConnected()) {
                    client.disconnect(5_000);
                }
                client.close(true);
            }
        }
    }
}
