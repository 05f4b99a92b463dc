package org.fieldgate.transport;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.internal.wire.MqttWireMessage;

/**
 * Sits between the broker's socket and Paho's receive thread, one per connection. Paho 1.2.5 decodes a PUBLISH
 * topic and throws IllegalArgumentException ("Invalid UTF-8 char") on a control character or a non-character;
 * nothing catches it, so its receive thread dies, the connection looks up, nothing more is read, and the broker
 * redelivers the same message on every reconnect. This stream rewrites such a topic, before Paho sees it, into
 * its printable escape ({@code \u000A}) and remembers it, so the message arrives, is dead-lettered with the reason,
 * and is acknowledged like any other refused message. It also records when Paho last asked for bytes: its receive
 * thread asks at least once per socket timeout (1 s) while it is alive.
 */
final class PublishTopicGuard extends FilterInputStream {
    private static final int PUBLISH = 3;
    private static final Pattern PAHO_CHAR = Pattern.compile("\\[([0-9a-fA-F]{1,4})\\]");

    /** A topic as rewritten for Paho, and why the original was refused. */
    record Refused(String escapedTopic, String reason) {
    }

    private final ConcurrentLinkedQueue<Refused> refused = new ConcurrentLinkedQueue<>();
    private volatile long lastReadNs = System.nanoTime();

    /**
     * Bytes read from the socket and not yet passed on ({@code pos} to {@code limit}): a packet's head is examined here
     * in place, and the packet then passes on from it in bulk. Paho reads a packet's first bytes one at a time, and
     * through a BufferedInputStream and a head copied byte by byte each was two synchronized calls; at one reading per
     * message that was a good part of Paho's receive thread.
     */
    private byte[] buffer = new byte[8192];
    private int pos;
    private int limit;
    // a rewritten head, ready for Paho before the rest of its packet
    private byte[] ready = new byte[0];
    private int readyPos;
    // bytes of the current packet that pass on unexamined
    private long passThrough;
    // the head at pos, as headLength() found it: remaining length, and for a PUBLISH the topic's length (else -1)
    private long remaining;
    private int topicLength;

    PublishTopicGuard(InputStream socket) {
        super(socket);
    }

    /** Nanotime of Paho's last read call. */
    long lastReadNs() {
        return lastReadNs;
    }

    /** The next rewritten topic in arrival order, taken if {@code topic} is it. */
    Optional<Refused> takeIfRewritten(String topic) {
        Refused next = refused.peek();
        if (next != null && next.escapedTopic().equals(topic)) {
            return Optional.ofNullable(refused.poll());
        }
        return Optional.empty();
    }

    /** Paho reads a packet's first bytes one by one; only its receive thread reads, so one buffer serves all. */
    private final byte[] one = new byte[1];

    @Override
    public int read() throws IOException {
        if (passThrough > 0 && pos < limit && readyPos == ready.length) {
            lastReadNs = System.nanoTime();
            passThrough--;
            return buffer[pos++] & 0xff;
        }
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        lastReadNs = System.nanoTime();
        if (len == 0) {
            return 0;
        }
        while (true) {
            if (readyPos < ready.length) {
                int n = Math.min(len, ready.length - readyPos);
                System.arraycopy(ready, readyPos, b, off, n);
                readyPos += n;
                return n;
            }
            if (passThrough > 0) {
                if (pos < limit) {
                    int n = (int) Math.min(Math.min(len, limit - pos), passThrough);
                    System.arraycopy(buffer, pos, b, off, n);
                    pos += n;
                    passThrough -= n;
                    return n;
                }
                if (passThrough < buffer.length && len < buffer.length) {
                    // one socket read for this packet's rest and whatever follows it, as a BufferedInputStream reads
                    if (!fill(0)) {
                        return -1;
                    }
                    continue;
                }
                // a long payload goes from the socket straight into Paho's array
                int n = in.read(b, off, (int) Math.min(len, passThrough));
                if (n > 0) {
                    passThrough -= n;
                }
                return n;
            }
            // A socket timeout here leaves the partial head in the buffer for the next call.
            int head = headLength();
            if (head < 0) {
                if (pos == limit) {
                    return -1;
                }
                passThrough = limit - pos; // a truncated packet: Paho sees it, then the end of the stream
                continue;
            }
            examine(head);
        }
    }

