package org.fieldgate.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * The spool's one SQLite database ({@code spool.db}, WAL mode) that every store of this package works in: its schema
 * and migrations, the high-water mark beside it, and one connection per role. SQLite serialises the writes of the
 * connections; a store that writes several tables at once does it in one transaction on one of them (see README.md).
 *
 * <ul>
 *   <li>{@link #writer}: the ingest committer's (readings, their keys, dead letters, counts; the drop-oldest policy),
 *   synchronous=FULL so a commit survives a power cut before the broker hears of it. {@code keys.db} is attached
 *   here only.</li>
 *   <li>{@link #delivery}: the forwarder's writer (readings leave, delivered or quarantined), synchronous=NORMAL: a
 *   delete lost in a power cut only re-sends points InfluxDB already has, and it keys them by series and time.</li>
 *   <li>{@link #cursor}: the forwarder's batch preparer, reading ahead.</li>
 *   <li>{@link #query}: read-only queries from any thread, one at a time ({@link #read}).</li>
 *   <li>{@link #shared}: derived points, gap records, accumulators and released quarantine, from any thread, one at
 *   a time ({@link #onShared}), synchronous=FULL: they are few (one flux per closure, one gap per outage).</li>
 * </ul>
 */
final class SpoolDatabase implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SpoolDatabase.class);
    static final long HOUR_NS = 3_600_000_000_000L;
    /** Names in the counter table. */
    static final String DEAD_LETTERS_TOTAL = "dead_letters_total";
    static final String DROPPED_TOTAL = "dropped_total";
    static final String QUARANTINED_TOTAL = "quarantined_total";
    static final String LOST_TOTAL = "lost_total";
    static final String DUPLICATES_TOTAL = "duplicates_total";
    static final String CONFLICTS_TOTAL = "conflicts_total";

    final Path file;
    final Connection writer;
    final Connection delivery;
    final Connection cursor;
    final Connection query;
    final Connection shared;
    /** Committed and removed rows, beside the database: how a damaged spool is told from a drained one. */
    final HighWaterMark mark;
    /** What was found damaged when the database opened, and what became of it; empty when nothing was. */
    final String damageAtStart;

    /** Work on a connection inside a transaction that the caller commits or rolls back. */
    @FunctionalInterface
    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /**
     * Opens (creating, checking and if need be salvaging) the spool in {@code dir}. A loss found at start is recorded
     * as a gap record with its point in {@code gapPoint}'s line format.
     */
    SpoolDatabase(Path dir, GapStore.PointFormat gapPoint) {
        this(dir, gapPoint, true);
    }

    /**
     * {@code owner}: the gateway, which checks the spool against its high-water mark, salvages a damaged one and keeps
     * the mark. Otherwise a command beside it (which may be running): no check, no salvage, no mark (see
     * {@link HighWaterMark#notKept}); a damaged database then fails the command's queries, and the gateway's next start
     * deals with it.
     */
    SpoolDatabase(Path dir, GapStore.PointFormat gapPoint, boolean owner) {
        SpoolAccess.requireWritable(dir, "spool.db");
        try {
            Files.createDirectories(dir);
        } catch (Exception e) {
            throw new SpoolException("cannot create spool directory " + dir + ": " + e.getMessage(), e);
        }
        SqliteNative.prepare(dir);
        this.file = dir.resolve("spool.db");
        this.mark = owner ? new HighWaterMark(dir.resolve("spool.hwm")) : HighWaterMark.notKept();
        SpoolRecovery.Inspection found = owner ? SpoolRecovery.inspect(file, mark) : new SpoolRecovery.Inspection(null, 0, true);
        damageAtStart = found.damage() == null ? "" : SpoolRecovery.setAsideAndSalvage(dir, file, mark, found);
        try {
            writer = open(file, true);
            createSchema(writer);
            attachKeys(writer, dir.resolve("keys.db"));
            if (owner) {
                long lost = damageAtStart.isEmpty() ? 0 : found.lost();
                if (!damageAtStart.isEmpty()) {
                    long orphans = SpoolRecovery.dropReadingsWithoutSeries(writer);
                    lost = lost < 0 ? lost : lost + orphans;
                }
                SpoolRecovery.startMark(writer, mark, lost, gapPoint);
            }
            delivery = open(file, false);
            cursor = open(file, false);
            query = open(file, false);
            shared = open(file, true);
        } catch (SQLException e) {
            throw new SpoolException("cannot open spool " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * sqlite-jdbc (3.43 and later) answers every INSERT run through {@code executeUpdate} with a second statement,
     * {@code SELECT last_insert_rowid()}, prepared, run and finalised anew each time, unless {@code
     * jdbc.get_generated_keys} is false ({@code CoreStatement.updateGeneratedKeys}, {@code SQLiteConfig.Pragma
     * .JDBC_GET_GENERATED_KEYS}; checked in the 3.50.3.0 bytecode). The spool never asks for generated keys, and that
     * statement was a quarter of ingest's CPU at 100 readings per message (one per reading key).
     */
    static Properties connectionProperties() {
        Properties p = new Properties();
        p.setProperty("jdbc.get_generated_keys", "false");
        return p;
    }

    static Connection open(Path file, boolean durable) throws SQLException {
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + file, connectionProperties());
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute(durable ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
            s.execute("PRAGMA busy_timeout=30000");
            // Keep the WAL from growing without bound between checkpoints on a small SD card.
            s.execute("PRAGMA journal_size_limit=8388608");
        }
        c.setAutoCommit(false);
        c.commit();
        return c;
    }

    static void createSchema(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            // A reading names its series by id (SeriesIds): four strings per row cost the ingest commit their binds,
            // their bytes in the row and the WAL, and the forwarder's read their decoding.
            s.execute(SeriesIds.READING_SERIES.create());
            s.execute(CREATE_READING.formatted("reading"));
            s.execute("""
                    CREATE TABLE IF NOT EXISTS dead_letter (
                      id INTEGER PRIMARY KEY, received_ns INTEGER NOT NULL, topic TEXT NOT NULL,
                      reason TEXT NOT NULL, raw BLOB NOT NULL, raw_length INTEGER NOT NULL)""");
            s.execute("""
                    CREATE TABLE IF NOT EXISTS quarantine (
                      id INTEGER PRIMARY KEY, quarantined_ns INTEGER NOT NULL, received_ns INTEGER NOT NULL,
                      site TEXT NOT NULL, device TEXT NOT NULL, channel TEXT NOT NULL, unit TEXT NOT NULL,
                      time_ns INTEGER NOT NULL, value REAL NOT NULL, qc INTEGER NOT NULL, reason TEXT NOT NULL,
                      cal TEXT)""");
            // Derived results (fluxes, closures, rates, gaps) wait here as InfluxDB line protocol, beside the readings.
            s.execute("""
                    CREATE TABLE IF NOT EXISTS point (
                      id INTEGER PRIMARY KEY AUTOINCREMENT, measurement TEXT NOT NULL, time_ns INTEGER NOT NULL,
                      line TEXT NOT NULL, created_ns INTEGER NOT NULL)""");
            s.execute("""
                    CREATE TABLE IF NOT EXISTS point_quarantine (
                      id INTEGER PRIMARY KEY, quarantined_ns INTEGER NOT NULL, measurement TEXT NOT NULL,
                      time_ns INTEGER NOT NULL, line TEXT NOT NULL, reason TEXT NOT NULL)""");
            s.execute("""
                    CREATE TABLE IF NOT EXISTS gap (
                      id INTEGER PRIMARY KEY, recorded_ns INTEGER NOT NULL,
                      site TEXT NOT NULL, device TEXT NOT NULL, channel TEXT NOT NULL,
                      first_time_ns INTEGER NOT NULL, last_time_ns INTEGER NOT NULL,
                      readings INTEGER NOT NULL, cause TEXT NOT NULL)""");
            // a reading at a series and time already received with another value: kept, never sent to overwrite it
            s.execute("""
                    CREATE TABLE IF NOT EXISTS conflict (
                      id INTEGER PRIMARY KEY, received_ns INTEGER NOT NULL,
                      site TEXT NOT NULL, device TEXT NOT NULL, channel TEXT NOT NULL, unit TEXT NOT NULL,
                      time_ns INTEGER NOT NULL, value REAL NOT NULL, qc INTEGER NOT NULL, cal TEXT,
                      first_value REAL NOT NULL, first_qc INTEGER NOT NULL)""");
            s.execute("CREATE TABLE IF NOT EXISTS counter (name TEXT PRIMARY KEY, value INTEGER NOT NULL)");
            s.execute("""
                    CREATE TABLE IF NOT EXISTS accumulator (
                      key TEXT NOT NULL, bucket TEXT NOT NULL, v0 REAL NOT NULL, v1 REAL NOT NULL, v2 REAL NOT NULL,
                      v3 REAL NOT NULL, PRIMARY KEY (key, bucket))""");
            s.execute(HourlyCountStore.CREATE_TABLE);
            // spools written before readings carried their calibration id
            for (String table : new String[]{"reading", "quarantine"}) {
                if (!hasColumn(c, table, "cal")) {
                    s.execute("ALTER TABLE " + table + " ADD COLUMN cal TEXT");
                }
            }
            if (hasColumn(c, "reading", "site")) {
                readingsToSeriesIds(c);
            }
            s.execute("INSERT OR IGNORE INTO counter VALUES ('" + DEAD_LETTERS_TOTAL + "', 0), ('" + DROPPED_TOTAL
                    + "', 0), ('" + LOST_TOTAL + "', 0), ('" + DUPLICATES_TOTAL + "', 0), ('" + CONFLICTS_TOTAL + "', 0)");
            // a spool from before the total was kept starts from what its quarantine table holds
            s.execute("INSERT OR IGNORE INTO counter SELECT '" + QUARANTINED_TOTAL + "', count(*) FROM quarantine");
        }
        c.commit();
    }

    /** The reading table, under a name (a spool written before series ids is moved to it under another first). */
    private static final String CREATE_READING = """
            CREATE TABLE IF NOT EXISTS %s (
              id INTEGER PRIMARY KEY AUTOINCREMENT, series INTEGER NOT NULL,
              time_ns INTEGER NOT NULL, value REAL NOT NULL, qc INTEGER NOT NULL,
              received_ns INTEGER NOT NULL, cal TEXT)""";

    /**
     * A spool written before series ids (site, device, channel and unit as text in each row): its readings move to the
     * new table with their row ids, and the table's AUTOINCREMENT sequence is kept (the high-water mark and the
     * forwarder's cursor count on ids never given twice), inside the caller's transaction, so a crash leaves the
     * old table or the new one, never half of it.
     */
    private static void readingsToSeriesIds(Connection c) throws SQLException {
        long sequence = single(c, "SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = 'reading'");
        long rows = single(c, "SELECT count(*) FROM reading");
        long fileBytes = single(c, "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()");
        LOG.info("moving {} waiting readings to series ids (an upgrade, once; it needs free space about the size of "
                + "spool.db, {} MB)", rows, fileBytes >> 20);
        try (Statement s = c.createStatement()) {
            s.execute("INSERT OR IGNORE INTO series (site, device, channel, unit) "
                    + "SELECT site, device, channel, unit FROM reading GROUP BY site, device, channel, unit "
                    + "ORDER BY min(id)");
            s.execute(CREATE_READING.formatted("reading_by_series"));
            s.execute("INSERT INTO reading_by_series (id, series, time_ns, value, qc, received_ns, cal) "
                    + "SELECT r.id, s.id, r.time_ns, r.value, r.qc, r.received_ns, r.cal FROM reading r JOIN series s "
                    + "ON s.site = r.site AND s.device = r.device AND s.channel = r.channel AND s.unit = r.unit "
                    + "ORDER BY r.id");
            s.execute("DROP TABLE reading");
            s.execute("ALTER TABLE reading_by_series RENAME TO reading");
            s.execute("DELETE FROM sqlite_sequence WHERE name IN ('reading', 'reading_by_series')");
            s.execute("INSERT INTO sqlite_sequence (name, seq) VALUES ('reading', " + sequence + ")");
        } catch (SQLException e) {
            // the caller rolls back: the old table stays as it was, and the next start tries again
            throw new SQLException("moving " + rows + " waiting readings to series ids (an upgrade, once) failed, "
                    + "nothing changed; it needs free space about the size of spool.db (" + (fileBytes >> 20)
                    + " MB): " + e.getMessage(), e);
        }
        long moved = single(c, "SELECT count(*) FROM reading");
        if (moved != rows) {
            throw new SQLException("moving " + rows + " readings to series ids kept " + moved);
        }
        LOG.info("{} waiting readings moved to series ids (spool written before them)", rows);
    }

    /**
     * The reading keys live in their own file, so they neither count against the spool's max-bytes nor go with a
     * damaged spool. SQLite commits the main database first: a crash between the two leaves a reading without its key
     * (stored again if redelivered, never lost).
     */
    static void attachKeys(Connection writer, Path keysFile) throws SQLException {
        writer.commit();
        writer.setAutoCommit(true);
        try (Statement s = writer.createStatement()) {
            s.execute("ATTACH DATABASE '" + keysFile.toString().replace("'", "''") + "' AS keys");
            s.execute("PRAGMA keys.journal_mode=WAL");
            s.execute("PRAGMA keys.synchronous=FULL");
            s.execute("PRAGMA keys.journal_size_limit=8388608");
            // Time first: readings arrive about in time order, so a commit's keys land on the last few pages of the
            // tree. Series first (reading_key, before) put each series' key on its own page, one page written to the
            // WAL per series and commit. The series by id (SeriesIds.KEY_SERIES, in this file, so a key keeps its
            // meaning when a damaged spool.db is set aside): an integer in the key instead of three strings.
            s.execute(SeriesIds.KEY_SERIES.create());
            s.execute("""
                    CREATE TABLE IF NOT EXISTS keys.seen (
                      time_ns INTEGER NOT NULL, series INTEGER NOT NULL,
                      value REAL NOT NULL, qc INTEGER NOT NULL, received_ns INTEGER NOT NULL,
                      PRIMARY KEY (time_ns, series)) WITHOUT ROWID""");
            if (!olderKeyTables(writer).isEmpty()) {
                // keys by their names (before series ids; reading_key before that, series first): one transaction,
                // the tables looked for again inside it (an import process may have moved them meanwhile)
                s.execute("BEGIN IMMEDIATE");
                List<String> older;
                try {
                    older = olderKeyTables(writer);
                    for (String table : older) {
                        s.execute("INSERT OR IGNORE INTO keys.key_series (site, device, channel) SELECT DISTINCT site, "
                                + "device, channel FROM keys." + table);
                        s.execute("INSERT OR IGNORE INTO keys.seen (time_ns, series, value, qc, received_ns) "
                                + "SELECT k.time_ns, s.id, k.value, k.qc, k.received_ns FROM keys." + table + " k "
                                + "JOIN keys.key_series s ON s.site = k.site AND s.device = k.device "
                                + "AND s.channel = k.channel");
                        s.execute("DROP TABLE keys." + table);
                    }
                    s.execute("COMMIT");
                } catch (SQLException e) {
                    s.execute("ROLLBACK");
                    throw e;
                }
                LOG.info("reading keys in {} ({}) moved to series ids", keysFile, older);
            }
        }
        writer.setAutoCommit(false);
    }

    /** The key tables of {@code keys.db} from before series ids, oldest first. */
    private static List<String> olderKeyTables(Connection c) throws SQLException {
        List<String> older = new ArrayList<>();
        for (String table : new String[]{"reading_key", "reading_seen"}) {
            if (single(c, "SELECT count(*) FROM keys.sqlite_master WHERE type = 'table' AND name = '" + table + "'") > 0) {
                older.add(table);
            }
        }
        return older;
    }

    private static boolean hasColumn(Connection c, String table, String column) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA table_info(" + table + ")")) {
            while (rs.next()) {
                if (column.equals(rs.getString("name"))) {
                    return true;
                }
            }
            return false;
        }
    }

    /** A read on {@link #query}, its snapshot ended once the work's statements are closed; failures say {@code what}. */
    <T> T read(String what, Work<T> work) {
        return inTransaction(query, what, work);
    }

    /** One transaction on {@link #shared}: committed when {@code work} returns, rolled back when it throws. */
    <T> T onShared(String what, Work<T> work) {
        return inTransaction(shared, what, work);
    }

    private static <T> T inTransaction(Connection c, String what, Work<T> work) {
        synchronized (c) {
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException e) {
                rollback(c);
                throw new SpoolException(what + " failed: " + e.getMessage(), e);
            }
        }
    }

    /** A counter's value as committed, read on the ingest connection (at open). */
    long counter(String name) throws SQLException {
        try (PreparedStatement q = writer.prepareStatement("SELECT value FROM counter WHERE name = ?")) {
            q.setString(1, name);
            try (ResultSet rs = q.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0L;
            }
        }
    }

    static long single(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getLong(1) : 0L;
        }
    }

    /** Adds to a counter inside the caller's transaction, so the count commits with what it counts. */
    static void bump(Connection c, String name, long by) throws SQLException {
        try (PreparedStatement up = c.prepareStatement("UPDATE counter SET value = value + ? WHERE name = ?")) {
            up.setLong(1, by);
            up.setString(2, name);
            up.executeUpdate();
        }
    }

    /**
     * Ends a failed transaction and begins the next. On a full disk or an I/O error SQLite has already rolled back on
     * its own, so the driver's ROLLBACK fails ("no transaction is active") and it skips its BEGIN: the connection would
     * then run in autocommit, committing each statement of the next try on its own (duplicate rows, uncounted
     * deletes). Beginning the transaction here keeps every later try all-or-nothing.
     */
    static void rollback(Connection c) {
        Transactions.rollback(c, "spool", LOG);
    }

    @Override
    public void close() {
        mark.close();
        for (Connection c : new Connection[]{writer, delivery, cursor, query, shared}) {
            try {
                c.close();
            } catch (SQLException e) {
                LOG.warn("closing spool connection failed: {}", e.getMessage());
            }
        }
    }
}
