package org.fieldgate.bench;

import org.junit.jupiter.api.Test;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntUnaryOperator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The benchmark's raw MQTT publisher against an in-JVM fake broker that parses every PUBLISH: each message arrives
 * exactly once with its topic and payload, a device's messages use one connection in order, PUBACKs are counted
 * exactly, and a PUBACK for an id not in flight fails the run.
 */
class RawMqttPublisherTest {

    @Test
    void remainingLengthIsMqttsVariableByteInteger() {
        assertArrayEquals(new byte[] {0}, RawMqttPublisher.Connection.remainingLength(0));
        assertArrayEquals(new byte[] {127}, RawMqttPublisher.Connection.remainingLength(127));
        assertArrayEquals(new byte[] {(byte) 0x80, 0x01}, RawMqttPublisher.Connection.remainingLength(128));
        assertArrayEquals(new byte[] {(byte) 0xFF, 0x7F}, RawMqttPublisher.Connection.remainingLength(16_383));
        assertArrayEquals(new byte[] {(byte) 0x80, (byte) 0x80, 0x01}, RawMqttPublisher.Connection.remainingLength(16_384));
        assertArrayEquals(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x7F}, RawMqttPublisher.Connection.remainingLength(268_435_455));
        assertThrows(IllegalArgumentException.class, () -> RawMqttPublisher.Connection.remainingLength(268_435_456));
    }

    @Test
    void connectIsMqtt311WithCleanSessionAndNoKeepAlive() {
        byte[] packet = RawMqttPublisher.Connection.connectPacket("ab");
        assertArrayEquals(new byte[] {0x10, 14, 0, 4, 'M', 'Q', 'T', 'T', 4, 0x02, 0, 0, 0, 2, 'a', 'b'}, packet);
    }

    @Test
    void everyMessageArrivesOnceAndEachDeviceKeepsToOneConnectionInOrder() throws Exception {
        try (FakeBroker broker = new FakeBroker(id -> id);
             RawMqttPublisher pub = new RawMqttPublisher(broker.url(), "t", 3, 7)) {
            List<String> topics = new ArrayList<>();
            List<byte[]> payloads = new ArrayList<>();
            for (int k = 0; k < 5_000; k++) {
                topics.add("fieldgate/s/dev-" + (k % 10) + "/senml");
                payloads.add(("m" + k).getBytes(StandardCharsets.UTF_8));
            }
            payloads.set(17, new byte[200_000]); // a remaining length of three bytes
            RawMqttPublisher.Plan plan = pub.plan(topics, payloads);
            assertEquals(10, plan.devices());
            int[] perConnection = java.util.Arrays.stream(plan.indices()).mapToInt(a -> a.length).toArray();
            assertArrayEquals(new int[] {2_000, 1_500, 1_500}, perConnection, "devices 4, 3 and 3 to the three connections");
            pub.send(plan, Duration.ofSeconds(30));
            assertEquals(5_000, pub.acknowledged());

            assertEquals(5_000, broker.received.size());
            Map<String, List<String>> byTopic = new java.util.HashMap<>();
            Map<String, Set<Integer>> connectionsByTopic = new java.util.HashMap<>();
            for (Received m : broker.received) {
                byTopic.computeIfAbsent(m.topic, t -> new ArrayList<>()).add(m.payload);
                connectionsByTopic.computeIfAbsent(m.topic, t -> new java.util.HashSet<>()).add(m.connection);
            }
            for (int d = 0; d < 10; d++) {
                String topic = "fieldgate/s/dev-" + d + "/senml";
                List<String> expected = new ArrayList<>();
                for (int k = d; k < 5_000; k += 10) {
                    expected.add(new String(payloads.get(k), StandardCharsets.UTF_8));
                }
                assertEquals(expected, byTopic.get(topic), topic + ": every message once, in order");
                assertEquals(1, connectionsByTopic.get(topic).size(), topic + " on one connection");
            }
            // the same connections carry a second run with their counts still exact
            pub.send(pub.plan(topics.subList(0, 100), payloads.subList(0, 100)), Duration.ofSeconds(30));
            assertEquals(5_100, pub.acknowledged());
            broker.assertNoErrors();
        }
    }

    @Test
    void aPubackForAnIdNotInFlightFailsTheRun() throws Exception {
        String message = failureOfOneDevice(id -> id == 5 ? 40_000 : id, 50, Duration.ofSeconds(10));
        assertTrue(message.contains("PUBACK for packet id 40000, which is not in flight"), message);
    }

    @Test
    void aBrokerThatAcknowledgesNothingTimesOutNamingTheMissingPubacks() throws Exception {
        String message = failureOfOneDevice(id -> -1, 5, Duration.ofMillis(300));
        assertTrue(message.contains("5 messages without PUBACK"), message);
    }

    /** {@code messages} one-byte messages of one device over one connection (10 in flight); the failure's message. */
    private static String failureOfOneDevice(IntUnaryOperator ackId, int messages, Duration timeout) throws Exception {
        try (FakeBroker broker = new FakeBroker(ackId);
             RawMqttPublisher pub = new RawMqttPublisher(broker.url(), "t", 1, 10)) {
            List<String> topics = Collections.nCopies(messages, "fieldgate/s/dev-1/senml");
            List<byte[]> payloads = Collections.nCopies(messages, new byte[] {'x'});
            return assertThrows(IllegalStateException.class, () -> pub.send(pub.plan(topics, payloads), timeout)).getMessage();
        }
    }

    private record Received(int connection, String topic, String payload) {
    }

    /** Accepts connections, answers CONNECT with CONNACK 0 and each PUBLISH with a PUBACK for ackId(id) (-1: none). */
    private static final class FakeBroker implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
        private final IntUnaryOperator ackId;
        private final List<Socket> sockets = Collections.synchronizedList(new ArrayList<>());
        final List<Received> received = Collections.synchronizedList(new ArrayList<>());
        private final Map<Integer, Throwable> errors = new ConcurrentHashMap<>();

        FakeBroker(IntUnaryOperator ackId) throws IOException {
            this.ackId = ackId;
            Thread acceptor = new Thread(this::accept, "fake-broker");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        String url() {
            return "tcp://127.0.0.1:" + server.getLocalPort();
        }

        private void accept() {
            for (int n = 0; ; n++) {
                try {
                    Socket s = server.accept();
                    sockets.add(s);
                    int connection = n;
                    Thread t = new Thread(() -> serve(connection, s), "fake-broker-" + n);
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return; // closed
                }
            }
        }

        private void serve(int connection, Socket s) {
            try (s) {
                DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream()));
                OutputStream out = s.getOutputStream();
                while (true) {
                    int type;
                    try {
                        type = in.readUnsignedByte();
                    } catch (EOFException e) {
                        return;
                    }
                    int length = 0;
                    for (int shift = 0; ; shift += 7) {
                        int b = in.readUnsignedByte();
                        length |= (b & 0x7F) << shift;
                        if ((b & 0x80) == 0) {
                            break;
                        }
                    }
                    byte[] body = in.readNBytes(length);
                    switch (type) {
                        case 0x10 -> out.write(new byte[] {0x20, 2, 0, 0});
                        case 0x32 -> {
                            int topicLength = ((body[0] & 0xFF) << 8) | (body[1] & 0xFF);
                            String topic = new String(body, 2, topicLength, StandardCharsets.UTF_8);
                            int id = ((body[2 + topicLength] & 0xFF) << 8) | (body[3 + topicLength] & 0xFF);
                            String payload = new String(body, 4 + topicLength, body.length - 4 - topicLength, StandardCharsets.UTF_8);
                            received.add(new Received(connection, topic, payload));
                            int ack = ackId.applyAsInt(id);
                            if (ack >= 0) {
                                out.write(new byte[] {0x40, 2, (byte) (ack >> 8), (byte) ack});
                            }
                        }
                        case 0xE0 -> {
                            return;
                        }
                        default -> throw new IOException("unexpected packet type " + type);
                    }
                }
            } catch (IOException | RuntimeException e) {
                errors.put(connection, e);
            }
        }

        void assertNoErrors() {
            assertTrue(errors.isEmpty(), "fake broker errors: " + errors);
        }

        @Override
        public void close() throws IOException {
            server.close();
            synchronized (sockets) {
                for (Socket s : sockets) {
                    s.close();
                }
            }
        }
    }
}
