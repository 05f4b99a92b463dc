package org.fieldgate.forward;

import org.fieldgate.reading.Reading;
import org.fieldgate.store.FullPolicy;
import org.fieldgate.store.Spool;
import org.fieldgate.store.SpooledReading;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeliveredArchiveTest {
    private static final long T0 = 1_763_852_400_000_000_000L;
    private static final long HOUR_NS = 3_600_000_000_000L;
    private static final String[] DEVICES = {"probe-1", "probe-2", "house"};
    private static final String[] CHANNELS = {"co2", "t_air", "rh/2"};

    /** The archive of earlier versions: series first, delivery time indexed; what the reconciler read back from it. */
    private static final String OLD_TABLE = """
            CREATE TABLE delivered (
              site TEXT NOT NULL, device TEXT NOT NULL, channel TEXT NOT NULL, time_ns INTEGER NOT NULL,
              unit TEXT NOT NULL, value REAL NOT NULL, qc INTEGER NOT NULL, cal TEXT,
              received_ns INTEGER NOT NULL, delivered_ns INTEGER NOT NULL,
              PRIMARY KEY (site, device, channel, time_ns))""";
    /** The table of the version before: names in every row, time first. */
    private static final String NAMED_TABLE = """
            CREATE TABLE kept (
              time_ns INTEGER NOT NULL, site TEXT NOT NULL, device TEXT NOT NULL, channel TEXT NOT NULL,
              unit TEXT NOT NULL, value REAL NOT NULL, qc INTEGER NOT NULL, cal TEXT,
              received_ns INTEGER NOT NULL,
              PRIMARY KEY (time_ns, site, device, channel)) WITHOUT ROWID""";
    private static final String OLD_READ = "SELECT unit, time_ns, value, qc, cal, received_ns FROM delivered "
            + "WHERE site = ? AND device = ? AND channel = ? AND time_ns >= ? AND time_ns < ? ORDER BY time_ns";

    /** Readings of random series at random times over three hours, some at a series and time seen before. */
    private static List<Reading> generated(Random random, int n) {
        List<Reading> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String device = DEVICES[random.nextInt(DEVICES.length)];
            String channel = CHANNELS[random.nextInt(CHANNELS.length)];
            long timeNs = T0 + random.nextLong(3 * HOUR_NS / 1_000_000_000L) * 1_000_000_000L;
            out.add(new Reading(random.nextBoolean() ? "plot-a" : "plot-b", device, channel, "ppm", timeNs,
                    random.nextInt(100_000) / 7.0, random.nextInt(4), random.nextInt(5) == 0 ? null : "cal-" + i % 3));
        }
        return out;
    }

    @Test
    void keptRunsReadBackPerSeriesAndHourAsTheSeriesFirstTableDid(@TempDir Path dir) throws Exception {
        Random random = new Random(12);
        try (Spool spool = new Spool(dir, 64L << 20, FullPolicy.BACKPRESSURE, InfluxLines::gap);
             DeliveredArchive archive = new DeliveredArchive(dir, spool.file());
             Connection old = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("old.db"))) {
            try (Statement s = old.createStatement()) {
                s.execute(OLD_TABLE);
                s.execute("ATTACH DATABASE '" + spool.file() + "' AS spool");
            }
            old.setAutoCommit(false);
            long afterId = 0;
            for (int round = 0; round < 8; round++) {
                spool.readings().commit(generated(random, 400), List.of(), T0 + round);
                for (List<SpooledReading> run = spool.readings().after(afterId, 150); !run.isEmpty();
                     run = spool.readings().after(afterId, 150)) {
                    // one to three runs kept and delivered together, as the settler takes those acknowledged together
                    List<List<SpooledReading>> runs = new ArrayList<>();
                    int together = 1 + random.nextInt(3);
                    for (; !run.isEmpty(); run = spool.readings().after(afterId, 150)) {
                        runs.add(run);
                        afterId = run.get(run.size() - 1).id();
                        keepTheOldWay(old, run, T0 + round);
                        if (runs.size() == together) {
                            break;
                        }
                    }
                    if (runs.size() == 1) {
                        archive.keepSpoolRows(runs.get(0).get(0).id(), afterId);
                    } else {
                        archive.keepSpoolRuns(runs.stream().mapToLong(r -> r.get(0).id()).toArray(),
                                runs.stream().mapToLong(r -> r.get(r.size() - 1).id()).toArray());
                    }
                    spool.readings().deliveredRuns(runs);
                    if (run.isEmpty()) {
                        break;
                    }
                }
            }
            List<List<String>> series = new ArrayList<>();
            for (String site : new String[]{"plot-a", "plot-b"}) {
                for (String device : DEVICES) {
                    for (String channel : CHANNELS) {
                        series.add(List.of(site, device, channel));
                    }
                }
            }
            int compared = 0;
            for (long from = T0 - HOUR_NS; from < T0 + 4 * HOUR_NS; from += HOUR_NS / 2) {
                // all series in one scan, and every other one in another
                Map<List<String>, List<SpooledReading>> all = archive.readings(series, from, from + HOUR_NS);
                List<List<String>> some = new ArrayList<>();
                for (int i = 0; i < series.size(); i += 2) {
                    some.add(series.get(i));
                }
                Map<List<String>, List<SpooledReading>> half = archive.readings(some, from, from + HOUR_NS);
                for (List<String> s : series) {
                    List<String> before = readTheOldWay(old, s.get(0), s.get(1), s.get(2), String.valueOf(from),
                            String.valueOf(from + HOUR_NS));
                    assertEquals(before, lines(all.getOrDefault(s, List.of())), s + " from " + from);
                    assertEquals(some.contains(s) ? before : List.of(), lines(half.getOrDefault(s, List.of())),
                            s + " from " + from + ", every other series asked for");
                    compared += before.size();
                }
                assertTrue(all.keySet().stream().allMatch(series::contains), "only the series asked for");
            }
            // each reading is read back in two of the half-hour-shifted windows
            assertTrue(compared > 2 * 2000, "compared " + compared);
        }
    }

    @Test
    void aReadingKeptTwiceIsKeptOnceAndPruningForgetsWhatIsStampedBeforeTheCut(@TempDir Path dir) {
        Reading early = new Reading("plot-a", "probe-1", "co2", "ppm", T0, 411.5, 0, "cal-1");
        Reading late = new Reading("plot-a", "probe-1", "co2", "ppm", T0 + HOUR_NS, 412.5, 0, null);
        try (Spool spool = new Spool(dir, 64L << 20, FullPolicy.BACKPRESSURE, InfluxLines::gap);
             DeliveredArchive archive = new DeliveredArchive(dir, spool.file())) {
            spool.readings().commit(List.of(early, late), List.of(), 5L);
            List<SpooledReading> run = spool.readings().oldest(10);
            // a settle retried after a crash between the archive's commit and the spool's
            archive.keepSpoolRows(run.get(0).id(), run.get(1).id());
            archive.keepSpoolRows(run.get(0).id(), run.get(1).id());
            assertEquals(List.of(early, late), kept(archive, "probe-1", T0, T0 + 2 * HOUR_NS));
            assertEquals(1, archive.prune(T0 + 1));
            assertEquals(List.of(late), kept(archive, "probe-1", T0, T0 + 2 * HOUR_NS));
            assertEquals(0, archive.prune(T0 + HOUR_NS));
        }
    }

    @Test
    void theSeriesFirstTableOfAnEarlierVersionMovesIntoTheTimeOrderedOneAtOpen(@TempDir Path dir) throws Exception {
        try (Connection old = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(DeliveredArchive.FILE));
             Statement s = old.createStatement()) {
            s.execute(OLD_TABLE);
            s.execute("CREATE INDEX delivered_at ON delivered (delivered_ns)");
            s.execute("INSERT INTO delivered VALUES ('plot-a', 'probe-1', 'co2', " + (T0 + 2) + ", 'ppm', 410.25, 0, "
                    + "'cal-1', 7, 9), ('plot-a', 'probe-1', 'co2', " + T0 + ", 'ppm', 409.5, 2, NULL, 6, 9), "
                    + "('plot-a', 'probe-2', 'co2', " + (T0 + 1) + ", 'ppm', 400.0, 0, NULL, 6, 9)");
        }
        try (Spool spool = new Spool(dir, 64L << 20, FullPolicy.BACKPRESSURE, InfluxLines::gap);
             DeliveredArchive archive = new DeliveredArchive(dir, spool.file())) {
            assertEquals(List.of(
                            new SpooledReading(0, new Reading("plot-a", "probe-1", "co2", "ppm", T0, 409.5, 2, null), 6),
                            new SpooledReading(0, new Reading("plot-a", "probe-1", "co2", "ppm", T0 + 2, 410.25, 0,
                                    "cal-1"), 7)),
                    archive.readings(List.of(List.of("plot-a", "probe-1", "co2")), T0, T0 + HOUR_NS)
                            .get(List.of("plot-a", "probe-1", "co2")));
            assertEquals(1, kept(archive, "probe-2", T0, T0 + HOUR_NS).size());
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(DeliveredArchive.FILE));
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT name FROM sqlite_master WHERE name LIKE 'delivered%'")) {
            assertFalse(rs.next(), "the earlier table and its index are gone");
        }
    }

    @Test
    void aMoveStoppedPartWayGoesOnFromWhereItWasInStepsAtTheNextOpen(@TempDir Path dir) throws Exception {
        try (Spool spool = new Spool(dir, 64L << 20, FullPolicy.BACKPRESSURE, InfluxLines::gap);
             DeliveredArchive created = new DeliveredArchive(dir, spool.file())) {
            assertTrue(kept(created, "probe-1", T0, T0 + HOUR_NS).isEmpty());
        }
        // what a gateway of two versions back stopped after the first step leaves: that step's reading moved into the
        // table of the version before (names in every row), seven still to move
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(DeliveredArchive.FILE));
             Statement s = c.createStatement()) {
            s.execute(NAMED_TABLE);
            s.execute("INSERT INTO kept VALUES (" + T0 + ", 'plot-a', 'probe-1', 'co2', 'ppm', 400.0, 0, NULL, 5)");
            s.execute(OLD_TABLE);
            s.execute("CREATE INDEX delivered_at ON delivered (delivered_ns)");
            for (int i = 1; i <= 7; i++) {
                s.execute("INSERT INTO delivered VALUES ('plot-a', 'probe-1', 'co2', " + (T0 + i) + ", 'ppm', "
                        + (400.0 + i) + ", 0, NULL, 5, 9)");
            }
        }
        try (Spool spool = new Spool(dir, 64L << 20, FullPolicy.BACKPRESSURE, InfluxLines::gap);
             DeliveredArchive archive = new DeliveredArchive(dir, spool.file(), 3)) {
            List<Reading> all = kept(archive, "probe-1", T0, T0 + HOUR_NS);
            assertEquals(8, all.size(), "the reading moved before and the seven moved in three steps");
            for (int i = 0; i < 8; i++) {
                assertEquals(T0 + i, all.get(i).timeNs());
                assertEquals(400.0 + i, all.get(i).value());
            }
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(DeliveredArchive.FILE));
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT name FROM sqlite_master WHERE name LIKE 'delivered%'")) {
            assertFalse(rs.next(), "the emptied earlier table and its index are gone");
        }
        assertEquals(List.of(), tables(dir, DeliveredArchive.NAMED_TABLE), "the named table is gone too");
    }

    @Test
    void theNamedTableOfTheVersionBeforeMovesInStepsWithEachSeriesNamedOnce(@TempDir Path dir) throws Exception {
        Random random = new Random(3);
        List<Reading> readings = generated(random, 500);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(DeliveredArchive.FILE))) {
            try (Statement s = c.createStatement()) {
                s.execute(NAMED_TABLE);
            }
            PreparedStatement ins = c.prepareStatement("INSERT OR REPLACE INTO kept VALUES (?,?,?,?,?,?,?,?,?)");
            for (Reading r : readings) {
                Object[] row = {r.timeNs(), r.site(), r.device(), r.channel(), r.unit(), r.value(), r.qc(),
                        r.calibration(), 7L};
                for (int i = 0; i < row.length; i++) {
                    ins.setObject(i + 1, row[i]);
                }
                ins.executeUpdate();
            }
        }
        // the version before kept a reading once per time, site, device and channel: the last one given
        Map<List<Object>, Reading> expected = new java.util.LinkedHashMap<>();
        for (Reading r : readings) {
            expected.put(List.of(r.timeNs(), r.site(), r.device(), r.channel()), r);
        }
        try (Spool spool = new Spool(dir, 64L << 20, FullPolicy.BACKPRESSURE, InfluxLines::gap);
             DeliveredArchive archive = new DeliveredArchive(dir, spool.file(), 7)) {
            List<Reading> all = new ArrayList<>();
            for (String site : new String[]{"plot-a", "plot-b"}) {
                for (String device : DEVICES) {
                    all.addAll(kept(archive, site, device, "rh/2", T0, T0 + 3 * HOUR_NS));
                }
            }
            List<Reading> rh = expected.values().stream().filter(r -> r.channel().equals("rh/2")).toList();
            assertEquals(rh.size(), all.size());
            assertTrue(all.containsAll(rh), "every reading with its fields");
        }
        assertEquals(List.of(), tables(dir, DeliveredArchive.NAMED_TABLE), "the emptied table is gone");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(DeliveredArchive.FILE));
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*), (SELECT count(*) FROM " + DeliveredArchive.SERIES_TABLE
                     + ") FROM " + DeliveredArchive.TABLE)) {
            rs.next();
            assertEquals(expected.size(), rs.getInt(1), "one row per reading kept");
            assertEquals(2 * DEVICES.length * CHANNELS.length, rs.getInt(2), "each series named once");
        }
    }

    @Test
    void keptSeriesKeepTheirNamesWhenANewSpoolNumbersThemAnotherWay(@TempDir Path dir) throws Exception {
        Reading a = new Reading("plot-a", "probe-1", "co2", "ppm", T0, 411.5, 0, null);
        Reading b = new Reading("plot-a", "probe-2", "co2", "ppm", T0, 388.0, 0, null);
        Reading a2 = new Reading("plot-a", "probe-1", "co2", "ppm", T0 + 1, 412.5, 0, null);
        Reading b2 = new Reading("plot-a", "probe-2", "co2", "ppm", T0 + 1, 389.0, 0, null);
        Reading c = new Reading("plot-a", "probe-3", "co2", "ppm", T0 + 1, 501.0, 0, null);
        keepAll(dir, List.of(a, b));
        // the spool set aside (as when damaged) and made again: its first series is now probe-3, then probe-2
        for (String f : new String[]{"spool.db", "spool.db-wal", "spool.db-shm"}) {
            java.nio.file.Files.deleteIfExists(dir.resolve(f));
        }
        keepAll(dir, List.of(c, b2, a2));
        try (Spool spool = new Spool(dir, 64L << 20, FullPolicy.BACKPRESSURE, InfluxLines::gap);
             DeliveredArchive archive = new DeliveredArchive(dir, spool.file())) {
            assertEquals(List.of(a, a2), kept(archive, "probe-1", T0, T0 + HOUR_NS));
            assertEquals(List.of(b, b2), kept(archive, "probe-2", T0, T0 + HOUR_NS));
            assertEquals(List.of(c), kept(archive, "probe-3", T0, T0 + HOUR_NS));
        }
    }

    /** Commits {@code readings} to the spool in {@code dir}, reads them as the forwarder does and keeps them, one run each. */
    private static void keepAll(Path dir, List<Reading> readings) {
        try (Spool spool = new Spool(dir, 64L << 20, FullPolicy.BACKPRESSURE, InfluxLines::gap);
             DeliveredArchive archive = new DeliveredArchive(dir, spool.file())) {
            for (Reading r : readings) {
                spool.readings().commit(List.of(r), List.of(), 5L);
                List<SpooledReading> run = spool.readings().oldest(10);
                archive.keepSpoolRows(run.get(0).id(), run.get(0).id());
                spool.readings().deliveredRuns(List.of(run));
            }
        }
    }

    private static List<String> tables(Path dir, String name) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(DeliveredArchive.FILE));
             PreparedStatement q = c.prepareStatement("SELECT name FROM sqlite_master WHERE name = ?")) {
            q.setString(1, name);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    /** The earlier version's copy of an acknowledged run, from the spool attached to {@code old}. */
    private static void keepTheOldWay(Connection old, List<SpooledReading> run, long deliveredNs) throws Exception {
        try (PreparedStatement ins = old.prepareStatement("INSERT OR REPLACE INTO delivered (site, device, channel, "
                + "time_ns, unit, value, qc, cal, received_ns, delivered_ns) SELECT site, device, channel, time_ns, unit, "
                + "value, qc, cal, received_ns, ? FROM (SELECT r.id AS id, s.site AS site, s.device AS device, s.channel AS "
                + "channel, s.unit AS unit, r.time_ns AS time_ns, r.value AS value, r.qc AS qc, r.received_ns AS "
                + "received_ns, r.cal AS cal FROM spool.reading r JOIN spool.series s ON s.id = r.series) "
                + "WHERE id BETWEEN ? AND ?")) {
            ins.setLong(1, deliveredNs);
            ins.setLong(2, run.get(0).id());
            ins.setLong(3, run.get(run.size() - 1).id());
            ins.executeUpdate();
        }
        old.commit();
    }

    /** One series' kept readings in [fromNs, toNs) of the earlier table, each as one line of its fields. */
    private static List<String> readTheOldWay(Connection old, String... seriesAndRange) throws Exception {
        List<String> out = new ArrayList<>();
        try (PreparedStatement q = old.prepareStatement(OLD_READ)) {
            for (int i = 0; i < seriesAndRange.length; i++) {
                q.setObject(i + 1, i < 3 ? seriesAndRange[i] : (Object) Long.parseLong(seriesAndRange[i]));
            }
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1) + " " + rs.getLong(2) + " " + rs.getDouble(3) + " " + rs.getInt(4) + " "
                            + rs.getString(5) + " " + rs.getLong(6));
                }
            }
        }
        return out;
    }

    /** The kept readings of plot-a's {@code device}'s co2 in [fromNs, toNs). */
    private static List<Reading> kept(DeliveredArchive archive, String device, long fromNs, long toNs) {
        return kept(archive, "plot-a", device, "co2", fromNs, toNs);
    }

    private static List<Reading> kept(DeliveredArchive archive, String site, String device, String channel, long fromNs,
                                      long toNs) {
        List<String> series = List.of(site, device, channel);
        return archive.readings(List.of(series), fromNs, toNs).getOrDefault(series, List.of()).stream()
                .map(SpooledReading::reading).toList();
    }

    private static List<String> lines(List<SpooledReading> kept) {
        return kept.stream().map(k -> k.reading().unit() + " " + k.reading().timeNs() + " " + k.reading().value() + " "
                + k.reading().qc() + " " + k.reading().calibration() + " " + k.receivedNs()).toList();
    }
}
