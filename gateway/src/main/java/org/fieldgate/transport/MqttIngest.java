package org.fieldgate.transport;

import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.fieldgate.threads.PipelineThreads;
import org.fieldgate.config.GatewaySettings;
import org.fieldgate.config.TlsFiles;
import org.fieldgate.senml.SenmlDecoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocketFactory;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The gateway's MQTT subscriber (Eclipse Paho, MQTT 3.1.1, QoS 1). Clean session is off and the client id
 * is stable, so while the gateway is down or busy the broker queues what arrives for it; acknowledgements
 * are manual and sent only once the {@link IngestCommitter} has the readings on disk.
 *
 * <p>Each connection gets a fresh Paho client, and this class reconnects by itself with backoff: Paho
 * 1.2.5's automatic reconnect can hang for good after a broker restart (a race in CommsSender.start,
 * eclipse-paho/paho.mqtt.java PRs 947 and 953). A message is acknowledged only on the connection that
 * delivered it; if that connection is gone, the broker redelivers it and InfluxDB collapses the duplicate.
 *
 * <p>The callback thread never waits for the committer: while Paho's callback is blocked its receive thread stops
 * reading, the broker's PINGRESP goes unread and the connection times out. A message ingest has no room for is
 * left unacknowledged (deferred); once everything taken on that connection is committed and acknowledged, the
 * connection is closed and opened again, and the broker delivers the deferred messages anew. On tcp:// a
 * {@link PublishTopicGuard} turns a topic Paho cannot parse into a dead letter, and shows whether Paho's receive
 * thread still reads: if it stops, the connection is reported down and replaced.
 */
