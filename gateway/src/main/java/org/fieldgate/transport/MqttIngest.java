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

import javax.net.ssl.SSLSocketFactory;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.time.Duration;
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
 * <p>Who hands a message to ingest: on plain TCP Paho's receive thread, inside the {@link PublishTopicGuard}, which
 * reads each PUBLISH itself (Paho's decode and its callback thread cost a quarter of the gateway's CPU at one reading
 * per message); on TLS Paho's callback thread ({@link Connection#messageArrived}).
 *
 * <p>Backpressure: when ingest holds its bound ({@link IngestCommitter.Bounds}), that thread waits for room, but at
 * most {@link #roomWait(Duration)} per message, a fraction of the keep-alive. While it waits nothing more is read from
 * the broker (on TLS Paho's receive thread stops once ten messages are queued for its blocked callback, {@code
 * CommsCallback} {@code INBOUND_QUEUE_SIZE}, Paho 1.2.5), so the broker's PINGRESP may wait unread behind the messages
 * in its in-flight window; Paho gives up on the connection only when a ping is outstanding and nothing it was given
 * to read came for a keep-alive interval ({@code ClientState.checkForActivity}), and the {@link PublishTopicGuard}
 * only after {@link #RECEIVE_SILENCE_NS}, so a wait of a quarter keep-alive (at most 5 s) between two reads is safe.
 * Acknowledgements do not need Paho: on plain TCP the committer writes a committed group's PUBACKs itself, in one
 * write between Paho's packets ({@link PubackOutput}); on TLS {@code messageArrivedComplete} queues each for Paho's
 * sender thread. A burst therefore only slows the broker down (it keeps what is not yet sent in its queue, at most its
 * in-flight window taken by us)
 * and never costs a reconnect. Only when ingest makes no room within that wait (the spool full under backpressure, a commit
 * failing) is a message left unacknowledged (deferred); once everything taken on that connection is committed and
 * acknowledged, the connection is closed and opened again, and the broker delivers the deferred messages anew.
 * Durability is the same either way: a message is acknowledged only after its readings are committed, and a
 * message not taken is never acknowledged. On tcp:// a {@link PublishTopicGuard} turns a topic Paho cannot parse
 * into a dead letter, and shows whether Paho's receive thread still reads: if it stops, the connection is reported
 * down and replaced.
 */
public final class MqttIngest implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MqttIngest.class);
    private static final long MAX_BACKOFF_MS = 10_000;
    /** Paho's receive thread reads at least once a second (its socket timeout) while it lives. */
    static final long RECEIVE_SILENCE_NS = 20_000_000_000L;
    /** The longest a message's hand-over waits for room in ingest, whatever the keep-alive. */
    static final Duration MAX_ROOM_WAIT = Duration.ofSeconds(5);

    private final GatewaySettings.Mqtt settings;
    private final IngestCommitter committer;
    private final AtomicLong messages = new AtomicLong();
    private final AtomicLong connections = new AtomicLong();
    private final AtomicLong deferred = new AtomicLong();
    private final Object lost = new Object();
    private final PipelineThreads.Beat connector;
    /** TLS for ssl:// URLs, built once from the configured PEM files; null for tcp://. */
    private final SSLSocketFactory tls;
    /** How long a message's hand-over waits for room in ingest before it leaves the message unacknowledged. */
    private final Duration roomWait;
    private volatile MqttAsyncClient client;
    private volatile Connection current;
    private volatile boolean running = true;
    private volatile boolean connected;
    private volatile String lastError = "not connected yet";
    /** Topic filters subscribed besides the SenML one (LoRaWAN network servers' uplinks); set before start. */
    private volatile List<String> alsoSubscribed = List.of();
    /** PUBACKs of the group being acknowledged, for {@link #sendAcknowledgements()}: the committer's thread only. */
    private Connection acking;
    private int[] ackIds = new int[256];
    private int ackCount;

    public MqttIngest(GatewaySettings.Mqtt settings, IngestCommitter committer) {
        this(settings, committer, new PipelineThreads());
    }

    public MqttIngest(GatewaySettings.Mqtt settings, IngestCommitter committer, PipelineThreads threads) {
        this.settings = settings;
        this.committer = committer;
        this.tls = settings.url().startsWith("ssl://") ? tlsSocketFactory(settings) : null;
        this.roomWait = roomWait(settings.keepAlive());
        this.connector = threads.thread("mqtt-connector", null, beat -> keepConnected());
        threads.watch("mqtt-receive", this::receiveProblem);
        committer.onAcknowledged(this::sendAcknowledgements);
    }

    /**
     * How long a message's hand-over may wait for room in ingest: a quarter of the keep-alive (Paho drops the connection
     * after a whole interval without reading anything while a ping is outstanding), at most {@link #MAX_ROOM_WAIT}
     * (well inside the receive guard's {@link #RECEIVE_SILENCE_NS}).
     */
    static Duration roomWait(Duration keepAlive) {
        Duration quarter = keepAlive.dividedBy(4);
        return quarter.compareTo(MAX_ROOM_WAIT) < 0 ? quarter : MAX_ROOM_WAIT;
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
                Connection connection = new Connection(fresh, tls == null);
                GuardedSocketFactory sockets = connection.sockets;
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
                    if (TlsFiles.isTlsFailure(e)) {
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

    /** Callbacks of one connection; acknowledgements go back on that connection only. */
    private final class Connection implements MqttCallback, PublishTopicGuard.Sink {
        private final MqttAsyncClient owner;
        /** Plain TCP: the sockets whose input is guarded; null on TLS. */
        private final GuardedSocketFactory sockets;
        /**
         * Messages left unacknowledged on this connection; once one is, every later one is too (written by the thread
         * that hands messages over: Paho's receive thread on plain TCP, its callback thread on TLS).
         */
        private volatile long deferred;

        Connection(MqttAsyncClient owner, boolean plainTcp) {
            this.owner = owner;
            this.sockets = plainTcp ? new GuardedSocketFactory(this) : null;
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

        /** On TLS (and on plain TCP only a PUBLISH the guard leaves to Paho): Paho's callback thread. */
        @Override
        public void messageArrived(String topic, MqttMessage message) {
            String refusal = null;
            PublishTopicGuard guard = sockets == null ? null : sockets.guard();
            if (guard != null) {
                refusal = guard.takeIfRewritten(topic).map(PublishTopicGuard.Refused::reason).orElse(null);
            }
            arrived(topic, message.getQos(), message.getId(), message.getPayload(), refusal);
        }

        /** On plain TCP: the guard has read the PUBLISH itself, on Paho's receive thread. */
        @Override
        public void publish(String topic, int qos, int packetId, byte[] payload, String refusal) {
            arrived(topic, qos, packetId, payload, refusal);
        }

        private void arrived(String topic, int qos, int id, byte[] payload, String refusal) {
            messages.incrementAndGet();
            // On plain TCP a QoS 1 message's PUBACK is written by the committer itself, a group's in one write
            // (PubackOutput); on TLS Paho acknowledges it; a QoS 0 message has nothing to send.
            PubackOutput output = sockets == null || qos != 1 ? null : sockets.output();
            Runnable ack = output != null ? () -> queueAcknowledgement(this, id)
                    : qos == 0 ? () -> { } : () -> acknowledge(owner, id, qos);
            // Once one message is deferred, later ones are too: all that was taken must be acknowledged before
            // the reconnect, or a message committed but acknowledged on a closed connection is spooled twice.
            if (deferred == 0 && take(new IngestCommitter.Incoming(topic, payload, ack, refusal))) {
                return;
            }
            if (deferred == 0) {
                LOG.warn("MQTT: ingest has held {} bytes, its bound, for {} ms: leaving messages unacknowledged until it "
                        + "has committed them, then reconnecting for the broker to deliver the rest again",
                        committer.pendingBytes(), roomWait.toMillis());
            }
            deferred++;
            MqttIngest.this.deferred.incrementAndGet();
        }

        /** Hands the message to ingest, waiting at most {@link #roomWait} for room; false: not taken. */
        private boolean take(IngestCommitter.Incoming incoming) {
            try {
                return committer.offer(incoming, roomWait);
            } catch (InterruptedException e) {
                // Paho stops its thread: the message stays unacknowledged and the broker keeps it.
                Thread.currentThread().interrupt();
                return false;
            }
        }

        @Override
        public void deliveryComplete(IMqttDeliveryToken token) {
            // The ingest client publishes nothing.
        }
    }

    /** A committed message's PUBACK, sent with the rest of its group's (committer's thread). */
    private void queueAcknowledgement(Connection connection, int id) {
        if (acking != connection) {
            sendAcknowledgements();
            acking = connection;
        }
        if (ackCount == ackIds.length) {
            ackIds = java.util.Arrays.copyOf(ackIds, 2 * ackCount);
        }
        ackIds[ackCount++] = id;
    }

    /** Sends the PUBACKs queued since the last call, on the connection that delivered them if it is still open. */
    private void sendAcknowledgements() {
        Connection connection = acking;
        int count = ackCount;
        acking = null;
        ackCount = 0;
        if (count == 0) {
            return;
        }
        if (connection.owner != client || !connection.owner.isConnected()) {
            // Its connection is gone; the broker redelivers on the next one and the spool counts the duplicates.
            LOG.debug("not acknowledging {} messages: the connection that delivered them is closed", count);
            return;
        }
        try {
            connection.sockets.output().acknowledge(ackIds, count);
        } catch (IOException e) {
            LOG.debug("acknowledging {} messages failed ({}); they will be redelivered and deduplicated", count,
                    e.getMessage());
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
