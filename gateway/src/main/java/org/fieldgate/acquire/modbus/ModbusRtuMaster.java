package org.fieldgate.acquire.modbus;

import org.fieldgate.acquire.BusClock;
import org.fieldgate.acquire.ProbeException;
import org.fieldgate.acquire.serial.BusErrorCounts;
import org.fieldgate.acquire.serial.SerialLink;

import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Modbus RTU client (master) for the two read functions the gateway's instruments need, over a
 * {@link SerialLink}.
 *
 * <p>References: "MODBUS Application Protocol Specification V1.1b3" (modbus.org, 2012), section 6.3 (0x03 Read
 * Holding Registers), 6.4 (0x04 Read Input Registers), section 7 (exception responses: function code + 0x80,
 * one exception code byte); "MODBUS over Serial Line Specification and Implementation Guide V1.02", section
 * 2.5.1 (RTU framing: address, PDU, CRC-16 low byte first; frames separated by at least 3.5 character times,
 * fixed at 1.75 ms above 19200 baud).
 *
 * <p>Every way an exchange can fail becomes a {@link ProbeException} naming the instrument: no answer
 * ({@code TIMEOUT}), a truncated frame ({@code TIMEOUT}), a CRC mismatch ({@code CRC}, counted), an exception
 * response or an answer that does not match the request ({@code BAD_RESPONSE}), an I/O error of the port
 * ({@code NACK}). Requests are never retried here; the probe decides.
 */
public final class ModbusRtuMaster implements BusErrorCounts {
    // application protocol section 6: function codes
    public static final int READ_HOLDING_REGISTERS = 0x03;
    public static final int READ_INPUT_REGISTERS = 0x04;
    /** Section 6.3/6.4: at most 125 registers per read. */
    public static final int MAX_REGISTERS = 125;

    static final Duration FRAME_SLACK = Duration.ofMillis(50);

    private final SerialLink link;
    private final BusClock clock;
    private final String model;
    private final Duration responseTimeout;
    private final long silenceNanos;
    private long lastFrameEnd = Long.MIN_VALUE / 2;
    private long crcErrors;
    private long busErrors;

    /**
     * @param responseTimeout how long to wait for the first byte of an answer (the serial-line guide, section
     *                        2.4.1, leaves it to the application); the rest of the frame then gets its time on
     *                        the wire plus {@link #FRAME_SLACK} (USB adapters deliver in bursts)
     */
    public ModbusRtuMaster(SerialLink link, String model, Duration responseTimeout, BusClock clock) {
        this.link = link;
        this.model = model;
        this.responseTimeout = responseTimeout;
        this.clock = clock;
        // serial-line guide 2.5.1.1: t3.5 = 3.5 character times, fixed 1.75 ms above 19200 baud
        this.silenceNanos = link.settings().baud() > 19200 ? 1_750_000
                : Math.round(3.5 * link.settings().charNanos());
    }

    public String address(int slave) {
        return link.port() + "/" + slave;
    }

    @Override
    public long crcErrors() {
        return crcErrors;
    }

    @Override
    public long busErrors() {
        return busErrors;
    }

    /**
     * Reads {@code count} registers from {@code start} (0-based PDU address) of {@code slave} with function
     * 0x03 or 0x04; returns them as unsigned 16-bit values.
     */
    public int[] readRegisters(int slave, int function, int start, int count) throws ProbeException {
        if (slave < 1 || slave > 247) {
            throw new IllegalArgumentException("Modbus slave address must be 1-247, not " + slave);
        }
        if (function != READ_HOLDING_REGISTERS && function != READ_INPUT_REGISTERS) {
            throw new IllegalArgumentException("function 0x" + Integer.toHexString(function) + " is not a register read");
        }
        if (count < 1 || count > MAX_REGISTERS || start < 0 || start + count > 0x10000) {
            throw new IllegalArgumentException("bad register range " + start + "+" + count);
        }
        String where = address(slave);
        byte[] request = ModbusCrc.frame((byte) slave, (byte) function, (byte) (start >> 8), (byte) start,
                (byte) (count >> 8), (byte) count);
        byte[] response;
        try {
            waitForSilence();
            link.discardInput();
            link.write(request);
            response = readFrame(5 + 2 * count, function);
        } catch (IOException e) {
            busErrors++;
            throw new ProbeException(model, where, ProbeException.Cause.NACK, "serial port: " + e.getMessage(), e);
        } finally {
            lastFrameEnd = clock.nanoTime();
        }
        if (response.length == 0) {
            busErrors++;
            throw new ProbeException(model, where, ProbeException.Cause.TIMEOUT, String.format(
                    "no answer to function 0x%02x register %d+%d within %d ms", function, start, count,
                    responseTimeout.toMillis()));
        }
        if (response.length < 5 || (response.length < 5 + 2 * count && (response[1] & 0x80) == 0)) {
            busErrors++;
            throw new ProbeException(model, where, ProbeException.Cause.TIMEOUT,
                    "truncated answer " + hex(response) + " (" + response.length + " bytes)");
        }
        if (!ModbusCrc.valid(response)) {
            crcErrors++;
            // a damaged length or function byte may leave the frame's tail on the wire: let it pass before the retry
            drainUntilSilent();
            int crc = ModbusCrc.crc16(response, 0, response.length - 2);
            throw new ProbeException(model, where, ProbeException.Cause.CRC, String.format(
                    "answer %s has CRC %02x%02x, expected %02x%02x", hex(response),
                    response[response.length - 2] & 0xFF, response[response.length - 1] & 0xFF, crc & 0xFF, crc >>> 8));
        }
        if ((response[0] & 0xFF) != slave) {
            throw new ProbeException(model, where, ProbeException.Cause.BAD_RESPONSE,
                    "answer from slave " + (response[0] & 0xFF) + " to a request for " + slave);
        }
        int fn = response[1] & 0xFF;
        if (fn == (function | 0x80)) {
            int code = response[2] & 0xFF;
            throw new ProbeException(model, where, ProbeException.Cause.BAD_RESPONSE, String.format(
                    "exception response 0x%02x, code %d (%s) to function 0x%02x register %d+%d", fn, code,
                    exceptionName(code), function, start, count));
        }
        if (fn != function || (response[2] & 0xFF) != 2 * count || response.length != 5 + 2 * count) {
            throw new ProbeException(model, where, ProbeException.Cause.BAD_RESPONSE,
                    "answer " + hex(response) + " does not match function 0x" + Integer.toHexString(function)
                            + " for " + count + " registers");
        }
        int[] registers = new int[count];
        for (int i = 0; i < count; i++) {
            registers[i] = (response[3 + 2 * i] & 0xFF) << 8 | (response[4 + 2 * i] & 0xFF);
        }
        return registers;
    }

