package org.fieldgate.store;

import org.fieldgate.reading.QcFlags;
import org.fieldgate.reading.Reading;
import org.fieldgate.reading.SeriesHash;

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
    static final String KEY = "ledger:";

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
     * Counts readings per series and hour inside the transactions of one connection, its upserts prepared once: as
     * received (v0, v1, v3: the ingest committer's, or an import's) or as delivered (v2: the spool settler's). Each
     * series and hour of a call is one row, in the order they first came, written {@link #ROWS_PER_STATEMENT} rows to
     * a statement; two series that join to one bucket name (a channel with a '/') are two rows, and the upsert adds
     * the second to the first, as the counts always added up.
     *
     * <p>Per reading: nothing allocated for a series and hour seen before, and no map lookup while readings follow
     * one series in one hour (names compared by reference, the hour by its bounds). A lookup otherwise: the key's hash
     * is computed once and mixes its parts with a large odd multiplier (31, as {@code String.hashCode} itself uses,
     * let names such as {@code dev-100}/{@code co2_30cm} and {@code dev-300}/{@code co2_10cm} collide), the key is the
     * group itself (one object to reach, not three), and names compare by reference first (the decoder shares them
     * from message to message; the spool's read within one read). The groups, with their accumulator key and bucket
     * strings, are kept from call to call: those of the newest hour and the hour before it (a group made for a new
     * hour lets the older ones go, so the map holds about two hours of a site's series, not every hour up to the cap),
     * at most {@code kept}; past it the map starts again, mid-call too, which only makes two rows of one key and
     * bucket that the upsert adds up.
     */
    static final class SeriesHourCounts implements AutoCloseable {
        /** Groups kept at most by the ingest's counts (about 150 bytes each); a site this big is rare. */
        static final int RECEIVED_KEPT = 50_000;
        /** Groups kept at most by the settler's counts. */
        static final int DELIVERED_KEPT = 20_000;
        /** Rows of one upsert statement: one step of SQLite's instead of one per row. */
        static final int ROWS_PER_STATEMENT = 32;
        private final boolean delivered;
        private final int kept;
        /** The upsert of one row and of {@link #ROWS_PER_STATEMENT} rows. */
        private final PreparedStatement upsertOne;
        private final PreparedStatement upsertMany;
        private final Map<SeriesHour, Group> groups = new HashMap<>();
        private final Map<Long, String> hourKeys = new HashMap<>();
        /** The groups of the call at hand, in the order they first came. */
        private final ArrayList<Group> touched = new ArrayList<>();
        private final SeriesHour probe = new SeriesHour();
        /** The group of the last reading counted, that reading's names, and the bounds of its hour (epoch ns). */
        private Group last;
        private String lastSite;
        private String lastDevice;
        private String lastChannel;
        private long hour;
        private long hourStartNs = 1;
        private long hourEndNs = 0;
        /** The latest hour a group was made for. */
        private long newestHour = Long.MIN_VALUE;

        /** A series in an hour, its own map key: its accumulator key and bucket, and its counts in the call at hand. */
        private static final class Group extends SeriesHour {
            final String hourKey;
            final String bucket;
            int readings;
            int flagged;
            int clockUnsynced;

            Group(SeriesHour key, String hourKey, String bucket) {
                super(key);
                this.hourKey = hourKey;
                this.bucket = bucket;
            }
        }

        private SeriesHourCounts(Connection c, boolean delivered, int kept) throws SQLException {
            this.delivered = delivered;
            this.kept = kept;
            this.upsertOne = c.prepareStatement(upsert(delivered, 1));
            this.upsertMany = c.prepareStatement(upsert(delivered, ROWS_PER_STATEMENT));
        }

        /** The upsert of {@code rows} rows of delivered counts (3 values a row) or received counts (5 values). */
        private static String upsert(boolean delivered, int rows) {
            String row = delivered ? "(?,?,0,0,?,0)" : "(?,?,?,?,0,?)";
            return "INSERT INTO accumulator (key, bucket, v0, v1, v2, v3) VALUES " + String.join(",",
                    java.util.Collections.nCopies(rows, row)) + " ON CONFLICT (key, bucket) DO UPDATE SET "
                    + (delivered ? "v2 = v2 + excluded.v2"
                    : "v0 = v0 + excluded.v0, v1 = v1 + excluded.v1, v3 = v3 + excluded.v3");
        }

        /** Received counts (received, flagged, clock unsynchronised), keeping up to {@code kept} groups. */
        static SeriesHourCounts received(Connection c, int kept) throws SQLException {
            return new SeriesHourCounts(c, false, kept);
        }

        static SeriesHourCounts received(Connection c) throws SQLException {
            return received(c, RECEIVED_KEPT);
        }

        /** Delivered counts, keeping up to {@code kept} groups. */
        static SeriesHourCounts delivered(Connection c, int kept) throws SQLException {
            return new SeriesHourCounts(c, true, kept);
        }

        static SeriesHourCounts delivered(Connection c) throws SQLException {
            return delivered(c, DELIVERED_KEPT);
        }

        /** Counts {@code readings}, inside the caller's transaction. */
        void add(List<Reading> readings) throws SQLException {
            try {
                for (Reading r : readings) {
                    count(r);
                }
                write();
            } finally {
                reset();
            }
        }

        /** Counts every reading of {@code runs}, inside the caller's transaction. */
        void addRuns(List<List<SpooledReading>> runs) throws SQLException {
            try {
                for (List<SpooledReading> run : runs) {
                    for (SpooledReading s : run) {
                        count(s.reading());
                    }
                }
                write();
            } finally {
                reset();
            }
        }

        private void count(Reading r) {
            long timeNs = r.timeNs();
            if (timeNs < hourStartNs || timeNs >= hourEndNs) {
                hour = Math.floorDiv(timeNs, SpoolDatabase.HOUR_NS);
                hourStartNs = hour * SpoolDatabase.HOUR_NS;
                // past the last whole hour a long holds, the end wraps and every reading looks its hour up again
                hourEndNs = hourStartNs + SpoolDatabase.HOUR_NS;
            }
            Group g = last;
            if (g == null || g.hour != hour || lastChannel != r.channel() || lastDevice != r.device()
                    || lastSite != r.site()) {
                g = group(r);
                last = g;
                lastSite = r.site();
                lastDevice = r.device();
                lastChannel = r.channel();
            }
            if (g.readings++ == 0) {
                touched.add(g);
            }
            int qc = r.qc();
            g.flagged += qc != 0 ? 1 : 0;
            g.clockUnsynced += (qc & QcFlags.CLOCK_UNSYNCED) != 0 ? 1 : 0;
        }

        /** The group of {@code r}'s series in the hour at hand, made and kept if new. */
        private Group group(Reading r) {
            Group g = groups.get(probe.set(hour, r));
            if (g != null) {
                // its names are left as they are: pointing a kept (old) group at the names of each new spool read
                // would keep those young strings alive and make the collector scan the group at every young collection
                return g;
            }
            if (hour > newestHour) {
                // a new hour: the groups of the hours before the last let go (readings come about in time order)
                newestHour = hour;
                groups.keySet().removeIf(k -> k.hour < hour - 1);
                hourKeys.keySet().removeIf(h -> h < hour - 1);
            }
            if (groups.size() >= kept) {
                groups.clear(); // the groups of this call stay in touched with their counts
                hourKeys.clear();
            }
            String hourKey = hourKeys.computeIfAbsent(hour, h -> KEY + hourOf(h * SpoolDatabase.HOUR_NS));
            g = new Group(probe, hourKey, r.site() + "/" + r.device() + "/" + r.channel());
            groups.put(g, g);
            return g;
        }

        private void write() throws SQLException {
            int n = touched.size();
            int whole = n - n % ROWS_PER_STATEMENT;
            if (whole > 0) {
                upsertMany.clearBatch();
                for (int i = 0; i < whole; i += ROWS_PER_STATEMENT) {
                    for (int j = 0; j < ROWS_PER_STATEMENT; j++) {
                        bind(upsertMany, j, touched.get(i + j));
                    }
                    upsertMany.addBatch();
                }
                upsertMany.executeBatch();
            }
            if (whole < n) {
                upsertOne.clearBatch();
                for (int i = whole; i < n; i++) {
                    bind(upsertOne, 0, touched.get(i));
                    upsertOne.addBatch();
                }
                upsertOne.executeBatch();
            }
        }

        /** Binds {@code g}'s counts as row {@code row} of {@code upsert}. */
        private void bind(PreparedStatement upsert, int row, Group g) throws SQLException {
            int at = row * (delivered ? 3 : 5);
            upsert.setString(at + 1, g.hourKey);
            upsert.setString(at + 2, g.bucket);
            upsert.setInt(at + 3, g.readings);
            if (!delivered) {
                upsert.setInt(at + 4, g.flagged);
                upsert.setInt(at + 5, g.clockUnsynced);
            }
        }

        /** Counted afresh at the next call, whether this one commits or is rolled back and tried again. */
        private void reset() {
            for (Group g : touched) {
                g.readings = 0;
                g.flagged = 0;
                g.clockUnsynced = 0;
            }
            int size = touched.size();
            touched.clear();
            if (size > 4096) {
                touched.trimToSize(); // a burst of many series: its big array is not kept for every call after it
            }
        }

        @Override
        public void close() throws SQLException {
            try (upsertOne) {
                upsertMany.close();
            }
        }
    }

    /**
     * A series in an hour as a map key, looked up with a probe set again for each reading. The hash is computed once
     * per set and compared first.
     */
    private static class SeriesHour {
        long hour;
        String site;
        String device;
        String channel;
        int hash;

        SeriesHour() {
        }

        SeriesHour(SeriesHour other) {
            this.hour = other.hour;
            this.site = other.site;
            this.device = other.device;
            this.channel = other.channel;
            this.hash = other.hash;
        }

        SeriesHour set(long hour, Reading r) {
            this.hour = hour;
            this.site = r.site();
            this.device = r.device();
            this.channel = r.channel();
            int h = SeriesHash.of(site, device, channel) * SeriesHash.MIX + Long.hashCode(hour);
            this.hash = h ^ (h >>> 15);
            return this;
        }

        @Override
        public final boolean equals(Object o) {
            // String.equals compares references first: names shared by the decoder or the spool's read cost one check
            return o instanceof SeriesHour k && k.hash == hash && k.hour == hour && k.channel.equals(channel)
                    && k.device.equals(device) && k.site.equals(site);
        }

        @Override
        public final int hashCode() {
            return hash;
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
                groups.put(new SeriesHour(probe), v);
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
                + "s.site || '/' || s.device || '/' || s.channel, 0, 0, count(*), 0 FROM reading r "
                + "JOIN series s ON s.id = r.series WHERE r.id BETWEEN ? AND ? "
                + "GROUP BY 1, 2 ON CONFLICT (key, bucket) DO UPDATE SET v2 = v2 + excluded.v2")) {
            up.setLong(1, firstId);
            up.setLong(2, lastId);
            up.executeUpdate();
        }
    }
}
