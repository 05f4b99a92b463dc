package org.fieldgate.acquire.li7810;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;
import java.util.function.LongToDoubleFunction;

/**
 * The broker of a simulated LI-7810/7815/7820 for the demo: the messages the analyser publishes, in real time, for the
 * real {@link Li7810Stream} driver to read. On connecting it delivers the header on
 * {@link Li7810Stream#UNITS_TOPIC} (as a broker delivers a retained message), then one record per output interval on
 * {@link Li7810Stream#DATA_TOPIC}, in the data file's spelling ({@link #header}, {@link #record}). The values are
 * functions of the wall time a record is published at; records follow the wall clock, not the reads.
 */
public final class SimulatedLi7810Link implements TopicLink {
    /** The columns the simulated analyser writes: those of its data file the driver reads, and a few it ignores. */
    private static final List<String> COLUMNS = List.of("SECONDS", "NANOSECONDS", "NDX", "DIAG", "REMARK", "DATE",
            "TIME", "H2O", "CO2", "CH4", "N2O", "CAVITY_P", "CAVITY_T", "RESIDUAL", "RING_DOWN_TIME");
    private static final List<String> UNITS = List.of("secs", "nsecs", "index", "diag", "remark", "date", "time",
            "ppm", "ppm", "ppb", "ppb", "kPa", "C", "residual", "us");
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

    /** The gases, H2O (ppm), cavity pressure (kPa) and temperature (degC) of a simulated record at wall time t. */
    public record Series(LongToDoubleFunction co2Ppm, LongToDoubleFunction ch4Ppb, LongToDoubleFunction n2oPpb,
                         LongToDoubleFunction h2oPpm, LongToDoubleFunction cavityPKpa,
                         LongToDoubleFunction cavityTC) {
    }

    private final Li7810Stream.Model model;
    private final LongSupplier wallNs;
    private final long intervalNs;
    private final Series series;
    private final ArrayDeque<Message> rx = new ArrayDeque<>();
    private long nextRecordNs;
    private long ndx;
    private boolean connected;

    public SimulatedLi7810Link(Li7810Stream.Model model, LongSupplier wallNs, double outputIntervalS, Series series) {
        this.model = model;
        this.wallNs = wallNs;
        this.intervalNs = Math.round(outputIntervalS * 1e9);
        this.series = series;
    }

    /** The columns of {@code model}'s data file this simulation writes: the other gas columns are left out. */
    private static boolean writes(Li7810Stream.Model m, String column) {
        return !List.of("CO2", "CH4", "N2O").contains(column) || m.gases.contains(column);
    }

    /** The header payload, as published on the units topic: a DATAH and a DATAU line. */
    public static String header(Li7810Stream.Model m) {
        StringBuilder h = new StringBuilder("DATAH");
        StringBuilder u = new StringBuilder("DATAU");
        for (int i = 0; i < COLUMNS.size(); i++) {
            if (writes(m, COLUMNS.get(i))) {
                h.append('\t').append(COLUMNS.get(i));
                u.append('\t').append(UNITS.get(i));
            }
        }
        return h + "\n" + u + "\n";
    }

    /** One record payload, as published on the data topic, for the values at {@code t} (ns since the epoch). */
    public static String record(Li7810Stream.Model m, long t, long ndx, long diag, Series s) {
        Instant at = Instant.ofEpochSecond(0, t);
        StringBuilder b = new StringBuilder("DATA");
        for (String c : COLUMNS) {
            if (!writes(m, c)) {
                continue;
            }
            b.append('\t').append(switch (c) {
                case "SECONDS" -> Long.toString(Math.floorDiv(t, 1_000_000_000L));
                case "NANOSECONDS" -> Long.toString(Math.floorMod(t, 1_000_000_000L));
                case "NDX" -> Long.toString(ndx);
                case "DIAG" -> Long.toString(diag);
                case "REMARK" -> "";
                case "DATE" -> DATE.format(at);
                case "TIME" -> TIME.format(at);
                case "H2O" -> fmt("%.1f", s.h2oPpm().applyAsDouble(t));
                case "CO2" -> fmt("%.3f", s.co2Ppm().applyAsDouble(t));
                case "CH4" -> fmt("%.2f", s.ch4Ppb().applyAsDouble(t));
                case "N2O" -> fmt("%.3f", s.n2oPpb().applyAsDouble(t));
                case "CAVITY_P" -> fmt("%.3f", s.cavityPKpa().applyAsDouble(t));
                case "CAVITY_T" -> fmt("%.3f", s.cavityTC().applyAsDouble(t));
                case "RESIDUAL" -> "1.25";
                case "RING_DOWN_TIME" -> "17.632";
                default -> throw new IllegalStateException(c);
            });
        }
        return b.append('\n').toString();
    }

    private static String fmt(String f, double v) {
        return String.format(Locale.ROOT, f, v);
    }

    @Override
    public String address() {
        return "simulated-" + model.id;
    }

    @Override
    public synchronized boolean connected() {
        return connected;
    }

    @Override
    public synchronized void connect(List<String> topics, Duration timeout) {
        rx.clear();
        rx.add(new Message(Li7810Stream.UNITS_TOPIC, header(model).getBytes(StandardCharsets.US_ASCII)));
        nextRecordNs = wallNs.getAsLong() + intervalNs;
        connected = true;
    }

    @Override
    public Message poll(Duration timeout) throws IOException {
        // the wait is real time, as a broker's; the wall clock (a test's may stand still) only dates the records
        long untilNanoTime = System.nanoTime() + timeout.toNanos();
        while (true) {
            synchronized (this) {
                produce();
                if (!rx.isEmpty()) {
                    return rx.poll();
                }
            }
            long leftNs = untilNanoTime - System.nanoTime();
            if (leftNs <= 0) {
                return null;
            }
            long waitNs = Math.min(leftNs, nextRecordNs - wallNs.getAsLong());
            try {
                Thread.sleep(Math.max(1, waitNs / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(address() + ": interrupted", e);
            }
        }
    }

    /** Publishes the records due by now; after a long pause (a suspended JVM) only the newest. */
    private void produce() {
        if (!connected) {
            return;
        }
        long now = wallNs.getAsLong();
        if (now - nextRecordNs > 10 * intervalNs) {
            nextRecordNs = now - (now - nextRecordNs) % intervalNs;
        }
        while (nextRecordNs <= now) {
            rx.add(new Message(Li7810Stream.DATA_TOPIC, record(model, nextRecordNs, ndx++, 0, series)
                    .getBytes(StandardCharsets.US_ASCII)));
            nextRecordNs += intervalNs;
        }
    }

    @Override
    public long connectionsLost() {
        return 0;
    }

    @Override
    public long overflows() {
        return 0;
    }

    @Override
    public synchronized void close() {
        connected = false;
        rx.clear();
    }
}
