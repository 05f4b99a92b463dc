package org.fieldgate.store;

import org.fieldgate.config.GatewaySettings.FullPolicy;
import org.fieldgate.reading.Reading;
import org.fieldgate.senml.Rejection;
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
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The durable spool: every reading is committed here before its MQTT message is acknowledged, and leaves
 * only after InfluxDB answered 2xx (or it was quarantined with a reason). SQLite in WAL mode with
 * synchronous=FULL, so a committed transaction survives kill -9 and power loss; many readings go in one
 * transaction (group commit) to spare the SD card.
 *
 * <p>Thread use: {@link #commit} from the ingest committer only; {@link #after} from the forwarder's batch
 * preparer only; {@link #delivered} and {@link #quarantine} from the forwarder's writer only; the read-only
 * queries from anywhere. Each has its own connection, and SQLite serialises the writes. Derived points and gap
 * records ({@link #commitPoints}, {@link #pendingPoints}, {@link #pointsSettled}, {@link #recordGap}) share one
 * more connection, locked, from any thread: they are few (one flux per closure, one gap per outage).
 */
public final class Spool implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Spool.class);
    /** Dead letters kept for inspection; older ones are pruned, the total stays counted. */
    static final int DEAD_LETTERS_KEPT = 50_000;
    /** Leave "full" only below this share of max-bytes, so the alarm does not flap. */
    private static final double RESUME_FRACTION = 0.9;

    private final Path file;
    private final long maxBytes;
    private final FullPolicy fullPolicy;
    private final Connection writer;
    private final Connection delivery;
    private final Connection cursor;
    private final Connection query;
    /** Derived points and gap records: written by the calculators, the acquisition stage and the forwarder. */
    private final Connection points;
    private final AtomicLong pointDepth = new AtomicLong();
    private final AtomicLong depth = new AtomicLong();
    private final AtomicLong usedBytes = new AtomicLong();
    private final AtomicLong deadLettersTotal = new AtomicLong();
    private final AtomicLong droppedTotal = new AtomicLong();
    private final AtomicLong quarantinedTotal = new AtomicLong();
    /** Acknowledged readings found gone from a damaged spool, over the spool's life. */
    private final AtomicLong lostTotal = new AtomicLong();
    private final AtomicLong duplicatesTotal = new AtomicLong();
    private final AtomicLong conflictsTotal = new AtomicLong();
    /** How long a reading's series and time are remembered for {@link #firstSeen}. */
    static final long KEYS_KEPT_DAYS = 7;
    private long keysPrunedNs;
    /** Committed and removed rows, beside the database: how a damaged spool is told from a drained one. */
    private final HighWaterMark mark;
    /** Readings received again with the same value at the same series and time (redeliveries), left out. */
    public long duplicatesTotal() {
        return duplicatesTotal.get();
    }

    /** Readings received at a known series and time with another value, kept in the conflict table, not sent. */
    public long conflictsTotal() {
        return conflictsTotal.get();
    }

    /** What was found damaged when this spool opened, and what became of it; empty when nothing was. */
    private String damageAtStart = "";
    private volatile boolean full;
    /**
     * The highest row handed to the forwarder by {@link #after}: rows up to it may be on their way to InfluxDB, so the
     * drop-oldest policy leaves them (a dropped row that lands anyway would be counted both dropped and delivered).
     * Guarded by {@code readAhead}, which orders a read-ahead and a drop.
     */
    private long readAheadThroughId;
    private final Object readAhead = new Object();

    public Spool(Path dir, long maxBytes, FullPolicy fullPolicy) {
        this.maxBytes = maxBytes;
        this.fullPolicy = fullPolicy;
        SpoolAccess.requireWritable(dir, "spool.db");
        try {
            Files.createDirectories(dir);
        } catch (Exception e) {
            throw new SpoolException("cannot create spool directory " + dir + ": " + e.getMessage(), e);
        }
        this.file = dir.resolve("spool.db");
        this.mark = new HighWaterMark(dir.resolve("spool.hwm"));
        Inspection found = inspect(file, mark);
        if (found.damage() != null) {
            damageAtStart = setAsideAndSalvage(dir, found);
        }
        try {
            writer = open(file, true);
            createSchema(writer);
            attachKeys(dir.resolve("keys.db"));
            startMark(damageAtStart.isEmpty() ? 0 : found.lost());
            // A delete lost in a power cut only re-sends points InfluxDB already has, and it keys them by
            // series and time, so the forwarder's side may skip the fsync per commit that ingest needs.
            delivery = open(file, false);
            cursor = open(file, false);
            query = open(file, false);
            points = open(file, true);
            pointDepth.set(single(writer, "SELECT count(*) FROM point"));
            depth.set(single(writer, "SELECT count(*) FROM reading"));
            deadLettersTotal.set(single(writer, "SELECT value FROM counter WHERE name = 'dead_letters_total'"));
            droppedTotal.set(single(writer, "SELECT value FROM counter WHERE name = 'dropped_total'"));
            quarantinedTotal.set(single(writer, "SELECT value FROM counter WHERE name = '" + QUARANTINED_TOTAL + "'"));
            lostTotal.set(single(writer, "SELECT value FROM counter WHERE name = 'lost_total'"));
            duplicatesTotal.set(single(writer, "SELECT value FROM counter WHERE name = 'duplicates_total'"));
            conflictsTotal.set(single(writer, "SELECT value FROM counter WHERE name = 'conflicts_total'"));
            refreshUsedBytes(writer);
            full = usedBytes.get() >= maxBytes;
        } catch (SQLException e) {
            throw new SpoolException("cannot open spool " + file + ": " + e.getMessage(), e);
        }
        LOG.info("spool {} open: {} readings waiting, {} of {} bytes used, policy when full: {}",
                file, depth.get(), usedBytes.get(), maxBytes, fullPolicy.label);
    }

    /** What a look at the database before using it found: the damage (null if none), readings gone, salvageable. */
    private record Inspection(String damage, long lost, boolean salvageable) {
    }

    /**
     * Checks the database read-only (it writes nothing, so the evidence stays as found) against the high-water mark:
     * each committed row not since removed must be there. A damaged file, or rows missing (a WAL lost, cut short or
     * corrupted), is damage; {@code lost} then counts the acknowledged readings gone, -1 when unknown (no mark).
     */
    private static Inspection inspect(Path file, HighWaterMark mark) {
        if (!Files.exists(file)) {
            long expected = mark.expectedThrough(mark.committedThrough());
            return expected > 0 ? new Inspection("spool.db missing", expected, false) : new Inspection(null, 0, false);
        }
        org.sqlite.SQLiteConfig readOnly = new org.sqlite.SQLiteConfig();
        readOnly.setReadOnly(true);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file, readOnly.toProperties());
             Statement s = c.createStatement()) {
            String check;
            try (ResultSet rs = s.executeQuery("PRAGMA quick_check")) {
                check = rs.next() ? rs.getString(1) : "no answer";
            }
            if (!"ok".equals(check)) {
                return new Inspection("integrity check: " + String.join(" ", check.lines().limit(2).toList()),
                        lostIfNoneSalvaged(mark), false);
            }
            if (!mark.existed()) {
                return new Inspection(null, 0, true);
            }
            boolean hasReadings;
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM sqlite_master WHERE name = 'reading'")) {
                hasReadings = rs.next() && rs.getLong(1) > 0;
            }
            long sequence = hasReadings ? single(c, "SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = 'reading'") : 0;
            long through = Math.max(mark.committedThrough(), sequence);
            long present = 0;
            if (hasReadings) {
                try (PreparedStatement q = c.prepareStatement("SELECT id FROM reading WHERE id > ? AND id <= ?")) {
                    q.setLong(1, mark.removedThrough());
                    q.setLong(2, through);
                    try (ResultSet rs = q.executeQuery()) {
                        while (rs.next()) {
                            present += mark.removed(rs.getLong(1)) ? 0 : 1;
                        }
                    }
                }
            }
            long lost = mark.expectedThrough(through) - present;
            return lost > 0 ? new Inspection("committed readings missing from the database or its write-ahead log", lost, true)
                    : new Inspection(null, 0, true);
        } catch (SQLException e) {
            return new Inspection(e.getMessage(), lostIfNoneSalvaged(mark), false);
        }
    }

    private static long lostIfNoneSalvaged(HighWaterMark mark) {
        return mark.existed() ? mark.expectedThrough(mark.committedThrough()) : -1;
    }

    /**
     * Moves the damaged files into {@code damaged-<time>/} beside them and starts a fresh spool: a copy of what the
     * damaged one still holds when it reads whole (readings, ledger, counters), else an empty one. Says so in one line.
     */
    private String setAsideAndSalvage(Path dir, Inspection found) {
        Path aside = dir.resolve("damaged-" + java.time.Instant.now().toString().replace(':', '-'));
        long lost = found.lost();
        String outcome;
        try {
            Files.createDirectories(aside);
            for (String suffix : new String[]{"", "-wal", "-shm"}) {
                Path f = dir.resolve(file.getFileName() + suffix);
                if (Files.exists(f)) {
                    Files.move(f, aside.resolve(f.getFileName()));
                }
            }
            Files.copy(dir.resolve("spool.hwm"), aside.resolve("spool.hwm"));
        } catch (java.io.IOException e) {
            throw new SpoolException("spool " + file + " is damaged (" + found.damage() + ") and cannot be moved aside to "
                    + aside + ": " + e.getMessage(), e);
        }
        outcome = "starting on an empty spool";
        if (found.salvageable()) {
            org.sqlite.SQLiteConfig readOnly = new org.sqlite.SQLiteConfig();
            readOnly.setReadOnly(true);
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + aside.resolve(file.getFileName()),
                    readOnly.toProperties()); Statement s = c.createStatement()) {
                s.execute("VACUUM INTO '" + file.toString().replace("'", "''") + "'");
                outcome = "starting on a copy of what it still holds";
            } catch (SQLException e) {
                deleteQuietly(file);
                lost = lostIfNoneSalvaged(mark);
                outcome = "starting on an empty spool (copying what it still holds failed: " + e.getMessage() + ")";
            }
        }
        String report = "spool " + file + " damaged (" + found.damage() + "): " + (lost < 0 ? "an unknown number of"
                : Long.toString(lost)) + " acknowledged readings lost; damaged files moved to " + aside + ", " + outcome;
        LOG.error(report);
        return report;
    }

    private static void deleteQuietly(Path f) {
        try {
            Files.deleteIfExists(f);
        } catch (java.io.IOException e) {
            throw new SpoolException("cannot remove the partial copy " + f + ": " + e.getMessage(), e);
        }
    }

    /**
     * Records a loss found at start (counter, gap record and gap point, one transaction) and aligns the high-water
     * mark with the database: from scratch for a new, salvaged or older spool.
     */
    private void startMark(long lost) throws SQLException {
        if (lost != 0) {
            long now = System.currentTimeMillis() * 1_000_000L;
            long counted = Math.max(lost, 0);
            bumpCounter(writer, "lost_total", counted);
            String cause = DAMAGED_CAUSE + (lost < 0 ? " (number unknown: no high-water mark)" : "");
            insertGap(writer, now, "*", "spool", "*", now, now, counted, cause);
            insertPoints(writer, List.of(org.fieldgate.live.LivePoints.gap("*", "spool", "*", now, now, counted, cause)),
                    now);
            writer.commit();
        }
        long sequence = single(writer, "SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = 'reading'");
        if (!mark.existed() || lost != 0) {
            List<Long> ids = new ArrayList<>();
            try (Statement s = writer.createStatement(); ResultSet rs = s.executeQuery("SELECT id FROM reading ORDER BY id")) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
            }
            mark.baseline(sequence, ids.stream().mapToLong(Long::longValue).toArray());
        } else {
            mark.committed(sequence);
        }
        writer.commit();
    }

    private static Connection open(Path file, boolean durable) throws SQLException {
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
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

    private static void createSchema(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("""
                    CREATE TABLE IF NOT EXISTS reading (
                      id INTEGER PRIMARY KEY AUTOINCREMENT,
                      site TEXT NOT NULL, device TEXT NOT NULL, channel TEXT NOT NULL, unit TEXT NOT NULL,
                      time_ns INTEGER NOT NULL, value REAL NOT NULL, qc INTEGER NOT NULL,
                      received_ns INTEGER NOT NULL, cal TEXT)""");
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
            // spools written before readings carried their calibration id
            for (String table : new String[]{"reading", "quarantine"}) {
                if (!hasColumn(c, table, "cal")) {
                    s.execute("ALTER TABLE " + table + " ADD COLUMN cal TEXT");
                }
            }
            s.execute("INSERT OR IGNORE INTO counter VALUES ('dead_letters_total', 0), ('dropped_total', 0), "
                    + "('lost_total', 0), ('duplicates_total', 0), ('conflicts_total', 0)");
            // a spool from before the total was kept starts from what its quarantine table holds
            s.execute("INSERT OR IGNORE INTO counter SELECT '" + QUARANTINED_TOTAL + "', count(*) FROM quarantine");
        }
        c.commit();
    }

    /**
     * Commits readings and dead letters of many messages in one transaction. When this returns, they are on
     * disk; when it throws, nothing of it is, and the messages must not be acknowledged.
     */
    public void commit(List<Reading> received, List<Rejection> rejections, long receivedNs) {
        long committedThrough;
        FirstSeen seen;
        List<Reading> readings;
        try {
            seen = firstSeen(received, receivedNs);
            readings = seen.readings();
            try (PreparedStatement ins = writer.prepareStatement(
                    "INSERT INTO reading (site, device, channel, unit, time_ns, value, qc, received_ns, cal) VALUES (?,?,?,?,?,?,?,?,?)")) {
                for (Reading r : readings) {
                    ins.setString(1, r.site());
                    ins.setString(2, r.device());
                    ins.setString(3, r.channel());
                    ins.setString(4, r.unit());
                    ins.setLong(5, r.timeNs());
                    ins.setDouble(6, r.value());
                    ins.setInt(7, r.qc());
                    ins.setLong(8, receivedNs);
                    ins.setString(9, r.calibration());
                    ins.addBatch();
                }
                ins.executeBatch();
            }
            tallyReceived(writer, readings);
            if (!rejections.isEmpty()) {
                try (PreparedStatement ins = writer.prepareStatement(
                        "INSERT INTO dead_letter (received_ns, topic, reason, raw, raw_length) VALUES (?,?,?,?,?)")) {
                    for (Rejection r : rejections) {
                        ins.setLong(1, receivedNs);
                        ins.setString(2, r.topic());
                        ins.setString(3, r.reason());
                        ins.setBytes(4, r.raw());
                        ins.setInt(5, r.rawLength());
                        ins.addBatch();
                    }
                    ins.executeBatch();
                }
                bumpCounter(writer, "dead_letters_total", rejections.size());
                try (PreparedStatement prune = writer.prepareStatement(
                        "DELETE FROM dead_letter WHERE id <= (SELECT max(id) FROM dead_letter) - ?")) {
                    prune.setInt(1, DEAD_LETTERS_KEPT);
                    prune.executeUpdate();
                }
            }
            committedThrough = readings.isEmpty() ? 0
                    : single(writer, "SELECT seq FROM sqlite_sequence WHERE name = 'reading'");
            writer.commit();
        } catch (SQLException e) {
            rollback(writer);
            throw new SpoolException("spool commit of " + received.size() + " readings failed: " + e.getMessage(), e);
        }
        try {
            mark.committed(committedThrough);
        } catch (SpoolException e) {
            LOG.error("{}: a damaged spool could hide these {} readings", e.getMessage(), readings.size());
        }
        depth.addAndGet(readings.size());
        deadLettersTotal.addAndGet(rejections.size());
        duplicatesTotal.addAndGet(seen.duplicates());
        conflictsTotal.addAndGet(seen.conflicts());
        // The readings are on disk: failing after this would have the caller commit them a second time.
        afterCommitted(writer, true);
    }

    /** Of a commit's readings, those whose series and time are new, and how many were duplicates or conflicts. */
    private record FirstSeen(List<Reading> readings, long duplicates, long conflicts) {
    }

    /**
     * InfluxDB keys a point by series and time, so a second reading at a known series and time would overwrite the
     * first. Each reading's key is kept (in {@code keys.db}, {@value #KEYS_KEPT_DAYS} days) with its value: a copy with
     * the same value and qc (a message redelivered after a lost acknowledgement) is left out and counted as a
     * duplicate, not received twice; a different one (a node that rebooted without a clock and reuses stamps) goes to
     * the {@code conflict} table beside the first value, counted, and is never sent.
     */
    private FirstSeen firstSeen(List<Reading> readings, long receivedNs) throws SQLException {
        pruneKeys(receivedNs);
        List<Reading> fresh = new ArrayList<>(readings.size());
        long duplicates = 0;
        long conflicts = 0;
        try (PreparedStatement key = writer.prepareStatement("INSERT INTO keys.reading_key (site, device, channel, "
                + "time_ns, value, qc, received_ns) VALUES (?,?,?,?,?,?,?) ON CONFLICT DO NOTHING");
             PreparedStatement first = writer.prepareStatement("SELECT value, qc FROM keys.reading_key "
                     + "WHERE site = ? AND device = ? AND channel = ? AND time_ns = ?");
             PreparedStatement conflict = writer.prepareStatement("INSERT INTO conflict (received_ns, site, device, "
                     + "channel, unit, time_ns, value, qc, cal, first_value, first_qc) VALUES (?,?,?,?,?,?,?,?,?,?,?)")) {
            for (Reading r : readings) {
                key.setString(1, r.site());
                key.setString(2, r.device());
                key.setString(3, r.channel());
                key.setLong(4, r.timeNs());
                key.setDouble(5, r.value());
                key.setInt(6, r.qc());
                key.setLong(7, receivedNs);
                if (key.executeUpdate() == 1) {
                    fresh.add(r);
                    continue;
                }
                first.setString(1, r.site());
                first.setString(2, r.device());
                first.setString(3, r.channel());
                first.setLong(4, r.timeNs());
                double firstValue;
                int firstQc;
                try (ResultSet rs = first.executeQuery()) {
                    rs.next();
                    firstValue = rs.getDouble(1);
                    firstQc = rs.getInt(2);
                }
                if (Double.compare(firstValue, r.value()) == 0 && firstQc == r.qc()) {
                    duplicates++;
                    continue;
                }
                conflict.setLong(1, receivedNs);
                conflict.setString(2, r.site());
                conflict.setString(3, r.device());
                conflict.setString(4, r.channel());
                conflict.setString(5, r.unit());
                conflict.setLong(6, r.timeNs());
                conflict.setDouble(7, r.value());
                conflict.setInt(8, r.qc());
                conflict.setString(9, r.calibration());
                conflict.setDouble(10, firstValue);
                conflict.setInt(11, firstQc);
                conflict.executeUpdate();
                conflicts++;
            }
        }
        if (duplicates > 0) {
            bumpCounter(writer, "duplicates_total", duplicates);
        }
        if (conflicts > 0) {
            bumpCounter(writer, "conflicts_total", conflicts);
            LOG.warn("{} readings at a series and time already received with another value: kept in table conflict, "
                    + "not sent (they would overwrite the first), first {}", conflicts, readings.get(0));
        }
        return new FirstSeen(fresh, duplicates, conflicts);
    }

    /** Keys older than {@value #KEYS_KEPT_DAYS} days leave {@code keys.db}, at most once an hour. */
    private void pruneKeys(long nowNs) throws SQLException {
        if (nowNs - keysPrunedNs < HOUR_NS) {
            return;
        }
        try (PreparedStatement prune = writer.prepareStatement("DELETE FROM keys.reading_key WHERE received_ns < ?")) {
            prune.setLong(1, nowNs - KEYS_KEPT_DAYS * 24 * HOUR_NS);
            prune.executeUpdate();
        }
        keysPrunedNs = nowNs;
    }

    /**
     * The reading keys live in their own file, so they neither count against the spool's max-bytes nor go with a
     * damaged spool. SQLite commits the main database first: a crash between the two leaves a reading without its key
     * (stored again if redelivered, never lost).
     */
    private void attachKeys(Path keysFile) throws SQLException {
        writer.commit();
        writer.setAutoCommit(true);
        try (Statement s = writer.createStatement()) {
            s.execute("ATTACH DATABASE '" + keysFile.toString().replace("'", "''") + "' AS keys");
            s.execute("PRAGMA keys.journal_mode=WAL");
            s.execute("PRAGMA keys.synchronous=FULL");
            s.execute("PRAGMA keys.journal_size_limit=8388608");
            s.execute("""
                    CREATE TABLE IF NOT EXISTS keys.reading_key (
                      site TEXT NOT NULL, device TEXT NOT NULL, channel TEXT NOT NULL, time_ns INTEGER NOT NULL,
                      value REAL NOT NULL, qc INTEGER NOT NULL, received_ns INTEGER NOT NULL,
                      PRIMARY KEY (site, device, channel, time_ns)) WITHOUT ROWID""");
        }
        writer.setAutoCommit(false);
    }

    /**
     * Backpressure policy: how many more bytes may be committed. Asked before each commit, so the bound holds
     * to within the size estimate instead of being passed by a whole group. None while the full alarm is up
     * (it clears below 90 %).
     */
    public long admissibleBytes() {
        return full ? 0 : Math.max(0, maxBytes - usedBytes.get());
    }

    /** Backpressure policy: the next message does not fit; raise the full alarm until the forwarder drains. */
    public void refuseForRoom() {
        if (!full) {
            LOG.warn("spool full: {} of {} bytes used, {} readings waiting; policy {}", usedBytes.get(), maxBytes,
                    depth.get(), fullPolicy.label);
        }
        full = true;
    }

    /** A row's size in SQLite: about 48 bytes of header, integers and real, its text, and b-tree slack. */
    public static long estimatedBytes(List<Reading> readings) {
        long bytes = 0;
        for (Reading r : readings) {
            bytes += 48 + r.site().length() + r.device().length() + r.channel().length() + r.unit().length()
                    + (r.calibration() == null ? 0 : r.calibration().length());
        }
        return bytes * 6 / 5;
    }

    /** Oldest undelivered readings, in the order they were spooled. */
    public List<SpooledReading> oldest(int limit) {
        return after(0, limit);
    }

    /**
     * Undelivered readings spooled after row {@code afterId}, in order. Row ids only grow (AUTOINCREMENT), so
     * a cursor over them never skips a reading committed later.
     */
    public List<SpooledReading> after(long afterId, int limit) {
        List<SpooledReading> batch = new ArrayList<>(Math.min(limit, 10_000));
        synchronized (readAhead) {
            readAfter(afterId, limit, batch);
            if (!batch.isEmpty()) {
                readAheadThroughId = Math.max(readAheadThroughId, batch.get(batch.size() - 1).id());
            }
        }
        return batch;
    }

    private void readAfter(long afterId, int limit, List<SpooledReading> batch) {
        try (PreparedStatement q = cursor.prepareStatement(
                "SELECT id, site, device, channel, unit, time_ns, value, qc, received_ns, cal FROM reading WHERE id > ? ORDER BY id LIMIT ?")) {
            q.setLong(1, afterId);
            q.setInt(2, limit);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    batch.add(new SpooledReading(rs.getLong(1), new Reading(rs.getString(2), rs.getString(3),
                            rs.getString(4), rs.getString(5), rs.getLong(6), rs.getDouble(7), rs.getInt(8), rs.getString(10)),
                            rs.getLong(9)));
                }
            }
            cursor.commit();
        } catch (SQLException e) {
            rollback(cursor);
            throw new SpoolException("spool read failed: " + e.getMessage(), e);
        }
    }

    /** InfluxDB acknowledged these (a contiguous run returned by {@link #oldest}); they leave the spool. */
    public void delivered(List<SpooledReading> batch) {
        if (batch.isEmpty()) {
            return;
        }
        mark.removed(batch.get(0).id(), batch.get(batch.size() - 1).id());
        try (PreparedStatement del = delivery.prepareStatement("DELETE FROM reading WHERE id BETWEEN ? AND ?")) {
            tallyDelivered(delivery, batch.get(0).id(), batch.get(batch.size() - 1).id());
            del.setLong(1, batch.get(0).id());
            del.setLong(2, batch.get(batch.size() - 1).id());
            int removed = del.executeUpdate();
            delivery.commit();
            depth.addAndGet(-removed);
        } catch (SQLException e) {
            rollback(delivery);
            throw new SpoolException("spool delete after delivery failed: " + e.getMessage(), e);
        }
        afterCommitted(delivery, false);
    }

    /** InfluxDB refused these for their content: move them aside with the reason, so the rest can flow. */
    public void quarantine(List<SpooledReading> refused, String reason, long nowNs) {
        try (PreparedStatement ins = delivery.prepareStatement("""
                INSERT INTO quarantine (quarantined_ns, received_ns, site, device, channel, unit, time_ns, value, qc, reason, cal)
                VALUES (?,?,?,?,?,?,?,?,?,?,?)""");
             PreparedStatement del = delivery.prepareStatement("DELETE FROM reading WHERE id = ?")) {
            for (SpooledReading s : refused) {
                mark.removed(s.id(), s.id());
                Reading r = s.reading();
                ins.setLong(1, nowNs);
                ins.setLong(2, s.receivedNs());
                ins.setString(3, r.site());
                ins.setString(4, r.device());
                ins.setString(5, r.channel());
                ins.setString(6, r.unit());
                ins.setLong(7, r.timeNs());
                ins.setDouble(8, r.value());
                ins.setInt(9, r.qc());
                ins.setString(10, reason);
                ins.setString(11, r.calibration());
                ins.addBatch();
                del.setLong(1, s.id());
                del.addBatch();
            }
            ins.executeBatch();
            int removed = 0;
            for (int n : del.executeBatch()) {
                removed += n;
            }
            bumpCounter(delivery, QUARANTINED_TOTAL, refused.size());
            delivery.commit();
            depth.addAndGet(-removed);
            quarantinedTotal.addAndGet(refused.size());
        } catch (SQLException e) {
            rollback(delivery);
            throw new SpoolException("spool quarantine failed: " + e.getMessage(), e);
        }
    }

    /** A reading InfluxDB refused for its content, as the quarantine table keeps it. */
    public record QuarantinedReading(long id, long quarantinedNs, Reading reading, long receivedNs, String reason) {
    }

    /** Quarantined readings in the order they were quarantined, after row {@code afterId}. */
    public List<QuarantinedReading> quarantined(long afterId, int limit) {
        List<QuarantinedReading> out = new ArrayList<>();
        synchronized (query) {
            try (PreparedStatement q = query.prepareStatement("SELECT id, quarantined_ns, site, device, channel, unit, "
                    + "time_ns, value, qc, cal, received_ns, reason FROM quarantine WHERE id > ? ORDER BY id LIMIT ?")) {
                q.setLong(1, afterId);
                q.setInt(2, limit);
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        out.add(new QuarantinedReading(rs.getLong(1), rs.getLong(2), new Reading(rs.getString(3),
                                rs.getString(4), rs.getString(5), rs.getString(6), rs.getLong(7), rs.getDouble(8),
                                rs.getInt(9), rs.getString(10)), rs.getLong(11), rs.getString(12)));
                    }
                }
                query.commit();
            } catch (SQLException e) {
                rollback(query);
                throw new SpoolException("quarantine query failed: " + e.getMessage(), e);
            }
        }
        return out;
    }

    /**
     * Quarantined readings that InfluxDB has now taken ({@code quarantine replay}): they leave the quarantine table and
     * count as delivered in the ledger, in one transaction. The quarantined total stays: it counts what was refused.
     */
    public void replayed(List<QuarantinedReading> landed) {
        if (landed.isEmpty()) {
            return;
        }
        Map<List<String>, double[]> sums = new LinkedHashMap<>();
        for (QuarantinedReading q : landed) {
            Reading r = q.reading();
            sums.computeIfAbsent(List.of(ledgerKey(r.timeNs()), r.site() + "/" + r.device() + "/" + r.channel()),
                    k -> new double[4])[2]++;
        }
        synchronized (points) {
            try (PreparedStatement del = points.prepareStatement("DELETE FROM quarantine WHERE id = ?")) {
                for (QuarantinedReading q : landed) {
                    del.setLong(1, q.id());
                    del.addBatch();
                }
                del.executeBatch();
                addToAccumulators(points, sums);
                points.commit();
            } catch (SQLException e) {
                rollback(points);
                throw new SpoolException("spool release of " + landed.size() + " replayed readings failed: "
                        + e.getMessage(), e);
            }
        }
    }

    /** Readings ever quarantined in this spool (a counter in the spool, so it survives restarts). */
    public long quarantinedTotal() {
        return quarantinedTotal.get();
    }

    /** {@link #afterWrite} once the transaction is committed: a failure now is reported, not thrown. */
    private void afterCommitted(Connection own, boolean ingestSide) {
        try {
            afterWrite(own, ingestSide);
        } catch (SpoolException e) {
            LOG.warn("after a spool commit: {}", e.getMessage());
        }
    }

    /**
     * After any write: re-measure and set or clear the full alarm. Only the ingest side grows the spool, so
     * only it applies the drop-oldest policy, on its own connection.
     */
    private void afterWrite(Connection own, boolean ingestSide) {
        refreshUsedBytes(own);
        long used = usedBytes.get();
        if (used >= maxBytes) {
            if (!full) {
                LOG.warn("spool full: {} of {} bytes used, {} readings waiting; policy {}", used, maxBytes, depth.get(),
                        fullPolicy.label);
            }
            full = true;
            if (ingestSide && fullPolicy == FullPolicy.DROP_OLDEST) {
                dropOldest();
            }
        } else if (full && used < maxBytes * RESUME_FRACTION) {
            LOG.info("spool no longer full: {} of {} bytes used", used, maxBytes);
            full = false;
        }
    }

    /**
     * Drop-oldest policy: drop a tenth of what waits, the oldest rows the forwarder has not read ahead (those may
     * land), recording each series' loss as a gap record and a {@code gap} point for InfluxDB, in the transaction that
     * drops them.
     */
    private void dropOldest() {
        long toDrop = Math.max(1, depth.get() / 10);
        long now = System.currentTimeMillis() * 1_000_000L;
        List<PointLine> gapLines = new ArrayList<>();
        int removed;
        synchronized (readAhead) {
            try (PreparedStatement sel = writer.prepareStatement("""
                    SELECT site, device, channel, min(time_ns), max(time_ns), count(*), min(id), max(id) FROM
                      (SELECT * FROM reading WHERE id > ? ORDER BY id LIMIT ?) GROUP BY site, device, channel""");
                 PreparedStatement gap = writer.prepareStatement("""
                    INSERT INTO gap (recorded_ns, site, device, channel, first_time_ns, last_time_ns, readings, cause)
                    VALUES (?,?,?,?,?,?,?, ?)""")) {
                sel.setLong(1, readAheadThroughId);
                sel.setLong(2, toDrop);
                long firstId = Long.MAX_VALUE;
                long lastId = -1;
                Map<String, Long> lost = new LinkedHashMap<>();
                try (ResultSet rs = sel.executeQuery()) {
                    while (rs.next()) {
                        gap.setString(8, DROP_OLDEST_CAUSE);
                        gap.setLong(1, now);
                        gap.setString(2, rs.getString(1));
                        gap.setString(3, rs.getString(2));
                        gap.setString(4, rs.getString(3));
                        gap.setLong(5, rs.getLong(4));
                        gap.setLong(6, rs.getLong(5));
                        gap.setLong(7, rs.getLong(6));
                        gap.addBatch();
                        lost.put(rs.getString(1) + "/" + rs.getString(2) + "/" + rs.getString(3), rs.getLong(6));
                        gapLines.add(org.fieldgate.live.LivePoints.gap(rs.getString(1), rs.getString(2),
                                rs.getString(3), rs.getLong(4), rs.getLong(5), rs.getLong(6), DROP_OLDEST_CAUSE));
                        firstId = Math.min(firstId, rs.getLong(7));
                        lastId = Math.max(lastId, rs.getLong(8));
                    }
                }
                if (lastId < 0) {
                    LOG.warn("spool full, drop-oldest policy: every waiting reading is on its way to InfluxDB, none "
                            + "dropped");
                    writer.commit();
                    return;
                }
                mark.removed(firstId, lastId);
                gap.executeBatch();
                insertPoints(writer, gapLines, now);
                try (PreparedStatement del = writer.prepareStatement("DELETE FROM reading WHERE id BETWEEN ? AND ?")) {
                    del.setLong(1, firstId);
                    del.setLong(2, lastId);
                    removed = del.executeUpdate();
                }
                bumpCounter(writer, "dropped_total", removed);
                writer.commit();
                LOG.warn("spool full, drop-oldest policy dropped {} readings, recorded as gaps: {}", removed, lost);
            } catch (SQLException e) {
                rollback(writer);
                throw new SpoolException("spool drop-oldest failed: " + e.getMessage(), e);
            }
        }
        depth.addAndGet(-removed);
        droppedTotal.addAndGet(removed);
        pointDepth.addAndGet(gapLines.size());
        refreshUsedBytes(writer);
    }

    /**
     * Measures on the connection that just wrote, which sees its own commit; another connection may still hold
     * an older snapshot and report the spool smaller than it is.
     */
    private void refreshUsedBytes(Connection own) {
        try {
            long pageSize = single(own, "PRAGMA page_size");
            long pages = single(own, "PRAGMA page_count");
            long free = single(own, "PRAGMA freelist_count");
            own.commit();
            usedBytes.set((pages - free) * pageSize);
        } catch (SQLException e) {
            throw new SpoolException("spool size check failed: " + e.getMessage(), e);
        }
    }

    public List<DeadLetter> recentDeadLetters(int limit) {
        List<DeadLetter> out = new ArrayList<>();
        synchronized (query) {
            try (PreparedStatement q = query.prepareStatement(
                    "SELECT id, received_ns, topic, reason, raw, raw_length FROM dead_letter ORDER BY id DESC LIMIT ?")) {
                q.setInt(1, limit);
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        out.add(new DeadLetter(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4),
                                rs.getBytes(5), rs.getInt(6)));
                    }
                }
                query.commit();
            } catch (SQLException e) {
                rollback(query);
                throw new SpoolException("dead-letter query failed: " + e.getMessage(), e);
            }
        }
        return out;
    }

    /** Commits derived points; when this returns they are on disk and will be forwarded like readings. */
    public void commitPoints(List<PointLine> lines) {
        if (lines.isEmpty()) {
            return;
        }
        long now = System.currentTimeMillis() * 1_000_000L;
        synchronized (points) {
            try {
                insertPoints(points, lines, now);
                points.commit();
            } catch (SQLException e) {
                rollback(points);
                throw new SpoolException("spool commit of " + lines.size() + " derived points failed: "
                        + e.getMessage(), e);
            }
            pointDepth.addAndGet(lines.size());
        }
    }

    private static void insertPoints(Connection c, List<PointLine> lines, long createdNs) throws SQLException {
        try (PreparedStatement ins = c.prepareStatement(
                "INSERT INTO point (measurement, time_ns, line, created_ns) VALUES (?,?,?,?)")) {
            for (PointLine p : lines) {
                ins.setString(1, p.measurement());
                ins.setLong(2, p.timeNs());
                ins.setString(3, p.line());
                ins.setLong(4, createdNs);
                ins.addBatch();
            }
            ins.executeBatch();
        }
    }

    /** The oldest derived points waiting, in order. */
    public List<PointLine> pendingPoints(int limit) {
        List<PointLine> out = new ArrayList<>();
        synchronized (points) {
            try (PreparedStatement q = points.prepareStatement(
                    "SELECT id, measurement, time_ns, line FROM point ORDER BY id LIMIT ?")) {
                q.setInt(1, limit);
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        out.add(new PointLine(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getString(4)));
                    }
                }
                points.commit();
            } catch (SQLException e) {
                rollback(points);
                throw new SpoolException("spool read of derived points failed: " + e.getMessage(), e);
            }
        }
        return out;
    }

    /**
     * InfluxDB acknowledged {@code delivered} and refused {@code refused} for their content ({@code reason}): both
     * leave the point table, the refused ones into {@code point_quarantine}.
     */
    public void pointsSettled(List<PointLine> delivered, List<PointLine> refused, String reason) {
        long now = System.currentTimeMillis() * 1_000_000L;
        synchronized (points) {
            try (PreparedStatement del = points.prepareStatement("DELETE FROM point WHERE id = ?");
                 PreparedStatement q = points.prepareStatement("INSERT INTO point_quarantine "
                         + "(quarantined_ns, measurement, time_ns, line, reason) VALUES (?,?,?,?,?)")) {
                for (PointLine p : refused) {
                    q.setLong(1, now);
                    q.setString(2, p.measurement());
                    q.setLong(3, p.timeNs());
                    q.setString(4, p.line());
                    q.setString(5, reason);
                    q.addBatch();
                }
                q.executeBatch();
                for (List<PointLine> part : List.of(delivered, refused)) {
                    for (PointLine p : part) {
                        del.setLong(1, p.id());
                        del.addBatch();
                    }
                }
                int removed = 0;
                for (int n : del.executeBatch()) {
                    removed += n;
                }
                points.commit();
                pointDepth.addAndGet(-removed);
            } catch (SQLException e) {
                rollback(points);
                throw new SpoolException("spool delete of delivered derived points failed: " + e.getMessage(), e);
            }
        }
    }

    public long pointDepth() {
        return pointDepth.get();
    }

    /**
     * Records that a series has no readings from {@code firstNs} to {@code lastNs} ({@code readings} expected ones
     * missing, 0 when unknown) and why: a probe that failed, a clock not to be trusted, a policy drop.
     */
    public void recordGap(String site, String device, String channel, long firstNs, long lastNs, long readings,
                          String cause) {
        synchronized (points) {
            try {
                insertGap(points, System.currentTimeMillis() * 1_000_000L, site, device, channel, firstNs, lastNs,
                        readings, cause);
                points.commit();
            } catch (SQLException e) {
                rollback(points);
                throw new SpoolException("spool gap record failed: " + e.getMessage(), e);
            }
        }
    }

    private static void insertGap(Connection c, long recordedNs, String site, String device, String channel,
                                  long firstNs, long lastNs, long readings, String cause) throws SQLException {
        try (PreparedStatement gap = c.prepareStatement("INSERT INTO gap (recorded_ns, site, device, "
                + "channel, first_time_ns, last_time_ns, readings, cause) VALUES (?,?,?,?,?,?,?,?)")) {
            gap.setLong(1, recordedNs);
            gap.setString(2, site);
            gap.setString(3, device);
            gap.setString(4, channel);
            gap.setLong(5, firstNs);
            gap.setLong(6, lastNs);
            gap.setLong(7, readings);
            gap.setString(8, cause);
            gap.executeUpdate();
        }
    }

    /**
     * Adds {@code increments} (up to four numbers) to the running sums of {@code bucket} under {@code key} (e.g. an
     * hour of a rock batch's uptake, a day of a plot's respiration), durably: the live calculators keep their
     * history here so that a restart continues the sums instead of starting them again.
     */
    public void accumulate(String key, String bucket, double... increments) {
        if (increments.length == 0 || increments.length > 4) {
            throw new IllegalArgumentException("1 to 4 sums per bucket, not " + increments.length);
        }
        double[] v = Arrays.copyOf(increments, 4);
        synchronized (points) {
            try {
                addToAccumulators(points, Map.of(List.of(key, bucket), v));
                points.commit();
            } catch (SQLException e) {
                rollback(points);
                throw new SpoolException("spool accumulator " + key + "/" + bucket + " failed: " + e.getMessage(), e);
            }
        }
    }

    /**
     * The value recorded under {@code name} the first time this was called for it (e.g. the gateway's commissioning
     * time), recording {@code value} now if nothing is: durable, so every later start gets the first one back.
     */
    public long recordOnce(String name, long value) {
        synchronized (points) {
            try {
                try (PreparedStatement ins = points.prepareStatement(
                        "INSERT OR IGNORE INTO counter (name, value) VALUES (?, ?)")) {
                    ins.setString(1, name);
                    ins.setLong(2, value);
                    ins.executeUpdate();
                }
                long recorded;
                try (PreparedStatement q = points.prepareStatement("SELECT value FROM counter WHERE name = ?")) {
                    q.setString(1, name);
                    try (ResultSet rs = q.executeQuery()) {
                        rs.next();
                        recorded = rs.getLong(1);
                    }
                }
                points.commit();
                return recorded;
            } catch (SQLException e) {
                rollback(points);
                throw new SpoolException("spool record of " + name + " failed: " + e.getMessage(), e);
            }
        }
    }

    /**
     * Replaces {@code bucket}'s four numbers under {@code key} (e.g. each chamber's newest flux for the live page),
     * durably, so a restart shows them again; read back with {@link #accumulators}. Non-finite values are refused.
     */
    public void putLatest(String key, String bucket, double... values) {
        if (values.length == 0 || values.length > 4) {
            throw new IllegalArgumentException("1 to 4 values per bucket, not " + values.length);
        }
        double[] v = Arrays.copyOf(values, 4);
        for (double x : v) {
            if (!Double.isFinite(x)) {
                throw new IllegalArgumentException(key + "/" + bucket + ": values must be finite, not " + x);
            }
        }
        synchronized (points) {
            try (PreparedStatement up = points.prepareStatement(
                    "INSERT OR REPLACE INTO accumulator (key, bucket, v0, v1, v2, v3) VALUES (?,?,?,?,?,?)")) {
                up.setString(1, key);
                up.setString(2, bucket);
                for (int i = 0; i < 4; i++) {
                    up.setDouble(3 + i, v[i]);
                }
                up.executeUpdate();
                points.commit();
            } catch (SQLException e) {
                rollback(points);
                throw new SpoolException("spool latest " + key + "/" + bucket + " failed: " + e.getMessage(), e);
            }
        }
    }

    /** Every bucket's four sums under {@code key}, by bucket in ascending order. */
    public java.util.SortedMap<String, double[]> accumulators(String key) {
        java.util.SortedMap<String, double[]> out = new java.util.TreeMap<>();
        synchronized (points) {
            try (PreparedStatement q = points.prepareStatement(
                    "SELECT bucket, v0, v1, v2, v3 FROM accumulator WHERE key = ?")) {
                q.setString(1, key);
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        out.put(rs.getString(1), new double[]{rs.getDouble(2), rs.getDouble(3), rs.getDouble(4),
                                rs.getDouble(5)});
                    }
                }
                points.commit();
            } catch (SQLException e) {
                rollback(points);
                throw new SpoolException("spool accumulator read " + key + " failed: " + e.getMessage(), e);
            }
        }
        return out;
    }

    /**
     * Completeness ledger, in the accumulator table: key {@value #LEDGER} + the UTC hour of acquisition
     * ({@code 2026-11-01T13}), bucket {@code site/device/channel}; v0 received, v1 flagged (qc not 0), v2 delivered to
     * InfluxDB, v3 stamped with CLOCK_UNSYNCED. Counted in the very transaction that commits or deletes the readings,
     * so a power cut can neither lose a count nor count a reading twice.
     */
    public static final String LEDGER = "ledger:";
    private static final String QUARANTINED_TOTAL = "quarantined_total";
    /** The cause of the gap records the drop-oldest policy writes: readings received, then dropped undelivered. */
    public static final String DROP_OLDEST_CAUSE = "spool full: drop-oldest policy";
    /** The cause of the gap record written when the spool was found damaged at start (site and channel "*"). */
    public static final String DAMAGED_CAUSE = "spool damaged: acknowledged readings lost";
    private static final long HOUR_NS = 3_600_000_000_000L;
    private static final int CLOCK_UNSYNCED = 1 << 8;

    /** The ledger key of the UTC hour that {@code timeNs} falls in. */
    public static String ledgerKey(long timeNs) {
        return LEDGER + java.time.Instant.ofEpochSecond(Math.floorDiv(timeNs, HOUR_NS) * 3600).toString().substring(0, 13);
    }

    private static void tallyReceived(Connection c, List<Reading> readings) throws SQLException {
        Map<List<String>, double[]> sums = new LinkedHashMap<>();
        for (Reading r : readings) {
            double[] v = sums.computeIfAbsent(List.of(ledgerKey(r.timeNs()), r.site() + "/" + r.device() + "/"
                    + r.channel()), k -> new double[4]);
            v[0]++;
            v[1] += r.qc() != 0 ? 1 : 0;
            v[3] += (r.qc() & CLOCK_UNSYNCED) != 0 ? 1 : 0;
        }
        addToAccumulators(c, sums);
    }

    /**
     * Rows of the run still in the table leave as delivered (the quarantined ones have already left). One INSERT ...
     * SELECT, so the transaction starts as a write and waits its turn: a read first would hold a snapshot that SQLite
     * refuses to upgrade once another connection has committed, without waiting (SQLITE_BUSY_SNAPSHOT).
     */
    private static void tallyDelivered(Connection c, long firstId, long lastId) throws SQLException {
        try (PreparedStatement up = c.prepareStatement("INSERT INTO accumulator (key, bucket, v0, v1, v2, v3) "
                + "SELECT '" + LEDGER + "' || strftime('%Y-%m-%dT%H', time_ns / 1000000000, 'unixepoch'), "
                + "site || '/' || device || '/' || channel, 0, 0, count(*), 0 FROM reading WHERE id BETWEEN ? AND ? "
                + "GROUP BY 1, 2 ON CONFLICT (key, bucket) DO UPDATE SET v2 = v2 + excluded.v2")) {
            up.setLong(1, firstId);
            up.setLong(2, lastId);
            up.executeUpdate();
        }
    }

    private static void addToAccumulators(Connection c, Map<List<String>, double[]> sums) throws SQLException {
        if (sums.isEmpty()) {
            return;
        }
        try (PreparedStatement up = c.prepareStatement("INSERT INTO accumulator (key, bucket, v0, v1, v2, v3) "
                + "VALUES (?,?,?,?,?,?) ON CONFLICT (key, bucket) DO UPDATE SET v0 = v0 + excluded.v0, "
                + "v1 = v1 + excluded.v1, v2 = v2 + excluded.v2, v3 = v3 + excluded.v3")) {
            for (Map.Entry<List<String>, double[]> e : sums.entrySet()) {
                up.setString(1, e.getKey().get(0));
                up.setString(2, e.getKey().get(1));
                for (int i = 0; i < 4; i++) {
                    up.setDouble(3 + i, e.getValue()[i]);
                }
                up.addBatch();
            }
            up.executeBatch();
        }
    }

    /** A row of the accumulator table. */
    public record Accumulator(String key, String bucket, double[] sums) {
    }

    /** Accumulator rows with {@code fromKey <= key < toKey}, by key and bucket (e.g. a range of ledger hours). */
    public List<Accumulator> accumulatorRange(String fromKey, String toKey) {
        List<Accumulator> out = new ArrayList<>();
        synchronized (query) {
            try (PreparedStatement q = query.prepareStatement("SELECT key, bucket, v0, v1, v2, v3 FROM accumulator "
                    + "WHERE key >= ? AND key < ? ORDER BY key, bucket")) {
                q.setString(1, fromKey);
                q.setString(2, toKey);
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Accumulator(rs.getString(1), rs.getString(2), new double[]{rs.getDouble(3),
                                rs.getDouble(4), rs.getDouble(5), rs.getDouble(6)}));
                    }
                }
                query.commit();
            } catch (SQLException e) {
                rollback(query);
                throw new SpoolException("accumulator query " + fromKey + ".." + toKey + " failed: " + e.getMessage(), e);
            }
        }
        return out;
    }

    /** Gap records that overlap [fromNs, toNs), oldest first. */
    public List<GapRecord> gapsOverlapping(long fromNs, long toNs) {
        return gaps("WHERE last_time_ns >= ? AND first_time_ns < ? ORDER BY first_time_ns, site, device, channel, id",
                fromNs, toNs);
    }

    private List<GapRecord> gaps(String whereAndOrder, long... parameters) {
        List<GapRecord> out = new ArrayList<>();
        synchronized (query) {
            try (PreparedStatement q = query.prepareStatement("SELECT id, recorded_ns, site, device, channel, "
                    + "first_time_ns, last_time_ns, readings, cause FROM gap " + whereAndOrder)) {
                for (int i = 0; i < parameters.length; i++) {
                    q.setLong(i + 1, parameters[i]);
                }
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        out.add(new GapRecord(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4),
                                rs.getString(5), rs.getLong(6), rs.getLong(7), rs.getLong(8), rs.getString(9)));
                    }
                }
                query.commit();
            } catch (SQLException e) {
                rollback(query);
                throw new SpoolException("gap query failed: " + e.getMessage(), e);
            }
        }
        return out;
    }

    /** Readings and derived points stamped before {@code timeNs} that InfluxDB does not have yet. */
    public long waitingBefore(long timeNs) {
        synchronized (query) {
            try (PreparedStatement q = query.prepareStatement("SELECT (SELECT count(*) FROM reading WHERE time_ns < ?) "
                    + "+ (SELECT count(*) FROM point WHERE time_ns < ?)")) {
                q.setLong(1, timeNs);
                q.setLong(2, timeNs);
                long n;
                try (ResultSet rs = q.executeQuery()) {
                    n = rs.next() ? rs.getLong(1) : 0;
                }
                query.commit();
                return n;
            } catch (SQLException e) {
                rollback(query);
                throw new SpoolException("spool query failed: " + e.getMessage(), e);
            }
        }
    }

    /** Gap records, newest first. */
    public List<GapRecord> recentGaps(int limit) {
        return gaps("ORDER BY id DESC LIMIT ?", limit);
    }

    /** Receipt time of the oldest reading still waiting, if any. */
    public OptionalLong oldestReceivedNs() {
        synchronized (query) {
            try {
                OptionalLong result;
                try (Statement s = query.createStatement();
                     ResultSet rs = s.executeQuery("SELECT received_ns FROM reading ORDER BY id LIMIT 1")) {
                    result = rs.next() ? OptionalLong.of(rs.getLong(1)) : OptionalLong.empty();
                }
                // end the read transaction only once the statement is closed, or its snapshot stays open
                query.commit();
                return result;
            } catch (SQLException e) {
                rollback(query);
                throw new SpoolException("spool query failed: " + e.getMessage(), e);
            }
        }
    }

    /**
     * Seconds since the oldest reading still waiting was received, 0 when none waits: how far InfluxDB lags behind.
     * One query; for /api/status, the gateway health point and the Prometheus gauge alike.
     */
    public double oldestUndeliveredAgeS(long nowNs) {
        OptionalLong oldest = oldestReceivedNs();
        return oldest.isPresent() ? Math.max(0, nowNs - oldest.getAsLong()) / 1e9 : 0.0;
    }

    public long depth() {
        return depth.get();
    }

    public long usedBytes() {
        return usedBytes.get();
    }

    public long maxBytes() {
        return maxBytes;
    }

    public boolean isFull() {
        return full;
    }

    public FullPolicy fullPolicy() {
        return fullPolicy;
    }

    public long deadLettersTotal() {
        return deadLettersTotal.get();
    }

    public long droppedTotal() {
        return droppedTotal.get();
    }

    /** Acknowledged readings found gone from a damaged spool, over its life (each start that found some adds). */
    public long lostTotal() {
        return lostTotal.get();
    }

    /** What was found damaged when this spool opened and what became of it (one line); empty when nothing was. */
    public String damageAtStart() {
        return damageAtStart;
    }

    public Path file() {
        return file;
    }

    private static long single(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getLong(1) : 0L;
        }
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

    private static void bumpCounter(Connection c, String name, long by) throws SQLException {
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
    private static void rollback(Connection c) {
        Transactions.rollback(c, "spool", LOG);
    }

    @Override
    public void close() {
        mark.close();
        for (Connection c : new Connection[]{writer, delivery, cursor, query, points}) {
            try {
                c.close();
            } catch (SQLException e) {
                LOG.warn("closing spool connection failed: {}", e.getMessage());
            }
        }
    }
}
