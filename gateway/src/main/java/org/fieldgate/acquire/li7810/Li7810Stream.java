package org.fieldgate.acquire.li7810;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.fieldgate.acquire.BusClock;
import org.fieldgate.acquire.Measurement;
import org.fieldgate.acquire.ProbeException;
import org.fieldgate.acquire.ProbeLifecycle;
import org.fieldgate.acquire.chip.DriverChannel;
import org.fieldgate.reading.QcFlags;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * LI-COR LI-7810 (CH4/CO2/H2O), LI-7815 (CO2/H2O) and LI-7820 (N2O/H2O) trace gas analysers, read live from the
 * MQTT broker the instrument runs itself.
 *
 * <p><b>From the manual</b> (LI-COR, LI-7810 / LI-7815 Trace Gas Analyzer instruction manual, section 7
 * "Communication with the MQTT protocol", owa.licor.com/env/support/LI-7810/topics/communication-with-devices.html and
 * licor.com/support/LI-7815/topics/communication-with-devices.html): the analyser serves its data through Eclipse
 * Mosquitto, an MQTT broker on the instrument (the analyser is the "server", a logger the "client"); table 7-1 lists
 * the topics {@code licor/niobrara/output/concentration} (data), {@code licor/niobrara/output/concentration/units}
 * ("Header for the data file"), {@code licor/niobrara/output/diagnostics} (diagnostic information for data) and
 * {@code licor/niobrara/output/diagnostics/units} (its header). The manual's examples connect to the instrument's IP
 * address on MQTT's port 1883.
 *
 * <p><b>Not in the stored manual pages</b> (only their opening, up to table 7-1, was reachable; the choices below are
 * ours, written so a real instrument's payloads show up as clear errors if they differ): the payload spelling. The
 * driver reads the header as the data file's own {@code DATAH}/{@code DATAU} lines and a record as a {@code DATA}
 * line (tab separated, as in the {@code .data} file, docs/instruments.md §LI-7810), or either as a JSON object
 * (public clients of these analysers parse the data topic as JSON); see {@link Li7810Payloads}. Columns and units
 * are those of the data file, as the offline reader {@code calc.instrument.Li7810Data} reads them: {@code SECONDS}
 * (s) and {@code NANOSECONDS}, {@code DIAG} (0 = no fault), {@code H2O} ppm, {@code CO2} ppm and {@code CH4} ppb
 * (LI-7810, LI-7815: CO2 only), {@code N2O} ppb (LI-7820), {@code CAVITY_P} kPa and {@code CAVITY_T} degC (the
 * optical cell's). The gases are <b>dry</b> mole fractions (the analyser corrects dilution itself, as in the data
 * file), so the channels are {@code co2_dry}, {@code ch4_dry}, {@code n2o_dry}; H2O is published in mmol/mol
 * (ppm / 1000), as by the reader and {@code fieldgate import}.
 *
 * <p><b>Reading</b>: the link keeps every message as it arrives; each {@link #acquire()} takes all that arrived since
 * the last sample and returns the newest record, waiting up to the record timeout for one. A record whose instrument
 * time ({@code SECONDS} + {@code NANOSECONDS}) is not after the last one taken is a repeat, not a new sample (never
 * passed on as one). The reading is stamped by the gateway's time keeper, as every probe's; the instrument's clock
 * only orders its records.
 *
 * <p><b>Faults</b>: a payload that is not a record (garbage, a field not a number, a record of another column
 * count) is skipped and counted, its problem naming the field and value kept in {@link #lastProblem()}; no record
 * within the timeout fails the sample ({@code TIMEOUT}, saying what was skipped); a header without a column this
 * model needs, or with another unit, fails every sample ({@code BAD_RESPONSE}) until a good header arrives; a lost
 * connection fails the sample ({@code NACK}) and the next one connects again, as does a refused or unreachable
 * broker (each attempt counted). {@code DIAG} non-zero flags the record's values {@link QcFlags#STATUS_WARNING};
 * values outside the channels' plausibility ranges are {@link QcFlags#OUT_OF_RANGE}.
 */
public final class Li7810Stream extends ProbeLifecycle {
    private static final Logger LOG = LoggerFactory.getLogger(Li7810Stream.class);

    public static final String DATA_TOPIC = "licor/niobrara/output/concentration";
    public static final String UNITS_TOPIC = "licor/niobrara/output/concentration/units";
    public static final String DIAGNOSTICS_TOPIC = "licor/niobrara/output/diagnostics";
    public static final String DIAGNOSTICS_UNITS_TOPIC = "licor/niobrara/output/diagnostics/units";
    /**
     * Headers first: the broker sends the retained messages of one SUBSCRIBE in the order of its topic filters, so a
     * retained header arrives before a retained record (else that record would be refused for want of a header).
     */
    public static final List<String> TOPICS = List.of(UNITS_TOPIC, DATA_TOPIC, DIAGNOSTICS_UNITS_TOPIC,
            DIAGNOSTICS_TOPIC);
    /** MQTT's port, on which the manual's examples reach the instrument's broker. */
    public static final int DEFAULT_PORT = 1883;

    /** Our plausibility bounds, not LI-COR's specified ranges (the specification pages were not reachable). */
    public static final DriverChannel CO2 = new DriverChannel("co2_dry", "ppm", 0, 20_000);
    public static final DriverChannel CH4 = new DriverChannel("ch4_dry", "ppb", 0, 100_000);
    public static final DriverChannel N2O = new DriverChannel("n2o_dry", "ppb", 0, 100_000);
    public static final DriverChannel H2O = new DriverChannel("h2o", "mmol/mol", 0, 60);
    public static final DriverChannel CELL_TEMP = new DriverChannel("cell_temp", "Cel", -20, 80);
    public static final DriverChannel CELL_PRESSURE = new DriverChannel("cell_pressure", "kPa", 5, 115);

    /** The units a header must give each column the driver reads (case-insensitive; degC also as C or °C). */
    static final Map<String, Set<String>> UNITS = Map.of(
            "SECONDS", Set.of("secs", "s"), "NANOSECONDS", Set.of("nsecs", "ns"), "H2O", Set.of("ppm"),
            "CO2", Set.of("ppm"), "CH4", Set.of("ppb"), "N2O", Set.of("ppb"), "CAVITY_P", Set.of("kpa"),
            "CAVITY_T", Set.of("c", "degc", "°c"));

    /** The three models: their name and the gas columns they report, with the channel each becomes. */
    public enum Model {
        LI7810("li7810", "LI-7810", List.of("CO2", "CH4")),
        LI7815("li7815", "LI-7815", List.of("CO2")),
        LI7820("li7820", "LI-7820", List.of("N2O"));

        public final String id;
        public final String display;
        public final List<String> gases;

        Model(String id, String display, List<String> gases) {
            this.id = id;
            this.display = display;
            this.gases = gases;
        }

        public static Model of(String modelId) {
            for (Model m : values()) {
                if (m.id.equals(modelId)) {
                    return m;
                }
            }
            throw new IllegalArgumentException("not an LI-78x0 model: " + modelId);
        }

        /** The columns a record must carry for this model. */
        public List<String> columns() {
            List<String> c = new ArrayList<>(List.of("SECONDS", "NANOSECONDS", "DIAG"));
            c.addAll(gases);
            c.addAll(List.of("H2O", "CAVITY_P", "CAVITY_T"));
            return c;
        }

        public List<DriverChannel> channels() {
            List<DriverChannel> c = new ArrayList<>();
            for (String g : gases) {
                c.add(gas(g));
            }
            c.addAll(List.of(H2O, CELL_TEMP, CELL_PRESSURE));
            return c;
        }

        static DriverChannel gas(String column) {
            return switch (column) {
                case "CO2" -> CO2;
                case "CH4" -> CH4;
                case "N2O" -> N2O;
                default -> throw new IllegalArgumentException("no channel for " + column);
            };
        }
    }

    /**
     * @param model          which analyser
     * @param recordTimeout  how long a sample waits for a record (a few of the analyser's 1 s records)
     * @param connectTimeout how long connecting and subscribing to the instrument's broker may take
     * @param warmUp         values this soon after (re)connecting are flagged WARMING_UP
     */
    public record Config(Model model, Duration recordTimeout, Duration connectTimeout, Duration warmUp) {
        public Config {
            if (recordTimeout.isNegative() || recordTimeout.isZero()) {
                throw new IllegalArgumentException("record timeout must be > 0: " + recordTimeout);
            }
            if (connectTimeout.isNegative() || connectTimeout.isZero()) {
                throw new IllegalArgumentException("connect timeout must be > 0: " + connectTimeout);
            }
        }
    }

    /** One record as the driver took it (instrument time, DIAG word, values in the channels' units). */
    public record Sample(long instrumentTimeNs, long diag, Map<DriverChannel, Double> values) {
    }

    private final TopicLink link;
    private final Config config;
    private Li7810Payloads.Header header;
    private String headerProblem;
    private long lastTakenNs = Long.MIN_VALUE;
    private Sample latest;
    private long records;
    private long garbage;
    private long repeats;
    private long connectFailures;
    private long diagnosticsMessages;
    private String lastDiagnostics;
    private String lastProblem;

    public Li7810Stream(TopicLink link, Config config, BusClock clock) {
        super(clock, config.warmUp());
        this.link = link;
        this.config = config;
    }

    @Override
    public String model() {
        return config.model().display;
    }

    @Override
    public String address() {
        return link.address();
    }

    @Override
    protected void initialise() throws ProbeException {
        // a refused header is judged again when the broker delivers it again (retained) or a new one comes; the last
        // accepted one stays until then, for records published before a header on the new connection
        headerProblem = null;
        try {
            link.connect(TOPICS, config.connectTimeout());
        } catch (IOException e) {
            connectFailures++;
            throw new ProbeException(model(), address(), ProbeException.Cause.NACK, "cannot subscribe to the "
                    + "analyser's broker (connection " + connectFailures + " failed; the next sample tries again): "
                    + e.getMessage(), e);
        }
        LOG.info("{} at {}: subscribed to {}", model(), address(), TOPICS);
    }

    @Override
    protected List<Measurement> acquire() throws ProbeException {
        long deadline = clock.nanoTime() + config.recordTimeout().toNanos();
        long garbageBefore = garbage;
        long repeatsBefore = repeats;
        Sample newest = null;
        // everything that arrived since the last sample first, without waiting, so the newest record wins
        for (TopicLink.Message m = poll(Duration.ZERO); m != null; m = poll(Duration.ZERO)) {
            newest = take(m, newest);
        }
        while (newest == null) {
            if (headerProblem != null) {
                throw badResponse("the header on " + UNITS_TOPIC + " was refused: " + headerProblem
                        + "; records are not read until a header with these columns arrives");
            }
            if (!link.connected()) {
                throw new ProbeException(model(), address(), ProbeException.Cause.NACK, "connection to the analyser's "
                        + "broker lost (" + link.connectionsLost() + " so far); connecting again at the next sample");
            }
            long left = deadline - clock.nanoTime();
            if (left <= 0) {
                long skipped = garbage - garbageBefore;
                long repeated = repeats - repeatsBefore;
                throw new ProbeException(model(), address(), ProbeException.Cause.TIMEOUT, "no new record on "
                        + DATA_TOPIC + " within " + config.recordTimeout().toMillis() + " ms"
                        + (skipped > 0 ? "; " + skipped + " payload(s) refused, the last: " + lastProblem : "")
                        + (repeated > 0 ? "; " + repeated + " repeated record(s) (instrument time not advancing)" : ""));
            }
            TopicLink.Message m = poll(Duration.ofNanos(left));
            if (m != null) {
                newest = take(m, newest);
            }
        }
        latest = newest;
        int qc = newest.diag() != 0 ? QcFlags.STATUS_WARNING : 0;
        List<Measurement> out = new ArrayList<>(newest.values().size());
        for (Map.Entry<DriverChannel, Double> e : newest.values().entrySet()) {
            DriverChannel c = e.getKey();
            double v = e.getValue();
            out.add(new Measurement(c.name(), c.unit(), v, qc | range(v, c.min(), c.max())));
        }
        return out;
    }

    private TopicLink.Message poll(Duration timeout) throws ProbeException {
        try {
            return link.poll(timeout);
        } catch (IOException e) {
            throw new ProbeException(model(), address(), ProbeException.Cause.NACK, e.getMessage(), e);
        }
    }

    /** Handles one message; returns the newest usable record so far. */
    private Sample take(TopicLink.Message m, Sample newest) {
        switch (m.topic()) {
            case UNITS_TOPIC -> header(m.payload());
            case DIAGNOSTICS_TOPIC -> {
                diagnosticsMessages++;
                lastDiagnostics = Li7810Payloads.snippet(new String(m.payload(), StandardCharsets.UTF_8));
            }
            case DATA_TOPIC -> {
                Sample s = record(m.payload());
                if (s != null) {
                    return s;
                }
            }
            default -> {
                // the diagnostics header: nothing in it changes how a record is read
            }
        }
        return newest;
    }

    private void header(byte[] payload) {
        try {
            Li7810Payloads.Header h = Li7810Payloads.header(payload);
            List<String> problems = new ArrayList<>();
            for (String column : config.model().columns()) {
                String unit = h.units().get(column);
                Set<String> allowed = UNITS.get(column);
                if (unit == null) {
                    problems.add("column " + column + ": missing (columns: " + String.join(", ", h.names()) + ")");
                } else if (allowed != null && !allowed.contains(unit.toLowerCase(Locale.ROOT))) {
                    problems.add("column " + column + ": unit '" + unit + "', expected " + String.join(" or ",
                            allowed.stream().sorted().toList()));
                }
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException(String.join("; ", problems) + " (not an " + model() + "?)");
            }
            header = h;
            if (headerProblem != null) {
                LOG.info("{} at {}: header accepted again", model(), address());
            }
            headerProblem = null;
        } catch (IllegalArgumentException e) {
            garbage++;
            headerProblem = e.getMessage();
            lastProblem = UNITS_TOPIC + ": " + e.getMessage();
            LOG.warn("{} at {}: {}", model(), address(), lastProblem);
        }
    }

    /** A record's sample, or null (counted) when it is garbage, refused with its header, or a repeat. */
    private Sample record(byte[] payload) {
        if (headerProblem != null) {
            return null;
        }
        Sample s;
        try {
            Li7810Payloads.Values v = Li7810Payloads.record(payload, header);
            long t = v.integer("SECONDS") * 1_000_000_000L + v.integer("NANOSECONDS");
            long diag = v.integer("DIAG");
            Map<DriverChannel, Double> values = new LinkedHashMap<>();
            for (String g : config.model().gases) {
                values.put(Model.gas(g), v.number(g));
            }
            values.put(H2O, v.number("H2O") / 1000.0); // ppm (umol mol-1) to mmol mol-1
            values.put(CELL_TEMP, v.number("CAVITY_T"));
            values.put(CELL_PRESSURE, v.number("CAVITY_P"));
            s = new Sample(t, diag, values);
        } catch (IllegalArgumentException e) {
            garbage++;
            lastProblem = DATA_TOPIC + ": " + e.getMessage();
            if (garbage == 1 || garbage % 100 == 0) {
                LOG.warn("{} at {}: payload refused ({} so far): {}", model(), address(), garbage, lastProblem);
            }
            return null;
        }
        if (s.instrumentTimeNs() <= lastTakenNs) {
            repeats++;
            return null;
        }
        lastTakenNs = s.instrumentTimeNs();
        records++;
        return s;
    }

    /** The record the last good sample returned, or null. */
    public synchronized Sample latest() {
        return latest;
    }

    /** Records taken (also those a newer one replaced before a sample returned them). */
    public synchronized long records() {
        return records;
    }

    /** Payloads refused: garbage, wrong column count, non-numbers, refused headers. */
    public synchronized long garbage() {
        return garbage;
    }

    /** Records whose instrument time did not advance. */
    public synchronized long repeats() {
        return repeats;
    }

    /** Failed attempts to connect to the broker. */
    public synchronized long connectFailures() {
        return connectFailures;
    }

    public synchronized long diagnosticsMessages() {
        return diagnosticsMessages;
    }

    /** The last payload on the diagnostics topic, as text (shortened), or null. */
    public synchronized String lastDiagnostics() {
        return lastDiagnostics;
    }

    /** The last refused payload's problem (topic: field: value: why), or null. */
    public synchronized String lastProblem() {
        return lastProblem;
    }

    @Override
    protected long crcErrors() {
        return 0; // MQTT over TCP: the transport checks the bytes
    }

    @Override
    protected long busErrors() {
        return garbage + connectFailures + link.connectionsLost() + link.overflows();
    }

    @Override
    public void close() {
        link.close();
    }
}
