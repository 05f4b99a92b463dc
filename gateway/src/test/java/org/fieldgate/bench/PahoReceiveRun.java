package org.fieldgate.bench;

import org.fieldgate.testkit.MosquittoProcess;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Paho's receive side alone, its MQTT 3.1.1 client ({@code org.eclipse.paho.client.mqttv3}, what the gateway runs)
 * against its MQTT 5 client ({@code org.eclipse.paho.mqttv5.client}), as issue 12 asks ("Paho's MQTT v5 client if it
 * is cheaper: measure"). One real mosquitto (the test kit's: 100 messages in flight per client, as pipeline-bench's),
 * the pipeline benchmark's raw publisher (4 connections, 100 in flight each), and one subscriber at a time set up as
 * the gateway sets up its own (QoS 1, manual acknowledgements), but with a clean session, so that neither client's
 * session collects the other's runs. The subscriber's callback hands
 * each message's id to an acknowledging thread, which acknowledges what it finds queued (as the gateway's committer
 * acknowledges a committed group), so the callback thread does no more than the gateway's does.
 *
 * <p>Measured: CPU ticks of each of this process's threads (/proc/self/task), over a run of {@code messages} after a
 * warm-up run of a third of that, per million messages; the publisher's threads are left out of the subscriber's sum.
 * The clients take turns (v3, v5, v3, v5, ...) so a busy box loads both alike. Arguments: readings per message (1 or
 * 100), messages per measured run, rounds. A lost or extra message fails the run (exact count).
 */
public final class PahoReceiveRun {
    private static final String TOPIC_FILTER = "bench/+/+/senml";

    private PahoReceiveRun() {
    }

    /** One client under test: connects, subscribes with manual acknowledgements, counts, disconnects. */
    private abstract static class Subscriber implements AutoCloseable {
        final AtomicLong received = new AtomicLong();
        Acker acker;

        long received() {
            return received.get();
        }

        long acknowledged() {
            return acker.acknowledged();
        }

        /** The client's callback: one more message, its id handed to the acknowledging thread. */
        void arrived(int id) throws InterruptedException {
            received.incrementAndGet();
            acker.arrived(id);
        }

        /** The client's own disconnect and close, after the acknowledging thread has stopped. */
        abstract void disconnect() throws Exception;

        @Override
        public void close() throws Exception {
            acker.close();
            disconnect();
        }
    }

    public static void main(String[] args) throws Exception {
        int perMessage = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        int messages = args.length > 1 ? Integer.parseInt(args[1]) : 300_000;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        long pid = ProcessHandle.current().pid();
        long tps = ClockTicks.perSecond();
        try (MosquittoProcess broker = MosquittoProcess.started();
             RawMqttPublisher publisher = new RawMqttPublisher(broker.url(), "paho-receive-pub", 4, 100)) {
            RawMqttPublisher.Plan warm = plan(publisher, perMessage, messages / 3);
            RawMqttPublisher.Plan measured = plan(publisher, perMessage, messages);
            System.out.printf("paho-receive: %d reading(s) per message, %,d messages per run, %d rounds, load %s%n",
                    perMessage, messages, rounds, loadAverage());
            for (int round = 1; round <= rounds; round++) {
                for (String client : List.of("v3", "v5")) {
                    try (Subscriber s = client.equals("v3") ? new V3(broker.url()) : new V5(broker.url())) {
                        run(publisher, warm, s);
                        Map<String, Long> before = ThreadCpu.snapshot(pid);
                        long startNs = System.nanoTime();
                        run(publisher, measured, s);
                        double seconds = (System.nanoTime() - startNs) / 1e9;
                        Map<String, Long> spent = ThreadCpu.between(before, ThreadCpu.snapshot(pid));
                        report(client, round, messages, seconds, spent, tps);
                    }
                }
            }
        }
    }

