package org.fieldgate.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Durable running sums (table {@code accumulator}: up to four numbers per key and bucket) and values recorded once
 * (table {@code counter}), so that the live calculators, the live page and the export ledger continue after a restart
 * instead of starting again. The store gives the keys no meaning; each user names its own (e.g. {@code uptime:} +
 * hour). The hourly reading counts live in the same table under their own keys (see {@link HourlyCountStore}).
 */
public final class AccumulatorStore {
    private final SpoolDatabase db;

    AccumulatorStore(SpoolDatabase db) {
        this.db = db;
    }

    /** A row of the accumulator table. */
    public record Accumulator(String key, String bucket, double[] sums) {
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
        db.onShared("spool accumulator " + key + "/" + bucket, c -> {
            add(c, Map.of(List.of(key, bucket), v));
            return null;
        });
    }

    /**
     * Replaces {@code bucket}'s four numbers under {@code key} (e.g. each chamber's newest flux for the live page),
     * durably, so a restart shows them again; read back with {@link #get}. Non-finite values are refused.
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
        db.onShared("spool latest " + key + "/" + bucket, c -> {
            try (PreparedStatement up = c.prepareStatement(
                    "INSERT OR REPLACE INTO accumulator (key, bucket, v0, v1, v2, v3) VALUES (?,?,?,?,?,?)")) {
                up.setString(1, key);
                up.setString(2, bucket);
                for (int i = 0; i < 4; i++) {
                    up.setDouble(3 + i, v[i]);
                }
                up.executeUpdate();
            }
            return null;
        });
    }

    /** Every bucket's four sums under {@code key}, by bucket in ascending order. */
    public SortedMap<String, double[]> get(String key) {
        return db.onShared("spool accumulator read " + key, c -> {
            SortedMap<String, double[]> out = new TreeMap<>();
            try (PreparedStatement q = c.prepareStatement(
                    "SELECT bucket, v0, v1, v2, v3 FROM accumulator WHERE key = ?")) {
                q.setString(1, key);
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        out.put(rs.getString(1), new double[]{rs.getDouble(2), rs.getDouble(3), rs.getDouble(4),
                                rs.getDouble(5)});
                    }
                }
            }
            return out;
        });
    }

    /** Accumulator rows with {@code fromKey <= key < toKey}, by key and bucket (e.g. a range of hours). */
    public List<Accumulator> range(String fromKey, String toKey) {
        return db.read("accumulator query " + fromKey + ".." + toKey, c -> {
            List<Accumulator> out = new ArrayList<>();
            try (PreparedStatement q = c.prepareStatement("SELECT key, bucket, v0, v1, v2, v3 FROM accumulator "
                    + "WHERE key >= ? AND key < ? ORDER BY key, bucket")) {
                q.setString(1, fromKey);
                q.setString(2, toKey);
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Accumulator(rs.getString(1), rs.getString(2), new double[]{rs.getDouble(3),
                                rs.getDouble(4), rs.getDouble(5), rs.getDouble(6)}));
                    }
                }
            }
            return out;
        });
    }

    /**
     * The value recorded under {@code name} the first time this was called for it (e.g. the gateway's commissioning
     * time), recording {@code value} now if nothing is: durable, so every later start gets the first one back.
     */
    public long recordOnce(String name, long value) {
        return db.onShared("spool record of " + name, c -> {
            try (PreparedStatement ins = c.prepareStatement("INSERT OR IGNORE INTO counter (name, value) VALUES (?, ?)")) {
                ins.setString(1, name);
                ins.setLong(2, value);
                ins.executeUpdate();
            }
            try (PreparedStatement q = c.prepareStatement("SELECT value FROM counter WHERE name = ?")) {
                q.setString(1, name);
                try (ResultSet rs = q.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    /** Adds each (key, bucket)'s four sums inside the caller's transaction on {@code c}. */
    static void add(Connection c, Map<List<String>, double[]> sums) throws SQLException {
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
}
