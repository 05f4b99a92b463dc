package org.fieldgate.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.sqlite.SQLiteConfig;

/**
 * What opening the spool does before any store uses it: checks the database against the high-water mark, sets a
 * damaged one aside and starts on what it still holds, records the readings found lost, and aligns the mark.
 */
final class SpoolRecovery {
    private static final Logger LOG = LoggerFactory.getLogger(SpoolRecovery.class);

    private SpoolRecovery() {
    }

    /** What a look at the database before using it found: the damage (null if none), readings gone, salvageable. */
    record Inspection(String damage, long lost, boolean salvageable) {
    }

    /**
     * Checks the database read-only (it writes nothing, so the evidence stays as found) against the high-water mark:
     * each committed row not since removed must be there. A damaged file, or rows missing (a WAL lost, cut short or
     * corrupted), is damage; {@code lost} then counts the acknowledged readings gone, -1 when unknown (no mark).
     */
    static Inspection inspect(Path file, HighWaterMark mark) {
        if (!Files.exists(file)) {
            long expected = mark.expectedThrough(mark.committedThrough());
            return expected > 0 ? new Inspection("spool.db missing", expected, false) : new Inspection(null, 0, false);
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file, readOnly());
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
            long sequence = hasReadings ? SpoolDatabase.single(c,
                    "SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = 'reading'") : 0;
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

    private static java.util.Properties readOnly() {
        SQLiteConfig config = new SQLiteConfig();
        config.setReadOnly(true);
        return config.toProperties();
    }

    private static long lostIfNoneSalvaged(HighWaterMark mark) {
        return mark.existed() ? mark.expectedThrough(mark.committedThrough()) : -1;
    }

    /**
     * Moves the damaged files into {@code damaged-<time>/} beside them and starts a fresh spool: a copy of what the
     * damaged one still holds when it reads whole (readings, ledger, counters), else an empty one. Says so in one line,
     * which it returns.
     */
    static String setAsideAndSalvage(Path dir, Path file, HighWaterMark mark, Inspection found) {
        Path aside = dir.resolve("damaged-" + Instant.now().toString().replace(':', '-'));
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
        } catch (IOException e) {
            throw new SpoolException("spool " + file + " is damaged (" + found.damage() + ") and cannot be moved aside to "
                    + aside + ": " + e.getMessage(), e);
        }
        outcome = "starting on an empty spool";
        if (found.salvageable()) {
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + aside.resolve(file.getFileName()),
                    readOnly()); Statement s = c.createStatement()) {
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
        } catch (IOException e) {
            throw new SpoolException("cannot remove the partial copy " + f + ": " + e.getMessage(), e);
        }
    }

    /**
     * Readings of a salvaged copy whose series row did not survive (a checkpoint cut short and then the WAL lost can
     * leave one page of a transaction without another): without their names they cannot be sent, and the forwarder's
     * read would fail on them for good, so they leave, inside the caller's transaction, to be counted with the loss.
     * Returns how many; logged.
     */
    static long dropReadingsWithoutSeries(Connection writer) throws SQLException {
        try (Statement s = writer.createStatement()) {
            int orphans = s.executeUpdate("DELETE FROM reading WHERE series NOT IN (SELECT id FROM series)");
            if (orphans > 0) {
                LOG.error("{} readings of the salvaged spool name a series it no longer holds: counted lost", orphans);
            }
            return orphans;
        }
    }

    /**
     * Records a loss found at start (counter, gap record and gap point, one transaction) and aligns the high-water
     * mark with the database: from scratch for a new, salvaged or older spool.
     */
    static void startMark(Connection writer, HighWaterMark mark, long lost, GapStore.PointFormat gapPoint)
            throws SQLException {
        if (lost != 0) {
            long now = System.currentTimeMillis() * 1_000_000L;
            long counted = Math.max(lost, 0);
            SpoolDatabase.bump(writer, SpoolDatabase.LOST_TOTAL, counted);
            String cause = GapStore.DAMAGED_CAUSE + (lost < 0 ? " (number unknown: no high-water mark)" : "");
            List<GapRecord> gap = List.of(new GapRecord(0, now, "*", "spool", "*", now, now, counted, cause));
            GapStore.insert(writer, gap);
            DerivedPointStore.insert(writer, GapStore.points(gapPoint, gap), now);
            writer.commit();
        }
        long sequence = SpoolDatabase.single(writer,
                "SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = 'reading'");
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
}
