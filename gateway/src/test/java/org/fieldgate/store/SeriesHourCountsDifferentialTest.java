package org.fieldgate.store;

import org.fieldgate.reading.QcFlags;
import org.fieldgate.reading.Reading;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link HourlyCountStore.SeriesHourCounts} against the counting it replaced ({@code ReceivedCounts} and
 * {@code DeliveredCounts} of 6ce9d21, kept below as they were, their kept limits made arguments, writing accumulator
 * rows by name): the same generated batches counted by each into a database of its own, the old accumulator rows
 * compared with the new rows by series id read back by name, and both against counting each reading here. The batches mix many series over 30 hours (some before 1970): runs of one series that
 * cross the end of an hour, a series met again later in the batch, packs of one device's channels, names shared or
 * copied (so both the by-reference and the by-content comparisons count), flagged and unsynchronised readings, two
 * series that join to one bucket name, and calls rolled back (counted afresh by the next call). With a few groups kept
 * the maps start again mid-batch too.
 */
class SeriesHourCountsDifferentialTest {
    private static final long HOUR_NS = SpoolDatabase.HOUR_NS;
    private static final long S = 1_000_000_000L;
    private static final long T0 = 1_763_856_000L * S;

    @Test
    void receivedCountsAreThoseOfTheOldCounting(@TempDir Path dir) throws SQLException {
        for (int kept : new int[]{7, 50_000}) {
            Map<String, long[]> expected = new TreeMap<>();
            try (Connection oc = database(dir.resolve("old-" + kept + ".db"));
                 Connection nc = database(dir.resolve("new-" + kept + ".db"));
                 OldReceivedCounts before = new OldReceivedCounts(oc, kept);
                 SeriesIds ids = new SeriesIds(nc, SeriesIds.READING_SERIES);
                 HourlyCountStore.SeriesHourCounts after = HourlyCountStore.SeriesHourCounts.received(nc)) {
                Random random = new Random(kept);
                for (int n = 0; n < 150; n++) {
                    List<Reading> batch = batch(random);
                    before.add(batch);
                    after.add(batch, ids.of(batch));
                    if (endsCall(random, oc, nc, ids)) {
                        batch.forEach(r -> count(expected, r, false));
                    }
                }
                assertSameRows(oc, nc, expected, kept);
            }
        }
    }

    @Test
    void deliveredCountsAreThoseOfTheOldCounting(@TempDir Path dir) throws SQLException {
        for (int kept : new int[]{7, 20_000}) {
            Map<String, long[]> expected = new TreeMap<>();
            try (Connection oc = database(dir.resolve("old-" + kept + ".db"));
                 Connection nc = database(dir.resolve("new-" + kept + ".db"));
                 OldDeliveredCounts before = new OldDeliveredCounts(oc, kept);
                 SeriesIds ids = new SeriesIds(nc, SeriesIds.READING_SERIES);
                 HourlyCountStore.SeriesHourCounts after = HourlyCountStore.SeriesHourCounts.delivered(nc)) {
                Random random = new Random(100 + kept);
                long id = 0;
                for (int n = 0; n < 80; n++) {
                    // a settle of one to five runs, as the settler takes the acknowledged batches waiting
                    List<List<SpooledReading>> runs = new ArrayList<>();
                    for (int k = 1 + random.nextInt(5); k > 0; k--) {
                        List<SpooledReading> run = new ArrayList<>();
                        for (Reading r : batch(random)) {
                            run.add(new SpooledReading(++id, r, T0));
                        }
                        runs.add(run);
                    }
                    before.add(runs);
                    after.addRuns(runs, ids);
                    if (endsCall(random, oc, nc, ids)) {
                        runs.forEach(run -> run.forEach(s -> count(expected, s.reading(), true)));
                    }
                }
                assertSameRows(oc, nc, expected, kept);
            }
        }
    }

