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
}
