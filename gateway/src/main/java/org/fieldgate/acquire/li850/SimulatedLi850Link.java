package org.fieldgate.acquire.li850;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.function.LongSupplier;
import java.util.function.LongToDoubleFunction;
import org.fieldgate.acquire.serial.SerialLink;

/**
 * The serial port of a simulated LI-830/850/870 for the demo: the bytes the analyser writes, in real time, for the
 * real {@link Li850} driver to read. Once per output interval it writes one record of the form
 * {@code <li850><data><co2>..</co2><h2o>..</h2o><celltemp>..</celltemp><cellpres>..</cellpres></data></li850>} and a
 * line feed (the elements of the LI-850 manual's table 2-2 that the driver selects, in the table's order); a
 * command line (ending in a line feed) is answered {@code <li850><ack>TRUE</ack></li850>} when it is a well-formed
 * {@code <li850>...</li850>} element, {@code <li850><ack>FALSE</ack></li850>} otherwise. The values are functions of
 * the wall time a record is written at; the records follow the wall clock, not the reads.
 */
public final class SimulatedLi850Link implements SerialLink {
    private final Li850.Model model;
    private final LongSupplier wallNs;
    private final long intervalNs;
    private final LongToDoubleFunction co2Ppm;
    private final LongToDoubleFunction h2oMmolMol;
    private final LongToDoubleFunction cellTempC;
    private final LongToDoubleFunction cellPressureKpa;
    private final StringBuilder rx = new StringBuilder();
    private final StringBuilder command = new StringBuilder();
    private long nextRecordNs;
    private boolean closed;

    public SimulatedLi850Link(Li850.Model model, LongSupplier wallNs, double outputIntervalS,
                              LongToDoubleFunction co2Ppm, LongToDoubleFunction h2oMmolMol,
                              LongToDoubleFunction cellTempC, LongToDoubleFunction cellPressureKpa) {
        this.model = model;
        this.wallNs = wallNs;
        this.intervalNs = Math.round(outputIntervalS * 1e9);
        this.co2Ppm = co2Ppm;
        this.h2oMmolMol = h2oMmolMol;
        this.cellTempC = cellTempC;
        this.cellPressureKpa = cellPressureKpa;
        this.nextRecordNs = wallNs.getAsLong() + intervalNs;
    }

    /** One record exactly as written to the wire for the values at {@code t}. */
    public String record(long t) {
        String r = model.root;
        return String.format(Locale.ROOT, "<%s><data><co2>%.2f</co2>%s<celltemp>%.2f</celltemp>"
                        + "<cellpres>%.3f</cellpres></data></%s>\n", r, co2Ppm.applyAsDouble(t),
                model.h2o ? String.format(Locale.ROOT, "<h2o>%.3f</h2o>", h2oMmolMol.applyAsDouble(t)) : "",
                cellTempC.applyAsDouble(t), cellPressureKpa.applyAsDouble(t), r);
    }

    @Override
    public String port() {
        return "simulated-" + model.root;
    }

    @Override
    public Settings settings() {
        return Li850.DEFAULT_SERIAL;
    }

    @Override
    public synchronized void write(byte[] tx) throws IOException {
        check();
        for (byte b : tx) {
            if (b == '\n') {
                String line = command.toString().trim().toLowerCase(Locale.ROOT);
                command.setLength(0);
                boolean ok = line.startsWith("<" + model.root + ">") && line.endsWith("</" + model.root + ">");
                rx.append("<").append(model.root).append("><ack>").append(ok ? "TRUE" : "FALSE").append("</ack></")
                        .append(model.root).append(">\n");
            } else {
                command.append((char) b);
            }
        }
    }

    @Override
    public byte[] read(int max, Duration timeout) throws IOException {
        // the read timeout is a port's, in real time; the wall clock (a test's may stand still) only dates records
        long untilNanoTime = System.nanoTime() + timeout.toNanos();
        while (true) {
            synchronized (this) {
                check();
                produce();
                if (rx.length() > 0) {
                    int n = Math.min(max, rx.length());
                    byte[] out = rx.substring(0, n).getBytes(StandardCharsets.US_ASCII);
                    rx.delete(0, n);
                    return out;
                }
            }
            long leftNs = untilNanoTime - System.nanoTime();
            if (leftNs <= 0) {
                return new byte[0];
            }
            long waitNs = Math.min(leftNs, nextRecordNs - wallNs.getAsLong());
            try {
                Thread.sleep(Math.max(1, waitNs / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(port() + ": interrupted", e);
            }
        }
    }

    /** Writes the records due by now; after a long pause (a suspended JVM) only the newest, as a buffer would. */
    private void produce() {
        long now = wallNs.getAsLong();
        if (now - nextRecordNs > 10 * intervalNs) {
            nextRecordNs = now - (now - nextRecordNs) % intervalNs;
        }
        while (nextRecordNs <= now) {
            rx.append(record(nextRecordNs));
            nextRecordNs += intervalNs;
        }
    }

    @Override
    public synchronized void discardInput() throws IOException {
        check();
        produce();
        rx.setLength(0);
    }

    @Override
    public synchronized void close() {
        closed = true;
    }

    private void check() throws IOException {
        if (closed) {
            throw new IOException(port() + ": closed");
        }
    }
}