    /** Commits both (true), or one time in ten rolls both back (false). */
    private static boolean endsCall(Random random, Connection old, Connection now, SeriesIds ids) throws SQLException {
        if (random.nextInt(10) == 0) {
            old.rollback();
            now.rollback();
            ids.rolledBack();
            return false;
        }
        old.commit();
        now.commit();
        ids.committed();
        return true;
    }

    private static Connection database(Path file) throws SQLException {
        Connection c = SpoolDatabase.open(file, false);
        SpoolDatabase.createSchema(c);
        c.commit();
        return c;
    }

    /** One generated batch (a commit's readings, or one acknowledged run), of a few parts of a few shapes. */
    private static List<Reading> batch(Random random) {
        List<Reading> out = new ArrayList<>();
        for (int part = 1 + random.nextInt(6); part > 0; part--) {
            String site = random.nextInt(8) == 0 ? "plot-b" : "plot-a";
            // hours after T0, or one time in twenty hours before 1970
            long hourNs = random.nextInt(20) == 0 ? -random.nextInt(30) * HOUR_NS : T0 + random.nextInt(30) * HOUR_NS;
            switch (random.nextInt(4)) {
                case 0 -> {
                    // a run of one series across the end of an hour
                    String[] s = series(random);
                    long t = hourNs - random.nextInt(40) * S;
                    for (int i = 1 + random.nextInt(80); i > 0; i--) {
                        out.add(reading(random, site, s, t));
                        t += S;
                    }
                }
                case 1 -> {
                    // a pack: one device's ten channels at ten times, channel after channel, near the end of an hour
                    String device = "dev-" + random.nextInt(1000);
                    long t = hourNs - random.nextInt(12) * S;
                    for (int time = 0; time < 10; time++) {
                        for (int ch = 0; ch < 10; ch++) {
                            out.add(reading(random, site, new String[]{device, "ch" + ch}, t + time * S));
                        }
                    }
                }
                case 2 -> {
                    // many series, one reading each, over a few hours
                    for (int i = random.nextInt(600); i > 0; i--) {
                        out.add(reading(random, site, series(random),
                                hourNs + random.nextInt(3) * HOUR_NS + random.nextInt(3600) * S));
                    }
                }
                default -> {
                    // a few series again and again, two of them joining to one bucket name, their names shared
                    String[][] few = {{"dev/x", "ch"}, {"dev", "x/ch"}, {"dev-1", "co2_10cm"}, {"dev-1", "co2_30cm"}};
                    for (int i = random.nextInt(200); i > 0; i--) {
                        String[] s = few[random.nextInt(few.length)];
                        out.add(new Reading(site, s[0], s[1], "ppm", hourNs + random.nextInt(7200) * S, i, qc(random)));
                    }
                }
            }
        }
        return out;
    }

    /** A device and channel among 1,000 x 10, the names new copies half the time (not shared by reference). */
    private static String[] series(Random random) {
        String device = "dev-" + random.nextInt(1000);
        String channel = "co2_" + random.nextInt(10) + "0cm";
        return random.nextBoolean() ? new String[]{device, channel} : new String[]{device.intern(), channel.intern()};
    }

    private static Reading reading(Random random, String site, String[] series, long timeNs) {
        // now and then another copy of the device's name within one run
        String device = random.nextInt(3) == 0 ? new String(series[0]) : series[0];
        return new Reading(site, device, series[1], "ppm", timeNs, random.nextInt(1000), qc(random));
    }

    private static int qc(Random random) {
        return random.nextInt(4) != 0 ? 0 : random.nextBoolean() ? 1 : QcFlags.CLOCK_UNSYNCED | 1;
    }

    private static void count(Map<String, long[]> expected, Reading r, boolean delivered) {
        long[] c = expected.computeIfAbsent(HourlyCountStore.KEY + HourlyCountStore.hourOf(r.timeNs()) + " "
                + r.site() + "/" + r.device() + "/" + r.channel(), k -> new long[4]);
        if (delivered) {
            c[2]++;
        } else {
            c[0]++;
            c[1] += r.qc() != 0 ? 1 : 0;
            c[3] += (r.qc() & QcFlags.CLOCK_UNSYNCED) != 0 ? 1 : 0;
        }
    }

