package org.fieldgate.transport;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;

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

    /** A topic as rewritten for Paho, and why the original was refused. */
    record Refused(String escapedTopic, String reason) {
    }

    private final ConcurrentLinkedQueue<Refused> refused = new ConcurrentLinkedQueue<>();
    private volatile long lastReadNs = System.nanoTime();

    // bytes ready for Paho
    private byte[] ready = new byte[0];
    private int readyPos;
    // bytes of the current packet that pass unexamined
    private long passThrough;
    // the packet head being read: fixed header, and for a PUBLISH the topic
    private final ByteArrayOutputStream head = new ByteArrayOutputStream();
    private int phase; // 0 first byte, 1 remaining length, 2 topic length, 3 topic
    private int type;
    private long remaining;
    private int multiplier;
    private int topicLength;
    private int topicRead;

    PublishTopicGuard(InputStream socket) {
        super(new BufferedInputStream(socket, 8192));
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

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
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
                int n = in.read(b, off, (int) Math.min(len, passThrough));
                if (n > 0) {
                    passThrough -= n;
                }
                return n;
            }
            // A socket timeout here leaves the partial head in place for the next call.
            int next = in.read();
            if (next < 0) {
                if (head.size() == 0) {
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
        return ready.length - readyPos;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    private void step(int value) {
        head.write(value);
        switch (phase) {
            case 0 -> {
                type = value >>> 4;
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
                    }
                }
            }
            default -> {
                if (++topicRead == topicLength) {
                    publishHeadComplete();
                }
            }
        }
    }

    /** The head (fixed header, topic length and topic) of a PUBLISH is in: check the topic as Paho will. */
    private void publishHeadComplete() {
        byte[] all = head.toByteArray();
        int topicStart = all.length - topicLength;
        String topic = new String(all, topicStart, topicLength, StandardCharsets.UTF_8);
        Optional<String> problem = unacceptable(topic);
        if (problem.isEmpty()) {
            releaseHead(remaining - 2 - topicLength);
            return;
        }
        byte[] escaped = escape(topic).getBytes(StandardCharsets.UTF_8);
        if (escaped.length > 65_535) {
            escaped = java.util.Arrays.copyOf(escaped, 65_535); // only ASCII: no character is cut
        }
        refused.add(new Refused(new String(escaped, StandardCharsets.US_ASCII), problem.get()));
        long rest = remaining - 2 - topicLength;
        ByteArrayOutputStream rewritten = new ByteArrayOutputStream(escaped.length + 8);
        rewritten.write(all[0]);
        long newRemaining = rest + 2 + escaped.length;
        do {
            int digit = (int) (newRemaining % 128);
            newRemaining /= 128;
            rewritten.write(newRemaining > 0 ? digit | 0x80 : digit);
        } while (newRemaining > 0);
        rewritten.write(escaped.length >>> 8);
        rewritten.write(escaped.length & 0xff);
        rewritten.write(escaped, 0, escaped.length);
        head.reset();
        head.writeBytes(rewritten.toByteArray());
        releaseHead(rest);
    }

    private void releaseHead(long thenPass) {
        ready = head.toByteArray();
        readyPos = 0;
        head.reset();
        phase = 0;
        passThrough = thenPass;
    }

    /**
     * Why Paho 1.2.5 would refuse this topic (MqttWireMessage.validateUTF8String): control characters, lone
     * surrogates and non-characters; empty when it takes it.
     */
    static Optional<String> unacceptable(String topic) {
        for (int i = 0; i < topic.length(); i++) {
            char c = topic.charAt(i);
            boolean bad;
            if (Character.isHighSurrogate(c)) {
                if (i + 1 == topic.length() || !Character.isLowSurrogate(topic.charAt(i + 1))) {
                    bad = true;
                } else {
                    int cp = topic.codePointAt(i);
                    bad = (cp & 0xffff) >= 0xfffe;
                    i++;
                    if (bad) {
                        return Optional.of(describe(cp, i - 1));
                    }
                    continue;
                }
            } else {
                bad = Character.isISOControl(c) || Character.isLowSurrogate(c) || (c >= 0xfdd0 && (c <= 0xfddf || c >= 0xfffe));
            }
            if (bad) {
                return Optional.of(describe(c, i));
            }
        }
        return Optional.empty();
    }

    private static String describe(int codePoint, int index) {
        return "topic has " + String.format("U+%04X", codePoint) + " at character " + index
                + ", a control character or non-character that MQTT topics must not contain (MQTT 3.1.1 section 1.5.3)";
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
