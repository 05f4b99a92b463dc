package org.fieldgate.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Gap records (table {@code gap}): stretches of a series without readings and why. The acquisition stage records a
 * probe's outage here; the spool itself records the readings its drop-oldest policy dropped and those found lost from
 * a damaged spool, each in the transaction that drops or finds them, with a {@code gap} point for InfluxDB.
 */
public final class GapStore {
    /** The cause of the gap records the drop-oldest policy writes: readings received, then dropped undelivered. */
    public static final String DROP_OLDEST_CAUSE = "spool full: drop-oldest policy";
    /** The cause of the gap record written when the spool was found damaged at start (site and channel "*"). */
    public static final String DAMAGED_CAUSE = "spool damaged: acknowledged readings lost";

    /**
     * How a gap looks as a derived point for InfluxDB: the line format is the forwarder's, given by whoever opens the
     * spool, so the spool can write the point in the same transaction as the gap record it stands for.
     */
    @FunctionalInterface
    public interface PointFormat {
        PointLine line(String site, String device, String channel, long firstNs, long lastNs, long readings,
                       String cause);
    }

    private final SpoolDatabase db;

    GapStore(SpoolDatabase db) {
        this.db = db;
    }

    /**
     * Records that a series has no readings from {@code firstNs} to {@code lastNs} ({@code readings} expected ones
     * missing, 0 when unknown) and why: a probe that failed, a clock not to be trusted, a policy drop.
     */
    public void record(String site, String device, String channel, long firstNs, long lastNs, long readings,
                       String cause) {
        GapRecord gap = new GapRecord(0, System.currentTimeMillis() * 1_000_000L, site, device, channel, firstNs, lastNs,
                readings, cause);
        db.onShared("spool gap record", c -> {
            insert(c, List.of(gap));
            return null;
        });
    }

    /** Gap records that overlap [fromNs, toNs), oldest first. */
    public List<GapRecord> overlapping(long fromNs, long toNs) {
        return select("WHERE last_time_ns >= ? AND first_time_ns < ? ORDER BY first_time_ns, site, device, channel, id",
                fromNs, toNs);
    }

    /** Gap records, newest first. */
    public List<GapRecord> recent(int limit) {
        return select("ORDER BY id DESC LIMIT ?", limit);
    }

    private List<GapRecord> select(String whereAndOrder, long... parameters) {
        return db.read("gap query", c -> {
            List<GapRecord> out = new ArrayList<>();
            try (PreparedStatement q = c.prepareStatement("SELECT id, recorded_ns, site, device, channel, "
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
            }
            return out;
        });
    }

    /** Inserts {@code gaps} (their ids are ignored) inside the caller's transaction on {@code c}. */
    static void insert(Connection c, List<GapRecord> gaps) throws SQLException {
        try (PreparedStatement gap = c.prepareStatement("INSERT INTO gap (recorded_ns, site, device, "
                + "channel, first_time_ns, last_time_ns, readings, cause) VALUES (?,?,?,?,?,?,?,?)")) {
            for (GapRecord g : gaps) {
                gap.setLong(1, g.recordedNs());
                gap.setString(2, g.site());
                gap.setString(3, g.device());
                gap.setString(4, g.channel());
                gap.setLong(5, g.firstTimeNs());
                gap.setLong(6, g.lastTimeNs());
                gap.setLong(7, g.readings());
                gap.setString(8, g.cause());
                gap.addBatch();
            }
            gap.executeBatch();
        }
    }

    /** The {@code gap} points of {@code gaps}, in {@code format}. */
    static List<PointLine> points(PointFormat format, List<GapRecord> gaps) {
        return gaps.stream().map(g -> format.line(g.site(), g.device(), g.channel(), g.firstTimeNs(), g.lastTimeNs(),
                g.readings(), g.cause())).toList();
    }
}