    private static void assertSameRows(Connection old, Connection now, Map<String, long[]> expected, int kept)
            throws SQLException {
        Map<String, List<Long>> before = rows(old);
        Map<String, List<Long>> after = countRows(now);
        assertTrue(before.size() > 1000, "rows " + before.size());
        assertEquals(List.of(), differences(before, after), "old against new, kept " + kept);
        Map<String, List<Long>> counted = new TreeMap<>();
        expected.forEach((k, v) -> counted.put(k, List.of(v[0], v[1], v[2], v[3])));
        assertEquals(List.of(), differences(counted, after), "each reading against new, kept " + kept);
    }

    /** The first ten keys whose rows differ, each with both rows (a short message where a whole table would not be). */
    private static List<String> differences(Map<String, List<Long>> expected, Map<String, List<Long>> actual) {
        java.util.SortedSet<String> keys = new java.util.TreeSet<>(expected.keySet());
        keys.addAll(actual.keySet());
        return keys.stream().filter(k -> !java.util.Objects.equals(expected.get(k), actual.get(k))).limit(10)
                .map(k -> k + " " + expected.get(k) + " != " + actual.get(k)).toList();
    }

    /** The new table's rows by the names of their series ids, as the accumulator's key and bucket, summed. */
    private static Map<String, List<Long>> countRows(Connection c) throws SQLException {
        Map<String, List<Long>> rows = new TreeMap<>();
        try (PreparedStatement q = c.prepareStatement("SELECT h.hour, s.site, s.device, s.channel, h.received, "
                + "h.flagged, h.delivered, h.clock_unsynced FROM series_hour_count h JOIN series s ON s.id = h.series");
             ResultSet rs = q.executeQuery()) {
            while (rs.next()) {
                rows.merge(HourlyCountStore.KEY + HourlyCountStore.hourOf(rs.getLong(1) * HOUR_NS) + " "
                                + rs.getString(2) + "/" + rs.getString(3) + "/" + rs.getString(4),
                        List.of(rs.getLong(5), rs.getLong(6), rs.getLong(7), rs.getLong(8)),
                        (a, b) -> java.util.stream.IntStream.range(0, 4).mapToObj(i -> a.get(i) + b.get(i)).toList());
            }
        }
        return rows;
    }

    /** The accumulator's rows, key and bucket to v0..v3. */
    private static Map<String, List<Long>> rows(Connection c) throws SQLException {
        Map<String, List<Long>> rows = new TreeMap<>();
        try (PreparedStatement q = c.prepareStatement("SELECT key, bucket, v0, v1, v2, v3 FROM accumulator");
             ResultSet rs = q.executeQuery()) {
            while (rs.next()) {
                rows.put(rs.getString(1) + " " + rs.getString(2),
                        List.of(rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getLong(6)));
            }
        }
        return rows;
    }

    // ---- the counting of 6ce9d21, as it was ----

    static final class OldReceivedCounts implements AutoCloseable {
        private static final int ROWS_KEPT = 4096;
        private final PreparedStatement upsert;
        private final int seriesKept;
        private final Map<SeriesHour, SeriesCounts> series = new HashMap<>();
        /** The commit's rows, in the order their series and hour first came. */
        private ArrayList<HourCounts> rows = new ArrayList<>();
        private final SeriesHour probe = new SeriesHour();
        /** Which add() this is: a series' counters belong to the commit whose number they carry. */
        private long commit;
        private long lastHour = Long.MIN_VALUE;
        private String lastHourKey;

