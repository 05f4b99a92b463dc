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
 * time and series as InfluxDB keys a point: a reading delivered twice is kept once.
 *
 * <p>One table without rowid, time first ({@value #TABLE}): readings are delivered about in time order, so each
 * acknowledged run lands on the last pages of one tree, and what is older than the kept period is the first pages of
 * it. Keyed series first, with a separate index on the delivery time (the table of earlier versions, {@code
 * delivered}, moved into this one at open), every run wrote a page per series into two trees and the rowid table, and
 * that was nine tenths of the spool settler's CPU in profile-bench.
 */
final class DeliveredArchive implements AutoCloseable {
    static final String FILE = "delivered.db";
    static final String TABLE = "kept";

    private final Connection db;
    /** The copy of an acknowledged run out of the attached spool ({@link #keepSpoolRuns}), prepared once. */
    private final PreparedStatement copyRun;

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
                s.execute("CREATE TABLE IF NOT EXISTS " + TABLE + """
                         (
                          time_ns INTEGER NOT NULL, site TEXT NOT NULL, device TEXT NOT NULL, channel TEXT NOT NULL,
                          unit TEXT NOT NULL, value REAL NOT NULL, qc INTEGER NOT NULL, cal TEXT,
                          received_ns INTEGER NOT NULL,
                          PRIMARY KEY (time_ns, site, device, channel)) WITHOUT ROWID""");
            }
            moveEarlierTable(moveRowsPerTransaction);
            try (PreparedStatement attach = db.prepareStatement("ATTACH DATABASE ? AS spool")) {
                attach.setString(1, spoolFile.toString());
                attach.execute();
            }
            copyRun = db.prepareStatement("INSERT OR REPLACE INTO " + TABLE + " (time_ns, site, device, channel, unit, "
                    + "value, qc, cal, received_ns) SELECT time_ns, site, device, channel, unit, value, qc, cal, "
                    + "received_ns FROM " + ReadingStore.namedRows("spool") + " WHERE id BETWEEN ? AND ?");
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
            for (int i = 0; i < firstIds.length; i++) {
                copyRun.setLong(1, firstIds[i]);
                copyRun.setLong(2, lastIds[i]);
                copyRun.executeUpdate();
            }
            db.commit();
        } catch (SQLException e) {
            rollback();
            throw new SpoolException("keeping delivered spool rows " + firstIds[0] + ".." + lastIds[lastIds.length - 1]
                    + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * A {@value #FILE} of an earlier version keeps its readings in {@code delivered} (series first, with the delivery
     * time): they move into {@value #TABLE} in steps of {@code rowsPerTransaction} rows by rowid, each step one
     * transaction that copies and deletes them (a step interrupted is rolled back whole, a step done stays done), and
     * the emptied table is dropped.
     */
    private void moveEarlierTable(int rowsPerTransaction) throws SQLException {
        boolean earlier;
        try (Statement s = db.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'delivered'")) {
            earlier = rs.next() && rs.getInt(1) > 0;
        }
        if (!earlier) {
            return;
        }
        long moved = 0;
        try (Statement s = db.createStatement();
             PreparedStatement step = db.prepareStatement(
                     "SELECT max(rowid) FROM (SELECT rowid FROM delivered ORDER BY rowid LIMIT ?)");
             PreparedStatement copy = db.prepareStatement("INSERT OR REPLACE INTO " + TABLE + " (time_ns, site, device, "
                     + "channel, unit, value, qc, cal, received_ns) SELECT time_ns, site, device, channel, unit, value, "
                     + "qc, cal, received_ns FROM delivered WHERE rowid <= ?");
             PreparedStatement delete = db.prepareStatement("DELETE FROM delivered WHERE rowid <= ?")) {
            // the delivery-time index only slows the deletes down now
            s.execute("DROP INDEX IF EXISTS delivered_at");
            while (true) {
                s.execute("BEGIN");
                try {
                    step.setInt(1, rowsPerTransaction);
                    long lastRowid;
                    try (ResultSet rs = step.executeQuery()) {
                        rs.next();
                        lastRowid = rs.getLong(1);
                        if (rs.wasNull()) {
                            s.execute("COMMIT");
                            break;
                        }
                    }
                    copy.setLong(1, lastRowid);
                    int copied = copy.executeUpdate();
                    delete.setLong(1, lastRowid);
                    int deleted = delete.executeUpdate();
                    if (copied != deleted) {
                        throw new SQLException("moving " + FILE + "'s earlier table: " + copied + " rows copied but "
                                + deleted + " deleted up to rowid " + lastRowid);
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
            s.execute("DROP TABLE delivered");
        }
        LoggerFactory.getLogger(DeliveredArchive.class).info("{} kept readings in {} moved to the time-ordered table",
                moved, FILE);
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
        try (PreparedStatement q = db.prepareStatement("SELECT site, device, channel, unit, time_ns, value, qc, cal, "
                + "received_ns FROM " + TABLE + " WHERE time_ns >= ? AND time_ns < ? AND (site, device, channel) IN "
                + "(VALUES " + values + ") ORDER BY time_ns")) {
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
            copyRun.close();
            db.close();
        } catch (SQLException e) {
            throw new SpoolException("closing " + FILE + " failed: " + e.getMessage(), e);
        }
    }
}
