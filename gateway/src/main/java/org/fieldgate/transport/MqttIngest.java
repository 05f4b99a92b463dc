package org.fieldgate.transport;

import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallbackExtended;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.fieldgate.config.GatewaySettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The gateway's MQTT subscriber (Eclipse Paho, MQTT 3.1.1, QoS 1). Clean session is off and the client id
 * is stable, so while the gateway is down or busy the broker queues what arrives for it; acknowledgements
 * are manual and sent only once the {@link IngestCommitter} has the readings on disk.
 */
public final class MqttIngest implements MqttCallbackExtended, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MqttIngest.class);

    private final GatewaySettings.Mqtt settings;
    private final IngestCommitter committer;
    private final MqttAsyncClient client;
    private final AtomicLong messages = new AtomicLong();
    private final Thread connector;
    private volatile boolean running = true;
    private volatile boolean connected;
    private volatile String lastError = "not connected yet";

    public MqttIngest(GatewaySettings.Mqtt settings, IngestCommitter committer) {
        this.settings = settings;
        this.committer = committer;
        try {
            // Inbound QoS 1 state lives in the broker's persistent session, so client-side persistence can be memory.
            this.client = new MqttAsyncClient(settings.url(), settings.clientId(), new MemoryPersistence());
        } catch (MqttException e) {
            throw new IllegalStateException("fieldgate.mqtt.url = '" + settings.url() + "': " + e.getMessage(), e);
        }
        client.setManualAcks(true);
        client.setCallback(this);
        this.connector = new Thread(this::connectUntilConnected, "mqtt-connector");
        this.connector.setDaemon(true);
    }

    public void start() {
        connector.start();
    }

    /** Paho reconnects by itself only after a first success; until then, this loop retries with backoff. */
    private void connectUntilConnected() {
        long backoffMs = 500;
        while (running && !client.isConnected()) {
            try {
                client.connect(options()).waitForCompletion(15_000);
                return;
            } catch (MqttException e) {
                lastError = e.getMessage() + (e.getCause() == null ? "" : " (" + e.getCause().getMessage() + ")");
                LOG.warn("MQTT broker {} not reachable: {}; retrying in {} ms", settings.url(), lastError, backoffMs);
                try {
                    Thread.sleep(backoffMs);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
                backoffMs = Math.min(backoffMs * 2, 10_000);
            }
        }
    }

    private MqttConnectOptions options() {
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(false);
        o.setAutomaticReconnect(true);
        o.setMaxReconnectDelay(10_000);
        o.setKeepAliveInterval(30);
        o.setConnectionTimeout(10);
        o.setMaxInflight(1000);
        if (settings.username() != null) {
            o.setUserName(settings.username());
        }
        if (settings.password() != null) {
            o.setPassword(settings.password().toCharArray());
        }
        return o;
    }

    @Override
    public void connectComplete(boolean reconnect, String serverURI) {
        connected = true;
        lastError = "";
        LOG.info("MQTT {} to {} as {}; subscribing {}", reconnect ? "reconnected" : "connected", serverURI,
                settings.clientId(), SenmlDecoder.TOPIC_FILTER);
        try {
            // The persistent session keeps the subscription, but a broker that lost its state needs it again.
            client.subscribe(SenmlDecoder.TOPIC_FILTER, 1);
        } catch (MqttException e) {
            lastError = "subscribe failed: " + e.getMessage();
            LOG.error("subscribing {} failed: {}", SenmlDecoder.TOPIC_FILTER, e.getMessage());
        }
    }

    @Override
    public void connectionLost(Throwable cause) {
        connected = false;
        lastError = "connection lost: " + (cause == null ? "unknown" : cause.getMessage());
        LOG.warn("MQTT connection to {} lost ({}); Paho reconnects, the broker queues for our session",
                settings.url(), cause == null ? "unknown" : cause.getMessage());
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) throws InterruptedException {
        messages.incrementAndGet();
        int id = message.getId();
        int qos = message.getQos();
        committer.accept(new IngestCommitter.Incoming(topic, message.getPayload(), () -> acknowledge(id, qos)));
    }

    private void acknowledge(int id, int qos) {
        try {
            client.messageArrivedComplete(id, qos);
        } catch (MqttException e) {
            // The readings are already on disk; the broker will redeliver and InfluxDB collapses the duplicate.
            LOG.debug("acknowledging message {} failed ({}); it will be redelivered and deduplicated", id, e.getMessage());
        }
    }

    @Override
    public void deliveryComplete(IMqttDeliveryToken token) {
        // The ingest client publishes nothing.
    }

    public boolean isConnected() {
        return connected && client.isConnected();
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
        connector.interrupt();
        try {
            if (client.isConnected()) {
                client.disconnect(2000).waitForCompletion(3000);
            }
        } catch (MqttException e) {
            LOG.warn("MQTT disconnect: {}", e.getMessage());
        }
        try {
            client.close(true);
        } catch (MqttException e) {
            LOG.warn("MQTT close: {}", e.getMessage());
        }
    }
}
