package org.fieldgate.store;

import org.fieldgate.reading.QcFlags;
import org.fieldgate.reading.Reading;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Readings counted per series and UTC hour of acquisition: received (committed), flagged (qc not 0), stamped before
 * the clock was synchronised, and delivered to InfluxDB. Counted in the very transaction that commits, delivers or
 * releases the readings, so a power cut can neither lose a count nor count a reading twice. What the counts mean for
 * completeness (expected, missing, why) is the export ledger's business, not the store's.
 *
 * <p>On disk: rows of the {@code accumulator} table, key {@code ledger:} + hour ({@code ledger:2026-11-01T13}),
 * bucket {@code site/device/channel}, v0 received, v1 flagged, v2 delivered, v3 clock unsynchronised.
 */
public final class HourlyCountStore {
    /** The accumulator key prefix of the counts (named after their first reader, the completeness ledger). */
    private static final String KEY = "ledger:";

    private final AccumulatorStore accumulators;

    HourlyCountStore(AccumulatorStore accumulators) {
        this.accumulators = accumulators;
    }

    /** One series' counts in one hour; {@code series} is {@code site/device/channel}. */
    public record HourlyCount(String hour, String series, long received, long flagged, long delivered,
                              long clockUnsynced) {
        public static HourlyCount none(String hour, String series) {
            return new HourlyCount(hour, series, 0, 0, 0, 0);
        }
    }

    /** The UTC hour that {@code timeNs} falls in, as the counts name it ({@code 2026-11-01T13}). */
    public static String hourOf(long timeNs) {
        return Instant.ofEpochSecond(Math.floorDiv(timeNs, SpoolDatabase.HOUR_NS) * 3600).toString().substring(0, 13);
    }

    /** The counts of the hours from {@code fromNs}'s up to but not including {@code toNs}'s, by hour and series. */
    public List<HourlyCount> between(long fromNs, long toNs) {
        return accumulators.range(KEY + hourOf(fromNs), KEY + hourOf(toNs)).stream()
                .map(a -> new HourlyCount(a.key().substring(KEY.length()), a.bucket(), (long) a.sums()[0],
                        (long) a.sums()[1], (long) a.sums()[2], (long) a.sums()[3])).toList();
    }

    /** Counts {@code readings} as received, inside the caller's transaction on {@code c}. */
    static void addReceived(Connection c, List<Reading> readings) throws SQLException {
        Map<SeriesHour, double[]> sums = new LinkedHashMap<>();
        for (Reading r : readings) {
            double[] v = sums.computeIfAbsent(SeriesHour.of(r), k -> new double[4]);
            v[0]++;
            v[1] += r.qc() != 0 ? 1 : 0;
            v[3] += (r.qc() & QcFlags.CLOCK_UNSYNCED) != 0 ? 1 : 0;
        }
        AccumulatorStore.add(c, keyed(sums));
    }

    /** Counts {@code readings} as delivered, inside the caller's transaction on {@code c}. */
    static void addDelivered(Connection c, List<Reading> readings) throws SQLException {
        Map<SeriesHour, double[]> sums = new LinkedHashMap<>();
        for (Reading r : readings) {
            sums.computeIfAbsent(SeriesHour.of(r), k -> new double[4])[2]++;
        }
        AccumulatorStore.add(c, keyed(sums));
    }

    /**
     * A series in an hour, as a map key: the strings of the accumulator row (key and bucket) are built once per series
     * and hour of a commit, not once per reading.
     */
    private record SeriesHour(long hour, String site, String device, String channel) {
        static SeriesHour of(Reading r) {
            return new SeriesHour(Math.floorDiv(r.timeNs(), SpoolDatabase.HOUR_NS), r.site(), r.device(), r.channel());
        }

        /** {@code hourKey}: this hour's accumulator key, {@link #KEY} + {@link #hourOf}. */
        List<String> key(String hourKey) {
            return List.of(hourKey, site + "/" + device + "/" + channel);
        }
    }

    private static Map<List<String>, double[]> keyed(Map<SeriesHour, double[]> sums) {
        Map<List<String>, double[]> keyed = new LinkedHashMap<>(sums.size() * 2);
        // a commit's readings fall in one or two hours: each hour's key is formatted once, not once per series
        Map<Long, String> hourKeys = new HashMap<>();
        // two series may join to one bucket name (a channel with a '/'): their counts add up, as they always did
        sums.forEach((k, v) -> keyed.merge(k.key(hourKeys.computeIfAbsent(k.hour(),
                h -> KEY + hourOf(h * SpoolDatabase.HOUR_NS))), v, (a, b) -> {
            for (int i = 0; i < a.length; i++) {
                a[i] += b[i];
            }
            return a;
        }));
        return keyed;
    }

    /**
     * Counts the rows of reading ids [firstId, lastId] still in the table as delivered, inside the caller's transaction
     * on {@code c}. One INSERT ... SELECT, so the transaction starts as a write and waits its turn: a read first would
     * hold a snapshot that SQLite refuses to upgrade once another connection has committed, without waiting
     * (SQLITE_BUSY_SNAPSHOT).
     */
    static void addDelivered(Connection c, long firstId, long lastId) throws SQLException {
        try (PreparedStatement up = c.prepareStatement("INSERT INTO accumulator (key, bucket, v0, v1, v2, v3) "
                + "SELECT '" + KEY + "' || strftime('%Y-%m-%dT%H', time_ns / 1000000000, 'unixepoch'), "
                + "site || '/' || device || '/' || channel, 0, 0, count(*), 0 FROM reading WHERE id BETWEEN ? AND ? "
                + "GROUP BY 1, 2 ON CONFLICT (key, bucket) DO UPDATE SET v2 = v2 + excluded.v2")) {
            up.setLong(1, firstId);
            up.setLong(2, lastId);
            up.executeUpdate();
        }
    }
}
