package org.fieldgate.forward;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.fieldgate.reading.Reading;
import org.fieldgate.store.PointLine;

/** How readings and derived results look in InfluxDB: one place for the measurement, tag and field names. */
public final class InfluxLines {
    /** Measurement of every reading. */
    public static final String READING = "reading";

    private InfluxLines() {
    }

    /**
     * Appends a reading's line (no newline) as UTF-8 bytes, exactly as influxdb-java 2.25's {@code Point.lineProtocol(NANOSECONDS)}
     * writes it, without building the Point, its two TreeMaps and a NumberFormat per reading: tags in name order
     * (cal, channel, device, site, unit), an empty tag left out, spaces, commas and equals signs escaped with a
     * backslash in the measurement and tags (nothing else is, as in influxdb-java), {@code qc} as an integer,
     * {@code value} as a plain decimal and left out when it is NaN or infinite (line protocol has no such value),
     * the ns timestamp last. InfluxDB line protocol reference: docs.influxdata.com, "Line protocol", v1.
     */
    static void appendReading(LineBuffer out, Reading r) {
        out.appendAscii(READING);
        if (r.calibration() != null) {
            tag(out, "cal", r.calibration());
        }
        tag(out, "channel", Objects.requireNonNull(r.channel(), "channel"));
        tag(out, "device", Objects.requireNonNull(r.device(), "device"));
        tag(out, "site", Objects.requireNonNull(r.site(), "site"));
        tag(out, "unit", Objects.requireNonNull(r.unit(), "unit"));
        out.appendAscii(" qc=").appendLong(r.qc()).append('i');
        if (Double.isFinite(r.value())) {
            out.appendAscii(",value=").appendPlainDecimal(r.value());
        }
        out.append(' ').appendLong(r.timeNs());
    }

    private static void tag(LineBuffer out, String name, String value) {
        if (!value.isEmpty()) {
            out.append(',').appendAscii(name).append('=').appendEscapedKey(value);
        }
    }

    /**
     * A finite double as influxdb-java's NumberFormat wrote it (English, no grouping, 1 to 340 fraction digits): the
     * shortest digits that read back as the same double, never in exponent notation ({@link ShortestDecimal}).
     */
    static void appendPlainDecimal(StringBuilder sb, double v) {
        byte[] plain = new byte[ShortestDecimal.MAX_PLAIN_BYTES];
        int n = new ShortestDecimal().writePlain(v, plain, 0);
        for (int i = 0; i < n; i++) {
            sb.append((char) plain[i]);
        }
    }

    /**
     * A derived result as one line. Field values: {@link Double} (float), {@link Long}/{@link Integer} (integer),
     * {@link String}, {@link Boolean}; non-finite doubles are left out (line protocol has no NaN), so a rate that
     * could not be computed is absent, not zero. Tags with a null value are left out.
     */
    public static PointLine derived(String measurement, long timeNs, Map<String, String> tags,
                                    Map<String, Object> fields) {
        StringBuilder line = new StringBuilder(200);
        escapeKey(line, Objects.requireNonNull(measurement, "measurement"));
        // tags and fields in name order, as influxdb-java's Point (TreeMaps) wrote them; an empty tag is left out
        for (Map.Entry<String, String> t : new TreeMap<>(tags).entrySet()) {
            if (t.getValue() != null && !t.getKey().isEmpty() && !t.getValue().isEmpty()) {
                line.append(',');
                escapeKey(line, t.getKey());
                line.append('=');
                escapeKey(line, t.getValue());
            }
        }
        line.append(' ');
        int kept = 0;
        for (Map.Entry<String, Object> f : new TreeMap<>(fields).entrySet()) {
            Object v = f.getValue();
            if (v == null || v instanceof Double d && !Double.isFinite(d)) {
                continue;
            }
            if (kept > 0) {
                line.append(',');
            }
            escapeKey(line, f.getKey());
            line.append('=');
            if (v instanceof Double d) {
                appendPlainDecimal(line, d);
            } else if (v instanceof Integer || v instanceof Long) {
                line.append(((Number) v).longValue()).append('i');
            } else if (v instanceof String text) {
                line.append('"');
                for (int i = 0, n = text.length(); i < n; i++) {
                    char c = text.charAt(i);
                    if (c == '\\' || c == '"') {
                        line.append('\\');
                    }
                    line.append(c);
                }
                line.append('"');
            } else if (v instanceof Boolean b) {
                line.append(b.booleanValue());
            } else {
                throw new IllegalArgumentException(measurement + " field " + f.getKey() + " = " + v
                        + ": not a number, string or boolean");
            }
            kept++;
        }
        if (kept == 0) {
            throw new IllegalArgumentException(measurement + " at " + timeNs + " has no finite field: " + fields);
        }
        line.append(' ').append(timeNs);
        return PointLine.of(measurement, timeNs, line.toString());
    }

    /** A backslash before each space, comma and equals sign: a measurement, tag key, tag value or field key. */
    private static void escapeKey(StringBuilder sb, String key) {
        for (int i = 0, n = key.length(); i < n; i++) {
            char c = key.charAt(i);
            if (LineBuffer.escapedInKey(c)) {
                sb.append('\\');
            }
            sb.append(c);
        }
    }

    /**
     * A gap record (the completeness ledger's evidence) as a derived point; also the spool's
     * {@code GapStore.PointFormat}, for the gaps it records itself.
     */
    public static PointLine gap(String site, String device, String channel, long firstNs, long lastNs, long readings,
                                String cause) {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("site", site);
        tags.put("device", device);
        tags.put("channel", channel);
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("readings", readings);
        f.put("last_ns", lastNs);
        f.put("duration_s", (lastNs - firstNs) / 1e9);
        f.put("cause", cause);
        return derived("gap", firstNs, tags, f);
    }
}
