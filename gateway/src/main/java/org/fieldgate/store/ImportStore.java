package org.fieldgate.store;

import org.fieldgate.reading.Reading;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Readings from files (the {@code fieldgate import} command), committed into a spool from a process of their own,
 * while the gateway may be running on the same spool: SQLite serialises the two processes' writes (WAL, a busy
 * timeout), and the gateway's forwarder picks the new rows up by their row ids like its own.
 *
 * <p>Idempotent for good, not only for the reading keys' seven days: each commit records, per series, the time span
 * of the readings it added (table {@code import_span}, in the same transaction as the readings). A later import
 * leaves out every reading of a series at a time inside a span already imported for it (the file it came from had
 * that stretch), and every reading whose series and time {@code keys.db} knows (a live reading of the last seven
 * days). So importing a file twice adds nothing, and a file that overlaps an earlier one adds only what lies outside.
 *
 * <p>What this process leaves to the gateway: the high-water mark ({@code spool.hwm}) is the gateway's alone (two
 * writers of one file would undo each other's ranges); rows committed here are taken into it at the gateway's next
 * commit or start. It never opens a damaged spool's recovery either: that happens at the gateway's start.
 */
public final class ImportStore implements AutoCloseable {
    /** The counter of readings imported, over the spool's life. */
    static final String IMPORTED_TOTAL = "imported_total";

    private final Path dir;
    private final Connection c;

    /** What one commit did: readings added, and left out because imported before or known from the live stream. */
    public record Outcome(long added, long alreadyImported, long alreadyKnown) {
        public Outcome plus(Outcome o) {
            return new Outcome(added + o.added, alreadyImported + o.alreadyImported, alreadyKnown + o.alreadyKnown);
        }
    }

    /** Opens the spool in {@code dir} for importing (creating it with its schema when the gateway never ran there). */
    public ImportStore(Path dir) {
        SpoolAccess.requireWritable(dir, "spool.db");
        this.dir = dir;
        try {
            Files.createDirectories(dir);
            c = SpoolDatabase.open(dir.resolve("spool.db"), true);
        } catch (Exception e) {
            throw new SpoolException("cannot open spool " + dir.resolve("spool.db") + " to import: " + e.getMessage(), e);
        }
        try {
            SpoolDatabase.createSchema(c);
            try (Statement s = c.createStatement()) {
                s.execute("""
                        CREATE TABLE IF NOT EXISTS import_span (
                          site TEXT NOT NULL, device TEXT NOT NULL, channel TEXT NOT NULL,
                          first_ns INTEGER NOT NULL, last_ns INTEGER NOT NULL, imported_ns INTEGER NOT NULL,
                          file TEXT NOT NULL)""");
                s.execute("CREATE INDEX IF NOT EXISTS import_span_series ON import_span (site, device, channel, first_ns)");
                s.execute("INSERT OR IGNORE INTO counter VALUES ('" + IMPORTED_TOTAL + "', 0)");
            }
            c.commit();
            SpoolDatabase.attachKeys(c, dir.resolve("keys.db"));
        } catch (SQLException e) {
            close();
            throw new SpoolException("cannot prepare spool " + dir.resolve("spool.db") + " to import: " + e.getMessage(), e);
        }
    }

    /** Bytes the spool's database uses now (the gateway's {@code max-bytes} is checked against it before a commit). */
    public long usedBytes() {
        try {
            long pageSize = SpoolDatabase.single(c, "PRAGMA page_size");
            long used = (SpoolDatabase.single(c, "PRAGMA page_count") - SpoolDatabase.single(c, "PRAGMA freelist_count"))
                    * pageSize;
            c.commit();
            return used;
        } catch (SQLException e) {
            SpoolDatabase.rollback(c);
            throw new SpoolException("spool size check failed: " + e.getMessage(), e);
        }
    }

