package org.fieldgate.store;

import org.fieldgate.reading.Reading;
import org.fieldgate.reading.SeriesHash;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * Integer ids of the series the readings name, kept in a table of the database ({@link #READING_SERIES}: site, device,
 * channel and unit, in {@code spool.db}, for the {@code reading} rows; {@link #KEY_SERIES}: site, device and channel,
 * in {@code keys.db}, for the reading keys, so that the keys keep their meaning when a damaged spool is set aside and
 * {@code keys.db} is not). The table is the truth and its rows are never deleted, so an id once read stays right for
 * as long as the file lives; this object only remembers the ids of the names seen lately, up to {@code capacity}
 * series (then it starts again), found by the names' Strings (a message's readings share them, so the reading
 * before answers most lookups by reference). A name new to the table is inserted inside the caller's transaction: when
 * that transaction rolls back, {@link #rolledBack} must be called, which forgets every id learnt since the last
 * {@link #committed} (an id not committed may be given to another series by the next insert). One per connection,
 * one thread at a time.
 */
final class SeriesIds implements AutoCloseable {
    /** spool.db's series of the reading rows. */
    static final Table READING_SERIES = new Table("series", true);
    /** keys.db's series of the reading keys (a key is a series without its unit, and a time). */
    static final Table KEY_SERIES = new Table("keys.key_series", false);

    /** A series table: its name and whether the unit is part of a series. */
    record Table(String name, boolean withUnit) {
        String create() {
            return "CREATE TABLE IF NOT EXISTS " + name + " (id INTEGER PRIMARY KEY, site TEXT NOT NULL, "
                    + "device TEXT NOT NULL, channel TEXT NOT NULL" + (withUnit ? ", unit TEXT NOT NULL" : "")
                    + ", UNIQUE (site, device, channel" + (withUnit ? ", unit" : "") + "))";
        }

        String insert() {
            return "INSERT INTO " + name + " (site, device, channel" + (withUnit ? ", unit) VALUES (?,?,?,?)" : ") VALUES (?,?,?)")
                    + " ON CONFLICT DO NOTHING";
        }

        String select() {
            return "SELECT id FROM " + name + " WHERE site = ? AND device = ? AND channel = ?"
                    + (withUnit ? " AND unit = ?" : "");
        }
    }

    /** The largest id array kept from one call to the next: a group of 200 messages of 100 readings fits (256 KB). */
    private static final int KEPT_IDS = 32_768;
    private long[] idBuffer = new long[0];
    private final Table table;
    private final PreparedStatement insert;
    private final PreparedStatement select;
    private final int capacity;
    // open addressing, linear probing; a slot is free when its site is null
    private String[] sites;
    private String[] devices;
    private String[] channels;
    private String[] units;
    private long[] ids;
    private int size;
    private boolean learntSinceCommit;
    // the series resolved last, by reference
    private String lastSite;
    private String lastDevice;
    private String lastChannel;
    private String lastUnit;
    private long lastId = -1;

    SeriesIds(Connection c, Table table) throws SQLException {
        this(c, table, 100_000);
    }

    SeriesIds(Connection c, Table table, int capacity) throws SQLException {
        if (capacity < 1) {
            throw new IllegalArgumentException("series ids capacity = " + capacity + ": at least 1");
        }
        this.table = table;
        this.capacity = capacity;
        this.insert = c.prepareStatement(table.insert());
        this.select = c.prepareStatement(table.select());
        reset(16);
    }

    /**
     * The ids of the readings' series, in order, at indexes 0 to {@code readings.size() - 1} of an array that this
     * object reuses (up to {@value #KEPT_IDS} readings): valid until the next call.
     */
    long[] of(List<Reading> readings) throws SQLException {
        int n = readings.size();
        long[] out = n <= idBuffer.length ? idBuffer : n <= KEPT_IDS ? (idBuffer = new long[n]) : new long[n];
        for (int i = 0; i < n; i++) {
            Reading r = readings.get(i);
            out[i] = of(r.site(), r.device(), r.channel(), r.unit());
        }
        return out;
    }

    /** The id of one series (the unit ignored by a table without it), inserted into the table when new. */
    long of(String site, String device, String channel, String unit) throws SQLException {
        String u = table.withUnit ? unit : "";
        if (lastId >= 0 && site == lastSite && device == lastDevice && channel == lastChannel && u == lastUnit) {
            return lastId;
        }
        if (site == null || device == null || channel == null || u == null) {
            throw new SQLException("series with a missing name: site=" + site + " device=" + device + " channel="
                    + channel + " unit=" + unit);
        }
        int mask = sites.length - 1;
        int i = hash(site, device, channel, u) & mask;
        while (sites[i] != null) {
            // String.equals compares references first: the decoder's shared names cost four reference checks
            if (sites[i].equals(site) && devices[i].equals(device) && channels[i].equals(channel) && units[i].equals(u)) {
                return remember(site, device, channel, u, ids[i]);
            }
            i = i + 1 & mask;
        }
        long id = fromTable(site, device, channel, u);
        if (size >= capacity) {
            reset(16);
            learntSinceCommit = true;
            mask = sites.length - 1;
            i = hash(site, device, channel, u) & mask;
        }
        sites[i] = site;
        devices[i] = device;
        channels[i] = channel;
        units[i] = u;
        ids[i] = id;
        if (++size * 2 > sites.length) {
            grow();
        }
        learntSinceCommit = true;
        return remember(site, device, channel, u, id);
    }

    /** The caller's transaction committed: the ids learnt in it are in the table for good. */
    void committed() {
        learntSinceCommit = false;
    }

    /** The caller's transaction rolled back: ids learnt since the last commit may be gone, so all are forgotten. */
    void rolledBack() {
        if (learntSinceCommit) {
            reset(16);
            learntSinceCommit = false;
        }
    }

    @Override
    public void close() throws SQLException {
        insert.close();
        select.close();
    }

    /** Series remembered now. */
    int size() {
        return size;
    }

    private long fromTable(String site, String device, String channel, String unit) throws SQLException {
        // the insert first: the transaction writes before it reads (see ImportStore), and a new series gets its row
        bindNames(insert, site, device, channel, unit);
        insert.executeUpdate();
        bindNames(select, site, device, channel, unit);
        try (ResultSet rs = select.executeQuery()) {
            if (!rs.next()) {
                throw new SQLException("series " + site + "/" + device + "/" + channel + " (" + unit + ") not in "
                        + table.name + " after its insert");
            }
            return rs.getLong(1);
        }
    }

    private void bindNames(PreparedStatement s, String site, String device, String channel, String unit)
            throws SQLException {
        s.setString(1, site);
        s.setString(2, device);
        s.setString(3, channel);
        if (table.withUnit) {
            s.setString(4, unit);
        }
    }

    private long remember(String site, String device, String channel, String unit, long id) {
        lastSite = site;
        lastDevice = device;
        lastChannel = channel;
        lastUnit = unit;
        lastId = id;
        return id;
    }

    /** The series' hash ({@link SeriesHash}, whose mix the names need: with 31 they collided), folded. */
    static int hash(String site, String device, String channel, String unit) {
        int h = SeriesHash.of(site, device, channel) * SeriesHash.MIX + unit.hashCode();
        return h ^ h >>> 16;
    }

    private void reset(int slots) {
        sites = new String[slots];
        devices = new String[slots];
        channels = new String[slots];
        units = new String[slots];
        ids = new long[slots];
        size = 0;
        lastId = -1;
        lastSite = lastDevice = lastChannel = lastUnit = null;
    }

    private void grow() {
        String[] oldSites = sites;
        String[] oldDevices = devices;
        String[] oldChannels = channels;
        String[] oldUnits = units;
        long[] oldIds = ids;
        int n = size;
        reset(oldSites.length * 2);
        int mask = sites.length - 1;
        for (int j = 0; j < oldSites.length; j++) {
            if (oldSites[j] != null) {
                int i = hash(oldSites[j], oldDevices[j], oldChannels[j], oldUnits[j]) & mask;
                while (sites[i] != null) {
                    i = i + 1 & mask;
                }
                sites[i] = oldSites[j];
                devices[i] = oldDevices[j];
                channels[i] = oldChannels[j];
                units[i] = oldUnits[j];
                ids[i] = oldIds[j];
            }
        }
        size = n;
    }
}
