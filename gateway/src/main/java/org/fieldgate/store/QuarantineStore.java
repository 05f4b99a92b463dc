package org.fieldgate.store;

import org.fieldgate.reading.Reading;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Readings InfluxDB refused for their content (table {@code quarantine}), set aside with the reason so the rest can
 * flow ({@link ReadingStore#quarantine}), until {@code quarantine replay} gets InfluxDB to take them.
 */
public final class QuarantineStore {
    private final SpoolDatabase db;
    private final AtomicLong total = new AtomicLong();

    QuarantineStore(SpoolDatabase db) throws SQLException {
        this.db = db;
        total.set(db.counter(SpoolDatabase.QUARANTINED_TOTAL));
    }

    /** A reading InfluxDB refused for its content, as the quarantine table keeps it. */
    public record QuarantinedReading(long id, long quarantinedNs, Reading reading, long receivedNs, String reason) {
    }

    /** Quarantined readings in the order they were quarantined, after row {@code afterId}. */
    public List<QuarantinedReading> after(long afterId, int limit) {
        return db.read("quarantine query", c -> {
            List<QuarantinedReading> out = new ArrayList<>();
            try (PreparedStatement q = c.prepareStatement("SELECT id, quarantined_ns, site, device, channel, unit, "
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
            }
            return out;
        });
    }

    /**
     * Quarantined readings that InfluxDB has now taken ({@code quarantine replay}): they leave the quarantine table and
     * count as delivered in the hourly counts, in one transaction. The quarantined total stays: it counts what was
     * refused.
     */
    public void replayed(List<QuarantinedReading> landed) {
        if (landed.isEmpty()) {
            return;
        }
        db.onShared("spool release of " + landed.size() + " replayed readings", c -> {
            try (PreparedStatement del = c.prepareStatement("DELETE FROM quarantine WHERE id = ?")) {
                for (QuarantinedReading q : landed) {
                    del.setLong(1, q.id());
                    del.addBatch();
                }
                del.executeBatch();
            }
            HourlyCountStore.addDelivered(c, landed.stream().map(QuarantinedReading::reading).toList());
            return null;
        });
    }

    /** Readings ever quarantined in this spool (a counter in the spool, so it survives restarts). */
    public long total() {
        return total.get();
    }

    /**
     * Sets {@code refused} aside with {@code reason} and counts them, inside the caller's transaction on {@code c}
     * (the one that deletes them from the reading table); the caller calls {@link #added} once it committed.
     */
    static void insert(Connection c, List<SpooledReading> refused, String reason, long nowNs) throws SQLException {
        try (PreparedStatement ins = c.prepareStatement("""
                INSERT INTO quarantine (quarantined_ns, received_ns, site, device, channel, unit, time_ns, value, qc, reason, cal)
                VALUES (?,?,?,?,?,?,?,?,?,?,?)""")) {
            for (SpooledReading s : refused) {
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
            }
            ins.executeBatch();
        }
        SpoolDatabase.bump(c, SpoolDatabase.QUARANTINED_TOTAL, refused.size());
    }

    void added(long n) {
        total.addAndGet(n);
    }
}
