package org.fieldgate.store;

import org.fieldgate.reading.QcFlags;
import org.fieldgate.reading.Reading;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Readings counted per series and UTC hour of acquisition: received (committed), flagged (qc not 0), stamped before
 * the clock was synchronised, and delivered to InfluxDB. Counted in the very transaction that commits, delivers or
 * releases the readings, so a power cut can neither lose a count nor count a reading twice. What the counts mean for
 * completeness (expected, missing, why) is the export ledger's business, not the store's.
 *
 * <p>On disk: rows of {@value #TABLE}, keyed by the hour (whole hours since 1970, UTC) and the spool's series id
 * ({@link SeriesIds#READING_SERIES}), so a commit binds four integers per series and hour and no names. Spools written
 * before it kept the counts as rows of the {@code accumulator} table (key {@value #KEY} + hour, bucket
 * {@code site/device/channel}, v0 received, v1 flagged, v2 delivered, v3 clock unsynchronised): those rows stay where
 * they are, and {@link #between} adds them to the new ones.
 */
public final class HourlyCountStore {
    /** The accumulator key prefix of the counts of spools written before {@value #TABLE} (read, never written). */
    static final String KEY = "ledger:";
    /** The counts' table. */
    static final String TABLE = "series_hour_count";
    static final String CREATE_TABLE = "CREATE TABLE IF NOT EXISTS " + TABLE + " (hour INTEGER NOT NULL, "
            + "series INTEGER NOT NULL, received INTEGER NOT NULL, flagged INTEGER NOT NULL, delivered INTEGER NOT NULL, "
            + "clock_unsynced INTEGER NOT NULL, PRIMARY KEY (hour, series)) WITHOUT ROWID";

    private final SpoolDatabase db;
    private final AccumulatorStore accumulators;

    HourlyCountStore(SpoolDatabase db, AccumulatorStore accumulators) {
        this.db = db;
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

    /**
     * The counts of the hours from {@code fromNs}'s up to but not including {@code toNs}'s, by hour and series name
     * ({@code site/device/channel}, in that order). A series with two units is one name, and so are two series whose
     * names join alike (a channel with a '/'): their counts add up, as they always did.
     */
    public List<HourlyCount> between(long fromNs, long toNs) {
        Map<String, long[]> sums = new TreeMap<>();
        long fromHour = Math.floorDiv(fromNs, SpoolDatabase.HOUR_NS);
        long toHour = Math.floorDiv(toNs, SpoolDatabase.HOUR_NS);
        db.read("hourly counts " + hourOf(fromNs) + ".." + hourOf(toNs), c -> {
            try (PreparedStatement q = c.prepareStatement("SELECT h.hour, s.site, s.device, s.channel, sum(h.received), "
                    + "sum(h.flagged), sum(h.delivered), sum(h.clock_unsynced) FROM " + TABLE + " h JOIN series s "
                    + "ON s.id = h.series WHERE h.hour >= ? AND h.hour < ? GROUP BY h.hour, s.site, s.device, s.channel")) {
                q.setLong(1, fromHour);
                q.setLong(2, toHour);
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        add(sums, hourOf(rs.getLong(1) * SpoolDatabase.HOUR_NS),
                                rs.getString(2) + "/" + rs.getString(3) + "/" + rs.getString(4),
                                rs.getLong(5), rs.getLong(6), rs.getLong(7), rs.getLong(8));
                    }
                }
            }
            return null;
        });
        if (fromHour < toHour) {
            for (AccumulatorStore.Accumulator a : accumulators.range(KEY + hourOf(fromNs), KEY + hourOf(toNs))) {
                add(sums, a.key().substring(KEY.length()), a.bucket(), (long) a.sums()[0], (long) a.sums()[1],
                        (long) a.sums()[2], (long) a.sums()[3]);
            }
        }
        List<HourlyCount> out = new ArrayList<>(sums.size());
        sums.forEach((k, v) -> {
            int at = k.indexOf(' ');
            out.add(new HourlyCount(k.substring(0, at), k.substring(at + 1), v[0], v[1], v[2], v[3]));
        });
        return out;
    }

    private static void add(Map<String, long[]> sums, String hour, String series, long received, long flagged,
                            long delivered, long clockUnsynced) {
        // the hour has no space and sorts first: the key orders by hour, then by series name
        long[] v = sums.computeIfAbsent(hour + " " + series, k -> new long[4]);
        v[0] += received;
        v[1] += flagged;
        v[2] += delivered;
        v[3] += clockUnsynced;
    }

    /**
     * Counts readings per series id and hour inside the transactions of one connection, its upserts prepared once: as
     * received (received, flagged, clock unsynchronised: the ingest committer's, or an import's) or as delivered (the
     * spool settler's). Each series and hour of a call is one row, in the order they first came, written
     * {@link #ROWS_PER_STATEMENT} rows to a statement.
     *
     * <p>Per reading: no allocation and no object to reach, only the arrays of an open-addressing table of (hour,
     * series id), which a call empties behind it; no lookup at all while readings follow one series in one hour (the
     * id compared, the hour by its bounds). A burst of many series grows the table, and the next call after it starts
     * from a small one again.
     */
    static final class SeriesHourCounts implements AutoCloseable {
        /** Rows of one upsert statement: one step of SQLite's instead of one per row. */
        static final int ROWS_PER_STATEMENT = 32;
        /** The table's slots to start with, and the most kept from one call to the next. */
        private static final int SLOTS = 1024;
        /** Groups (series and hours) that a call counts without growing the table. */
        static final int GROUPS_KEPT = SLOTS / 2;
        private final boolean delivered;
        /** The upsert of one row and of {@link #ROWS_PER_STATEMENT} rows. */
        private final PreparedStatement upsertOne;
        private final PreparedStatement upsertMany;
        /** The slots: 0 free, else 1 + the index of a group of the call at hand. */
        private int[] slots = new int[SLOTS];
        /** The groups of the call at hand, in the order they first came: hour, series id, counts. */
        private long[] hours = new long[SLOTS / 2];
        private long[] series = new long[SLOTS / 2];
        private int[] readings = new int[SLOTS / 2];
        private int[] flagged = new int[SLOTS / 2];
        private int[] clockUnsynced = new int[SLOTS / 2];
        private int groups;
        /** The group of the last reading counted (-1: none), its series id, and the hour at hand with its bounds. */
        private int last = -1;
        private long lastSeries;
        private long hour;
        private long hourStartNs = 1;
        private long hourEndNs = 0;

        private SeriesHourCounts(Connection c, boolean delivered) throws SQLException {
            this.delivered = delivered;
            this.upsertOne = c.prepareStatement(upsert(delivered, 1));
            this.upsertMany = c.prepareStatement(upsert(delivered, ROWS_PER_STATEMENT));
        }

        /** The upsert of {@code rows} rows of delivered counts (3 values a row) or received counts (5 values). */
        private static String upsert(boolean delivered, int rows) {
            String row = delivered ? "(?,?,0,0,?,0)" : "(?,?,?,?,0,?)";
            return "INSERT INTO " + TABLE + " (hour, series, received, flagged, delivered, clock_unsynced) VALUES "
                    + String.join(",", java.util.Collections.nCopies(rows, row)) + " ON CONFLICT (hour, series) DO UPDATE SET "
                    + (delivered ? "delivered = delivered + excluded.delivered"
                    : "received = received + excluded.received, flagged = flagged + excluded.flagged, "
                    + "clock_unsynced = clock_unsynced + excluded.clock_unsynced");
        }

        /** Received counts (received, flagged, clock unsynchronised). */
        static SeriesHourCounts received(Connection c) throws SQLException {
            return new SeriesHourCounts(c, false);
        }

        /** Delivered counts. */
        static SeriesHourCounts delivered(Connection c) throws SQLException {
            return new SeriesHourCounts(c, true);
        }

        /** Counts {@code readings}, whose series ids are {@code seriesIds[0..]}, inside the caller's transaction. */
        void add(List<Reading> readings, long[] seriesIds) throws SQLException {
            try {
                for (int i = 0, n = readings.size(); i < n; i++) {
                    count(readings.get(i), seriesIds[i]);
                }
                write();
            } finally {
                reset();
            }
        }

        /**
         * Counts every reading of {@code runs}, inside the caller's transaction on the connection of {@code ids},
         * which names their series ids (the spool's read shares a series' names, so most take a reference check).
         */
        void addRuns(List<List<SpooledReading>> runs, SeriesIds ids) throws SQLException {
            try {
                for (List<SpooledReading> run : runs) {
                    for (SpooledReading s : run) {
                        Reading r = s.reading();
                        count(r, ids.of(r.site(), r.device(), r.channel(), r.unit()));
                    }
                }
                write();
            } finally {
                reset();
            }
        }

        private void count(Reading r, long seriesId) {
            long timeNs = r.timeNs();
            int g = last;
            if (timeNs < hourStartNs || timeNs >= hourEndNs) {
                hour = Math.floorDiv(timeNs, SpoolDatabase.HOUR_NS);
                hourStartNs = hour * SpoolDatabase.HOUR_NS;
                // past the last whole hour a long holds, the end wraps and every reading looks its hour up again
                hourEndNs = hourStartNs + SpoolDatabase.HOUR_NS;
                g = -1;
            }
            if (g < 0 || seriesId != lastSeries) {
                g = group(seriesId);
                last = g;
                lastSeries = seriesId;
            }
            readings[g]++;
            int qc = r.qc();
            flagged[g] += qc != 0 ? 1 : 0;
            clockUnsynced[g] += (qc & QcFlags.CLOCK_UNSYNCED) != 0 ? 1 : 0;
        }

        /** The group of {@code seriesId} in the hour at hand, made if new. */
        private int group(long seriesId) {
            int mask = slots.length - 1;
            int i = slot(hour, seriesId) & mask;
            for (int s; (s = slots[i]) != 0; i = i + 1 & mask) {
                if (series[s - 1] == seriesId && hours[s - 1] == hour) {
                    return s - 1;
                }
            }
            int g = groups++;
            if (g == hours.length) {
                int n = 2 * g;
                hours = Arrays.copyOf(hours, n);
                series = Arrays.copyOf(series, n);
                readings = Arrays.copyOf(readings, n);
                flagged = Arrays.copyOf(flagged, n);
                clockUnsynced = Arrays.copyOf(clockUnsynced, n);
            }
            hours[g] = hour;
            series[g] = seriesId;
            slots[i] = g + 1;
            if (groups * 2 > slots.length) {
                rehash(slots.length * 2);
            }
            return g;
        }

        private static int slot(long hour, long seriesId) {
            long h = (seriesId * 0x9E3779B97F4A7C15L) ^ (hour * 0xC2B2AE3D27D4EB4FL);
            return (int) (h ^ h >>> 32) ^ (int) (h >>> 17);
        }

        private void rehash(int size) {
            slots = new int[size];
            int mask = size - 1;
            for (int g = 0; g < groups; g++) {
                int i = slot(hours[g], series[g]) & mask;
                while (slots[i] != 0) {
                    i = i + 1 & mask;
                }
                slots[i] = g + 1;
            }
        }

        private void write() throws SQLException {
            int n = groups;
            int whole = n - n % ROWS_PER_STATEMENT;
            if (whole > 0) {
                upsertMany.clearBatch();
                for (int i = 0; i < whole; i += ROWS_PER_STATEMENT) {
                    for (int j = 0; j < ROWS_PER_STATEMENT; j++) {
                        bind(upsertMany, j, i + j);
                    }
                    upsertMany.addBatch();
                }
                upsertMany.executeBatch();
            }
            if (whole < n) {
                upsertOne.clearBatch();
                for (int i = whole; i < n; i++) {
                    bind(upsertOne, 0, i);
                    upsertOne.addBatch();
                }
                upsertOne.executeBatch();
            }
        }

        /** Binds group {@code g}'s counts as row {@code row} of {@code upsert}. */
        private void bind(PreparedStatement upsert, int row, int g) throws SQLException {
            int at = row * (delivered ? 3 : 5);
            upsert.setLong(at + 1, hours[g]);
            upsert.setLong(at + 2, series[g]);
            upsert.setInt(at + 3, readings[g]);
            if (!delivered) {
                upsert.setInt(at + 4, flagged[g]);
                upsert.setInt(at + 5, clockUnsynced[g]);
            }
        }

        /** Counted afresh at the next call, whether this one commits or is rolled back and tried again. */
        private void reset() {
            if (slots.length > SLOTS) {
                // a burst of many series: its big arrays are not kept (nor cleared) for every call after it
                slots = new int[SLOTS];
                hours = new long[SLOTS / 2];
                series = new long[SLOTS / 2];
                readings = new int[SLOTS / 2];
                flagged = new int[SLOTS / 2];
                clockUnsynced = new int[SLOTS / 2];
            } else {
                Arrays.fill(slots, 0);
                Arrays.fill(readings, 0, groups, 0);
                Arrays.fill(flagged, 0, groups, 0);
                Arrays.fill(clockUnsynced, 0, groups, 0);
            }
            groups = 0;
            last = -1;
        }

        @Override
        public void close() throws SQLException {
            try (upsertOne) {
                upsertMany.close();
            }
        }
    }

    /** Counts {@code readings} as delivered, inside the caller's transaction on {@code c} (a rare path: quarantine). */
    static void addDelivered(Connection c, List<Reading> readings) throws SQLException {
        try (SeriesIds ids = new SeriesIds(c, SeriesIds.READING_SERIES);
             SeriesHourCounts counts = SeriesHourCounts.delivered(c)) {
            counts.add(readings, ids.of(readings));
        }
    }

    /**
     * Counts the rows of reading ids [firstId, lastId] still in the table as delivered, inside the caller's transaction
     * on {@code c}. One INSERT ... SELECT, so the transaction starts as a write and waits its turn: a read first would
     * hold a snapshot that SQLite refuses to upgrade once another connection has committed, without waiting
     * (SQLITE_BUSY_SNAPSHOT). The hour is floored, as {@link Math#floorDiv} does (SQLite's '/' truncates toward 0).
     */
    static void addDelivered(Connection c, long firstId, long lastId) throws SQLException {
        String hour = "(time_ns / " + SpoolDatabase.HOUR_NS + " - (time_ns % " + SpoolDatabase.HOUR_NS + " < 0))";
        try (PreparedStatement up = c.prepareStatement("INSERT INTO " + TABLE + " (hour, series, received, flagged, "
                + "delivered, clock_unsynced) SELECT " + hour + ", series, 0, 0, count(*), 0 FROM reading "
                + "WHERE id BETWEEN ? AND ? GROUP BY 1, 2 ON CONFLICT (hour, series) DO UPDATE SET "
                + "delivered = delivered + excluded.delivered")) {
            up.setLong(1, firstId);
            up.setLong(2, lastId);
            up.executeUpdate();
        }
    }
}
