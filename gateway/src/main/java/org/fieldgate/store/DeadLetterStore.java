package org.fieldgate.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Refused messages and records (table {@code dead_letter}), kept for the technician with the reason they were refused.
 * They are committed with the readings of the same messages ({@link ReadingStore#commit}); the newest
 * {@value #KEPT} are kept, the total over the spool's life is counted.
 */
public final class DeadLetterStore {
    /** Dead letters kept for inspection; older ones are pruned, the total stays counted. */
    static final int KEPT = 50_000;

    private final SpoolDatabase db;
    private final AtomicLong total = new AtomicLong();

    DeadLetterStore(SpoolDatabase db) throws SQLException {
        this.db = db;
        total.set(db.counter(SpoolDatabase.DEAD_LETTERS_TOTAL));
    }

    /**
     * A message or one record of it that the caller refused, and why; {@code raw} is what was refused (the payload, or
     * the record), {@code rawLength} its full length when {@code raw} is cut short.
     */
    public record Refused(String topic, String reason, byte[] raw, int rawLength) {
    }

    /** The newest dead letters, newest first. */
    public List<DeadLetter> recent(int limit) {
        return db.read("dead-letter query", c -> {
            List<DeadLetter> out = new ArrayList<>();
            try (PreparedStatement q = c.prepareStatement(
                    "SELECT id, received_ns, topic, reason, raw, raw_length FROM dead_letter ORDER BY id DESC LIMIT ?")) {
                q.setInt(1, limit);
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        out.add(new DeadLetter(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4),
                                rs.getBytes(5), rs.getInt(6)));
                    }
                }
            }
            return out;
        });
    }

    /** Dead letters over the spool's life (a counter in the spool, so it survives restarts and pruning). */
    public long total() {
        return total.get();
    }

    /**
     * Inserts, counts and prunes inside the caller's transaction on {@code c}; the caller calls {@link #added} once
     * it committed.
     */
    static void insert(Connection c, List<Refused> refused, long receivedNs) throws SQLException {
        if (refused.isEmpty()) {
            return;
        }
        try (PreparedStatement ins = c.prepareStatement(
                "INSERT INTO dead_letter (received_ns, topic, reason, raw, raw_length) VALUES (?,?,?,?,?)")) {
            for (Refused r : refused) {
                ins.setLong(1, receivedNs);
                ins.setString(2, r.topic());
                ins.setString(3, r.reason());
                ins.setBytes(4, r.raw());
                ins.setInt(5, r.rawLength());
                ins.addBatch();
            }
            ins.executeBatch();
        }
        SpoolDatabase.bump(c, SpoolDatabase.DEAD_LETTERS_TOTAL, refused.size());
        try (PreparedStatement prune = c.prepareStatement(
                "DELETE FROM dead_letter WHERE id <= (SELECT max(id) FROM dead_letter) - ?")) {
            prune.setInt(1, KEPT);
            prune.executeUpdate();
        }
    }

    void added(long n) {
        total.addAndGet(n);
    }
}
