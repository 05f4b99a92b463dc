package org.fieldgate.acquire.teros12;

import org.fieldgate.acquire.VirtualClock;
import org.fieldgate.acquire.sdi12.Sdi12Crc;
import org.fieldgate.acquire.serial.InstrumentFake;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A TEROS 12 on an SDI-12 bus, as the METER integrator guide and SDI-12 v1.4 describe it. It only listens to a
 * command that follows a break (at least 12 ms) and at least 8.33 ms of marking (spec section 7.1) and answers
 * within 15 ms. {@code aI!} gives its identification, {@code aM!} and {@code aMC!} answer {@code a0013}, then
 * the service request {@code a<CR><LF>} follows when the (25 ms) measurement is done; {@code aD0!} gives
 * {@code a+RAW±T+EC}, with the three CRC characters after an {@code aMC!}, or just {@code a} when there is no
 * measurement to report.
 */
public final class Teros12Fake extends InstrumentFake {
    static final Duration ANSWER_AFTER = Duration.ofMillis(10);
    private final char address;
    private String raw = "+1861.92";
    private String temperature = "+22.3";
    private String ec = "+1";
    private boolean haveData;
    private boolean crc;
    private boolean serviceRequest = true;
    private boolean echo;
    private String dataOverride;
    private long breakEnd = Long.MIN_VALUE / 2;
    private int ignored;
    private int corruptData;
    private String replaceNextAnswer;
    private String model = "TER12 ";

    public Teros12Fake(VirtualClock clock, char address) {
        super(clock);
        this.address = address;
    }

    /** Values as the sensor prints them, e.g. {@code "+1861.92"}, {@code "-3.5"}, {@code "+120"}. */
    public void set(String raw, String temperature, String ec) {
        this.raw = raw;
        this.temperature = temperature;
        this.ec = ec;
    }

    /** Answer {@code aD0!} with exactly this body (CRC still appended after aMC!), e.g. garbage. */
    public void dataOverride(String body) {
        dataOverride = body;
    }

    /** Some sensors (and firmware versions) never send the service request: the recorder waits ttt s. */
    public void serviceRequest(boolean send) {
        serviceRequest = send;
    }

    /** A one-wire adapter echoes the command in front of the answer. */
    public void echo(boolean e) {
        echo = e;
    }

    /** Flip a bit in a digit of the next {@code n} aD0! answers, after the CRC was computed (cable noise). */
    public void corruptNextData(int n) {
        corruptData = n;
    }

    /** Send exactly these characters (no CR LF) instead of the next answer. */
    public void replaceNextAnswer(String raw) {
        replaceNextAnswer = raw;
    }

    /** The 6-character model field of the identification, e.g. {@code "GS3   "} for another sensor. */
    public void identifyAs(String model6) {
        model = model6;
    }

    /** Commands ignored because no break came before them. */
    public int ignored() {
        return ignored;
    }

    @Override
    protected void onBreak(Duration d) {
        if (d.toNanos() >= 12_000_000L) {
            breakEnd = clock.nanoTime();
        }
    }

    @Override
    protected void onReceive(byte[] tx) {
        String cmd = new String(tx, StandardCharsets.US_ASCII);
        long commandStart = clock.nanoTime() - tx.length * 8_333_333L;
        long marking = commandStart - breakEnd;
        if (marking < 8_330_000L || marking > 100_000_000L) {
            ignored++; // asleep: without a fresh break the sensor does not listen
            return;
        }
        if (cmd.length() < 2 || cmd.charAt(0) != address || !cmd.endsWith("!")) {
            return; // another sensor's address, or noise
        }
        String body = cmd.substring(1, cmd.length() - 1);
        String prefix = echo ? cmd : "";
        switch (body) {
            case "I" -> answer(prefix + address + "13METER   " + model + "112T12-00042");
            case "M", "MC" -> {
                crc = body.equals("MC");
                haveData = false;
                answer(prefix + address + "0013");
                haveData = true;
                if (serviceRequest) {
                    reply(Duration.ofMillis(25), (address + "\r\n").getBytes(StandardCharsets.US_ASCII));
                }
            }
            case "D0" -> {
                String values = !haveData ? "" : dataOverride != null ? dataOverride : raw + temperature + ec;
                String line = address + values;
                String out = crc && haveData ? line + Sdi12Crc.encode(line) : line;
                if (corruptData > 0 && out.length() > 3) {
                    corruptData--;
                    char[] c = out.toCharArray();
                    c[3] ^= 0x01; // a digit of the first value: '8' becomes '9', still a valid number
                    out = new String(c);
                }
                answer(prefix + out);
            }
            default -> {
                // unknown command: a sensor stays silent
            }
        }
    }

    private void answer(String line) {
        if (replaceNextAnswer != null) {
            reply(ANSWER_AFTER, replaceNextAnswer.getBytes(StandardCharsets.US_ASCII));
            replaceNextAnswer = null;
            return;
        }
        reply(ANSWER_AFTER, (line + "\r\n").getBytes(StandardCharsets.US_ASCII));
    }
}
