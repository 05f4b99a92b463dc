package org.fieldgate.forward;

import java.util.LinkedHashMap;
import java.util.Map;
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
