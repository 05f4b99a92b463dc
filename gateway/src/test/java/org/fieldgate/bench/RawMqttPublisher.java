package org.fieldgate.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The end-to-end runs' publisher: MQTT 3.1.1 over plain sockets, QoS 1, several connections, each with a thread of its
 * own and its own devices (a device's messages all go through one connection, in order). At one reading per message a
 * single Paho client (one sender thread, a token and a callback per message) was the limit of the earlier runs at
 * 6,500-6,900 messages/s, below what the servers take; here a message costs a few bytes of header written into a
 * buffered socket, flushed when the window is full or the connection has nothing more to send.
 *
 * <p>Counts are exact: every packet id in flight is tracked, a PUBACK for an id not in flight fails the run, and a
 * connection is done only when it has as many PUBACKs as PUBLISHes. At most {@code inflightPerConnection} messages
 * per connection await their PUBACK ({@link #inflightTotal()} in all). Clean session, no keep-alive (the connections
 * live for one run), no retries: any failure fails the run.
 */
final class RawMqttPublisher implements AutoCloseable {
    private final List<Connection> connections = new ArrayList<>();
    private final int inflightPerConnection;

    RawMqttPublisher(String url, String clientIdPrefix, int connectionCount, int inflightPerConnection) throws IOException {
        if (connectionCount < 1 || inflightPerConnection < 1 || inflightPerConnection > 65_000) {
            throw new IllegalArgumentException("connections must be >= 1 and in flight 1..65000, not " + connectionCount
                    + " and " + inflightPerConnection);
        }
        this.inflightPerConnection = inflightPerConnection;
        URI uri = URI.create(url);
        if (!"tcp".equals(uri.getScheme())) {
            throw new IllegalArgumentException("the raw publisher speaks tcp:// only, not " + url);
        }
        try {
            for (int i = 0; i < connectionCount; i++) {
                connections.add(new Connection(uri.getHost(), uri.getPort(), clientIdPrefix + "-" + i, inflightPerConnection));
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    int connections() {
        return connections.size();
    }

    int inflightTotal() {
        return connections.size() * inflightPerConnection;
    }

    /**
     * The messages of one run, prepared before the clock starts: topics encoded, and each device (topic) given to a
     * connection in turn as it first appears, so that connections carry equally many devices.
     */
    Plan plan(List<String> topics, List<byte[]> payloads) {
        if (topics.size() != payloads.size()) {
            throw new IllegalArgumentException(topics.size() + " topics for " + payloads.size() + " payloads");
        }
        Map<String, byte[]> encoded = new HashMap<>();
        Map<String, Integer> connectionOf = new HashMap<>();
        int[] counts = new int[connections.size()];
        int[] connection = new int[topics.size()];
        byte[][] topicBytes = new byte[topics.size()][];
        for (int k = 0; k < topics.size(); k++) {
            String topic = topics.get(k);
            topicBytes[k] = encoded.computeIfAbsent(topic, t -> t.getBytes(StandardCharsets.UTF_8));
            connection[k] = connectionOf.computeIfAbsent(topic, t -> connectionOf.size() % connections.size());
            counts[connection[k]]++;
        }
        int[][] indices = new int[connections.size()][];
        for (int c = 0; c < counts.length; c++) {
            indices[c] = new int[counts[c]];
        }
        int[] filled = new int[connections.size()];
        for (int k = 0; k < topics.size(); k++) {
            indices[connection[k]][filled[connection[k]]++] = k;
        }
        return new Plan(topicBytes, payloads, indices, connectionOf.size());
    }

    /** The prepared messages: per connection the indices of its messages, in the order given. */
    record Plan(byte[][] topics, List<byte[]> payloads, int[][] indices, int devices) {
        int messages() {
            return topics.length;
        }
    }

    /**
     * Publishes every message of {@code plan} and returns when each has its PUBACK (or throws: a connection failed,
     * a PUBACK was missing after {@code timeout}, or the PUBACKs did not match the PUBLISHes one to one).
     */
    void send(Plan plan, Duration timeout) throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int c = 0; c < connections.size(); c++) {
            Connection connection = connections.get(c);
            int[] mine = plan.indices()[c];
            Thread t = new Thread(() -> {
                try {
                    for (int k : mine) {
                        connection.publish(plan.topics()[k], plan.payloads().get(k));
                    }
                    connection.awaitAllAcknowledged(timeout);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                    connection.fail(e); // wakes nothing else up; the other connections finish or time out on their own
                }
            }, "raw-publisher-" + c);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("publishing failed: " + failure.get(), failure.get());
        }
    }

    /** PUBACKs received over all connections since they opened. */
    long acknowledged() {
        return connections.stream().mapToLong(c -> c.acked.get()).sum();
    }

    @Override
    public void close() {
        RuntimeException first = null;
        for (Connection c : connections) {
            try {
                c.close();
            } catch (RuntimeException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** One MQTT connection: the caller's thread writes PUBLISHes, a reader thread takes the PUBACKs. */
    static final class Connection implements AutoCloseable {
        private static final int PUBACK = 0x40;
        private final Socket socket;
        private final OutputStream out;
        private final DataInputStream in;
        private final Semaphore window;
        private final int inflight;
        private final AtomicIntegerArray inFlight = new AtomicIntegerArray(65_536);
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final Thread reader;
        final AtomicLong acked = new AtomicLong();
        private long sent;
        private int nextId = 1;
        private volatile boolean closing;

        Connection(String host, int port, String clientId, int inflight) throws IOException {
            this.inflight = inflight;
            this.window = new Semaphore(inflight);
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, port), 10_000);
            socket.setSoTimeout(0);
            out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
            in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 64 * 1024));
            out.write(connectPacket(clientId));
            out.flush();
            socket.setSoTimeout(15_000);
            int type = in.readUnsignedByte();
            int length = in.readUnsignedByte();
            int flags = in.readUnsignedByte();
            int code = in.readUnsignedByte();
            if (type != 0x20 || length != 2 || code != 0) {
                socket.close();
                throw new IOException("CONNACK for " + clientId + " refused: type " + type + ", length " + length + ", flags "
                        + flags + ", return code " + code);
            }
            socket.setSoTimeout(0);
            reader = new Thread(this::readAcks, "raw-publisher-acks-" + clientId);
            reader.setDaemon(true);
            reader.start();
        }

        /** CONNECT, MQTT 3.1.1: clean session, keep-alive 0 (off), no will, no credentials. */
        static byte[] connectPacket(String clientId) {
            byte[] id = clientId.getBytes(StandardCharsets.UTF_8);
            byte[] variable = {0, 4, 'M', 'Q', 'T', 'T', 4, 0x02, 0, 0};
            int remaining = variable.length + 2 + id.length;
            byte[] length = remainingLength(remaining);
            byte[] packet = new byte[1 + length.length + remaining];
            packet[0] = 0x10;
            System.arraycopy(length, 0, packet, 1, length.length);
            int p = 1 + length.length;
            System.arraycopy(variable, 0, packet, p, variable.length);
            p += variable.length;
            packet[p++] = (byte) (id.length >> 8);
            packet[p++] = (byte) id.length;
            System.arraycopy(id, 0, packet, p, id.length);
            return packet;
        }

        /** MQTT's variable-length "remaining length": 7 bits a byte, least significant first, at most 4 bytes. */
        static byte[] remainingLength(int value) {
            if (value < 0 || value > 268_435_455) {
                throw new IllegalArgumentException("remaining length " + value + " is beyond MQTT's 268,435,455");
            }
            byte[] buffer = new byte[4];
            int n = 0;
            do {
                int digit = value % 128;
                value /= 128;
                buffer[n++] = (byte) (value > 0 ? digit | 0x80 : digit);
            } while (value > 0);
            return java.util.Arrays.copyOf(buffer, n);
        }

        /** Writes one QoS 1 PUBLISH once the window has room (flushing what is buffered before it waits). */
        void publish(byte[] topic, byte[] payload) throws IOException, InterruptedException {
            if (!window.tryAcquire()) {
                out.flush();
                if (!window.tryAcquire(120, TimeUnit.SECONDS)) {
                    throw new IOException("no PUBACK for " + inflight + " messages in flight within 120 s");
                }
            }
            throwIfFailed();
            int id = nextId;
            while (inFlight.get(id) != 0) { // never more than the window is taken, so a free id is near
                id = id == 65_535 ? 1 : id + 1;
            }
            nextId = id == 65_535 ? 1 : id + 1;
            inFlight.set(id, 1);
            out.write(0x32); // PUBLISH, QoS 1, not DUP, not retained
            out.write(remainingLength(2 + topic.length + 2 + payload.length));
            out.write(topic.length >> 8);
            out.write(topic.length & 0xff);
            out.write(topic);
            out.write(id >> 8);
            out.write(id & 0xff);
            out.write(payload);
            sent++;
        }

        /** Flushes and waits until every PUBLISH written has its PUBACK; then PUBACKs must equal PUBLISHes. */
        void awaitAllAcknowledged(Duration timeout) throws IOException, InterruptedException {
            out.flush();
            if (!window.tryAcquire(inflight, timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throwIfFailed();
                throw new IOException((inflight - window.availablePermits()) + " messages without PUBACK after "
                        + timeout.toSeconds() + " s");
            }
            window.release(inflight);
            throwIfFailed();
            if (acked.get() != sent) {
                throw new IOException(acked.get() + " PUBACKs for " + sent + " PUBLISHes");
            }
        }

        private void readAcks() {
            try {
                while (true) {
                    int type = in.read();
                    if (type < 0) {
                        if (!closing) {
                            fail(new EOFException("the broker closed the connection"));
                        }
                        return;
                    }
                    int length = in.readUnsignedByte();
                    if (type != PUBACK || length != 2) {
                        fail(new IOException("expected PUBACK, got packet type 0x" + Integer.toHexString(type) + " of length " + length));
                        return;
                    }
                    int id = in.readUnsignedShort();
                    if (!inFlight.compareAndSet(id, 1, 0)) {
                        fail(new IOException("PUBACK for packet id " + id + ", which is not in flight"));
                        return;
                    }
                    acked.incrementAndGet();
                    window.release();
                }
            } catch (IOException e) {
                if (!closing) {
                    fail(e);
                }
            }
        }

        void fail(Throwable e) {
            failure.compareAndSet(null, e);
            window.release(inflight); // the writer waiting for room sees the failure at once
        }

        private void throwIfFailed() throws IOException {
            Throwable f = failure.get();
            if (f != null) {
                throw new IOException("connection failed: " + f, f);
            }
        }

        @Override
        public void close() {
            closing = true;
            try {
                if (!socket.isClosed()) {
                    out.write(new byte[] {(byte) 0xE0, 0}); // DISCONNECT
                    out.flush();
                    socket.shutdownOutput();
                    reader.join(5_000); // the broker closes its side after DISCONNECT
                }
            } catch (IOException e) {
                // the broker already went away: nothing left to say to it
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                try {
                    socket.close();
                } catch (IOException e) {
                    System.err.println("raw publisher: closing a socket: " + e);
                }
            }
        }
    }
}