    /** Publishes {@code plan} and waits until the subscriber has every message and has acknowledged each. */
    private static void run(RawMqttPublisher publisher, RawMqttPublisher.Plan plan, Subscriber s) throws Exception {
        long received = s.received();
        long acked = s.acknowledged();
        publisher.send(plan, Duration.ofMinutes(5));
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (s.received() - received < plan.messages() || s.acknowledged() - acked < plan.messages()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("subscriber got " + (s.received() - received) + " and acknowledged "
                        + (s.acknowledged() - acked) + " of " + plan.messages() + " messages in 5 minutes");
            }
            Thread.sleep(2);
        }
        if (s.received() - received != plan.messages()) {
            throw new IllegalStateException("subscriber got " + (s.received() - received) + " messages, "
                    + plan.messages() + " sent");
        }
    }

    private static void report(String client, int round, int messages, double seconds, Map<String, Long> spent,
                               long tps) {
        long subscriber = 0;
        long receive = 0;
        StringBuilder threads = new StringBuilder();
        for (Map.Entry<String, Long> e : spent.entrySet()) {
            String name = e.getKey();
            if (name.startsWith("raw-publisher") || name.equals("java") || name.startsWith("main")) {
                continue; // the publisher and this driver's waiting
            }
            subscriber += e.getValue();
            if (name.startsWith("MQTT Rec") || name.startsWith("MQTT Call") || name.startsWith("MQTT Con")) {
                receive += e.getValue();
            }
            threads.append(String.format(" %s=%.2f", name.replace(' ', '_'), perMillion(e.getValue(), tps, messages)));
        }
        System.out.printf("paho-receive client=%s round=%d messages/s=%.0f subscriber_cpu_s_per_M=%.2f "
                        + "receive_threads_cpu_s_per_M=%.2f threads:%s%n", client, round, messages / seconds,
                perMillion(subscriber, tps, messages), perMillion(receive, tps, messages), threads);
    }

    private static String loadAverage() throws java.io.IOException {
        String[] f = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ");
        return f[0] + " " + f[1] + " " + f[2];
    }

    private static double perMillion(long ticks, long tps, long messages) {
        return ProcStat.cpuSecondsPerMillion(ticks, tps, messages);
    }

    /**
     * {@code count} messages from 1,000 devices (1 reading each) or 50 (100 readings each). A device's messages share
     * one payload (the subscriber only counts them), so the plan fits in the site's 96 MB heap.
     */
    private static RawMqttPublisher.Plan plan(RawMqttPublisher publisher, int perMessage, int count) {
        int devices = perMessage == 1 ? 1000 : 50;
        byte[][] payloadOf = new byte[devices][];
        for (int d = 0; d < devices; d++) {
            StringBuilder json = new StringBuilder("[{\"bn\":\"dev-").append(d).append("/\",\"bt\":")
                    .append(1_763_855_000L + d).append(".25");
            for (int c = 0; c < perMessage; c++) {
                json.append(c == 0 ? "," : ",{").append("\"n\":\"ch").append(c).append("\",\"u\":\"ppm\",\"v\":")
                        .append(400 + Math.sqrt(c + d + 2.0)).append('}');
            }
            payloadOf[d] = json.append(']').toString().getBytes(StandardCharsets.UTF_8);
        }
        List<String> topics = new ArrayList<>(count);
        List<byte[]> payloads = new ArrayList<>(count);
        for (int k = 0; k < count; k++) {
            topics.add("bench/site/dev-" + k % devices + "/senml");
            payloads.add(payloadOf[k % devices]);
        }
        return publisher.plan(topics, payloads);
    }

    /** Hands message ids to one acknowledging thread, which acknowledges whatever is queued. */
    private static final class Acker implements AutoCloseable {
        private final BlockingQueue<Integer> ids = new ArrayBlockingQueue<>(100_000);
        private final AtomicLong acknowledged = new AtomicLong();
        private final Thread thread;
        private volatile boolean stopping;

        interface Ack {
            void complete(int id) throws Exception;
        }

        Acker(Ack ack) {
            thread = new Thread(() -> {
                List<Integer> group = new ArrayList<>();
                try {
                    while (!stopping) {
                        Integer first = ids.poll(50, TimeUnit.MILLISECONDS);
                        if (first == null) {
                            continue;
                        }
                        group.add(first);
                        ids.drainTo(group);
                        for (int id : group) {
                            ack.complete(id);
                        }
                        acknowledged.addAndGet(group.size());
                        group.clear();
                    }
                } catch (Exception e) {
                    throw new IllegalStateException("acknowledging failed: " + e, e);
                }
            }, "bench-acker");
            thread.start();
        }

        void arrived(int id) throws InterruptedException {
            ids.put(id);
        }

        long acknowledged() {
            return acknowledged.get();
        }

        @Override
        public void close() throws InterruptedException {
            stopping = true;
            thread.join(5_000);
        }
    }

    private static final class V3 extends Subscriber {
        private final org.eclipse.paho.client.mqttv3.MqttAsyncClient client;

        V3(String url) throws Exception {
            client = new org.eclipse.paho.client.mqttv3.MqttAsyncClient(url, "paho-receive-v3",
                    new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
            client.setManualAcks(true);
            acker = new Acker(id -> client.messageArrivedComplete(id, 1));
            client.setCallback(new org.eclipse.paho.client.mqttv3.MqttCallback() {
                @Override
                public void connectionLost(Throwable cause) {
                    System.err.println("v3 connection lost: " + cause);
                }

                @Override
                public void messageArrived(String topic, org.eclipse.paho.client.mqttv3.MqttMessage m)
                        throws InterruptedException {
                    arrived(m.getId());
                }

                @Override
                public void deliveryComplete(org.eclipse.paho.client.mqttv3.IMqttDeliveryToken token) {
                }
            });
            var o = new org.eclipse.paho.client.mqttv3.MqttConnectOptions();
            o.setCleanSession(true); // no session left behind to collect the other client's runs
            o.setMaxInflight(1000);
            o.setKeepAliveInterval(30);
            client.connect(o).waitForCompletion(15_000);
            client.subscribe(TOPIC_FILTER, 1).waitForCompletion(15_000);
        }

        @Override
        void disconnect() throws Exception {
            client.disconnect().waitForCompletion(15_000);
            client.close();
        }
    }

    private static final class V5 extends Subscriber {
        private final org.eclipse.paho.mqttv5.client.MqttAsyncClient client;

        V5(String url) throws Exception {
            client = new org.eclipse.paho.mqttv5.client.MqttAsyncClient(url, "paho-receive-v5",
                    new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
            client.setManualAcks(true);
            acker = new Acker(id -> client.messageArrivedComplete(id, 1));
            client.setCallback(new org.eclipse.paho.mqttv5.client.MqttCallback() {
                @Override
                public void disconnected(org.eclipse.paho.mqttv5.client.MqttDisconnectResponse response) {
                    System.err.println("v5 disconnected: " + response);
                }

                @Override
                public void mqttErrorOccurred(org.eclipse.paho.mqttv5.common.MqttException e) {
                    System.err.println("v5 error: " + e);
                }

                @Override
                public void messageArrived(String topic, org.eclipse.paho.mqttv5.common.MqttMessage m)
                        throws InterruptedException {
                    arrived(m.getId());
                }

                @Override
                public void deliveryComplete(org.eclipse.paho.mqttv5.client.IMqttToken token) {
                }

                @Override
                public void connectComplete(boolean reconnect, String serverURI) {
                }

                @Override
                public void authPacketArrived(int reasonCode, org.eclipse.paho.mqttv5.common.packet.MqttProperties p) {
                }
            });
            var o = new org.eclipse.paho.mqttv5.client.MqttConnectionOptions();
            o.setCleanStart(true); // no session left behind to collect the other client's runs
            o.setSessionExpiryInterval(0L);
            o.setReceiveMaximum(1000);
            o.setKeepAliveInterval(30);
            client.connect(o).waitForCompletion(15_000);
            client.subscribe(TOPIC_FILTER, 1).waitForCompletion(15_000);
        }

        @Override
        void disconnect() throws Exception {
            client.disconnect().waitForCompletion(15_000);
            client.close();
        }
    }
}