    /** Application protocol section 7: the exception codes. */
    public static String exceptionName(int code) {
        return switch (code) {
            case 1 -> "ILLEGAL FUNCTION";
            case 2 -> "ILLEGAL DATA ADDRESS";
            case 3 -> "ILLEGAL DATA VALUE";
            case 4 -> "SERVER DEVICE FAILURE";
            case 5 -> "ACKNOWLEDGE";
            case 6 -> "SERVER DEVICE BUSY";
            case 8 -> "MEMORY PARITY ERROR";
            case 0x0A -> "GATEWAY PATH UNAVAILABLE";
            case 0x0B -> "GATEWAY TARGET DEVICE FAILED TO RESPOND";
            default -> "unknown";
        };
    }

    private void drainUntilSilent() {
        Duration quiet = Duration.ofNanos(Math.max(silenceNanos, 2_000_000));
        try {
            for (int i = 0; i < 64 && link.read(256, quiet).length > 0; i++) {
                // discard
            }
        } catch (IOException ignored) {
            // the next request reports a port that is gone
        }
        lastFrameEnd = clock.nanoTime();
    }

    private void waitForSilence() {
        long quietFor = clock.nanoTime() - lastFrameEnd;
        if (quietFor < silenceNanos) {
            clock.sleep(Duration.ofNanos(silenceNanos - quietFor));
        }
    }

    /**
     * Reads a normal answer of {@code expected} bytes or an exception answer (5 bytes, function | 0x80). The
     * length comes from the request, not from the byte-count field, so a corrupted count cannot make us wait for
     * bytes that never come or stop early; the CRC then judges the frame.
     */
    private byte[] readFrame(int expected, int function) throws IOException {
        byte[] buf = new byte[expected];
        int got = 0;
        int want = expected;
        long deadline = clock.nanoTime() + responseTimeout.toNanos();
        while (got < want) {
            long left = deadline - clock.nanoTime();
            if (left <= 0) {
                break;
            }
            byte[] chunk = link.read(want - got, Duration.ofNanos(left));
            if (chunk.length == 0) {
                break;
            }
            if (got == 0) {
                deadline = clock.nanoTime() + expected * link.settings().charNanos() + FRAME_SLACK.toNanos();
            }
            System.arraycopy(chunk, 0, buf, got, chunk.length);
            got += chunk.length;
            if (got >= 2 && (buf[1] & 0xFF) == (function | 0x80)) {
                want = 5;
            }
        }
        return Arrays.copyOf(buf, Math.min(got, want));
    }

    static String hex(byte[] b) {
        return HexFormat.ofDelimiter(" ").formatHex(b);
    }

    /** Two registers as IEEE-754 float32, high word first (the Modbus default, e.g. Eastron). */
    public static float floatHighWordFirst(int[] r, int i) {
        return Float.intBitsToFloat(r[i] << 16 | r[i + 1]);
    }

    /** Two registers as IEEE-754 float32, low word first (Vaisala). */
    public static float floatLowWordFirst(int[] r, int i) {
        return Float.intBitsToFloat(r[i + 1] << 16 | r[i]);
    }
}
