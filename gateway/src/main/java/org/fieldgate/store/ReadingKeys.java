package org.fieldgate.store;

import org.fieldgate.reading.Reading;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The series and time of every reading received in the last {@value #KEYS_KEPT_DAYS} days ({@code keys.db}, attached
 * to the ingest connection), so that a reading at a known series and time is never stored twice nor sent to overwrite
 * the first. Works inside the ingest commit's transaction.
 */
final class ReadingKeys {
    private static final Logger LOG = LoggerFactory.getLogger(ReadingKeys.class);
    /** How long a reading's series and time are remembered. */
    static final long KEYS_KEPT_DAYS = 7;

    private final Connection writer;
    /** Prepared once: preparing the three statements on every commit cost as much as a small commit's inserts. */
    private final PreparedStatement insertKey;
    private final ReadingRows.Utf8Names utf8Names;
    /** The key series ids (site, device and channel) of the keys, in keys.db. */
    private final SeriesIds keySeries;
    private final PreparedStatement firstKey;
    private final PreparedStatement insertConflict;
    private long keysPrunedNs;

    /** The one key insert, shared with {@link ImportStore}: a key already there inserts nothing. */
    static final String INSERT_KEY = "INSERT INTO keys.seen (series, time_ns, value, qc, received_ns) "
            + "VALUES (?,?,?,?,?) ON CONFLICT DO NOTHING";

    /**
     * True when {@code r}'s key was new, false when the spool knew its series and time already; {@code series} is
     * its key series id ({@link SeriesIds#KEY_SERIES}).
     */
    static boolean insertKey(PreparedStatement key, long series, Reading r, long receivedNs) throws SQLException {
        bindKey(key, series, r, receivedNs);
        return key.executeUpdate() == 1;
    }

    private static void bindKey(PreparedStatement key, long series, Reading r, Long receivedNs) throws SQLException {
        key.setLong(1, series);
        key.setLong(2, r.timeNs());
        key.setDouble(3, r.value());
        key.setInt(4, r.qc());
        key.setObject(5, receivedNs);
    }

    /**
     * Inserts the keys of {@code readings}: per reading 1 when its key was new, 0 when the spool knew its series and
     * time already (an earlier reading of the same commit included). On sqlite-jdbc's own statement row by row with only
     * the changed columns bound again ({@link ReadingRows}); otherwise as a JDBC batch, which sqlite-jdbc runs row by
     * row recording each row's {@code changes()} ({@code DB.executeBatch}, 3.50.3.0), in batches of
     * {@link ReadingStore#BATCH_ROWS} rows ({@link ReadingStore#inBatches}).
     */
    private int[] insertKeys(List<Reading> readings, long[] series, long receivedNs) throws SQLException {
        return ReadingRows.nativeOf(insertKey) != null
                ? ReadingRows.insertKeys(insertKey, readings, series, receivedNs, utf8Names)
                : insertKeysJdbc(insertKey, readings, series, receivedNs);
    }

    /** {@link #insertKeys} through JDBC's batch: for a statement not sqlite-jdbc's own, and the reference in tests. */
    static int[] insertKeysJdbc(PreparedStatement key, List<Reading> readings, long[] series, long receivedNs)
            throws SQLException {
        Long received = receivedNs; // boxed once per commit, not once per reading
        return ReadingStore.inBatches(key, readings, (k, i, r) -> bindKey(k, series[i], r, received));
    }

    ReadingKeys(Connection writer, ReadingRows.Utf8Names utf8Names) throws SQLException {
        this.writer = writer;
        this.utf8Names = utf8Names;
        this.keySeries = new SeriesIds(writer, SeriesIds.KEY_SERIES);
        this.insertKey = writer.prepareStatement(INSERT_KEY);
        this.firstKey = writer.prepareStatement("SELECT value, qc FROM keys.seen WHERE series = ? AND time_ns = ?");
        this.insertConflict = writer.prepareStatement("INSERT INTO conflict (received_ns, site, device, "
                + "channel, unit, time_ns, value, qc, cal, first_value, first_qc) VALUES (?,?,?,?,?,?,?,?,?,?,?)");
    }

    /** Of a commit's readings, those whose series and time are new, and how many were duplicates or conflicts. */
    record FirstSeen(List<Reading> readings, long duplicates, long conflicts) {
    }

    /**
     * InfluxDB keys a point by series and time, so a second reading at a known series and time would overwrite the
     * first. Each reading's key is kept (in {@code keys.db}, {@value #KEYS_KEPT_DAYS} days) with its value: a copy with
     * the same value and qc (a message redelivered after a lost acknowledgement) is left out and counted as a
     * duplicate, not received twice; a different one (a node that rebooted without a clock and reuses stamps) goes to
     * the {@code conflict} table beside the first value, counted, and is never sent.
     */
    FirstSeen firstSeen(List<Reading> readings, long receivedNs) throws SQLException {
        pruneKeys(receivedNs);
        List<Reading> fresh = new ArrayList<>(readings.size());
        long duplicates = 0;
        long conflicts = 0;
        long[] series = keySeries.of(readings);
        int[] inserted = readings.isEmpty() ? new int[0] : insertKeys(readings, series, receivedNs);
        {
            PreparedStatement first = firstKey;
            PreparedStatement conflict = insertConflict;
            for (int i = 0; i < inserted.length; i++) {
                Reading r = readings.get(i);
                if (inserted[i] == 1) {
                    fresh.add(r);
                    continue;
                }
                first.setLong(1, series[i]);
                first.setLong(2, r.timeNs());
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
            SpoolDatabase.bump(writer, SpoolDatabase.DUPLICATES_TOTAL, duplicates);
        }
        if (conflicts > 0) {
            SpoolDatabase.bump(writer, SpoolDatabase.CONFLICTS_TOTAL, conflicts);
            LOG.warn("{} readings at a series and time already received with another value: kept in table conflict, "
                    + "not sent (they would overwrite the first), first {}", conflicts, readings.get(0));
        }
        return new FirstSeen(fresh, duplicates, conflicts);
    }

    /** The ingest transaction committed: see {@link SeriesIds#committed}. */
    void committed() {
        keySeries.committed();
    }

    /** The ingest transaction rolled back: see {@link SeriesIds#rolledBack}. */
    void rolledBack() {
        keySeries.rolledBack();
    }

    /** Keys older than {@value #KEYS_KEPT_DAYS} days leave {@code keys.db}, at most once an hour. */
    private void pruneKeys(long nowNs) throws SQLException {
        if (nowNs - keysPrunedNs < SpoolDatabase.HOUR_NS) {
            return;
        }
        try (PreparedStatement prune = writer.prepareStatement("DELETE FROM keys.seen WHERE received_ns < ?")) {
            prune.setLong(1, nowNs - KEYS_KEPT_DAYS * 24 * SpoolDatabase.HOUR_NS);
            prune.executeUpdate();
        }
        keysPrunedNs = nowNs;
    }
}
