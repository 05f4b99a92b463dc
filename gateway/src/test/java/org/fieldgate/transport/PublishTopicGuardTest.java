package org.fieldgate.transport;

import org.eclipse.paho.client.mqttv3.internal.wire.MqttWireMessage;
import org.fieldgate.testkit.RawMqttBroker;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PublishTopicGuardTest {

    /** A socket that hands out one byte per read and times out before every byte, as a slow link does. */
    private static final class TrickleSocket extends InputStream {
        private final byte[] bytes;
        private int pos;
        private boolean timeoutNext = true;

        TrickleSocket(byte[] bytes) {
            this.bytes = bytes;
        }

        @Override
        public int read() throws IOException {
            if (pos == bytes.length) {
                return -1;
            }
            if (timeoutNext) {
                timeoutNext = false;
                throw new SocketTimeoutException("Read timed out");
            }
            timeoutNext = true;
            return bytes[pos++] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int v = read();
            if (v < 0) {
                return -1;
            }
            b[off] = (byte) v;
            return 1;
        }
    }

    private static byte[] publish(byte[] topic, int id, byte[] payload) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(topic.length >>> 8);
        body.write(topic.length);
        body.writeBytes(topic);
        body.write(id >>> 8);
        body.write(id);
        body.writeBytes(payload);
        return RawMqttBroker.packet(0x32, body.toByteArray());
    }

    /** Everything the guard passes on, read as Paho does: retrying after each socket timeout. */
    private static byte[] drain(PublishTopicGuard guard) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[7];
        while (true) {
            int n;
            try {
                n = guard.read(buffer, 0, buffer.length);
            } catch (SocketTimeoutException e) {
                continue;
            }
            if (n < 0) {
                return out.toByteArray();
            }
            out.write(buffer, 0, n);
        }
    }

    @Test
    void aTopicWithANewlineIsRewrittenToItsEscapeAndEverythingElsePassesUnchanged() throws IOException {
        byte[] payload = new byte[300]; // a two-byte remaining length
        java.util.Arrays.fill(payload, (byte) 'x');
        byte[] good = publish("fieldgate/a/b/senml".getBytes(StandardCharsets.UTF_8), 1, payload);
        byte[] poison = publish("fieldgate/a/b\nc/senml".getBytes(StandardCharsets.UTF_8), 2, payload);
        byte[] ping = {(byte) 0xD0, 0};
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        wire.writeBytes(good);
        wire.writeBytes(poison);
        wire.writeBytes(ping);

        PublishTopicGuard guard = new PublishTopicGuard(new TrickleSocket(wire.toByteArray()));
        byte[] passed = drain(guard);

        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.writeBytes(good);
        expected.writeBytes(publish("fieldgate/a/b\\u000Ac/senml".getBytes(StandardCharsets.US_ASCII), 2, payload));
        expected.writeBytes(ping);
        assertArrayEquals(expected.toByteArray(), passed);
        assertEquals(Optional.empty(), guard.takeIfRewritten("fieldgate/a/b/senml"));
        var refused = guard.takeIfRewritten("fieldgate/a/b\\u000Ac/senml").orElseThrow();
        assertEquals("topic has U+000A at character 13, a character the MQTT client refuses (\"Invalid UTF-8 char: [a]\"); "
                + "MQTT 3.1.1 section 1.5.3 forbids control characters and non-characters in topics", refused.reason());
        assertEquals(Optional.empty(), guard.takeIfRewritten("fieldgate/a/b\\u000Ac/senml"), "taken once");
    }

    @Test
    void whatPahoRefusesIsWhatTheGuardRefuses() {
        String[] topics = {"fieldgate/plot-\u00E4/probe-1/senml", "fieldgate/a/b/senml", "a\u0000b", "a\rb", "a\tb",
                "a\u007Fb", "a\u0085b", "a\uFFFEb", "a\uFDD0b", "probe-\uD83D\uDE00", "a\u00A0b"};
        int refused = 0;
        for (String topic : topics) {
            byte[] packet = publish(topic.getBytes(StandardCharsets.UTF_8), 1, new byte[1]);
            boolean pahoRefuses;
            try {
                MqttWireMessage.createWireMessage(packet);
                pahoRefuses = false;
            } catch (IllegalArgumentException e) {
                pahoRefuses = true;
            } catch (Exception e) {
                throw new AssertionError(PublishTopicGuard.escape(topic) + ": " + e, e);
            }
            refused += pahoRefuses ? 1 : 0;
            assertEquals(pahoRefuses, PublishTopicGuard.unacceptable(topic.getBytes(StandardCharsets.UTF_8)).isPresent(),
                    "guard and Paho agree on " + PublishTopicGuard.escape(topic));
        }
        assertTrue(refused >= 7, "Paho refused " + refused + " of the " + topics.length + " topics");
    }

    /** A socket that hands out random-sized pieces and times out now and then. */
    private static final class ChunkySocket extends InputStream {
        private final byte[] bytes;
        private final java.util.Random random;
        private int pos;

        ChunkySocket(byte[] bytes, long seed) {
            this.bytes = bytes;
            this.random = new java.util.Random(seed);
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (pos == bytes.length) {
                return -1;
            }
            if (random.nextInt(8) == 0) {
                throw new SocketTimeoutException("Read timed out");
            }
            int n = Math.min(Math.min(len, bytes.length - pos), 1 + random.nextInt(random.nextBoolean() ? 16 : 5000));
            System.arraycopy(bytes, pos, b, off, n);
            pos += n;
            return n;
        }
    }

    /** "fieldgate/" and 0-40 (now and then up to 600) printable ASCII characters. */
    private static StringBuilder randomTopic(java.util.Random random) {
        StringBuilder topic = new StringBuilder("fieldgate/");
        int length = random.nextInt(random.nextInt(20) == 0 ? 600 : 40);
        for (int c = 0; c < length; c++) {
            topic.append((char) (0x20 + random.nextInt(0x5f)));
        }
        return topic;
    }

    /** A PINGRESP, PUBACK, SUBACK or CONNACK (with 0-3 bytes of body). */
    private static byte[] randomOtherPacket(java.util.Random random) {
        return RawMqttBroker.packet(new int[]{0xD0, 0x40, 0x90, 0x20}[random.nextInt(4)], new byte[random.nextInt(4)]);
    }

    @Test
    void thousandsOfPacketsInRandomPiecesPassUnchangedOrWithTheirTopicEscaped() throws IOException {
        for (long seed = 0; seed < 10; seed++) {
            java.util.Random random = new java.util.Random(seed);
            ByteArrayOutputStream wire = new ByteArrayOutputStream();
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            java.util.List<String> rewritten = new java.util.ArrayList<>();
            for (int k = 0; k < 2_000; k++) {
                int kind = random.nextInt(10);
                if (kind == 0) {
                    byte[] other = randomOtherPacket(random);
                    wire.writeBytes(other);
                    expected.writeBytes(other);
                    continue;
                }
                StringBuilder topic = randomTopic(random);
                boolean poison = kind == 1;
                if (poison) {
                    topic.insert(random.nextInt(topic.length() + 1), '\n');
                }
                byte[] payload = new byte[random.nextInt(random.nextInt(10) == 0 ? 20_000 : 200)];
                random.nextBytes(payload);
                int id = 1 + random.nextInt(65_535);
                wire.writeBytes(publish(topic.toString().getBytes(StandardCharsets.UTF_8), id, payload));
                String passed = poison ? PublishTopicGuard.escape(topic.toString()) : topic.toString();
                expected.writeBytes(publish(passed.getBytes(StandardCharsets.UTF_8), id, payload));
                if (poison) {
                    rewritten.add(passed);
                }
            }
            PublishTopicGuard guard = new PublishTopicGuard(new ChunkySocket(wire.toByteArray(), seed));
            assertArrayEquals(expected.toByteArray(), drain(guard), "seed " + seed);
            for (String topic : rewritten) {
                assertTrue(guard.takeIfRewritten(topic).isPresent(), "rewritten and remembered: " + topic);
            }
        }
    }

    /** What a sink was handed, in order. */
    private record Handed(String topic, int qos, int packetId, byte[] payload, String refusal) {
        String describe() {
            return topic + " qos " + qos + " id " + packetId + " " + java.util.Arrays.toString(payload) + " " + refusal;
        }
    }

    private static byte[] publishQos(int qos, byte[] topic, int id, byte[] payload) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(topic.length >>> 8);
        body.write(topic.length);
        body.writeBytes(topic);
        if (qos > 0) {
            body.write(id >>> 8);
            body.write(id);
        }
        body.writeBytes(payload);
        return RawMqttBroker.packet(0x30 | (qos << 1), body.toByteArray());
    }

    @Test
    void withASinkEveryQos0And1PublishGoesToItWholeAndPahoSeesOnlyTheRest() throws IOException {
        for (long seed = 0; seed < 10; seed++) {
            java.util.Random random = new java.util.Random(seed);
            ByteArrayOutputStream wire = new ByteArrayOutputStream();
            ByteArrayOutputStream toPaho = new ByteArrayOutputStream();
            java.util.List<Handed> expected = new java.util.ArrayList<>();
            for (int k = 0; k < 2_000; k++) {
                int kind = random.nextInt(12);
                if (kind == 0) {
                    byte[] other = randomOtherPacket(random);
                    wire.writeBytes(other);
                    toPaho.writeBytes(other);
                    continue;
                }
                StringBuilder topic = randomTopic(random);
                if (kind == 1) {
                    topic.insert(random.nextInt(topic.length() + 1), '\n');
                } else if (kind == 2) {
                    topic.append("/plot-\u00E4"); // not ASCII, but a topic Paho takes
                }
                int qos = kind == 3 ? 0 : kind == 4 ? 2 : 1;
                byte[] payload = new byte[random.nextInt(random.nextInt(10) == 0 ? 20_000 : 200)];
                random.nextBytes(payload);
                int id = qos == 0 ? 0 : 1 + random.nextInt(65_535);
                byte[] packet = publishQos(qos, topic.toString().getBytes(StandardCharsets.UTF_8), id, payload);
                wire.writeBytes(packet);
                if (qos == 2) {
                    toPaho.writeBytes(packet); // Paho's to refuse: the gateway subscribes at QoS 1
                } else if (kind == 1) {
                    String escaped = PublishTopicGuard.escape(topic.toString());
                    expected.add(new Handed(escaped, qos, id, payload, PublishTopicGuard.unacceptable(
                            topic.toString().getBytes(StandardCharsets.UTF_8)).orElseThrow()));
                } else {
                    expected.add(new Handed(topic.toString(), qos, id, payload, null));
                }
            }
            java.util.List<Handed> handed = new java.util.ArrayList<>();
            PublishTopicGuard guard = new PublishTopicGuard(new ChunkySocket(wire.toByteArray(), seed),
                    (topic, qos, packetId, payload, refusal) -> handed.add(new Handed(topic, qos, packetId, payload, refusal)));
            assertArrayEquals(toPaho.toByteArray(), drain(guard), "seed " + seed);
            assertEquals(expected.size(), handed.size(), "seed " + seed);
            for (int i = 0; i < expected.size(); i++) {
                assertEquals(expected.get(i).describe(), handed.get(i).describe(), "seed " + seed + ", message " + i);
            }
        }
    }

    @Test
    void aPublishCutOffByTheEndOfTheStreamIsNotHandedOnAndASinkFailureDropsTheConnection() throws IOException {
        byte[] whole = publishQos(1, "fieldgate/a/b/senml".getBytes(StandardCharsets.UTF_8), 7, new byte[100]);
        java.util.List<Integer> ids = new java.util.ArrayList<>();
        for (int cut = 1; cut < whole.length; cut++) {
            ByteArrayOutputStream wire = new ByteArrayOutputStream();
            wire.writeBytes(whole);
            wire.write(whole, 0, cut);
            ids.clear();
            PublishTopicGuard guard = new PublishTopicGuard(new TrickleSocket(wire.toByteArray()),
                    (topic, qos, packetId, payload, refusal) -> ids.add(packetId));
            byte[] passed = drain(guard);
            assertEquals(java.util.List.of(7), ids, "cut at " + cut);
            // a head cut off before its topic was whole goes to Paho, which sees the end of the stream after it
            assertTrue(passed.length <= Math.min(cut, 2 + 2 + "fieldgate/a/b/senml".length()), "cut at " + cut);
        }
        PublishTopicGuard failing = new PublishTopicGuard(new TrickleSocket(whole), (topic, qos, packetId, payload, refusal) -> {
            throw new IllegalStateException("spool closed");
        });
        IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> drain(failing));
        assertEquals("ingest failed on a message from fieldgate/a/b/senml: java.lang.IllegalStateException: spool closed",
                e.getMessage());
    }
}