    /**
     * Commits {@code readings} (in time order per series) that are neither inside a span imported before nor known to
     * {@code keys.db}, with their keys, their hourly received counts and their spans, in one transaction: all of it is
     * on disk when this returns, none of it when it throws. {@code file} is recorded with the spans.
     */
    public Outcome commit(List<Reading> readings, String file, long receivedNs) {
        try {
            // a write first, so the transaction holds the write lock before it reads: a read snapshot that another
            // process's commit overtakes cannot be upgraded to a write (SQLITE_BUSY_SNAPSHOT, no busy wait)
            try (PreparedStatement lock = c.prepareStatement("UPDATE counter SET value = value WHERE name = ?")) {
                lock.setString(1, IMPORTED_TOTAL);
                lock.executeUpdate();
            }
            List<Reading> fresh = new ArrayList<>(readings.size());
            long alreadyImported = 0;
            long alreadyKnown = 0;
            // series ids learnt in this transaction only: one that rolls back takes its ids with it
            try (SeriesIds keySeries = new SeriesIds(c, SeriesIds.KEY_SERIES);
                 PreparedStatement span = c.prepareStatement("SELECT 1 FROM import_span WHERE site = ? AND device = ? "
                    + "AND channel = ? AND first_ns <= ? AND last_ns >= ? LIMIT 1");
                 PreparedStatement key = c.prepareStatement(ReadingKeys.INSERT_KEY)) {
                for (Reading r : readings) {
                    span.setString(1, r.site());
                    span.setString(2, r.device());
                    span.setString(3, r.channel());
                    span.setLong(4, r.timeNs());
                    span.setLong(5, r.timeNs());
                    try (ResultSet rs = span.executeQuery()) {
                        if (rs.next()) {
                            alreadyImported++;
                            continue;
                        }
                    }
                    if (!ReadingKeys.insertKey(key, keySeries.of(r.site(), r.device(), r.channel(), null), r, receivedNs)) {
                        alreadyKnown++;
                        continue;
                    }
                    fresh.add(r);
                }
            }
            try (SeriesIds readingSeries = new SeriesIds(c, SeriesIds.READING_SERIES);
                 PreparedStatement ins = c.prepareStatement(ReadingStore.INSERT_READING);
                 HourlyCountStore.SeriesHourCounts counts = HourlyCountStore.SeriesHourCounts.received(c)) {
                long[] ids = readingSeries.of(fresh);
                ReadingStore.insertAll(ins, fresh, ids, receivedNs, new ReadingRows.Utf8Names());
                counts.add(fresh, ids);
            }
            insertSpans(fresh, file, receivedNs);
            SpoolDatabase.bump(c, IMPORTED_TOTAL, fresh.size());
            c.commit();
            return new Outcome(fresh.size(), alreadyImported, alreadyKnown);
        } catch (SQLException e) {
            SpoolDatabase.rollback(c);
            throw new SpoolException("spool commit of " + readings.size() + " imported readings failed: "
                    + e.getMessage(), e);
        }
    }

    /** One span per series: the first and last time of the readings added. */
    private void insertSpans(List<Reading> added, String file, long importedNs) throws SQLException {
        Map<List<String>, long[]> spans = new LinkedHashMap<>();
        for (Reading r : added) {
            long[] s = spans.computeIfAbsent(List.of(r.site(), r.device(), r.channel()),
                    k -> new long[]{Long.MAX_VALUE, Long.MIN_VALUE});
            s[0] = Math.min(s[0], r.timeNs());
            s[1] = Math.max(s[1], r.timeNs());
        }
        try (PreparedStatement ins = c.prepareStatement("INSERT INTO import_span (site, device, channel, first_ns, "
                + "last_ns, imported_ns, file) VALUES (?,?,?,?,?,?,?)")) {
            for (Map.Entry<List<String>, long[]> e : spans.entrySet()) {
                ins.setString(1, e.getKey().get(0));
                ins.setString(2, e.getKey().get(1));
                ins.setString(3, e.getKey().get(2));
                ins.setLong(4, e.getValue()[0]);
                ins.setLong(5, e.getValue()[1]);
                ins.setLong(6, importedNs);
                ins.setString(7, file);
                ins.addBatch();
            }
            ins.executeBatch();
        }
    }

    public Path dir() {
        return dir;
    }

    @Override
    public void close() {
        try {
            c.close();
        } catch (SQLException e) {
            throw new SpoolException("closing the import's spool connection failed: " + e.getMessage(), e);
        }
    }
}
