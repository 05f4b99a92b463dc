package org.fieldgate.testkit;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A minimal MQTT 3.1.1 broker for one subscriber, speaking raw bytes, for what real brokers will not send: a
 * PUBLISH whose topic has a control character, or a malformed PUBLISH. It keeps a persistent session as a broker
 * with clean session off does: QoS 1 messages stay until PUBACKed and are sent again (DUP) on every new connection.
 * Every CONNECT and PUBACK is counted. On 127.0.0.1 only; not a broker for anything else.
 */
public final class RawMqttBroker implements AutoCloseable {
    private final ServerSocket server;
    private final Thread acceptor;
    private final Map<Integer, Message> unacknowledged = new LinkedHashMap<>();
    private final Map<Integer, AtomicInteger> pubacks = new ConcurrentHashMap<>();
    private final AtomicInteger connects = new AtomicInteger();
    private final List<byte[]> onceOnNextDelivery = new ArrayList<>();
    private int nextId = 1;
    private volatile Socket subscriber;
    private volatile boolean subscribed;

    private record Message(int id, byte[] topic, byte[] payload) {
    }

    private RawMqttBroker() throws IOException {
        server = new ServerSocket(FreePorts.next(), 16, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::acceptLoop, "raw-mqtt-broker-" + server.getLocalPort());
        acceptor.setDaemon(true);
    }

    public static RawMqttBroker started() {
        try {
            RawMqttBroker broker = new RawMqttBroker();
            broker.acceptor.start();
            return broker;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("could not open the raw MQTT broker's port", e);
        }
    }

    public String url() {
        return "tcp://127.0.0.1:" + server.getLocalPort();
    }

    /** Queues a QoS 1 message with these exact topic bytes (no validation); returns its packet id. */
    public synchronized int publish(byte[] topic, byte[] payload) {
        int id = nextId++;
        Message m = new Message(id, topic, payload);
        unacknowledged.put(id, m);
        if (subscribed) {
            send(subscriber, publishPacket(m, false));
        }
        return id;
    }

    /** Sends these raw bytes once, to the subscriber of now or of the next connection, before any queued message. */
    public synchronized void sendOnce(byte[] packet) {
        if (subscribed) {
            send(subscriber, packet);
        } else {
            onceOnNextDelivery.add(packet);
        }
    }

    /** CONNECT packets received. */
    public int connects() {
        return connects.get();
    }

    /** PUBACKs received for this packet id. */
    public int pubacks(int id) {
        AtomicInteger n = pubacks.get(id);
        return n == null ? 0 : n.get();
    }

    public synchronized int unacknowledged() {
        return unacknowledged.size();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                Thread t = new Thread(() -> serve(s), "raw-mqtt-connection");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket s) {
        try (s; DataInputStream in = new DataInputStream(s.getInputStream())) {
            while (true) {
                int first = in.read();
                if (first < 0) {
                    return;
                }
                int length = 0;
                for (int multiplier = 1; ; multiplier *= 128) {
                    int b = in.readUnsignedByte();
                    length += (b & 0x7f) * multiplier;
                    if ((b & 0x80) == 0) {
                        break;
                    }
                }
                byte[] body = in.readNBytes(length);
                switch (first >>> 4) {
                    case 1 -> { // CONNECT: session present = 0 is fine, the queue is what matters
                        connects.incrementAndGet();
                        synchronized (this) {
                            Socket previous = subscriber;
                            subscriber = s;
                            subscribed = false;
                            if (previous != null && previous != s) {
                                previous.close();
                            }
                        }
                        send(s, new byte[]{0x20, 2, 0, 0});
                    }
                    case 8 -> { // SUBSCRIBE: grant QoS 1, then deliver the session's queue
                        synchronized (this) {
                            send(s, new byte[]{(byte) 0x90, 3, body[0], body[1], 1});
                            subscribed = true;
                            for (byte[] once : onceOnNextDelivery) {
                                send(s, once);
                            }
                            onceOnNextDelivery.clear();
                            for (Message m : unacknowledged.values()) {
                                send(s, publishPacket(m, connects.get() > 1));
                            }
                        }
                    }
                    case 4 -> { // PUBACK
                        int id = ((body[0] & 0xff) << 8) | (body[1] & 0xff);
                        pubacks.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
                        synchronized (this) {
                            unacknowledged.remove(id);
                        }
                    }
                    case 12 -> send(s, new byte[]{(byte) 0xD0, 0}); // PINGREQ
                    case 14 -> {
                        return; // DISCONNECT
                    }
                    default -> {
                        // nothing else is expected from a subscriber
                    }
                }
            }
        } catch (IOException e) {
            // the client went away; its session stays
        }
    }

    private static byte[] publishPacket(Message m, boolean dup) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(m.topic.length >>> 8);
        body.write(m.topic.length & 0xff);
        body.writeBytes(m.topic);
        body.write(m.id >>> 8);
        body.write(m.id & 0xff);
        body.writeBytes(m.payload);
        return packet(dup ? 0x3A : 0x32, body.toByteArray());
    }

    /** A packet with this first byte and body, the remaining length encoded as MQTT does. */
    public static byte[] packet(int firstByte, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + 5);
        out.write(firstByte);
        int remaining = body.length;
        do {
            int digit = remaining % 128;
            remaining /= 128;
            out.write(remaining > 0 ? digit | 0x80 : digit);
        } while (remaining > 0);
        out.writeBytes(body);
        return out.toByteArray();
    }

    private static void send(Socket s, byte[] bytes) {
        try {
            OutputStream out = s.getOutputStream();
            synchronized (s) {
                out.write(bytes);
                out.flush();
            }
        } catch (IOException e) {
            // the client went away; what it did not acknowledge stays queued
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        Socket s = subscriber;
        if (s != null) {
            s.close();
        }
    }
}