        OldReceivedCounts(Connection c, int seriesKept) throws SQLException {
            this.seriesKept = seriesKept;
            this.upsert = c.prepareStatement("INSERT INTO accumulator (key, bucket, v0, v1, v2, v3) "
                    + "VALUES (?,?,?,?,0,?) ON CONFLICT (key, bucket) DO UPDATE SET v0 = v0 + excluded.v0, "
                    + "v1 = v1 + excluded.v1, v3 = v3 + excluded.v3");
        }

        /** Counts {@code readings} as received, inside the caller's transaction. */
        void add(List<Reading> readings) throws SQLException {
            long commit = ++this.commit;
            rows.clear();
            for (Reading r : readings) {
                SeriesCounts s = series.get(probe.set(0, r));
                if (s == null) {
                    if (series.size() >= seriesKept) {
                        series.clear(); // rows of this commit keep their own counters
                    }
                    s = new SeriesCounts(r.site() + "/" + r.device() + "/" + r.channel());
                    series.put(probe.copy(), s);
                }
                HourCounts h = s.counts(commit, Math.floorDiv(r.timeNs(), SpoolDatabase.HOUR_NS), rows);
                h.received++;
                h.flagged += r.qc() != 0 ? 1 : 0;
                h.clockUnsynced += (r.qc() & QcFlags.CLOCK_UNSYNCED) != 0 ? 1 : 0;
            }
            if (rows.isEmpty()) {
                return;
            }
            upsert.clearBatch();
            for (HourCounts h : rows) {
                upsert.setString(1, hourKey(h.hour));
                upsert.setString(2, h.bucket);
                upsert.setInt(3, h.received);
                upsert.setInt(4, h.flagged);
                upsert.setInt(5, h.clockUnsynced);
                upsert.addBatch();
            }
            upsert.executeBatch();
            if (rows.size() > ROWS_KEPT) {
                rows = new ArrayList<>(); // a burst of many series: its big list is not cleared at every commit after it
            }
        }

        private String hourKey(long hour) {
            if (hour != lastHour) {
                lastHourKey = HourlyCountStore.KEY + HourlyCountStore.hourOf(hour * SpoolDatabase.HOUR_NS);
                lastHour = hour;
            }
            return lastHourKey;
        }

        @Override
        public void close() throws SQLException {
            upsert.close();
        }
    }

    /** One series' counters in one hour of one commit: a row of the upsert. */
    private static final class HourCounts {
        final String bucket;
        long hour;
        int received;
        int flagged;
        int clockUnsynced;
        /** The series' next hour in the same commit. */
        HourCounts next;

        HourCounts(String bucket) {
            this.bucket = bucket;
        }

        HourCounts reset(long hour) {
            this.hour = hour;
            received = 0;
            flagged = 0;
            clockUnsynced = 0;
            next = null;
            return this;
        }
    }

    /** A series' bucket name and its counters, kept from commit to commit. */
    private static final class SeriesCounts {
        /** The counters of the first hour a commit met the series in; reused by every commit. */
        private final HourCounts first;
        private long commit = -1;

        SeriesCounts(String bucket) {
            this.first = new HourCounts(bucket);
        }

        /** The counters of {@code hour} in commit {@code commit}, added to {@code rows} when new. */
        HourCounts counts(long commit, long hour, List<HourCounts> rows) {
            if (this.commit != commit) {
                this.commit = commit;
                rows.add(first.reset(hour));
                return first;
            }
            HourCounts h = first;
            while (h.hour != hour) {
                if (h.next == null) {
                    h.next = new HourCounts(first.bucket).reset(hour);
                    rows.add(h.next);
                }
                h = h.next;
            }
            return h;
        }
    }

    /**
     * A series in an hour as a map key, looked up with one probe set again for each reading, a copy kept only for a
     * new key ({@link ReceivedCounts} keys series alone, at hour 0).
     */
    private static final class SeriesHour {
        long hour;
        String site;
        String device;
        String channel;

        SeriesHour set(long hour, Reading r) {
            this.hour = hour;
            this.site = r.site();
            this.device = r.device();
            this.channel = r.channel();
            return this;
        }

