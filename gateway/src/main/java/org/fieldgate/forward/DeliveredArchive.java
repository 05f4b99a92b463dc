package org.fieldgate.forward;

import org.fieldgate.reading.Reading;
import org.fieldgate.store.ReadingStore;
import org.fieldgate.store.SpoolException;
import org.fieldgate.store.SpooledReading;
import org.fieldgate.store.Transactions;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Readings InfluxDB acknowledged, kept for {@code fieldgate.forward.keep-delivered} so that an hour InfluxDB
 * acknowledged but does not hold can be sent again (see {@link Reconciler}). Its own SQLite file beside the spool
 * ({@value #FILE}), so the kept copies never count against the spool's max-bytes nor raise its full alarm. Keyed by
 * time and series (site, device, channel and unit, as InfluxDB tags a point): a reading delivered twice is kept once.
 *
 * <p>One table without rowid, time first ({@value #TABLE}): readings are delivered about in time order, so each
 * acknowledged run lands on the last pages of one tree, and what is older than the kept period is the first pages of
 * it. Keyed series first, with a separate index on the delivery time (the table of earlier versions, {@code
 * delivered}), every run wrote a page per series into two trees and the rowid table, and that was nine tenths of the
 * spool settler's CPU in profile-bench. Its series are integer ids of {@value #SERIES_TABLE} (this file's own, so they
 * outlive a spool set aside as damaged): with the names in every row ({@code kept}, the table of the version before),
 * the copy was still 2.1 of the settler's 2.9 CPU-s per million readings at 100 readings per message in profile-bench
 * (with and without {@code keep-delivered}). Both earlier tables move into this one at open.
 */
final class DeliveredArchive implements AutoCloseable {
    static final String FILE = "delivered.db";
    static final String TABLE = "kept_reading";
    static final String SERIES_TABLE = "kept_series";
    /** The table of the version before, names in every row; moved into {@value #TABLE} at open. */
    static final String NAMED_TABLE = "kept";
    /** The table of the versions before that, series first; moved into {@value #TABLE} at open. */
    static final String SERIES_FIRST_TABLE = "delivered";

    private final Connection db;
    /** The copy of an acknowledged run out of the attached spool ({@link #keepSpoolRuns}), prepared once. */
    private final PreparedStatement copyRun;
    /** The spool's highest series id ({@link #mapNewSeries}). */
    private final PreparedStatement spoolSeriesThrough;
    private final PreparedStatement addSeries;
    private final PreparedStatement mapSeries;
    /**
     * The spool's series ids up to which {@code temp.spool_series} maps them to this file's: the spool's series are
     * never deleted nor renumbered while it is open (a spool set aside is replaced only at open, before this), so each
     * series is mapped once per process, when the first run naming it is kept.
     */
    private long mappedThrough;

    /**
     * Rows of an earlier version's table moved per transaction at open: each step is kept, so a gateway that systemd
     * stops during a long move (TimeoutStartSec) takes up where it was at its next start instead of starting over.
     */
    static final int MOVE_ROWS_PER_TRANSACTION = 200_000;

    /** With {@code spoolFile} (the spool's database) attached as {@code spool}, read by {@link #keepSpoolRows} only. */
    DeliveredArchive(Path spoolDir, Path spoolFile) {
        this(spoolDir, spoolFile, MOVE_ROWS_PER_TRANSACTION);
    }

    DeliveredArchive(Path spoolDir, Path spoolFile, int moveRowsPerTransaction) {
        try {
            db = DriverManager.getConnection("jdbc:sqlite:" + spoolDir.resolve(FILE));
            try (Statement s = db.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                // a copy lost in a power cut only narrows what a reconciliation can re-send
                s.execute("PRAGMA synchronous=NORMAL");
                s.execute("PRAGMA busy_timeout=30000");
                // laid out as the spool's series table, whose names the copy's mapping compares with these
                s.execute(ReadingStore.createSeriesTable(SERIES_TABLE));
                s.execute("CREATE TABLE IF NOT EXISTS " + TABLE + """
                         (
                          time_ns INTEGER NOT NULL, series INTEGER NOT NULL, value REAL NOT NULL, qc INTEGER NOT NULL,
                          cal TEXT, received_ns INTEGER NOT NULL,
                          PRIMARY KEY (time_ns, series)) WITHOUT ROWID""");
            }
            // the series-first table by rowid (it has no index on time), the named one by its time-first key
            moveNamedTable(SERIES_FIRST_TABLE, "rowid", moveRowsPerTransaction);
            moveNamedTable(NAMED_TABLE, "time_ns", moveRowsPerTransaction);
            try (PreparedStatement attach = db.prepareStatement("ATTACH DATABASE ? AS spool")) {
                attach.setString(1, spoolFile.toString());
                attach.execute();
            }
            try (Statement s = db.createStatement()) {
                // the map is small (a few bytes a series) and the service may have no writable temporary directory
                s.execute("PRAGMA temp_store=MEMORY");
                s.execute("CREATE TEMP TABLE spool_series (spool_id INTEGER PRIMARY KEY, kept_id INTEGER NOT NULL)");
            }
            spoolSeriesThrough = db.prepareStatement("SELECT coalesce(max(id), 0) FROM spool.series");
            addSeries = db.prepareStatement("INSERT OR IGNORE INTO " + SERIES_TABLE + " (site, device, channel, unit) "
                    + "SELECT site, device, channel, unit FROM spool.series WHERE id > ? AND id <= ? ORDER BY id");
            mapSeries = db.prepareStatement("INSERT OR REPLACE INTO temp.spool_series (spool_id, kept_id) "
                    + "SELECT s.id, k.id FROM spool.series s JOIN main." + SERIES_TABLE + " k ON k.site = s.site "
                    + "AND k.device = s.device AND k.channel = s.channel AND k.unit = s.unit WHERE s.id > ? AND s.id <= ?");
            // LEFT JOIN: a series not mapped fails the copy on its NOT NULL column instead of leaving its rows out
            copyRun = db.prepareStatement("INSERT OR REPLACE INTO " + TABLE + " (time_ns, series, value, qc, cal, "
                    + "received_ns) SELECT r.time_ns, m.kept_id, r.value, r.qc, r.cal, r.received_ns FROM spool.reading r "
                    + "LEFT JOIN temp.spool_series m ON m.spool_id = r.series WHERE r.id BETWEEN ? AND ?");
            db.setAutoCommit(false);
            db.commit();
        } catch (SQLException e) {
            throw new SpoolException("cannot open " + spoolDir.resolve(FILE) + ": " + e.getMessage(), e);
        }
    }

    /**
     * Keeps the spool's rows {@code firstId..lastId}, a run InfluxDB has just acknowledged whose refused readings have
     * already been quarantined out of it (so the run holds exactly the readings that landed), copied from the attached
     * spool inside SQLite: no per-reading bind and no String per field (binding each reading was the spool settler's
     * largest cost in profile-bench). Called before the spool deletes the run.
     */
    void keepSpoolRows(long firstId, long lastId) {
        keepSpoolRuns(new long[]{firstId}, new long[]{lastId});
    }

    /**
     * As {@link #keepSpoolRows} for the runs {@code firstIds[i]..lastIds[i]} the settler takes together, in one
     * transaction, with the copy statement prepared once (preparing and committing per run was most of a small run's
     * cost at one reading per message).
     */
    synchronized void keepSpoolRuns(long[] firstIds, long[] lastIds) {
        try {
            long through = mapNewSeries();
            for (int i = 0; i < firstIds.length; i++) {
                copyRun.setLong(1, firstIds[i]);
                copyRun.setLong(2, lastIds[i]);
                copyRun.executeUpdate();
            }
            db.commit();
            mappedThrough = through;
        } catch (SQLException e) {
            rollback();
            throw new SpoolException("keeping delivered spool rows " + firstIds[0] + ".." + lastIds[lastIds.length - 1]
                    + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * Gives the spool's series added since the last call their ids here (new ones appended to {@value #SERIES_TABLE})
     * and maps them, in the caller's transaction; returns the spool's series id mapped through once it commits. A run
     * names only series committed before it, so all of them are mapped when its copy runs.
     */
    private long mapNewSeries() throws SQLException {
        long through;
        try (ResultSet rs = spoolSeriesThrough.executeQuery()) {
            rs.next();
            through = rs.getLong(1);
        }
        if (through > mappedThrough) {
            for (PreparedStatement s : new PreparedStatement[]{addSeries, mapSeries}) {
                s.setLong(1, mappedThrough);
                s.setLong(2, through);
                s.executeUpdate();
            }
        }
        return through;
    }

    /**
     * A {@value #FILE} of an earlier version keeps its readings with their names in every row, in {@code table}
     * ({@value #SERIES_FIRST_TABLE} or {@value #NAMED_TABLE}): they move into {@value #TABLE} in steps of about {@code
     * rowsPerTransaction} rows by {@code stepColumn}, each step one transaction that names their series in {@value
     * #SERIES_TABLE}, copies and deletes them (a step interrupted is rolled back whole, a step done stays done), and the
     * emptied table is dropped.
     */
    private void moveNamedTable(String table, String stepColumn, int rowsPerTransaction) throws SQLException {
        boolean earlier;
        try (PreparedStatement q = db.prepareStatement(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?")) {
            q.setString(1, table);
            try (ResultSet rs = q.executeQuery()) {
                earlier = rs.next() && rs.getInt(1) > 0;
            }
        }
        if (!earlier) {
            return;
        }
        long moved = 0;
        try (Statement s = db.createStatement();
             PreparedStatement step = db.prepareStatement("SELECT max(" + stepColumn + ") FROM (SELECT " + stepColumn
                     + " FROM " + table + " ORDER BY " + stepColumn + " LIMIT ?)");
             PreparedStatement name = db.prepareStatement("INSERT OR IGNORE INTO " + SERIES_TABLE + " (site, device, "
                     + "channel, unit) SELECT DISTINCT site, device, channel, unit FROM " + table + " WHERE "
                     + stepColumn + " <= ?");
             PreparedStatement copy = db.prepareStatement("INSERT OR REPLACE INTO " + TABLE + " (time_ns, series, "
                     + "value, qc, cal, received_ns) SELECT o.time_ns, k.id, o.value, o.qc, o.cal, o.received_ns FROM "
                     + table + " o JOIN " + SERIES_TABLE + " k ON k.site = o.site AND k.device = o.device AND "
                     + "k.channel = o.channel AND k.unit = o.unit WHERE o." + stepColumn + " <= ?");
             PreparedStatement delete = db.prepareStatement("DELETE FROM " + table + " WHERE " + stepColumn + " <= ?")) {
            // the series-first table's delivery-time index only slows the deletes down now
            s.execute("DROP INDEX IF EXISTS delivered_at");
            while (true) {
                s.execute("BEGIN");
                try {
                    step.setInt(1, rowsPerTransaction);
                    long last;
                    try (ResultSet rs = step.executeQuery()) {
                        rs.next();
                        last = rs.getLong(1);
                        if (rs.wasNull()) {
                            s.execute("COMMIT");
                            break;
                        }
                    }
                    name.setLong(1, last);
                    name.executeUpdate();
                    copy.setLong(1, last);
                    int copied = copy.executeUpdate();
                    delete.setLong(1, last);
                    int deleted = delete.executeUpdate();
                    if (copied != deleted) {
                        throw new SQLException("moving " + FILE + "'s earlier table " + table + ": " + copied
                                + " rows copied but " + deleted + " deleted up to " + stepColumn + " " + last);
                    }
                    s.execute("COMMIT");
                    moved += copied;
                } catch (SQLException e) {
                    try {
                        s.execute("ROLLBACK");
                    } catch (SQLException rollback) {
                        e.addSuppressed(rollback);
                    }
                    throw e;
                }
            }
        }
        // dropped once the statements that read it are closed (SQLite refuses while one is open on it)
        try (Statement s = db.createStatement()) {
            s.execute("DROP TABLE " + table);
        }
        LoggerFactory.getLogger(DeliveredArchive.class).info("{} kept readings in {}'s table {} moved to {}", moved,
                FILE, table, TABLE);
    }

    /** Series one {@link #readings} call may ask for at most (three bound parameters each). */
    static final int SERIES_PER_SCAN = 1000;

    /**
     * The kept readings of {@code series} (each its site, device and channel) stamped in [fromNs, toNs), by series,
     * each by time: one scan of that time range, the table being ordered by time first.
     */
    synchronized Map<List<String>, List<SpooledReading>> readings(List<List<String>> series, long fromNs, long toNs) {
        if (series.size() > SERIES_PER_SCAN) {
            throw new IllegalArgumentException("at most " + SERIES_PER_SCAN + " series per scan, not " + series.size());
        }
        Map<List<String>, List<SpooledReading>> out = new HashMap<>();
        if (series.isEmpty()) {
            return out;
        }
        String values = String.join(",", java.util.Collections.nCopies(series.size(), "(?,?,?)"));
        try (PreparedStatement q = db.prepareStatement("SELECT s.site, s.device, s.channel, s.unit, k.time_ns, k.value, "
                + "k.qc, k.cal, k.received_ns FROM " + TABLE + " k JOIN " + SERIES_TABLE + " s ON s.id = k.series "
                + "WHERE k.time_ns >= ? AND k.time_ns < ? AND (s.site, s.device, s.channel) IN (VALUES " + values + ") "
                + "ORDER BY k.time_ns, k.series")) {
            q.setLong(1, fromNs);
            q.setLong(2, toNs);
            int p = 3;
            for (List<String> s : series) {
                for (String part : s) {
                    q.setString(p++, part);
                }
            }
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    Reading r = new Reading(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getLong(5), rs.getDouble(6), rs.getInt(7), rs.getString(8));
                    out.computeIfAbsent(List.of(r.site(), r.device(), r.channel()), k -> new ArrayList<>())
                            .add(new SpooledReading(0, r, rs.getLong(9)));
                }
            }
            db.commit();
        } catch (SQLException e) {
            rollback();
            throw new SpoolException("reading kept deliveries failed: " + e.getMessage(), e);
        }
        return out;
    }

    /**
     * Forgets the readings stamped before {@code timeNs} (the start of the oldest hour the reconciler checks); returns
     * how many. The first pages of the time-ordered table, so no index on the delivery time is kept for this.
     */
    synchronized int prune(long timeNs) {
        try (PreparedStatement del = db.prepareStatement("DELETE FROM " + TABLE + " WHERE time_ns < ?")) {
            del.setLong(1, timeNs);
            int n = del.executeUpdate();
            db.commit();
            return n;
        } catch (SQLException e) {
            rollback();
            throw new SpoolException("pruning kept deliveries failed: " + e.getMessage(), e);
        }
    }

    private void rollback() {
        Transactions.rollback(db, FILE, LoggerFactory.getLogger(DeliveredArchive.class));
    }

    @Override
    public synchronized void close() {
        try {
            for (PreparedStatement s : new PreparedStatement[]{copyRun, spoolSeriesThrough, addSeries, mapSeries}) {
                s.close();
            }
            db.close();
        } catch (SQLException e) {
            throw new SpoolException("closing " + FILE + " failed: " + e.getMessage(), e);
        }
    }
}
