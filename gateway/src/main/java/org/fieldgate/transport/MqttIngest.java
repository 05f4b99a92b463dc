package org.fieldgate.transport;

import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.fieldgate.config.GatewaySettings;
import org.fieldgate.config.TlsFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocketFactory;
import java.io.IOException;
import java.security.GeneralSecurityException;
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
 */
public final class MqttIngest implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MqttIngest.class);
    private static final long MAX_BACKOFF_MS = 10_000;

    private final GatewaySettings.Mqtt settings;
    private final IngestCommitter committer;
    private final AtomicLong messages = new AtomicLong();
    private final Object lost = new Object();
    private final Thread connector;
    /** TLS for ssl:// URLs, built once from the configured PEM files; null for tcp://. */
    private final SSLSocketFactory tls;
    private volatile MqttAsyncClient client;
    private volatile boolean running = true;
    private volatile boolean connected;
    private volatile String lastError = "not connected yet";

    public MqttIngest(GatewaySettings.Mqtt settings, IngestCommitter committer) {
        this.settings = settings;
        this.committer = committer;
        this.tls = settings.url().startsWith("ssl://") ? tlsSocketFactory(settings) : null;
        this.connector = new Thread(this::keepConnected, "mqtt-connector");
        this.connector.setDaemon(true);
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
                fresh.setCallback(new Connection(fresh));
                client = fresh;
                fresh.connect(options()).waitForCompletion(15_000);
                fresh.subscribe(SenmlDecoder.TOPIC_FILTER, 1).waitForCompletion(15_000);
                connected = true;
                lastError = "";
                backoffMs = 250;
                LOG.info("MQTT connected to {} as {}, subscribed to {}", settings.url(), settings.clientId(),
                        SenmlDecoder.TOPIC_FILTER);
                awaitLoss(fresh);
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

    private void awaitLoss(MqttAsyncClient current) throws InterruptedException {
        synchronized (lost) {
            while (running && connected && current.isConnected()) {
                lost.wait(1000);
            }
        }
    }

    private MqttConnectOptions options() {
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(false);
        o.setAutomaticReconnect(false);
        o.setKeepAliveInterval(30);
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

        Connection(MqttAsyncClient owner) {
            this.owner = owner;
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
        public void messageArrived(String topic, MqttMessage message) throws InterruptedException {
            messages.incrementAndGet();
            int id = message.getId();
            int qos = message.getQos();
            committer.accept(new IngestCommitter.Incoming(topic, message.getPayload(), () -> acknowledge(owner, id, qos)));
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

    public boolean isConnected() {
        MqttAsyncClient c = client;
        return connected && c != null && c.isConnected();
    }

    public String lastError() {
        return lastError;
    }

    public long messagesReceived() {
        return messages.get();
    }

    @Override
    public void close() {
        running = false;
        synchronized (lost) {
            lost.notifyAll();
        }
        connector.interrupt();
        try {
            connector.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        discard(client);
    }
}