        SeriesHour set(long hour, SeriesHour other) {
            this.hour = hour;
            this.site = other.site;
            this.device = other.device;
            this.channel = other.channel;
            return this;
        }

        SeriesHour copy() {
            return new SeriesHour().set(hour, this);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof SeriesHour k && k.hour == hour && k.site.equals(site) && k.device.equals(device)
                    && k.channel.equals(channel);
        }

        @Override
        public int hashCode() {
            return ((Long.hashCode(hour) * 31 + site.hashCode()) * 31 + device.hashCode()) * 31 + channel.hashCode();
        }
    }

    /**
     * Counts the spool settler's acknowledged runs as delivered inside the delivery connection's transactions, its
     * upsert prepared once (only the delivered count: three binds per series and hour, not six). The series and hour
     * groups, with their accumulator key and bucket strings, are kept from settle to settle up to the groups kept,
     * so a run of series seen before makes no strings, keys or arrays; the upsert of each group of a settle is one row
     * of the batch. Two series that join to one bucket name (a channel with a '/') are two rows, and the upsert adds
     * the second to the first, as the counts always added up.
     */
    static final class OldDeliveredCounts implements AutoCloseable {
        private final int groupsKept;
        private final PreparedStatement upsert;
        private final Map<SeriesHour, Group> groups = new HashMap<>();
        private final Map<Long, String> hourKeys = new HashMap<>();
        private final List<Group> touched = new java.util.ArrayList<>();
        private final SeriesHour probe = new SeriesHour();

        /** A series in an hour: its accumulator key and bucket, and how many of the settle at hand it holds. */
        private static final class Group {
            final String hourKey;
            final String bucket;
            int delivered;

            Group(String hourKey, String bucket) {
                this.hourKey = hourKey;
                this.bucket = bucket;
            }
        }

        OldDeliveredCounts(Connection c, int groupsKept) throws SQLException {
            this.groupsKept = groupsKept;
            this.upsert = c.prepareStatement("INSERT INTO accumulator (key, bucket, v0, v1, v2, v3) "
                    + "VALUES (?,?,0,0,?,0) ON CONFLICT (key, bucket) DO UPDATE SET v2 = v2 + excluded.v2");
        }

        /** Counts every reading of {@code runs} as delivered, inside the caller's transaction. */
        void add(List<List<SpooledReading>> runs) throws SQLException {
            touched.clear();
            for (List<SpooledReading> run : runs) {
                for (SpooledReading s : run) {
                    Reading r = s.reading();
                    Group g = groups.get(probe.set(Math.floorDiv(r.timeNs(), SpoolDatabase.HOUR_NS), r));
                    if (g == null) {
                        g = newGroup();
                    }
                    if (g.delivered++ == 0) {
                        touched.add(g);
                    }
                }
            }
            if (touched.isEmpty()) {
                return;
            }
            upsert.clearBatch();
            for (Group g : touched) {
                upsert.setString(1, g.hourKey);
                upsert.setString(2, g.bucket);
                upsert.setInt(3, g.delivered);
                upsert.addBatch();
            }
            try {
                upsert.executeBatch();
            } finally {
                // counted afresh at the next settle, whether this one commits or is rolled back and tried again
                for (Group g : touched) {
                    g.delivered = 0;
                }
            }
        }

        /** The group of the series and hour the probe is set to, made and kept. */
        private Group newGroup() {
            if (groups.size() >= groupsKept) {
                groups.clear();
                hourKeys.clear();
            }
            String hourKey = hourKeys.computeIfAbsent(probe.hour, h -> HourlyCountStore.KEY + HourlyCountStore.hourOf(h * SpoolDatabase.HOUR_NS));
            Group g = new Group(hourKey, probe.site + "/" + probe.device + "/" + probe.channel);
            groups.put(probe.copy(), g);
            return g;
        }

        @Override
        public void close() throws SQLException {
            upsert.close();
        }
    }

}
