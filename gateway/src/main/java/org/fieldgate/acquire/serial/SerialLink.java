package org.fieldgate.acquire.serial;

import java.io.IOException;
import java.time.Duration;

/**
 * One serial port as a protocol driver sees it: bytes out, bytes in with a timeout. Modbus RTU over an RS-485
 * adapter and SDI-12 over an SDI-12 serial adapter both sit on top of this, so tests put a byte-exact fake
 * instrument on the other side and a real site puts a tty (see {@link Pi4jSerialLink}) there. Line settings
 * (baud, data bits, parity, stop bits) belong to whoever opens the port; {@link Settings} names them.
 *
 * <p>Implementations need not be thread-safe: one driver owns one link (one bus, one poller).
 */
public interface SerialLink extends AutoCloseable {

    /** Line settings, e.g. {@code 19200 8N2} for a GMP252 or {@code 1200 7E1} for SDI-12. */
    record Settings(int baud, int dataBits, char parity, int stopBits) {
        public Settings {
            if (baud <= 0 || dataBits < 5 || dataBits > 8 || "NEO".indexOf(parity) < 0 || stopBits < 1
                    || stopBits > 2) {
                throw new IllegalArgumentException("bad serial settings " + baud + " " + dataBits + parity + stopBits);
            }
        }

        /** Bits on the wire per character: start, data, parity, stop. */
        public int bitsPerChar() {
            return 1 + dataBits + (parity == 'N' ? 0 : 1) + stopBits;
        }

        /** Time one character takes on the wire. */
        public long charNanos() {
            return Math.round(bitsPerChar() * 1e9 / baud);
        }

        @Override
        public String toString() {
            return baud + " " + dataBits + parity + stopBits;
        }
    }

    /** Where the link goes, e.g. {@code /dev/ttyUSB0}; used in error messages and {@code Probe#address()}. */
    String port();

    Settings settings();

    /** Sends {@code tx} (the whole frame; an RS-485 adapter switches its driver back to receive afterwards). */
    void write(byte[] tx) throws IOException;

    /**
     * Waits up to {@code timeout} for input and returns what has arrived, at most {@code max} bytes: as soon
     * as at least one byte is there, or an empty array when the timeout passes with nothing.
     */
    byte[] read(int max, Duration timeout) throws IOException;

    /** Drops whatever input is waiting (a late answer to an earlier request, line noise). */
    void discardInput() throws IOException;

    /**
     * Holds the line in break (spacing) for {@code d}, as SDI-12 needs before a command. Links that cannot
     * (most Modbus adapters) throw {@link UnsupportedOperationException}; SDI-12 adapters that make the break
     * themselves are configured with {@code adapter-sends-break: true} and the driver does not call this.
     */
    default void sendBreak(Duration d) throws IOException {
        throw new UnsupportedOperationException(port() + " cannot send a break");
    }

    @Override
    void close();
}
