package org.fieldgate.acquire.li850;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.fieldgate.acquire.BusClock;
import org.fieldgate.acquire.Measurement;
import org.fieldgate.acquire.ProbeException;
import org.fieldgate.acquire.ProbeLifecycle;
import org.fieldgate.acquire.chip.DriverChannel;
import org.fieldgate.acquire.serial.SerialLink;
import org.fieldgate.reading.QcFlags;

/**
 * LI-COR LI-830 / LI-850 / LI-870 CO2 (and H2O) gas analysers on their RS-232 or USB serial port: the XML stream.
 *
 * <p>Manual: LI-COR, "LI-830 and LI-850 Gas Analyzers" online manual, "Configuration grammar" (licor.com
 * env/support/LI-850/topics/grammar-01.html: XML over the serial port, tags not case sensitive) and "Element
 * descriptions" (grammar-02.html): table 2-1, the root element {@code <LI850>} or {@code <LI830>} with the children
 * {@code <DATA>}, {@code <RS232>} (which data elements the serial stream carries, TRUE|FALSE), {@code <ACK>} (TRUE|
 * FALSE, the answer to a command), {@code <ERROR>} (an error, with a message) and {@code <TECH>} (diagnostics); table
 * 2-2, the children of {@code <DATA>}: {@code <CO2>} CO2 in ppm, {@code <H2O>} H2O in mmol/mol (LI-850 only),
 * {@code <CELLTEMP>} cell temperature, {@code <CELLPRES>} cell pressure, and others this driver ignores. A command
 * ends with a line feed and is answered {@code <LI850><ACK>TRUE</ACK></LI850>} (or FALSE when the XML was not
 * accepted), as in the LI-820 manual's appendix D, the same grammar's predecessor. The LI-870 is read the same way
 * with the root {@code <LI870>} (LI-COR's successor of the LI-850; its own manual was not reachable here).
 *
 * <p>The analyser streams a record per output interval without being asked. {@link #initialise()} sends the RS-232
 * selection that turns on the elements this driver needs and waits for its ACK; each {@link #acquire()} takes the
 * newest complete {@code <DATA>} record that has arrived (waiting up to the record timeout for one), and leaves an
 * incomplete one in the buffer for the next call. What is not a record (line noise, a record cut short by a newer
 * one, a value that is not a number) is counted as a bus error and skipped; only a stall (no complete record within
 * the timeout) or garbage only fails the sample, which becomes a gap record upstream.
 *
 * <p>Diagnostics: an {@code <ERROR>} element (in the record or in one of its own since the last record) flags the
 * record's values {@link QcFlags#STATUS_WARNING}; so does a non-zero {@code <DIAG>} value, should the stream carry
 * one (the stored manual pages do not list its bits, so any non-zero value flags); values outside the channels'
 * plausibility ranges are {@link QcFlags#OUT_OF_RANGE}. Units of cell temperature and pressure (degC, kPa) are the
 * LI-8x0 family's; the pressure range check catches a stream in other units.
 */
public final class Li850 extends ProbeLifecycle {
    /** Factory serial settings of the RS-232 port (and the USB port's virtual serial port). */
    public static final SerialLink.Settings DEFAULT_SERIAL = new SerialLink.Settings(9600, 8, 'N', 1);
    /** Our plausibility bounds, not the datasheet's specified ranges (the specification sheet was not reachable). */
    public static final DriverChannel CO2 = new DriverChannel("co2", "ppm", 0, 20_000);
    public static final DriverChannel H2O = new DriverChannel("h2o", "mmol/mol", 0, 80);
    public static final DriverChannel CELL_TEMP = new DriverChannel("cell_temp", "Cel", -20, 70);
    public static final DriverChannel CELL_PRESSURE = new DriverChannel("cell_pressure", "kPa", 50, 115);
    /** A record longer than this without its end tag is not one. */
    static final int MAX_RECORD_CHARS = 4096;

    /** The three models: the root element, and whether the analyser measures H2O. */
    public enum Model {
        LI830("li830", false), LI850("li850", true), LI870("li870", true);

        public final String root;
        public final boolean h2o;

        Model(String root, boolean h2o) {
            this.root = root;
            this.h2o = h2o;
        }

        public static Model of(String modelId) {
            for (Model m : values()) {
                if (m.root.equals(modelId)) {
                    return m;
                }
            }
            throw new IllegalArgumentException("not an LI-8x0 model: " + modelId);
        }

        public List<DriverChannel> channels() {
            return h2o ? List.of(CO2, H2O, CELL_TEMP, CELL_PRESSURE) : List.of(CO2, CELL_TEMP, CELL_PRESSURE);
        }
    }

    /**
     * @param model         which analyser (root element, H2O or not)
     * @param recordTimeout how long a sample waits for a complete record (a few output intervals)
     * @param warmUp        values this soon after (re)initialisation are flagged WARMING_UP
     */
    public record Config(Model model, Duration recordTimeout, Duration warmUp) {
        public Config {
            if (recordTimeout.isNegative() || recordTimeout.isZero()) {
                throw new IllegalArgumentException("record timeout must be > 0: " + recordTimeout);
            }
        }
    }

