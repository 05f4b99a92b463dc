package org.fieldgate.forward;

import java.util.Arrays;

/**
 * One /write body as it goes on the wire (UTF-8 line protocol, gzipped or plain); its array is refilled batch after
 * batch.
 */
final class WriteBody {
    private byte[] bytes;
    private int length;
    /** Line protocol bytes before gzip, for the logs and the tests. */
    private int plainLength;
    /** Whether the content is gzipped (sent with {@code Content-Encoding: gzip}) or plain line protocol. */
    private boolean gzipped;

    WriteBody(int initialBytes) {
        bytes = new byte[Math.max(64, initialBytes)];
    }

    byte[] array() {
        return bytes;
    }

    int length() {
        return length;
    }

    int plainLength() {
        return plainLength;
    }

    boolean gzipped() {
        return gzipped;
    }

    byte[] toByteArray() {
        return Arrays.copyOf(bytes, length);
    }

    void clear(int plainLength, boolean gzipped) {
        this.length = 0;
        this.plainLength = plainLength;
        this.gzipped = gzipped;
    }

    /** Room for at least {@code more} bytes after the content; the array (perhaps a new one) to write into. */
    byte[] room(int more) {
        if (length + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
        }
        return bytes;
    }

    void advance(int written) {
        length += written;
    }
}
