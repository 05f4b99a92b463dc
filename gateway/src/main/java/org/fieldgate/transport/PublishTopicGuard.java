package org.fieldgate.transport;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.BufferedInputStream;
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
 *
 * <p>With a {@link Sink} (the gateway's subscriber on plain TCP), the guard reads every PUBLISH of QoS 0 or 1 in full
 * itself and hands it to the sink on Paho's receive thread; Paho sees only the other packets (CONNACK, SUBACK,
 * PINGRESP, and what it must refuse: a QoS 2 or malformed PUBLISH). Paho's own way in cost a decode into its message
 * objects, a queue and a wake-up of its callback thread per message (4-6 us of CPU per one-reading message between
 * the two threads, a quarter of the gateway's at one reading per message). With manual acknowledgements Paho keeps no
 * state for an inbound QoS 1 message, and the PUBACKs are written beside it ({@link PubackOutput}), so Paho misses
 * nothing it would have acted on.
 */
final class PublishTopicGuard extends FilterInputStream {
    private static final int PUBLISH = 3;
    private static final Pattern PAHO_CHAR = Pattern.compile("\\[([0-9a-fA-F]{1,4})\\]");

    /** Where the PUBLISHes read here go (Paho's receive thread calls it, one message at a time, in arrival order). */
    interface Sink {
        /**
         * One PUBLISH: its topic (escaped, with {@code refusal} saying why, when Paho could not have parsed it), QoS 0
         * or 1, packet id (0 for QoS 0) and payload. It may block; it throws to have the connection dropped.
         */
        void publish(String topic, int qos, int packetId, byte[] payload, String refusal);
    }

    /** A topic as rewritten for Paho, and why the original was refused. */
    record Refused(String escapedTopic, String reason) {
    }

    private final ConcurrentLinkedQueue<Refused> refused = new ConcurrentLinkedQueue<>();
    private volatile long lastReadNs = System.nanoTime();

    // bytes ready for Paho: a head released, ready[readyPos..readyEnd)
    private byte[] ready = new byte[64];
    private int readyPos;
    private int readyEnd;
    // bytes of the current packet that pass unexamined
    private long passThrough;
    // the packet head being read: fixed header, and for a PUBLISH the topic; the array swaps with ready's when
    // released (Paho has taken all of the previous head by then), so a packet costs no new array
    private byte[] head = new byte[64];
    private int headLength;
    private int phase; // 0 first byte, 1 remaining length, 2 topic length, 3 topic; for the sink: 4 packet id, 5 payload
    private int type;
    private int qos;
    private long remaining;
    private int multiplier;
    private int topicLength;
    private int topicRead;
    private final Sink sink;
    // a PUBLISH read for the sink: its topic, why it was refused (or null), packet id and payload so far
    private String sinkTopic;
    private String sinkRefusal;
    private int packetId;
    private int packetIdRead;
    private byte[] payload;
    private int payloadRead;

    PublishTopicGuard(InputStream socket) {
        this(socket, null);
    }

    /** With {@code sink} not null, PUBLISHes of QoS 0 and 1 go to it, not to Paho. */
    PublishTopicGuard(InputStream socket, Sink sink) {
        super(new BufferedInputStream(socket, 8192));
        this.sink = sink;
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
            if (readyPos < readyEnd) {
                int n = Math.min(len, readyEnd - readyPos);
                System.arraycopy(ready, readyPos, b, off, n);
                readyPos += n;
                return n;
            }
            if (passThrough > 0) {
                int n = in.read(b, off, (int) Math.min(len, passThrough));
                if (n > 0) {
                    passThrough -= n;
                }
                return n;
            }
            // A socket timeout here leaves the partial head (or the sink's partial payload) in place for the next call.
            if (phase == 5) {
                int n = payloadRead == payload.length ? 0 : in.read(payload, payloadRead, payload.length - payloadRead);
                if (n < 0) {
                    return endOfStreamInSinkPacket();
                }
                payloadRead += n;
                if (payloadRead == payload.length) {
                    toSink();
                }
                continue;
            }
            if (phase == 3) {
                // the topic, as many of its bytes as have come, at once
                int n = in.read(head, headLength, topicLength - topicRead);
                if (n < 0) {
                    releaseHead(0); // a truncated packet: Paho sees the end of the stream after it
                    continue;
                }
                headLength += n;
                topicRead += n;
                if (topicRead == topicLength) {
                    publishHeadComplete();
                }
                continue;
            }
            int next = in.read();
            if (next < 0 && phase == 4) {
                return endOfStreamInSinkPacket();
            }
            if (phase == 4) {
                packetId = (packetId << 8) | next;
                if (++packetIdRead == 2) {
                    phase = 5;
                }
                continue;
            }
            if (next < 0) {
                if (headLength == 0) {
                    return -1;
                }
                releaseHead(0); // a truncated packet: Paho sees the end of the stream after it
                continue;
            }
            step(next);
        }
    }

    @Override
    public int available() throws IOException {
        return readyEnd - readyPos;
    }

    private void append(int value) {
        if (headLength == head.length) {
            head = java.util.Arrays.copyOf(head, 2 * headLength);
        }
        head[headLength++] = (byte) value;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    /** One byte of the fixed header or the topic length (the topic itself is read in {@link #read} at once). */
    private void step(int value) {
        append(value);
        switch (phase) {
            case 0 -> {
                type = value >>> 4;
                qos = (value >>> 1) & 3;
                remaining = 0;
                multiplier = 1;
                phase = 1;
            }
            case 1 -> {
                remaining += (long) (value & 0x7f) * multiplier;
                multiplier *= 128;
                if ((value & 0x80) == 0 || multiplier > 128 * 128 * 128) {
                    if (type == PUBLISH && remaining >= 2) {
                        phase = 2;
                        topicLength = 0;
                        topicRead = 0;
                    } else {
                        releaseHead(remaining);
                    }
                }
            }
            case 2 -> {
                topicLength = (topicLength << 8) | value;
                if (++topicRead == 2) {
                    topicRead = 0;
                    if (topicLength == 0 || topicLength > remaining - 2) {
                        releaseHead(remaining - 2); // malformed: Paho's own checks deal with it
                    } else {
                        phase = 3;
                        if (head.length < headLength + topicLength) {
                            head = java.util.Arrays.copyOf(head, headLength + topicLength);
                        }
                    }
                }
            }
            default -> throw new IllegalStateException("topic bytes are read at once, not by step");
        }
    }

    /** The head (fixed header, topic length and topic) of a PUBLISH is in: check the topic as Paho will. */
    private void publishHeadComplete() {
        int topicStart = headLength - topicLength;
        // Printable ASCII, nearly every topic, is what Paho takes for sure: ask Paho itself only about the rest.
        boolean printable = printableAscii(head, topicStart, headLength);
        Optional<String> problem = printable ? Optional.empty()
                : unacceptable(java.util.Arrays.copyOfRange(head, topicStart, headLength));
        long rest = remaining - 2 - topicLength;
        if (sink != null && (qos == 0 || (qos == 1 && rest >= 2))) {
            // Printable ASCII is its own ISO-8859-1; anything else Paho would have taken is UTF-8 (its decodeUTF8).
            sinkTopic = problem.isPresent() ? escape(new String(head, topicStart, topicLength, StandardCharsets.UTF_8))
                    : new String(head, topicStart, topicLength, printable ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
            sinkRefusal = problem.orElse(null);
            packetId = 0;
            packetIdRead = 0;
            payload = new byte[(int) (rest - (qos == 1 ? 2 : 0))];
            payloadRead = 0;
            headLength = 0;
            phase = qos == 1 ? 4 : 5;
            return;
        }
        if (problem.isEmpty()) {
            releaseHead(remaining - 2 - topicLength);
            return;
        }
        byte[] all = java.util.Arrays.copyOf(head, headLength);
        byte[] escaped = escape(new String(all, topicStart, topicLength, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
        if (escaped.length > 65_535) {
            escaped = java.util.Arrays.copyOf(escaped, 65_535); // only ASCII: no character is cut
        }
        refused.add(new Refused(new String(escaped, StandardCharsets.US_ASCII), problem.get()));
        // the new head announces the rest of the packet (packet id, payload), which passes through unread
        long newRemaining = rest + 2 + escaped.length;
        headLength = 0;
        append(all[0]);
        do {
            int digit = (int) (newRemaining % 128);
            newRemaining /= 128;
            append(newRemaining > 0 ? digit | 0x80 : digit);
        } while (newRemaining > 0);
        append(escaped.length >>> 8);
        append(escaped.length & 0xff);
        for (byte b : escaped) {
            append(b);
        }
        releaseHead(rest);
    }

    /** A whole PUBLISH is read: to the sink; a sink's failure drops the connection (Paho sees an IOException). */
    private void toSink() throws IOException {
        String topic = sinkTopic;
        String refusal = sinkRefusal;
        byte[] body = payload;
        int id = packetId;
        int q = qos;
        clearSinkPacket();
        lastReadNs = System.nanoTime(); // the receive thread reads on, for the sink rather than for Paho
        try {
            sink.publish(topic, q, id, body, refusal);
        } catch (RuntimeException e) {
            throw new IOException("ingest failed on a message from " + topic + ": " + e, e);
        }
    }

    /** The stream ended inside a PUBLISH read for the sink: the partial message is dropped (never acknowledged). */
    private int endOfStreamInSinkPacket() {
        clearSinkPacket();
        return -1;
    }

    /** Ready for the next packet's first byte (the head was emptied when the PUBLISH went to the sink's phases). */
    private void clearSinkPacket() {
        sinkTopic = null;
        sinkRefusal = null;
        payload = null;
        phase = 0;
    }

    private static boolean printableAscii(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] < 0x20 || bytes[i] > 0x7e) {
                return false;
            }
        }
        return true;
    }

    private void releaseHead(long thenPass) {
        byte[] taken = ready; // Paho has read all of it
        ready = head;
        readyPos = 0;
        readyEnd = headLength;
        head = taken;
        headLength = 0;
        phase = 0;
        passThrough = thenPass;
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
