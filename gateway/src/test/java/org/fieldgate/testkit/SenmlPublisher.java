package org.fieldgate.testkit;

import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An independent field probe: a Paho MQTT client publishing SenML packs at QoS 1 to the real broker.
 *
 * <p>It keeps exact books: a pack counts as <em>acknowledged</em> only when its delivery token completed without
 * an exception (the broker sent PUBACK). Every pack ever handed to the client is <em>attempted</em>. After a broker
 * outage the gateway must deliver every acknowledged reading, may deliver attempted-but-unacknowledged ones (the
 * broker may have stored a message whose PUBACK was lost) and must deliver nothing else.
 *
 * <p>It uses a clean session: on a lost connection every in-flight token fails, the pack goes to the failed queue,
 * and {@link #republishFailed(Duration)} sends it again once the broker is back (duplicates collapse in InfluxDB).
 * Single publishing thread; the acknowledgement callbacks run on Paho's thread.
 */
public final class SenmlPublisher implements AutoCloseable {
    private static final Duration OPERATION_TIMEOUT = Duration.ofSeconds(120);

    private final String brokerUrl;
    private final String clientId;
    private final MqttConnectOptions options = new MqttConnectOptions();
    private final Set<InFlight> inFlight = ConcurrentHashMap.newKeySet();
    private volatile MqttAsyncClient client;
    private final Semaphore window;
    private final int maxInflight;

    private final Map<Reading.Key, Reading> attempted = new ConcurrentHashMap<>();
    private final Map<Reading.Key, Reading> acknowledged = new ConcurrentHashMap<>();
    private final Queue<Pack> acknowledgedPacks = new ConcurrentLinkedQueue<>();
    private final Queue<Pack> failed = new ConcurrentLinkedQueue<>();
    private final AtomicLong attemptedPackCount = new AtomicLong();
    private final AtomicLong acknowledgedPackCount = new AtomicLong();
    private final AtomicLong failedAttempts = new AtomicLong();
    private final AtomicLong reconnects = new AtomicLong();
    private final List<String> events = Collections.synchronizedList(new ArrayList<>());

    public SenmlPublisher(String brokerUrl, String clientId) {
        this(brokerUrl, clientId, 100);
    }

    public SenmlPublisher(String brokerUrl, String clientId, int maxInflight) {
        this.brokerUrl = brokerUrl;
        this.clientId = clientId;
        this.maxInflight = maxInflight;
        this.window = new Semaphore(maxInflight);
        options.setCleanSession(true);
        options.setAutomaticReconnect(false); // reconnects are done here, bounded, from the publishing thread
        options.setMaxInflight(maxInflight);
        options.setConnectionTimeout(5);
        options.setKeepAliveInterval(30);
        client = newClient();
    }

    private MqttAsyncClient newClient() {
        MqttAsyncClient fresh;
        try {
            fresh = new MqttAsyncClient(brokerUrl, clientId, new MemoryPersistence());
        } catch (MqttException e) {
            throw new AssertionError("could not create the Paho client for " + brokerUrl, e);
        }
        fresh.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
                events.add("connection lost: " + cause);
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                // publish-only client
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
                // accounting is done per token in the action listener
            }
        });
        return fresh;
    }

    /**
     * Replaces a client that lost its connection or failed to connect. Paho 1.2.5 can hang for good inside a
     * reconnect of the same client instance (CommsSender/CommsCallback.start waiting for a thread that never starts,
     * eclipse-paho/paho.mqtt.java PR 947/953), so a dropped instance is never connected again. Its packs still
     * awaiting PUBACK count as failed and will be re-sent.
     */
    private void replaceClient(MqttAsyncClient broken) {
        for (InFlight f : inFlight) {
            if (f.client == broken) {
                f.settle(false);
            }
        }
        try {
            broken.disconnectForcibly(0, 100, false);
        } catch (MqttException e) {
            events.add("abandoning dropped client, disconnect: " + e);
        }
        try {
            broken.close(true);
        } catch (MqttException e) {
            events.add("abandoning dropped client, close: " + e);
        }
        client = newClient();
        events.add("new client instance");
    }

    /** Logs in as {@code user} (a node's {@code <site>/<device>} on a broker with credentials); call before connect. */
    public SenmlPublisher credentials(String user, String password) {
        options.setUserName(user);
        options.setPassword(password.toCharArray());
        return this;
    }

    /** Connects, retrying until the deadline (the broker may be restarting). */
    public SenmlPublisher connect() {
        connect(System.nanoTime() + OPERATION_TIMEOUT.toNanos());
        return this;
    }

    private void connect(long deadlineNanos) {
        MqttException last = null;
        if (reconnects.get() > 0 && !client.isConnected()) {
            replaceClient(client); // lost connection: reconnect with a fresh instance, never the one that dropped
        }
        while (!client.isConnected()) {
            if (System.nanoTime() > deadlineNanos) {
                throw new AssertionError("publisher could not (re)connect to " + brokerUrl + " in time; last error: "
                        + last + "; events: " + events, last);
            }
            MqttAsyncClient attempt = client;
            try {
                attempt.connect(options).waitForCompletion(10_000);
                reconnects.incrementAndGet();
                events.add("connected");
            } catch (MqttException e) {
                last = e;
                replaceClient(attempt);
                Poll.sleep(Duration.ofMillis(200));
            }
        }
    }

    /**
     * Hands one pack to the client; blocks while {@code maxInflight} packs await their PUBACK and while the broker
     * is unreachable, up to a bounded deadline.
     */
    public void publish(Pack pack) {
        attemptedPackCount.incrementAndGet();
        for (Reading r : pack.readings()) {
            attempted.put(r.key(), r);
        }
        send(pack);
    }

    private void send(Pack pack) {
        long deadline = System.nanoTime() + OPERATION_TIMEOUT.toNanos();
        while (true) {
            if (!client.isConnected()) {
                connect(deadline);
            }
            acquirePermit(deadline);
            MqttAsyncClient current = client;
            InFlight entry = new InFlight(pack, current);
            inFlight.add(entry);
            try {
                MqttMessage message = new MqttMessage(pack.payload());
                message.setQos(1);
                current.publish(pack.topic(), message, pack, entry);
                return;
            } catch (MqttException e) {
                inFlight.remove(entry);
                window.release();
                if (!isTransient(e) || System.nanoTime() > deadline) {
                    throw new AssertionError("publish of " + pack + " failed: " + e + "; events: " + events, e);
                }
                Poll.sleep(Duration.ofMillis(50));
            }
        }
    }

    private static boolean isTransient(MqttException e) {
        int code = e.getReasonCode();
        return code == MqttException.REASON_CODE_CLIENT_NOT_CONNECTED
                || code == MqttException.REASON_CODE_CONNECTION_LOST
                || code == MqttException.REASON_CODE_CLIENT_DISCONNECTING
                || code == MqttException.REASON_CODE_MAX_INFLIGHT
                || code == MqttException.REASON_CODE_WRITE_TIMEOUT
                || code == MqttException.REASON_CODE_CLIENT_TIMEOUT;
    }

    private void acquirePermit(long deadlineNanos) {
        try {
            long remaining = Math.max(1, deadlineNanos - System.nanoTime());
            if (!window.tryAcquire(remaining, TimeUnit.NANOSECONDS)) {
                throw new AssertionError("no PUBACK for " + maxInflight + " in-flight packs within " + OPERATION_TIMEOUT.toSeconds()
                        + " s; events: " + events);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for PUBACKs", e);
        }
    }

    /** Waits until every pack handed to the client has been acknowledged or has failed. */
    public void flush(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            if (!window.tryAcquire(maxInflight, Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                throw new AssertionError((maxInflight - window.availablePermits()) + " packs still awaiting PUBACK after "
                        + timeout.toSeconds() + " s; events: " + events);
            }
            window.release(maxInflight);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while flushing", e);
        }
    }

    /**
     * Sends every pack whose delivery failed (e.g. the connection dropped before PUBACK) again, until all are
     * acknowledged or the timeout passes. Returns how many were re-sent.
     */
    public int republishFailed(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int resent = 0;
        flush(timeout);
        while (!failed.isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(failed.size() + " packs still unacknowledged after re-sending for " + timeout.toSeconds()
                        + " s; events: " + events);
            }
            Pack pack;
            while ((pack = failed.poll()) != null) {
                send(pack);
                resent++;
            }
            flush(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
        }
        return resent;
    }

    // ---- the books ---------------------------------------------------------------------------

    /** Readings of packs the broker acknowledged. */
    public Map<Reading.Key, Reading> acknowledged() {
        return Map.copyOf(acknowledged);
    }

    /** Readings of every pack ever handed to the client (acknowledged or not). */
    public Map<Reading.Key, Reading> attempted() {
        return Map.copyOf(attempted);
    }

    public List<Pack> acknowledgedPacks() {
        return List.copyOf(acknowledgedPacks);
    }

    public long acknowledgedPackCount() {
        return acknowledgedPackCount.get();
    }

    public long attemptedPackCount() {
        return attemptedPackCount.get();
    }

    /** Delivery attempts that ended without PUBACK (connection lost, etc.). */
    public long failedAttempts() {
        return failedAttempts.get();
    }

    public int failedPending() {
        return failed.size();
    }

    public long connects() {
        return reconnects.get();
    }

    public List<String> events() {
        return List.copyOf(events);
    }

    @Override
    public void close() {
        try {
            if (client.isConnected()) {
                client.disconnect(5_000).waitForCompletion(10_000);
            }
        } catch (MqttException e) {
            // disconnect after a broker restart can race with the socket closing; the client is closed below regardless
            events.add("disconnect: " + e);
        } finally {
            try {
                client.close(true);
            } catch (MqttException e) {
                throw new AssertionError("could not close the Paho client", e);
            }
        }
    }

    /** One pack awaiting its PUBACK; settled exactly once, by Paho's callback or by abandoning its client. */
    private final class InFlight implements IMqttActionListener {
        private final Pack pack;
        private final MqttAsyncClient client;
        private final AtomicBoolean settled = new AtomicBoolean();

        InFlight(Pack pack, MqttAsyncClient client) {
            this.pack = pack;
            this.client = client;
        }

        @Override
        public void onSuccess(IMqttToken token) {
            settle(true);
        }

        @Override
        public void onFailure(IMqttToken token, Throwable exception) {
            settle(false);
        }

        void settle(boolean acknowledgedByBroker) {
            if (!settled.compareAndSet(false, true)) {
                return;
            }
            inFlight.remove(this);
            if (acknowledgedByBroker) {
                for (Reading r : pack.readings()) {
                    acknowledged.put(r.key(), r);
                }
                acknowledgedPacks.add(pack);
                acknowledgedPackCount.incrementAndGet();
            } else {
                failedAttempts.incrementAndGet();
                failed.add(pack);
            }
            window.release();
        }
    }
}
