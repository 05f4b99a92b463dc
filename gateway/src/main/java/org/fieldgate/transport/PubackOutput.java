package org.fieldgate.transport;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * The output side of one plain-TCP MQTT connection, between Paho and the socket: Paho's packets pass whole, and the
 * ingest committer's PUBACKs for a committed group go between two of them in one socket write.
 *
 * <p>Why not Paho's {@code messageArrivedComplete}: for each acknowledgement it builds a token whose constructor looks
 * up a resource bundle and makes a logger by reflection (about 1 us on this box), queues the PUBACK for its sender
 * thread and wakes it, and that thread writes and flushes 4 bytes, one system call and one broker wake-up per message.
 * With manual acknowledgements Paho keeps no state of its own for an inbound QoS 1 message (it only sends the PUBACK
 * when told), so the same 4 bytes written here are the same acknowledgement on the wire, sent after the same commit.
 *
 * <p>Paho's sender writes a packet in a few calls (header, payload in pieces) and then flushes; the bytes are held
 * until the packet is whole (its fixed header gives the length) and written under this stream's lock, so a PUBACK
 * never lands inside one of Paho's packets. Only Paho's sender thread calls {@link #write}; the committer calls
 * {@link #acknowledge}.
 */
final class PubackOutput extends OutputStream {
    private static final int PUBACK = 0x40;

    private final OutputStream socket;
    /** Paho's bytes of the packet not yet whole (its sender thread only). */
    private byte[] partial = new byte[64];
    private int partialLength;

    PubackOutput(OutputStream socket) {
        this.socket = socket;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[]{(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (partialLength + len > partial.length) {
            partial = Arrays.copyOf(partial, Math.max(2 * partial.length, partialLength + len));
        }
        System.arraycopy(b, off, partial, partialLength, len);
        partialLength += len;
        int whole = wholePackets(partial, partialLength);
        if (whole > 0) {
            synchronized (this) {
                socket.write(partial, 0, whole);
            }
            System.arraycopy(partial, whole, partial, 0, partialLength - whole);
            partialLength -= whole;
        }
    }

    /** Length of the whole MQTT packets at the start of {@code bytes} (fixed header: type, remaining length). */
    static int wholePackets(byte[] bytes, int length) {
        int at = 0;
        while (at < length) {
            int remaining = 0;
            int multiplier = 1;
            int i = at + 1;
            boolean more = true;
            for (int digits = 0; more; digits++) {
                if (i >= length) {
                    return at; // the length is not all here yet
                }
                if (digits == 4) {
                    throw new IllegalStateException("MQTT remaining length of more than 4 bytes in the client's output");
                }
                int digit = bytes[i++] & 0xff;
                remaining += (digit & 0x7f) * multiplier;
                multiplier *= 128;
                more = (digit & 0x80) != 0;
            }
            if (length - i < remaining) {
                return at;
            }
            at = i + remaining;
        }
        return at;
    }

    @Override
    public void flush() throws IOException {
        synchronized (this) {
            socket.flush();
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /**
     * Sends a PUBACK (MQTT 3.1.1 section 3.4) for each of the first {@code count} packet ids, in one write between
     * Paho's packets.
     */
    void acknowledge(int[] packetIds, int count) throws IOException {
        byte[] acks = new byte[4 * count];
        for (int k = 0; k < count; k++) {
            int id = packetIds[k];
            if (id < 1 || id > 0xFFFF) {
                throw new IllegalArgumentException("MQTT packet id " + id + " to acknowledge: 1-65535");
            }
            acks[4 * k] = (byte) PUBACK;
            acks[4 * k + 1] = 2;
            acks[4 * k + 2] = (byte) (id >>> 8);
            acks[4 * k + 3] = (byte) id;
        }
        synchronized (this) {
            socket.write(acks);
            socket.flush();
        }
    }
}
