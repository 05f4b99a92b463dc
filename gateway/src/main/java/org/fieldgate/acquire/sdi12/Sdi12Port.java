package org.fieldgate.acquire.sdi12;

import org.fieldgate.acquire.BusClock;
import org.fieldgate.acquire.ProbeException;
import org.fieldgate.acquire.serial.BusErrorCounts;
import org.fieldgate.acquire.serial.SerialLink;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * The SDI-12 data recorder side over a serial adapter (1200 baud, 7 data bits, even parity, 1 stop bit).
 *
 * <p>Spec: "SDI-12 A Serial-Digital Interface Standard for Microprocessor-Based Sensors, Version 1.4"
 * (SDI-12 Support Group, 2023). Section 7.1: a command starts with a break of at least 12 ms, then at least
 * 8.33 ms of marking; the sensor's answer starts within 15 ms of the command's last stop bit and ends with
 * CR LF. Section 7.2: without an answer the recorder retries, with a new break (after 87 ms of marking the
 * sensor wants one anyway); at least three attempts. Section 4.4.6: after {@code aM!} the sensor sends a
 * service request {@code a<CR><LF>} when its data are ready, at the latest after the announced ttt seconds.
 *
 * <p>Adapters that share one wire for both directions echo the command; an echo in front of the answer is
 * removed. Adapters that make the break themselves are configured with {@code sendsBreak = false}.
 */
public final class Sdi12Port implements BusErrorCounts {
    public static final SerialLink.Settings SERIAL = new SerialLink.Settings(1200, 7, 'E', 1);
    static final Duration BREAK = Duration.ofMillis(12);
    static final Duration MARKING = Duration.ofNanos(8_330_000);
    public static final int ATTEMPTS = 3;

    private final SerialLink link;
    private final BusClock clock;
    private final String model;
    private final boolean sendsBreak;
    private final Duration responseTimeout;
    private long crcErrors;
    private long busErrors;

    /** Longest pause between two characters of one answer before the line counts as broken off. */
    static final Duration CHARACTER_GAP = Duration.ofMillis(50);

    /**
     * @param sendsBreak      whether this side must make the break (false for adapters that do it themselves)
     * @param responseTimeout for the first character of an answer after a command (spec: 15 ms, plus adapter
     *                        latency); the rest of the line may follow with pauses up to {@link #CHARACTER_GAP}
     */
    public Sdi12Port(SerialLink link, String model, boolean sendsBreak, Duration responseTimeout, BusClock clock) {
        this.link = link;
        this.model = model;
        this.sendsBreak = sendsBreak;
        this.responseTimeout = responseTimeout;
        this.clock = clock;
    }

    public String address(char sensor) {
        return link.port() + "/sdi12-" + sensor;
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
     * Sends {@code command} (e.g. {@code 0M!}) and returns the answer line without CR LF, as received (put it
     * into a message through {@link #printable}), retrying up to
     * {@link #ATTEMPTS} times when nothing comes back.
     */
    public String command(String command) throws ProbeException {
        char sensor = command.charAt(0);
        for (int attempt = 1; ; attempt++) {
            Optional<String> line;
            try {
                link.discardInput();
                if (sendsBreak) {
                    link.sendBreak(BREAK);
                }
                clock.sleep(MARKING);
                link.write(command.getBytes(StandardCharsets.US_ASCII));
                line = readLine(responseTimeout, CHARACTER_GAP);
            } catch (IOException | UnsupportedOperationException e) {
                busErrors++;
                throw new ProbeException(model, address(sensor), ProbeException.Cause.NACK,
                        "serial port: " + e.getMessage(), e);
            }
            if (line.isPresent()) {
                String answer = line.get();
                return answer.startsWith(command) ? answer.substring(command.length()) : answer;
            }
            busErrors++;
            if (attempt >= ATTEMPTS) {
                throw new ProbeException(model, address(sensor), ProbeException.Cause.TIMEOUT,
                        "no answer to " + command + " in " + ATTEMPTS + " attempts of " + responseTimeout.toMillis()
                                + " ms");
            }
        }
    }

    /** Waits up to {@code max} for a line (a service request); empty when none came. */
    public Optional<String> awaitLine(Duration max) throws ProbeException {
        try {
            return readLine(max, CHARACTER_GAP);
        } catch (IOException e) {
            busErrors++;
            throw new ProbeException(model, link.port(), ProbeException.Cause.NACK, "serial port: " + e.getMessage(), e);
        }
    }

    /** Counts a response whose CRC did not match and returns the exception to throw. */
    public ProbeException crcError(char sensor, String detail) {
        crcErrors++;
        return new ProbeException(model, address(sensor), ProbeException.Cause.CRC, detail);
    }

    /**
     * Reads up to CR LF: the first character within {@code timeout}, each further one within {@code gap}; characters are 7-bit (the adapter strips parity). A line that
     * does not end in time is returned as far as it came only if it has content, so garbage surfaces as a bad
     * answer rather than as silence.
     */
    private Optional<String> readLine(Duration timeout, Duration gap) throws IOException {
        long deadline = clock.nanoTime() + timeout.toNanos();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            long left = deadline - clock.nanoTime();
            if (left <= 0) {
                break;
            }
            byte[] chunk = link.read(1, Duration.ofNanos(left));
            if (chunk.length == 0) {
                break;
            }
            deadline = clock.nanoTime() + gap.toNanos();
            int c = chunk[0] & 0x7F;
            if (c == '\n' && line.size() > 0 && endsWithCr(line)) {
                byte[] b = line.toByteArray();
                return Optional.of(new String(b, 0, b.length - 1, StandardCharsets.US_ASCII));
            }
            line.write(c);
        }
        return line.size() == 0 ? Optional.empty()
                : Optional.of(line.toString(StandardCharsets.US_ASCII) + "<no CR LF>");
    }

    /**
     * Control characters as {@code \xNN}, for putting an answer into a message: they must not reach a log raw.
     * Only for messages: a CRC's third character is legitimately 0x7F (0x40 | 0x3F, spec section 4.4.12), so the
     * answer itself is kept as received until its CRC has been checked.
     */
    public static String printable(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            if (c < 0x20 || c == 0x7F) {
                b.append(String.format("\\x%02x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static boolean endsWithCr(ByteArrayOutputStream b) {
        byte[] a = b.toByteArray();
        return a[a.length - 1] == '\r';
    }
}
