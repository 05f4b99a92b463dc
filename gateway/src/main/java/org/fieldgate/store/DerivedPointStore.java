package org.fieldgate.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Derived results (fluxes, closures, rates, gaps) waiting as InfluxDB line protocol (table {@code point}) until
 * InfluxDB takes them; the ones it refuses for their content go to {@code point_quarantine} with the reason.
 */
public final class DerivedPointStore {
    private final SpoolDatabase db;
    private final AtomicLong depth = new AtomicLong();

    DerivedPointStore(SpoolDatabase db) throws SQLException {
        this.db = db;
        depth.set(SpoolDatabase.single(db.writer, "SELECT count(*) FROM point"));
    }

    /** Commits derived points; when this returns they are on disk and will be forwarded like readings. */
    public void commit(List<PointLine> lines) {
        if (lines.isEmpty()) {
            return;
        }
        long now = System.currentTimeMillis() * 1_000_000L;
        db.onShared("spool commit of " + lines.size() + " derived points", c -> {
            insert(c, lines, now);
            return null;
        });
        depth.addAndGet(lines.size());
    }

    /** The oldest derived points waiting, in order. */
    public List<PointLine> pending(int limit) {
        return db.onShared("spool read of derived points", c -> {
            List<PointLine> out = new ArrayList<>();
            try (PreparedStatement q = c.prepareStatement(
                    "SELECT id, measurement, time_ns, line FROM point ORDER BY id LIMIT ?")) {
                q.setInt(1, limit);
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        out.add(new PointLine(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getString(4)));
                    }
                }
            }
            return out;
        });
    }

    /**
     * InfluxDB acknowledged {@code delivered} and refused {@code refused} for their content ({@code reason}): both
     * leave the point table, the refused ones into {@code point_quarantine}.
     */
    public void settled(List<PointLine> delivered, List<PointLine> refused, String reason) {
        long now = System.currentTimeMillis() * 1_000_000L;
        int removed = db.onShared("spool delete of delivered derived points", c -> {
            try (PreparedStatement del = c.prepareStatement("DELETE FROM point WHERE id = ?");
                 PreparedStatement q = c.prepareStatement("INSERT INTO point_quarantine "
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
                int n = 0;
                for (int one : del.executeBatch()) {
                    n += one;
                }
                return n;
            }
        });
        depth.addAndGet(-removed);
    }

    /** Derived points waiting for InfluxDB. */
    public long depth() {
        return depth.get();
    }

    /** Inserts points inside the caller's transaction on {@code c}; the caller calls {@link #added} once committed. */
    static void insert(Connection c, List<PointLine> lines, long createdNs) throws SQLException {
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

    /** Another store committed {@code n} points in its own transaction. */
    void added(long n) {
        depth.addAndGet(n);
    }
}