    @Override
    public int available() {
        return ready.length - readyPos + (int) Math.min(passThrough, limit - pos);
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    /**
     * The length of the packet head at {@code pos} once all of it is in the buffer (fixed header, and for a PUBLISH
     * the topic's length and the topic), with {@link #remaining} and {@link #topicLength} set; -1 when the stream ends
     * first.
     */
    private int headLength() throws IOException {
        int need = 2;
        while (true) {
            if (limit - pos < need && !fill(need)) {
                return -1;
            }
            if (limit - pos < need) {
                continue;
            }
            int at = pos + 1;
            long length = 0;
            int multiplier = 1;
            boolean complete = false;
            while (at < limit) {
                int value = buffer[at++] & 0xff;
                length += (long) (value & 0x7f) * multiplier;
                multiplier *= 128;
                if ((value & 0x80) == 0 || multiplier > 128 * 128 * 128) {
                    complete = true;
                    break;
                }
            }
            if (!complete) {
                need = at - pos + 1;
                continue;
            }
            int fixed = at - pos;
            remaining = length;
            topicLength = -1;
            if ((buffer[pos] & 0xff) >>> 4 != PUBLISH || length < 2) {
                return fixed;
            }
            if (limit - at < 2) {
                need = fixed + 2;
                continue;
            }
            int topic = (buffer[at] & 0xff) << 8 | buffer[at + 1] & 0xff;
            if (topic == 0 || topic > length - 2) {
                return fixed; // malformed: Paho's own checks deal with it
            }
            need = fixed + 2 + topic;
            if (limit - pos < need) {
                continue;
            }
            topicLength = topic;
            return need;
        }
    }

    /** Reads more of the socket into the buffer, with room for {@code need} bytes from {@code pos}; false at its end. */
    private boolean fill(int need) throws IOException {
        if (pos > 0) {
            System.arraycopy(buffer, pos, buffer, 0, limit - pos);
            limit -= pos;
            pos = 0;
        }
        if (need > buffer.length) {
            buffer = java.util.Arrays.copyOf(buffer, Math.max(need, 2 * buffer.length)); // a topic near 64 KB
        }
        int n = in.read(buffer, limit, buffer.length - limit);
        if (n < 0) {
            return false;
        }
        limit += n;
        return true;
    }

    /** The head of {@code head} bytes at {@code pos} is in: a PUBLISH topic Paho would refuse is rewritten. */
    private void examine(int head) {
        // the whole packet: its fixed header and what the remaining length announces
        long packet = head - (topicLength < 0 ? 0 : 2 + topicLength) + remaining;
        if (topicLength < 0) {
            passThrough = packet;
            return;
        }
        int topicStart = pos + head - topicLength;
        // Printable ASCII, nearly every topic, is what Paho takes for sure: ask Paho itself only about the rest.
        Optional<String> problem = printableAscii(buffer, topicStart, pos + head) ? Optional.empty()
                : unacceptable(java.util.Arrays.copyOfRange(buffer, topicStart, pos + head));
        if (problem.isEmpty()) {
            passThrough = packet;
            return;
        }
        byte[] escaped = escape(new String(buffer, topicStart, topicLength, StandardCharsets.UTF_8))
                .getBytes(StandardCharsets.UTF_8);
        if (escaped.length > 65_535) {
            escaped = java.util.Arrays.copyOf(escaped, 65_535); // only ASCII: no character is cut
        }
        refused.add(new Refused(new String(escaped, StandardCharsets.US_ASCII), problem.get()));
        long rest = remaining - 2 - topicLength;
        // the new head announces the rest of the packet (packet id, payload), which passes through unread
        long newRemaining = rest + 2 + escaped.length;
        ByteArrayOutputStream rewritten = new ByteArrayOutputStream(escaped.length + 7);
        rewritten.write(buffer[pos]);
        do {
            int digit = (int) (newRemaining % 128);
            newRemaining /= 128;
            rewritten.write(newRemaining > 0 ? digit | 0x80 : digit);
        } while (newRemaining > 0);
        rewritten.write(escaped.length >>> 8);
        rewritten.write(escaped.length & 0xff);
        rewritten.write(escaped, 0, escaped.length);
        ready = rewritten.toByteArray();
        readyPos = 0;
        pos += head;
        passThrough = rest;
    }

    private static boolean printableAscii(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] < 0x20 || bytes[i] > 0x7e) {
                return false;
            }
        }
        return true;
    }

    /**
     * Why Paho would refuse this topic, or empty when it takes it. Asked of Paho itself, on a PUBLISH of this topic
     * alone, so the guard follows the client's rules exactly (1.2.5: control characters, lone surrogates,
     * non-characters, and some characters outside the Basic Multilingual Plane).
     */
    static Optional<String> unacceptable(byte[] topicUtf8) {
        byte[] probe = new byte[2 + topicUtf8.length];
        probe[0] = (byte) (topicUtf8.length >>> 8);
        probe[1] = (byte) topicUtf8.length;
        System.arraycopy(topicUtf8, 0, probe, 2, topicUtf8.length);
        try {
            MqttWireMessage.createWireMessage(packet(0x30, probe));
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.of(describe(new String(topicUtf8, StandardCharsets.UTF_8), e.getMessage()));
        } catch (MqttException e) {
            return Optional.empty(); // not about the topic's characters: Paho reports it as it always has
        }
    }

    /** Paho's message names the refused UTF-16 unit as [hex]; the reason names it and where it is. */
    private static String describe(String topic, String pahoMessage) {
        Matcher m = PAHO_CHAR.matcher(pahoMessage == null ? "" : pahoMessage);
        String where = "";
        if (m.find()) {
            char c = (char) Integer.parseInt(m.group(1), 16);
            int index = topic.indexOf(c);
            where = " has " + String.format("U+%04X", (int) c) + (index < 0 ? "" : " at character " + index) + ",";
        }
        return "topic" + where + " a character the MQTT client refuses (\"" + pahoMessage + "\"); MQTT 3.1.1 section 1.5.3 "
                + "forbids control characters and non-characters in topics";
    }

    private static byte[] packet(int firstByte, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + 5);
        out.write(firstByte);
        long remaining = body.length;
        do {
            int digit = (int) (remaining % 128);
            remaining /= 128;
            out.write(remaining > 0 ? digit | 0x80 : digit);
        } while (remaining > 0);
        out.writeBytes(body);
        return out.toByteArray();
    }

    /** The topic with every character outside printable ASCII written as {@code \\uXXXX}, and {@code \\} as {@code \\\\}. */
    static String escape(String topic) {
        StringBuilder sb = new StringBuilder(topic.length() + 16);
        for (int i = 0; i < topic.length(); i++) {
            char c = topic.charAt(i);
            if (c == '\\') {
                sb.append("\\\\");
            } else if (c >= 0x20 && c < 0x7f) {
                sb.append(c);
            } else {
                sb.append(String.format("\\u%04X", (int) c));
            }
        }
        return sb.toString();
    }
}
