package org.fieldgate.store;

import org.fieldgate.reading.QcFlags;
import org.fieldgate.reading.Reading;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
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

    /**
     * Counts readings as received inside the transactions of one connection (the ingest committer's, or an import's),
     * its upsert prepared once. Each series and hour of a commit is one row of the batch, in the order they first came;
     * two series that join to one bucket name (a channel with a '/') are two rows, and the upsert adds the second to
     * the first, as the counts always added up. One map lookup per reading, no allocation for a series seen before:
     * each series keeps its bucket name and the counters of its hour (its first hour of the commit; another hour of the
     * same commit, rare, gets counters of its own), reset when a commit first meets it.
     */
    static final class ReceivedCounts implements AutoCloseable {
        /** Series kept at most; past it the map starts again (a site this big is rare). */
        static final int SERIES_KEPT = 50_000;
        private static final int ROWS_KEPT = 4096;
        private final PreparedStatement upsert;
        private final int seriesKept;
        private final Map<SeriesHour, SeriesCounts> series = new HashMap<>();
        /** The commit's rows, in the order their series and hour first came. */
        private ArrayList<HourCounts> rows = new ArrayList<>();
        private final SeriesHour probe = new SeriesHour();
        /** Which add() this is: a series' counters belong to the commit whose number they carry. */
        private long commit;
        private long lastHour = Long.MIN_VALUE;
        private String lastHourKey;

        ReceivedCounts(Connection c) throws SQLException {
            this(c, SERIES_KEPT);
        }

        ReceivedCounts(Connection c, int seriesKept) throws SQLException {
            this.seriesKept = seriesKept;
            this.upsert = c.prepareStatement("INSERT INTO accumulator (key, bucket, v0, v1, v2, v3) "
                    + "VALUES (?,?,?,?,0,?) ON CONFLICT (key, bucket) DO UPDATE SET v0 = v0 + excluded.v0, "
                    + "v1 = v1 + excluded.v1, v3 = v3 + excluded.v3");
        }

        /** Counts {@code readings} as received, inside the caller's transaction. */
        void add(List<Reading> readings) throws SQLException {
            long commit = ++this.commit;
            rows.clear();
            for (Reading r : readings) {
                SeriesCounts s = series.get(probe.set(0, r));
                if (s == null) {
                    if (series.size() >= seriesKept) {
                        series.clear(); // rows of this commit keep their own counters
                    }
                    s = new SeriesCounts(r.site() + "/" + r.device() + "/" + r.channel());
                    series.put(probe.copy(), s);
                }
                HourCounts h = s.counts(commit, Math.floorDiv(r.timeNs(), SpoolDatabase.HOUR_NS), rows);
                h.received++;
                h.flagged += r.qc() != 0 ? 1 : 0;
                h.clockUnsynced += (r.qc() & QcFlags.CLOCK_UNSYNCED) != 0 ? 1 : 0;
            }
            if (rows.isEmpty()) {
                return;
            }
            upsert.clearBatch();
            for (HourCounts h : rows) {
                upsert.setString(1, hourKey(h.hour));
                upsert.setString(2, h.bucket);
                upsert.setInt(3, h.received);
                upsert.setInt(4, h.flagged);
                upsert.setInt(5, h.clockUnsynced);
                upsert.addBatch();
            }
            upsert.executeBatch();
            if (rows.size() > ROWS_KEPT) {
                rows = new ArrayList<>(); // a burst of many series: its big list is not cleared at every commit after it
            }
        }

        private String hourKey(long hour) {
            if (hour != lastHour) {
                lastHourKey = KEY + hourOf(hour * SpoolDatabase.HOUR_NS);
                lastHour = hour;
            }
            return lastHourKey;
        }

        @Override
        public void close() throws SQLException {
            upsert.close();
        }
    }

    /** One series' counters in one hour of one commit: a row of the upsert. */
    private static final class HourCounts {
        final String bucket;
        long hour;
        int received;
        int flagged;
        int clockUnsynced;
        /** The series' next hour in the same commit. */
        HourCounts next;

        HourCounts(String bucket) {
            this.bucket = bucket;
        }

        HourCounts reset(long hour) {
            this.hour = hour;
            received = 0;
            flagged = 0;
            clockUnsynced = 0;
            next = null;
            return this;
        }
    }

    /** A series' bucket name and its counters, kept from commit to commit. */
    private static final class SeriesCounts {
        /** The counters of the first hour a commit met the series in; reused by every commit. */
        private final HourCounts first;
        private long commit = -1;

        SeriesCounts(String bucket) {
            this.first = new HourCounts(bucket);
        }

        /** The counters of {@code hour} in commit {@code commit}, added to {@code rows} when new. */
        HourCounts counts(long commit, long hour, List<HourCounts> rows) {
            if (this.commit != commit) {
                this.commit = commit;
                rows.add(first.reset(hour));
                return first;
            }
            HourCounts h = first;
            while (h.hour != hour) {
                if (h.next == null) {
                    h.next = new HourCounts(first.bucket).reset(hour);
                    rows.add(h.next);
                }
                h = h.next;
            }
            return h;
        }
    }

    /**
     * A series in an hour as a map key, looked up with one probe set again for each reading, a copy kept only for a
     * new key ({@link ReceivedCounts} keys series alone, at hour 0).
     */
    private static final class SeriesHour {
        long hour;
        String site;
        String device;
        String channel;

        SeriesHour set(long hour, Reading r) {
            this.hour = hour;
            this.site = r.site();
            this.device = r.device();
            this.channel = r.channel();
            return this;
        }

        SeriesHour set(long hour, SeriesHour other) {
            this.hour = hour;
            this.site = other.site;
            this.device = other.device;
            this.channel = other.channel;
            return this;
        }

        SeriesHour copy() {
            return new SeriesHour().set(hour, this);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof SeriesHour k && k.hour == hour && k.site.equals(site) && k.device.equals(device)
                    && k.channel.equals(channel);
        }

        @Override
        public int hashCode() {
            return ((Long.hashCode(hour) * 31 + site.hashCode()) * 31 + device.hashCode()) * 31 + channel.hashCode();
        }
    }

    /**
     * Counts the spool settler's acknowledged runs as delivered inside the delivery connection's transactions, its
     * upsert prepared once (only the delivered count: three binds per series and hour, not six). The series and hour
     * groups, with their accumulator key and bucket strings, are kept from settle to settle up to {@link #GROUPS_KEPT},
     * so a run of series seen before makes no strings, keys or arrays; the upsert of each group of a settle is one row
     * of the batch. Two series that join to one bucket name (a channel with a '/') are two rows, and the upsert adds
     * the second to the first, as the counts always added up.
     */
    static final class DeliveredCounts implements AutoCloseable {
        /** Groups kept at most (about 150 bytes each); past it they are made again. */
        static final int GROUPS_KEPT = 20_000;
        private final PreparedStatement upsert;
        private final Map<SeriesHour, Group> groups = new HashMap<>();
        private final Map<Long, String> hourKeys = new HashMap<>();
        private final List<Group> touched = new java.util.ArrayList<>();
        private final SeriesHour probe = new SeriesHour();

        /** A series in an hour: its accumulator key and bucket, and how many of the settle at hand it holds. */
        private static final class Group {
            final String hourKey;
            final String bucket;
            int delivered;

            Group(String hourKey, String bucket) {
                this.hourKey = hourKey;
                this.bucket = bucket;
            }
        }

        DeliveredCounts(Connection c) throws SQLException {
            this.upsert = c.prepareStatement("INSERT INTO accumulator (key, bucket, v0, v1, v2, v3) "
                    + "VALUES (?,?,0,0,?,0) ON CONFLICT (key, bucket) DO UPDATE SET v2 = v2 + excluded.v2");
        }

        /** Counts every reading of {@code runs} as delivered, inside the caller's transaction. */
        void add(List<List<SpooledReading>> runs) throws SQLException {
            touched.clear();
            for (List<SpooledReading> run : runs) {
                for (SpooledReading s : run) {
                    Reading r = s.reading();
                    Group g = groups.get(probe.set(Math.floorDiv(r.timeNs(), SpoolDatabase.HOUR_NS), r));
                    if (g == null) {
                        g = newGroup();
                    }
                    if (g.delivered++ == 0) {
                        touched.add(g);
                    }
                }
            }
            if (touched.isEmpty()) {
                return;
            }
            upsert.clearBatch();
            for (Group g : touched) {
                upsert.setString(1, g.hourKey);
                upsert.setString(2, g.bucket);
                upsert.setInt(3, g.delivered);
                upsert.addBatch();
            }
            try {
                upsert.executeBatch();
            } finally {
                // counted afresh at the next settle, whether this one commits or is rolled back and tried again
                for (Group g : touched) {
                    g.delivered = 0;
                }
            }
        }

        /** The group of the series and hour the probe is set to, made and kept. */
        private Group newGroup() {
            if (groups.size() >= GROUPS_KEPT) {
                groups.clear();
                hourKeys.clear();
            }
            String hourKey = hourKeys.computeIfAbsent(probe.hour, h -> KEY + hourOf(h * SpoolDatabase.HOUR_NS));
            Group g = new Group(hourKey, probe.site + "/" + probe.device + "/" + probe.channel);
            groups.put(probe.copy(), g);
            return g;
        }

        @Override
        public void close() throws SQLException {
            upsert.close();
        }
    }

    /** Counts {@code readings} as delivered, inside the caller's transaction on {@code c}. */
    static void addDelivered(Connection c, List<Reading> readings) throws SQLException {
        // grouped by series and hour first, so the accumulator's key and bucket strings are made once per group and
        // hour, not once per reading (the settler calls this for every acknowledged run)
        Map<SeriesHour, double[]> groups = new LinkedHashMap<>();
        SeriesHour probe = new SeriesHour();
        for (Reading r : readings) {
            double[] v = groups.get(probe.set(Math.floorDiv(r.timeNs(), SpoolDatabase.HOUR_NS), r));
            if (v == null) {
                v = new double[4];
                groups.put(probe.copy(), v);
            }
            v[2]++;
        }
        Map<List<String>, double[]> sums = new LinkedHashMap<>();
        Map<Long, String> hourKeys = new HashMap<>();
        // two series may join to one bucket name (a channel with a '/'): their counts add up, as they always did
        groups.forEach((k, v) -> sums.merge(List.of(hourKeys.computeIfAbsent(k.hour,
                h -> KEY + hourOf(h * SpoolDatabase.HOUR_NS)), k.site + "/" + k.device + "/" + k.channel), v, (a, b) -> {
            a[2] += b[2];
            return a;
        }));
        AccumulatorStore.add(c, sums);
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
