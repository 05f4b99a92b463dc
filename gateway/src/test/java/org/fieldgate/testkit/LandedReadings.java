package org.fieldgate.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/** What actually landed in InfluxDB, and exact comparisons against what the probes sent. */
public final class LandedReadings {
    private static final int SHOWN = 10;

    private LandedReadings() {
    }

    /** One point of measurement {@code reading} as stored. */
    public record Landed(String site, String device, String channel, String unit, long timeNs, Object value) {
        public Reading.Key key() {
            return new Reading.Key(device, channel, timeNs);
        }
    }

    /**
     * Polls SELECT count(value) until InfluxDB holds at least {@code target} readings (fails at the deadline with the
     * diagnostics). Returns the count: more than {@code target} means something unexpected landed, which the exact
     * comparison that follows ({@link #assertExactly}, {@link #assertBetween}) then names point by point.
     */
    public static long awaitAtLeast(InfluxdProcess influx, String db, long target, Duration timeout, Supplier<String> diagnostics) {
        return Poll.value("InfluxDB database " + db + " to hold " + target + " readings", timeout, Duration.ofMillis(500),
                () -> influx.count(db), count -> count >= target, diagnostics);
    }

    /** Fetches every point of measurement {@code reading}; fails if two points share (device, channel, time). */
    public static Map<Reading.Key, Landed> fetch(InfluxdProcess influx, String db) {
        Map<Reading.Key, Landed> points = new HashMap<>();
        List<String> clashes = new ArrayList<>();
        influx.forEachRow(db, "SELECT value, site, device, channel, unit FROM reading", row -> {
            Landed landed = new Landed(str(row.get("site")), str(row.get("device")), str(row.get("channel")),
                    str(row.get("unit")), ((Number) row.get("time")).longValue(), row.get("value"));
            Landed previous = points.put(landed.key(), landed);
            if (previous != null && clashes.size() < SHOWN) {
                clashes.add(previous + " and " + landed);
            }
        });
        if (!clashes.isEmpty()) {
            throw new AssertionError("several points share one (device, channel, time), e.g. differing in another tag: " + clashes);
        }
        return points;
    }

    /** Every expected reading landed once with its exact value, unit and site, and nothing else landed. */
    public static void assertExactly(String site, Map<Reading.Key, Reading> expected, Map<Reading.Key, Landed> landed) {
        assertBetween(site, expected, expected, landed);
    }

    /**
     * Every {@code mustLand} reading landed with its exact value; every landed point is one of {@code mayLand}
     * (a superset: sent, but not acknowledged) with exactly the value that was sent. Bitwise double equality.
     */
    public static void assertBetween(String site, Map<Reading.Key, Reading> mustLand, Map<Reading.Key, Reading> mayLand,
                                     Map<Reading.Key, Landed> landed) {
        List<String> missing = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        List<String> corrupted = new ArrayList<>();
        long missingCount = 0;
        long unexpectedCount = 0;
        long corruptedCount = 0;
        for (Reading r : mustLand.values()) {
            if (!landed.containsKey(r.key())) {
                missingCount++;
                if (missing.size() < SHOWN) {
                    missing.add(r.toString());
                }
            }
        }
        for (Landed point : landed.values()) {
            Reading sent = mayLand.get(point.key());
            if (sent == null) {
                unexpectedCount++;
                if (unexpected.size() < SHOWN) {
                    unexpected.add(point.toString());
                }
            } else if (!(point.value() instanceof Number n)
                    || Double.doubleToRawLongBits(n.doubleValue()) != Double.doubleToRawLongBits(sent.value())
                    || !Objects.equals(point.unit(), sent.unit())
                    || !Objects.equals(point.site(), site)) {
                corruptedCount++;
                if (corrupted.size() < SHOWN) {
                    corrupted.add("sent " + sent + " (value bits " + Long.toHexString(Double.doubleToRawLongBits(sent.value()))
                            + ", site " + site + "), stored " + point);
                }
            }
        }
        if (missingCount + unexpectedCount + corruptedCount > 0) {
            throw new AssertionError("InfluxDB holds " + landed.size() + " points; must hold all " + mustLand.size()
                    + " acknowledged readings" + (mayLand == mustLand ? "" : " and only readings among the " + mayLand.size() + " sent")
                    + ".\n  missing: " + missingCount + " e.g. " + missing
                    + "\n  unexpected: " + unexpectedCount + " e.g. " + unexpected
                    + "\n  wrong value/unit/site: " + corruptedCount + " e.g. " + corrupted);
        }
    }

    private static String str(Object o) {
        return o == null ? null : o.toString();
    }
}