    private final SerialLink link;
    private final Config config;
    private final StringBuilder buffer = new StringBuilder();
    private long busErrors;
    private long records;
    private boolean errorSinceLastRecord;
    private boolean inNoise;
    private String lastError;

    public Li850(SerialLink link, Config config, BusClock clock) {
        super(clock, config.warmUp());
        this.link = link;
        this.config = config;
    }

    /** The RS-232 selection this driver sends: the elements it reads, each turned on; one line. */
    public static String outputCommand(Model m) {
        String r = m.root;
        return "<" + r + "><rs232><co2>true</co2>" + (m.h2o ? "<h2o>true</h2o>" : "")
                + "<celltemp>true</celltemp><cellpres>true</cellpres></rs232></" + r + ">\n";
    }

    @Override
    public String model() {
        return config.model().root.toUpperCase(Locale.ROOT);
    }

    @Override
    public String address() {
        return link.port();
    }

    /** Complete data records parsed so far (also those a newer one replaced before a sample took them). */
    public synchronized long records() {
        return records;
    }

    /** The message of the last {@code <ERROR>} element seen, or null. */
    public synchronized String lastError() {
        return lastError;
    }

    @Override
    protected void initialise() throws ProbeException {
        buffer.setLength(0);
        try {
            link.discardInput();
            link.write(outputCommand(config.model()).getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            busErrors++;
            throw new ProbeException(model(), address(), ProbeException.Cause.NACK, e.getMessage(), e);
        }
        long deadline = clock.nanoTime() + config.recordTimeout().toNanos();
        while (true) {
            String rec = nextRecord(deadline);
            if (rec == null) {
                throw new ProbeException(model(), address(), ProbeException.Cause.TIMEOUT,
                        "no <ack> to the RS-232 output selection within " + config.recordTimeout().toMillis()
                                + " ms (cable, port, or not an " + model() + " at " + DEFAULT_SERIAL + "?)");
            }
            String ack = element(rec, "ack");
            if (ack != null) {
                if (!ack.trim().equalsIgnoreCase("true")) {
                    throw badResponse("the analyser refused the RS-232 output selection: <ack>" + ack + "</ack>");
                }
                return;
            }
            noteError(rec);
            // a data record streamed before the ACK: the selection may not apply yet; keep waiting for the ACK
        }
    }

    @Override
    protected List<Measurement> acquire() throws ProbeException {
        long deadline = clock.nanoTime() + config.recordTimeout().toNanos();
        long errorsBefore = busErrors;
        Data newest = null;
        // first everything already here, without waiting, so the newest record wins
        for (String rec = nextRecordNow(); rec != null; rec = nextRecordNow()) {
            Data d = dataOf(rec);
            newest = d == null ? newest : d;
        }
        while (newest == null) {
            String rec = nextRecord(deadline);
            if (rec == null) {
                long skipped = busErrors - errorsBefore;
                throw new ProbeException(model(), address(), ProbeException.Cause.TIMEOUT, "no complete <"
                        + config.model().root + "><data> record within " + config.recordTimeout().toMillis() + " ms"
                        + (skipped > 0 ? " (" + skipped + " stretch(es) of noise or broken records skipped)" : "")
                        + (!buffer.toString().isBlank() ? "; incomplete: " + snippet(buffer) : ""));
            }
            newest = dataOf(rec);
        }
        List<Measurement> out = new ArrayList<>(4);
        out.add(value(CO2, newest.co2, newest.qc));
        if (config.model().h2o) {
            out.add(value(H2O, newest.h2o, newest.qc));
        }
        out.add(value(CELL_TEMP, newest.cellTemp, newest.qc));
        out.add(value(CELL_PRESSURE, newest.cellPressure, newest.qc));
        return out;
    }

    /** A record's data, or null for a record without (an ACK, an error alone) or with broken data. */
    private Data dataOf(String rec) {
        noteError(rec);
        String data = element(rec, "data");
        Data d = data == null ? null : parse(data);
        if (d == null) {
            return null;
        }
        records++;
        if (errorSinceLastRecord) {
            d.qc |= QcFlags.STATUS_WARNING;
            errorSinceLastRecord = false;
        }
        return d;
    }

    private static Measurement value(DriverChannel c, double v, int qc) {
        return new Measurement(c.name(), c.unit(), v, qc | range(v, c.min(), c.max()));
    }

    /** One {@code <DATA>} record's values. */
    private static final class Data {
        double co2;
        double h2o;
        double cellTemp;
        double cellPressure;
        int qc;
    }

    /** The values of a {@code <data>} element, or null (counted) when one it needs is missing or not a number. */
    private Data parse(String data) {
        Data d = new Data();
        try {
            d.co2 = number(data, "co2");
            d.h2o = config.model().h2o ? number(data, "h2o") : Double.NaN;
            d.cellTemp = number(data, "celltemp");
            d.cellPressure = number(data, "cellpres");
        } catch (IllegalArgumentException e) {
            busErrors++;
            return null;
        }
        String diag = element(data, "diag");
        if (diag != null) {
            try {
                if (Long.parseLong(diag.trim()) != 0) {
                    d.qc |= QcFlags.STATUS_WARNING;
                }
            } catch (NumberFormatException e) {
                d.qc |= QcFlags.STATUS_WARNING;
            }
        }
        return d;
    }

    private static double number(String data, String tag) {
        String v = element(data, tag);
        if (v == null) {
            throw new IllegalArgumentException("no <" + tag + ">");
        }
        double d = Double.parseDouble(v.trim());
        if (!Double.isFinite(d)) {
            throw new IllegalArgumentException("<" + tag + "> " + v);
        }
        return d;
    }

    private void noteError(String rec) {
        String err = element(rec, "error");
        if (err != null) {
            errorSinceLastRecord = true;
            lastError = err.trim();
        }
    }

    /** The text between {@code <tag>} and {@code </tag>} (case-insensitive), or null. */
    static String element(String xml, String tag) {
        String lower = xml.toLowerCase(Locale.ROOT);
        int open = lower.indexOf("<" + tag + ">");
        if (open < 0) {
            return null;
        }
        int start = open + tag.length() + 2;
        int close = lower.indexOf("</" + tag + ">", start);
        return close < 0 ? null : xml.substring(start, close);
    }

    /** The next complete record already received, or null; never waits. */
    private String nextRecordNow() throws ProbeException {
        String rec = takeRecord();
        while (rec == null) {
            byte[] b = read(Duration.ZERO);
            if (b.length == 0) {
                return null;
            }
            append(b);
            rec = takeRecord();
        }
        return rec;
    }

    /** The next complete record, reading until {@code deadlineNs}; null at the deadline. */
    private String nextRecord(long deadlineNs) throws ProbeException {
        String rec = takeRecord();
        while (rec == null) {
            long left = deadlineNs - clock.nanoTime();
            if (left <= 0) {
                return null;
            }
            byte[] b = read(Duration.ofNanos(left));
            append(b);
            rec = takeRecord();
        }
        return rec;
    }

    private byte[] read(Duration timeout) throws ProbeException {
        try {
            return link.read(1024, timeout);
        } catch (IOException e) {
            busErrors++;
            throw new ProbeException(model(), address(), ProbeException.Cause.NACK, e.getMessage(), e);
        }
    }

    private void append(byte[] b) {
        for (byte x : b) {
            // the grammar is ASCII; anything else is line noise and can never be part of a record
            buffer.append(x >= 0x20 && x < 0x7f || x == '\r' || x == '\n' || x == '\t' ? (char) x : '\u0000');
        }
    }

    /**
     * Removes and returns the first complete {@code <root>...</root>} record of the buffer. Text before a record's
     * start is noise (counted once per stretch, white space excepted); a record cut short by the start of a newer
     * one is dropped (counted), as is a start without an end within {@link #MAX_RECORD_CHARS}.
     */
    private String takeRecord() {
        String root = config.model().root;
        String open = "<" + root + ">";
        String close = "</" + root + ">";
        while (true) {
            String lower = buffer.toString().toLowerCase(Locale.ROOT);
            int start = lower.indexOf(open);
            if (start < 0) {
                // keep a tail that may be the beginning of a start tag
                int keep = Math.min(buffer.length(), open.length() - 1);
                dropNoise(buffer.length() - keep);
                return null;
            }
            dropNoise(start);
            inNoise = false;
            lower = lower.substring(start);
            int end = lower.indexOf(close);
            int nextStart = lower.indexOf(open, open.length());
            if (nextStart >= 0 && (end < 0 || nextStart < end)) {
                busErrors++;
                buffer.delete(0, nextStart);
                continue;
            }
            if (end < 0) {
                if (buffer.length() > MAX_RECORD_CHARS) {
                    busErrors++;
                    buffer.delete(0, open.length());
                    continue;
                }
                return null;
            }
            String rec = buffer.substring(open.length(), end);
            buffer.delete(0, end + close.length());
            return rec;
        }
    }

    private void dropNoise(int n) {
        if (n <= 0) {
            return;
        }
        if (!buffer.substring(0, n).isBlank()) {
            // one stretch of noise counts once, however the reads cut it
            busErrors += inNoise ? 0 : 1;
            inNoise = true;
        }
        buffer.delete(0, n);
    }

    private static String snippet(CharSequence s) {
        String t = s.toString().replace("\u0000", "?").replace("\n", "\\n").replace("\r", "\\r");
        return t.length() <= 60 ? "'" + t + "'" : "'" + t.substring(0, 60) + "...'";
    }

    @Override
    protected long crcErrors() {
        return 0; // the XML stream has no checksum
    }

    @Override
    protected long busErrors() {
        return busErrors;
    }

    @Override
    public void close() {
        // the port belongs to the probe factory, which closes it
    }
}
