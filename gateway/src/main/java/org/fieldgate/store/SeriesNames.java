package org.fieldgate.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * The names of a reading row's series id ({@link SeriesIds#READING_SERIES}), for the forwarder's read: one String per
 * distinct name (a site, a unit, a channel shared by many series is one String) for as long as it is remembered (up
 * to {@code capacity} series, then it starts again), batch after batch, where the rows' own text columns were read
 * and decoded per row or per batch. A series row is never deleted
 * nor changed, and a reading is committed with its series row, so an id read in a committed row always has its names,
 * and the same ones. One per connection, one thread at a time.
 */
final class SeriesNames {
    /** A series' names. */
    record Series(String site, String device, String channel, String unit) {
    }

    private final PreparedStatement select;
    private final int capacity;
    // open addressing by id, linear probing, no boxing: a slot is free when its series is null
    private long[] ids = new long[16];
    private Series[] byId = new Series[16];
    private int size;
    private final Map<String, String> names = new HashMap<>();
    // the series read last: spares the map for a run of rows of one series
    private long lastId = -1;
    private Series last;

    SeriesNames(Connection c) throws SQLException {
        this(c, 100_000);
    }

    SeriesNames(Connection c, int capacity) throws SQLException {
        if (capacity < 1) {
            throw new IllegalArgumentException("series names capacity = " + capacity + ": at least 1");
        }
        this.capacity = capacity;
        this.select = c.prepareStatement("SELECT site, device, channel, unit FROM series WHERE id = ?");
    }

    /** The names of series {@code id}, read in the caller's transaction when not remembered. */
    Series of(long id) throws SQLException {
        if (id == lastId) {
            return last;
        }
        int mask = ids.length - 1;
        int i = slot(id, mask);
        while (byId[i] != null && ids[i] != id) {
            i = i + 1 & mask;
        }
        Series s = byId[i];
        if (s == null) {
            if (size >= capacity) {
                ids = new long[16];
                byId = new Series[16];
                size = 0;
                names.clear();
                i = slot(id, 15);
            }
            s = read(id);
            ids[i] = id;
            byId[i] = s;
            if (++size * 2 > ids.length) {
                grow();
            }
        }
        lastId = id;
        last = s;
        return s;
    }

    private static int slot(long id, int mask) {
        long h = id * 0x9E3779B97F4A7C15L;
        return (int) (h ^ h >>> 32) & mask;
    }

    private void grow() {
        long[] oldIds = ids;
        Series[] oldSeries = byId;
        ids = new long[oldIds.length * 2];
        byId = new Series[oldIds.length * 2];
        int mask = ids.length - 1;
        for (int j = 0; j < oldIds.length; j++) {
            if (oldSeries[j] != null) {
                int i = slot(oldIds[j], mask);
                while (byId[i] != null) {
                    i = i + 1 & mask;
                }
                ids[i] = oldIds[j];
                byId[i] = oldSeries[j];
            }
        }
    }

    private String one(String name) {
        String known = names.putIfAbsent(name, name);
        return known == null ? name : known;
    }

    private Series read(long id) throws SQLException {
        select.setLong(1, id);
        try (ResultSet rs = select.executeQuery()) {
            if (!rs.next()) {
                throw new SQLException("reading row names series " + id + ", which table series does not hold");
            }
            return new Series(one(rs.getString(1)), one(rs.getString(2)), one(rs.getString(3)), one(rs.getString(4)));
        }
    }
}
