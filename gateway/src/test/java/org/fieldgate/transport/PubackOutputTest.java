package org.fieldgate.transport;

import org.fieldgate.testkit.RawMqttBroker;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * What reaches the socket through {@link PubackOutput} is a sequence of whole MQTT packets: every one of Paho's, in
 * its order and unchanged however Paho's sender split it into writes, and every PUBACK the committer sent, in its
 * order, none of them inside one of Paho's packets, with Paho's sender and the committer writing at the same time.
 */
class PubackOutputTest {
    private static byte[] packet(int first, byte[] body) {
        return RawMqttBroker.packet(first, body);
    }

    /** Splits a byte stream into its packets; fails on a stream that does not end on a packet's end. */
    private static List<byte[]> packets(byte[] stream) {
        List<byte[]> out = new ArrayList<>();
        int at = 0;
        while (at < stream.length) {
            int end = at + 1 + lengthBytes(stream, at) + remaining(stream, at);
            if (end > stream.length) {
                throw new AssertionError("stream ends inside a packet at byte " + at);
            }
            out.add(Arrays.copyOfRange(stream, at, end));
            at = end;
        }
        return out;
    }

    private static int lengthBytes(byte[] s, int at) {
        int n = 1;
        while ((s[at + n] & 0x80) != 0) {
            n++;
        }
        return n;
    }

    private static int remaining(byte[] s, int at) {
        int value = 0;
        int multiplier = 1;
        for (int i = at + 1; ; i++) {
            value += (s[i] & 0x7f) * multiplier;
            multiplier *= 128;
            if ((s[i] & 0x80) == 0) {
                return value;
            }
        }
    }

    @Test
    void wholePacketsCountsOnlyCompletePacketsWithLengthsOfOneToFourBytes() {
        for (int size : new int[]{0, 1, 127, 128, 16_383, 16_384, 2_097_152}) {
            byte[] p = packet(0x30, new byte[size]);
            assertEquals(p.length, PubackOutput.wholePackets(p, p.length), size + " bytes");
            for (int cut : new int[]{1, 2, p.length - 1}) {
                if (cut < p.length) {
                    assertEquals(0, PubackOutput.wholePackets(p, cut), size + " bytes cut at " + cut);
                }
            }
        }
        byte[] two = new byte[6];
        System.arraycopy(packet(0xC0, new byte[0]), 0, two, 0, 2);
        System.arraycopy(packet(0x40, new byte[]{0, 7}), 0, two, 2, 4);
        assertEquals(6, PubackOutput.wholePackets(two, 6));
        assertEquals(2, PubackOutput.wholePackets(two, 5));
        byte[] tooLong = {0x30, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1};
        assertThrows(IllegalStateException.class, () -> PubackOutput.wholePackets(tooLong, tooLong.length));
    }

    @Test
    void packetsStayWholeAndInOrderWithAcknowledgementsWrittenMeanwhile() throws Exception {
        for (int run = 0; run < 20; run++) {
            ByteArrayOutputStream socket = new ByteArrayOutputStream();
            PubackOutput output = new PubackOutput(socket);
            Random random = new Random(run);
            List<byte[]> pahos = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                int type = new int[]{0x10, 0x82, 0xC0, 0xE0, 0x30}[random.nextInt(5)];
                byte[] body = new byte[random.nextInt(10) == 0 ? 20_000 + random.nextInt(5_000) : random.nextInt(200)];
                random.nextBytes(body);
                pahos.add(packet(type, body));
            }
            AtomicReference<Throwable> failed = new AtomicReference<>();
            Thread sender = new Thread(() -> {
                try {
                    Random split = new Random(1000 + pahos.size());
                    for (byte[] p : pahos) {
                        // as Paho's sender: a few writes of a packet (header, pieces of the payload), then a flush
                        int at = 0;
                        while (at < p.length) {
                            int n = Math.min(p.length - at, 1 + split.nextInt(1024));
                            if (n == 1) {
                                output.write(p[at]);
                            } else {
                                output.write(p, at, n);
                            }
                            at += n;
                        }
                        output.flush();
                    }
                } catch (Throwable t) {
                    failed.set(t);
                }
            });
            sender.start();
            int[] ids = new int[50];
            int next = 1;
            for (int group = 0; group < 200; group++) {
                int count = 1 + random.nextInt(ids.length);
                for (int k = 0; k < count; k++) {
                    ids[k] = next;
                    next = next % 65_535 + 1;
                }
                output.acknowledge(ids, count);
                if (random.nextBoolean()) {
                    Thread.yield();
                }
            }
            sender.join();
            assertNull(failed.get());
            List<byte[]> pahoSeen = new ArrayList<>();
            int ackSeen = 0;
            for (byte[] p : packets(socket.toByteArray())) {
                if ((p[0] & 0xff) == 0x40) {
                    ackSeen++;
                    assertEquals(4, p.length, "a PUBACK is 4 bytes");
                    assertEquals(ackSeen, ((p[2] & 0xff) << 8) | (p[3] & 0xff), "PUBACKs in the order sent");
                } else {
                    pahoSeen.add(p);
                }
            }
            assertEquals(next - 1, ackSeen);
            assertEquals(pahos.size(), pahoSeen.size());
            for (int i = 0; i < pahos.size(); i++) {
                assertArrayEquals(pahos.get(i), pahoSeen.get(i), "Paho's packet " + i);
            }
        }
    }

    @Test
    void anAcknowledgementIsMqttsPubackAndABadPacketIdIsRefused() throws IOException {
        ByteArrayOutputStream socket = new ByteArrayOutputStream();
        PubackOutput output = new PubackOutput(socket);
        output.acknowledge(new int[]{1, 0x1234, 65_535, 99}, 3);
        assertArrayEquals(new byte[]{0x40, 2, 0, 1, 0x40, 2, 0x12, 0x34, 0x40, 2, (byte) 0xff, (byte) 0xff},
                socket.toByteArray());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> output.acknowledge(new int[]{0}, 1));
        assertEquals("MQTT packet id 0 to acknowledge: 1-65535", e.getMessage());
    }
}
