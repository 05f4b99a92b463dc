package org.fieldgate.forward;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.fieldgate.reading.Reading;
import org.fieldgate.store.PointLine;
import org.influxdb.dto.Point;

/** How readings and derived results look in InfluxDB: one place for the measurement, tag and field names. */
public final class InfluxLines {
    /** Measurement of every reading. */
    public static final String READING = "reading";

    private InfluxLines() {
    }

    /** The influxdb-java {@link Point} of a reading; {@link #appendReading} writes the same line without it. */
    static Point reading(Reading r) {
        Point.Builder p = Point.measurement(READING)
                .time(r.timeNs(), TimeUnit.NANOSECONDS)
                .tag("site", r.site())
                .tag("device", r.device())
                .tag("channel", r.channel())
                .tag("unit", r.unit());
        if (r.calibration() != null) {
            p.tag("cal", r.calibration());
        }
        return p.addField("value", r.value()).addField("qc", (long) r.qc()).build();
    }

    /**
     * Appends a reading's line (no newline) exactly as influxdb-java 2.25's {@code Point.lineProtocol(NANOSECONDS)}
     * writes it, without building the Point, its two TreeMaps and a NumberFormat per reading: tags in name order
     * (cal, channel, device, site, unit), an empty tag left out, spaces, commas and equals signs escaped with a
     * backslash in the measurement and tags (nothing else is, as in influxdb-java), {@code qc} as an integer,
     * {@code value} as a plain decimal and left out when it is NaN or infinite (line protocol has no such value),
     * the ns timestamp last. InfluxDB line protocol reference: docs.influxdata.com, "Line protocol", v1.
     */
    static void appendReading(StringBuilder sb, Reading r) {
        sb.append(READING);
        if (r.calibration() != null) {
            tag(sb, "cal", r.calibration());
        }
        tag(sb, "channel", Objects.requireNonNull(r.channel(), "channel"));
        tag(sb, "device", Objects.requireNonNull(r.device(), "device"));
        tag(sb, "site", Objects.requireNonNull(r.site(), "site"));
        tag(sb, "unit", Objects.requireNonNull(r.unit(), "unit"));
        sb.append(" qc=").append((long) r.qc()).append('i');
        if (Double.isFinite(r.value())) {
            sb.append(",value=");
            appendPlainDecimal(sb, r.value());
        }
        sb.append(' ').append(r.timeNs());
    }

    private static void tag(StringBuilder sb, String name, String value) {
        if (value.isEmpty()) {
            return; // influxdb-java drops an empty tag; InfluxDB would refuse it
        }
        sb.append(',').append(name).append('=');
        for (int i = 0, n = value.length(); i < n; i++) {
            char c = value.charAt(i);
            if (c == ' ' || c == ',' || c == '=') {
                sb.append('\\');
            }
            sb.append(c);
        }
    }

    /**
     * A finite double as influxdb-java's NumberFormat writes it (English, no grouping, 1 to 340 fraction digits):
     * the shortest digits that round-trip ({@link Double#toString}'s), never in exponent notation.
     */
    static void appendPlainDecimal(StringBuilder sb, double v) {
        String s = Double.toString(v);
        int e = s.indexOf('E');
        if (e < 0) {
            sb.append(s); // already d.ddd with at least one fraction digit
            return;
        }
        boolean negative = s.charAt(0) == '-';
        if (negative) {
            sb.append('-');
        }
        // mantissa d.ddd (one digit before the point); its digits without the point
        int from = negative ? 1 : 0;
        int digitsEnd = e;
        while (digitsEnd > from + 2 && s.charAt(digitsEnd - 1) == '0') {
            digitsEnd--; // trailing zeros of the mantissa carry nothing
        }
        String digits = s.charAt(from) + (digitsEnd > from + 2 ? s.substring(from + 2, digitsEnd) : "");
        int exponent = Integer.parseInt(s, e + 1, s.length(), 10);
        int point = 1 + exponent; // digits before the decimal point
        if (point <= 0) {
            sb.append("0.");
            for (int i = point; i < 0; i++) {
                sb.append('0');
            }
            sb.append(digits);
        } else if (point >= digits.length()) {
            sb.append(digits);
            for (int i = digits.length(); i < point; i++) {
                sb.append('0');
            }
            sb.append(".0");
        } else {
            sb.append(digits, 0, point).append('.').append(digits, point, digits.length());
        }
    }

    /**
     * A derived result as one line. Field values: {@link Double} (float), {@link Long}/{@link Integer} (integer),
     * {@link String}, {@link Boolean}; non-finite doubles are left out (line protocol has no NaN), so a rate that
     * could not be computed is absent, not zero. Tags with a null value are left out.
     */
    public static PointLine derived(String measurement, long timeNs, Map<String, String> tags,
                                    Map<String, Object> fields) {
        Point.Builder p = Point.measurement(measurement).time(timeNs, TimeUnit.NANOSECONDS);
        tags.forEach((k, v) -> {
            if (v != null) {
                p.tag(k, v);
            }
        });
        int kept = 0;
        for (Map.Entry<String, Object> f : fields.entrySet()) {
            Object v = f.getValue();
            if (v instanceof Double d) {
                if (Double.isFinite(d)) {
                    p.addField(f.getKey(), d);
                    kept++;
                }
            } else if (v instanceof Integer i) {
                p.addField(f.getKey(), (long) i);
                kept++;
            } else if (v instanceof Long l) {
                p.addField(f.getKey(), l);
                kept++;
            } else if (v instanceof String s) {
                p.addField(f.getKey(), s);
                kept++;
            } else if (v instanceof Boolean b) {
                p.addField(f.getKey(), b);
                kept++;
            } else if (v != null) {
                throw new IllegalArgumentException(measurement + " field " + f.getKey() + " = " + v
                        + ": not a number, string or boolean");
            }
        }
        if (kept == 0) {
            throw new IllegalArgumentException(measurement + " at " + timeNs + " has no finite field: " + fields);
        }
        return PointLine.of(measurement, timeNs, p.build().lineProtocol(TimeUnit.NANOSECONDS));
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