public final class MqttIngest implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MqttIngest.class);
    private static final long MAX_BACKOFF_MS = 10_000;
    /** Paho's receive thread reads at least once a second (its socket timeout) while it lives. */
    static final long RECEIVE_SILENCE_NS = 20_000_000_000L;

    private final GatewaySettings.Mqtt settings;
    private final IngestCommitter committer;
    private final AtomicLong messages = new AtomicLong();
    private final AtomicLong connections = new AtomicLong();
    private final AtomicLong deferred = new AtomicLong();
    private final Object lost = new Object();
    private final PipelineThreads.Beat connector;
    /** TLS for ssl:// URLs, built once from the configured PEM files; null for tcp://. */
    private final SSLSocketFactory tls;
    private volatile MqttAsyncClient client;
    private volatile Connection current;
    private volatile boolean running = true;
    private volatile boolean connected;
    private volatile String lastError = "not connected yet";
    /** Topic filters subscribed besides the SenML one (LoRaWAN network servers' uplinks); set before start. */
    private volatile List<String> alsoSubscribed = List.of();

    public MqttIngest(GatewaySettings.Mqtt settings, IngestCommitter committer) {
        this(settings, committer, new PipelineThreads());
    }

    public MqttIngest(GatewaySettings.Mqtt settings, IngestCommitter committer, PipelineThreads threads) {
        this.settings = settings;
        this.committer = committer;
        this.tls = settings.url().startsWith("ssl://") ? tlsSocketFactory(settings) : null;
        this.connector = threads.thread("mqtt-connector", null, beat -> keepConnected());
        threads.watch("mqtt-receive", this::receiveProblem);
    }

    /** Subscribes to {@code filters} too, on every connection (call before {@link #start()}). */
    public void alsoSubscribe(List<String> filters) {
        this.alsoSubscribed = List.copyOf(filters);
    }

    public void start() {
        connector.start();
    }

    /** Connects, waits until the connection is lost, and connects again: for as long as the gateway runs. */
    private void keepConnected() {
        long backoffMs = 250;
        while (running) {
            MqttAsyncClient fresh = null;
            try {
                // Inbound QoS 1 state lives in the broker's persistent session, so client-side persistence can be memory.
                fresh = new MqttAsyncClient(settings.url(), settings.clientId(), new MemoryPersistence());
                fresh.setManualAcks(true);
                GuardedSocketFactory sockets = tls == null ? new GuardedSocketFactory() : null;
                Connection connection = new Connection(fresh, sockets);
                fresh.setCallback(connection);
                client = fresh;
                current = connection;
                fresh.connect(options(sockets)).waitForCompletion(15_000);
                fresh.subscribe(SenmlDecoder.TOPIC_FILTER, 1).waitForCompletion(15_000);
                for (String filter : alsoSubscribed) {
                    fresh.subscribe(filter, 1).waitForCompletion(15_000);
                    LOG.info("MQTT subscribed to {} too", filter);
                }
                connected = true;
                lastError = "";
                backoffMs = 250;
                LOG.info("MQTT connected to {} as {}, subscribed to {} (connection {})", settings.url(), settings.clientId(),
                        SenmlDecoder.TOPIC_FILTER, connections.incrementAndGet());
                if (awaitLoss(fresh, connection)) {
                    discard(fresh);
                    fresh = null;
                    continue; // at once: the broker has the deferred messages ready
                }
            } catch (MqttException e) {
                connected = false;
                String error = e.getMessage() + (e.getCause() == null ? "" : " (" + e.getCause().getMessage() + ")");
                if (!error.equals(lastError)) {
                    if (isTlsFailure(e)) {
                        LOG.error("MQTT broker {}: TLS handshake failed: {}; check that fieldgate.mqtt.ca-file ({}) holds "
                                        + "the CA that signed the broker's certificate and that the certificate names this "
                                        + "host; retrying with backoff up to {} ms", settings.url(), error,
                                settings.caFile() == null ? "unset: the JVM's trust store" : settings.caFile(), MAX_BACKOFF_MS);
                    } else {
                        LOG.warn("MQTT broker {} not reachable: {}; retrying with backoff up to {} ms", settings.url(), error,
                                MAX_BACKOFF_MS);
                    }
                }
                lastError = error;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                discard(fresh);
            }
            if (!running) {
                return;
            }
            try {
                Thread.sleep(backoffMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
        }
    }

    /**
     * Waits until the connection is lost, its receive thread stops reading, or messages were deferred and all
     * that was taken is committed; true in the last case (reconnect at once for the broker to redeliver).
     */
    private boolean awaitLoss(MqttAsyncClient client, Connection connection) throws InterruptedException {
        synchronized (lost) {
            while (running && connected && client.isConnected()) {
                Optional<String> receive = receiveProblem();
                if (receive.isPresent()) {
                    lastError = receive.get();
                    LOG.error("MQTT {}: replacing the connection", receive.get());
                    connected = false;
                    return false;
                }
                if (connection.deferred > 0 && committer.isDrained()) {
                    LOG.info("MQTT: {} message(s) left unacknowledged while ingest was full; everything taken is now "
                            + "committed, reconnecting so that {} delivers them again", connection.deferred, settings.url());
                    connected = false;
                    return true;
                }
                lost.wait(connection.deferred > 0 ? 100 : 1000);
            }
        }
        return false;
    }

    /** Why the current connection's receive thread is not reading (tcp:// only), or empty. */
    Optional<String> receiveProblem() {
        Connection c = current;
        if (!connected || c == null || c.sockets == null || c.sockets.guard() == null) {
            return Optional.empty();
        }
        long silentNs = System.nanoTime() - c.sockets.guard().lastReadNs();
        if (silentNs <= RECEIVE_SILENCE_NS) {
            return Optional.empty();
        }
        return Optional.of("the MQTT client's receive thread has not read from the broker for " + silentNs / 1_000_000_000L
                + " s (it reads every second while it lives)");
    }

    private MqttConnectOptions options(GuardedSocketFactory sockets) {
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(false);
        o.setAutomaticReconnect(false);
        o.setKeepAliveInterval((int) settings.keepAlive().toSeconds());
        o.setConnectionTimeout(10);
        o.setMaxInflight(1000);
        if (settings.username() != null) {
            o.setUserName(settings.username());
        }
        if (settings.password() != null) {
            o.setPassword(settings.password().toCharArray());
        }
        if (tls != null) {
            o.setSocketFactory(tls);
            // Paho turns this into the JSSE endpoint check: the broker's certificate must name the URL's host.
            o.setHttpsHostnameVerificationEnabled(true);
        } else {
            o.setSocketFactory(sockets);
        }
        return o;
    }

    private static SSLSocketFactory tlsSocketFactory(GatewaySettings.Mqtt settings) {
        try {
            return TlsFiles.clientContext(settings.caFile(), settings.clientCertFile(), settings.clientKeyFile())
                    .getSocketFactory();
        } catch (IOException | GeneralSecurityException e) {
            // The files passed the start-up check; they changed since.
            throw new IllegalStateException("MQTT TLS files unusable: " + e.getMessage(), e);
        }
    }

    private static boolean isTlsFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SSLException) {
                return true;
            }
        }
        return false;
    }

    /** Callbacks of one connection; acknowledgements go back on that connection only. */
    private final class Connection implements MqttCallback {
        private final MqttAsyncClient owner;
        /** Plain TCP: the sockets whose input is guarded; null on TLS. */
        private final GuardedSocketFactory sockets;
        /** Messages left unacknowledged on this connection; once one is, every later one is too (written by Paho's callback thread). */
        private volatile long deferred;

        Connection(MqttAsyncClient owner, GuardedSocketFactory sockets) {
            this.owner = owner;
            this.sockets = sockets;
        }

        @Override
        public void connectionLost(Throwable cause) {
            String why = cause == null ? "unknown" : cause.getMessage();
            lastError = "connection lost: " + why;
            LOG.warn("MQTT connection to {} lost ({}); reconnecting, the broker queues for our session", settings.url(), why);
            synchronized (lost) {
                connected = false;
                lost.notifyAll();
            }
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            messages.incrementAndGet();
            int id = message.getId();
            int qos = message.getQos();
            String refusal = null;
            PublishTopicGuard guard = sockets == null ? null : sockets.guard();
            if (guard != null) {
                refusal = guard.takeIfRewritten(topic).map(PublishTopicGuard.Refused::reason).orElse(null);
            }
            // Once one message is deferred, later ones are too: all that was taken must be acknowledged before
            // the reconnect, or a message committed but acknowledged on a closed connection is spooled twice.
            if (deferred == 0 && committer.offer(new IngestCommitter.Incoming(topic, message.getPayload(),
                    () -> acknowledge(owner, id, qos), refusal))) {
                return;
            }
            if (deferred == 0) {
                LOG.warn("MQTT: ingest holds {} bytes, its bound: leaving messages unacknowledged until it has committed "
                        + "them, then reconnecting for the broker to deliver the rest again", committer.pendingBytes());
            }
            deferred++;
            MqttIngest.this.deferred.incrementAndGet();
        }

        @Override
        public void deliveryComplete(IMqttDeliveryToken token) {
            // The ingest client publishes nothing.
        }
    }

    private void acknowledge(MqttAsyncClient owner, int id, int qos) {
        if (owner != client || !owner.isConnected()) {
            // Its connection is gone; the broker redelivers on the next one and InfluxDB collapses the duplicate.
            LOG.debug("not acknowledging message {}: the connection that delivered it is closed", id);
            return;
        }
        try {
            owner.messageArrivedComplete(id, qos);
        } catch (MqttException e) {
            LOG.debug("acknowledging message {} failed ({}); it will be redelivered and deduplicated", id, e.getMessage());
        }
    }

    private static void discard(MqttAsyncClient c) {
        if (c == null) {
            return;
        }
        try {
            if (c.isConnected()) {
                c.disconnect(1000).waitForCompletion(2000);
            }
        } catch (MqttException e) {
            LOG.debug("MQTT disconnect while discarding a connection: {}", e.getMessage());
        }
        try {
            c.close(true);
        } catch (MqttException e) {
            LOG.debug("MQTT close while discarding a connection: {}", e.getMessage());
        }
    }

    /** Connected and its receive thread reading. */
    public boolean isConnected() {
        MqttAsyncClient c = client;
        return connected && c != null && c.isConnected() && receiveProblem().isEmpty();
    }

    public String lastError() {
        return receiveProblem().orElse(lastError);
    }

    public long messagesReceived() {
        return messages.get();
    }

    /** Connections made since start (1 when the first one never dropped). */
    public long connections() {
        return connections.get();
    }

    /** Messages left unacknowledged because ingest was at its bound; the broker delivered them again later. */
    public long deferred() {
        return deferred.get();
    }

    @Override
    public void close() {
        running = false;
        connector.retire();
        synchronized (lost) {
            lost.notifyAll();
        }
        connector.thread().interrupt();
        try {
            connector.thread().join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        discard(client);
    }
}
