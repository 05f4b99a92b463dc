package org.fieldgate.acquire.li850;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.fieldgate.acquire.VirtualClock;
import org.fieldgate.acquire.serial.InstrumentFake;

/**
 * An LI-850 on the far side of a fake serial port, byte for byte as the LI-830/LI-850 manual's configuration
 * grammar describes it: a command line ending in a line feed is answered {@code <li850><ack>TRUE</ack></li850>}
 * when it is a well-formed {@code <li850>...</li850>} element (FALSE otherwise, or when told to refuse), and
 * {@link #stream} writes data records as the analyser does once per output interval.
 */
public final class Li850Fake extends InstrumentFake {
    private final StringBuilder line = new StringBuilder();
    final List<String> commands = new ArrayList<>();
    boolean refuse;
    /** Written 500 ms after each ACK, as the stream's first record. */
    public String afterAck;

    public Li850Fake(VirtualClock clock) {
        super(clock);
    }

    @Override
    protected void onReceive(byte[] tx) {
        for (byte b : tx) {
            if (b == '\n') {
                String c = line.toString();
                line.setLength(0);
                commands.add(c);
                String l = c.trim().toLowerCase();
                boolean ok = !refuse && l.startsWith("<li850>") && l.endsWith("</li850>");
                reply(Duration.ofMillis(20), ascii("<li850><ack>" + (ok ? "TRUE" : "FALSE") + "</ack></li850>\n"));
                if (ok && afterAck != null) {
                    reply(Duration.ofMillis(500), ascii(afterAck));
                }
            } else {
                line.append((char) b);
            }
        }
    }

    public static String record(String co2, String h2o, String cellTemp, String cellPres) {
        return "<li850><data><co2>" + co2 + "</co2><h2o>" + h2o + "</h2o><celltemp>" + cellTemp
                + "</celltemp><cellpres>" + cellPres + "</cellpres></data></li850>\n";
    }

    /** Writes {@code text} starting {@code after} from now. */
    void send(Duration after, String text) {
        reply(after, ascii(text));
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
