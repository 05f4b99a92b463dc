package org.fieldgate.acquire.li7810;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * The analyser's own Mosquitto broker through Eclipse Paho (MQTT 3.1.1): a clean session (the instrument's live
 * stream has nothing worth replaying), QoS 0 subscriptions (the newest sample is what counts; a lost one is a sample
 * missed, reported as such by the driver), no automatic reconnect: the driver reconnects on its next sample after a
 * loss, so each attempt is one counted, logged probe failure rather than a hidden retry loop.
 */
public final class PahoTopicLink implements TopicLink {
    /** Messages held for the driver; at 1 Hz and two topics this is minutes of backlog. */
    static final int CAPACITY = 512;

    private final String url;
    private final String clientId;
    private final BlockingQueue<Message> queue = new ArrayBlockingQueue<>(CAPACITY);
    private MqttAsyncClient client;
    private volatile boolean up;
    private long lost;
    private long overflows;
    private volatile long connections;

    /** @param clientId the client id on the instrument's broker (unique there; the gateway's own id elsewhere) */
    public PahoTopicLink(String host, int port, String clientId) {
        String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        this.url = "tcp://" + h + ":" + port;
        this.clientId = clientId;
    }

    @Override
    public String address() {
        return url;
    }

    @Override
    public boolean connected() {
        return up;
    }

    @Override
    public synchronized void connect(List<String> topics, Duration timeout) throws IOException {
        closeClient();
        queue.clear();
        MqttAsyncClient c;
        try {
            c = new MqttAsyncClient(url, clientId, new MemoryPersistence());
        } catch (MqttException e) {
            throw new IOException(url + ": " + e.getMessage(), e);
        }
        c.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
                lostConnection();
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                offer(new Message(topic, message.getPayload()));
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(true);
        o.setAutomaticReconnect(false);
        o.setKeepAliveInterval((int) Math.max(2, Math.min(60, timeout.toSeconds() * 2)));
        o.setConnectionTimeout((int) Math.max(1, timeout.toSeconds()));
        long ms = Math.max(1, timeout.toMillis());
        try {
            c.connect(o).waitForCompletion(ms);
            int[] qos = new int[topics.size()];
            c.subscribe(topics.toArray(String[]::new), qos).waitForCompletion(ms);
        } catch (MqttException e) {
            IOException failed = new IOException(url + ": " + reason(e), e);
            try {
                c.disconnectForcibly(0, 0, false);
                c.close(true);
            } catch (MqttException closing) {
                failed.addSuppressed(closing); // the connection's own error is the one reported
            }
            throw failed;
        }
        client = c;
        up = true;
        connections++;
    }

    private synchronized void lostConnection() {
        up = false;
        lost++;
    }

    private void offer(Message m) {
        while (!queue.offer(m)) {
            queue.poll();
            synchronized (this) {
                overflows++;
            }
        }
    }

    private static String reason(MqttException e) {
        String cause = e.getCause() == null ? "" : " (" + e.getCause().getMessage() + ")";
        return "MQTT " + e.getReasonCode() + ": " + e.getMessage() + cause;
    }

    @Override
    public Message poll(Duration timeout) throws IOException {
        try {
            return queue.poll(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(url + ": interrupted", e);
        }
    }

    /** Connections made (connected and subscribed) since the link was made. */
    long connections() {
        return connections;
    }

    /** Messages received and not taken yet. */
    int queued() {
        return queue.size();
    }

    @Override
    public synchronized long connectionsLost() {
        return lost;
    }

    @Override
    public synchronized long overflows() {
        return overflows;
    }

    private void closeClient() {
        up = false;
        if (client == null) {
            return;
        }
        try {
            if (client.isConnected()) {
                client.disconnectForcibly(0, 1000, false);
            }
            client.close(true);
        } catch (MqttException e) {
            // a client being replaced or closed: nothing is read from it any more, so its close error changes nothing
            org.slf4j.LoggerFactory.getLogger(PahoTopicLink.class).debug("{}: closing the client: {}", url, e.toString());
        }
        client = null;
    }

    @Override
    public synchronized void close() {
        closeClient();
    }
}
