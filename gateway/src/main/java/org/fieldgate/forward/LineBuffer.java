package org.fieldgate.forward;

import java.util.Arrays;

/**
 * A growable byte array that line protocol is written into as UTF-8 directly (no String of the whole body and no
 * second copy to encode it), kept and refilled batch after batch by the thread that owns it.
 */
final class LineBuffer {
    private byte[] bytes;
    private int length;
    /** Writes a value's shortest digits straight into the bytes (Java 17's Double.toString was a tenth of the preparer). */
    private final ShortestDecimal decimal = new ShortestDecimal();

    LineBuffer(int initialBytes) {
        bytes = new byte[Math.max(64, initialBytes)];
    }

    void clear() {
        length = 0;
    }

    int length() {
        return length;
    }

    /** The backing array: bytes 0 to {@link #length()} are the content. */
    byte[] array() {
        return bytes;
    }

    byte[] toByteArray() {
        return Arrays.copyOf(bytes, length);
    }

    private void room(int more) {
        if (length + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
        }
    }

    LineBuffer append(char ascii) {
        room(1);
        bytes[length++] = (byte) ascii;
        return this;
    }

    /** {@code s} holds only ASCII characters (names and keywords of this code). */
    LineBuffer appendAscii(String s) {
        int n = s.length();
        room(n);
        for (int i = 0; i < n; i++) {
            bytes[length++] = (byte) s.charAt(i);
        }
        return this;
    }

    /** {@code s} as UTF-8, nothing escaped (line protocol made elsewhere). */
    LineBuffer appendUtf8(String s) {
        return appendUtf8(s, false);
    }

    /** {@code s} as UTF-8, a backslash before each space, comma and equals sign (a measurement, tag key or value). */
    LineBuffer appendEscapedKey(String s) {
        return appendUtf8(s, true);
    }

    private LineBuffer appendUtf8(String s, boolean key) {
        int n = s.length();
        room(n * 3); // at most 3 bytes per char: an escaped ASCII char is 2, a BMP char 3, a surrogate pair 4 for 2
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                if (key && escapedInKey(c)) {
                    bytes[length++] = '\\';
                }
                bytes[length++] = (byte) c;
            } else {
                i = appendNonAscii(s, i, c);
            }
        }
        return this;
    }

    /**
     * Line protocol's rule for a measurement, tag key, tag value or field key: a backslash before each space, comma and
     * equals sign (the bytes here, {@link InfluxLines}'s derived lines as text).
     */
    static boolean escapedInKey(char c) {
        return c == ' ' || c == ',' || c == '=';
    }

    /** One non-ASCII char (or surrogate pair) as String.getBytes(UTF_8) writes it; returns the last index used. */
    private int appendNonAscii(String s, int i, char c) {
        if (c < 0x800) {
            bytes[length++] = (byte) (0xC0 | (c >> 6));
            bytes[length++] = (byte) (0x80 | (c & 0x3F));
        } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
            int cp = Character.toCodePoint(c, s.charAt(i + 1));
            bytes[length++] = (byte) (0xF0 | (cp >> 18));
            bytes[length++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
            bytes[length++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
            bytes[length++] = (byte) (0x80 | (cp & 0x3F));
            return i + 1;
        } else if (Character.isSurrogate(c)) {
            bytes[length++] = '?'; // an unpaired surrogate, as the JDK's encoder replaces it
        } else {
            bytes[length++] = (byte) (0xE0 | (c >> 12));
            bytes[length++] = (byte) (0x80 | ((c >> 6) & 0x3F));
            bytes[length++] = (byte) (0x80 | (c & 0x3F));
        }
        return i;
    }

    /** A decimal integer; two digits per division (a 19-digit ns timestamp per reading was 8 % of the preparer). */
    LineBuffer appendLong(long v) {
        room(20);
        if (v == Long.MIN_VALUE) {
            return appendAscii("-9223372036854775808");
        }
        if (v < 0) {
            bytes[length++] = '-';
            v = -v;
        }
        int n = ShortestDecimal.digitCount(v);
        ShortestDecimal.writeDigits(v, bytes, length, n);
        length += n;
        return this;
    }

    /** A finite double as {@link InfluxLines#appendPlainDecimal} writes it. */
    LineBuffer appendPlainDecimal(double v) {
        room(ShortestDecimal.MAX_PLAIN_BYTES);
        length = decimal.writePlain(v, bytes, length);
        return this;
    }
}
