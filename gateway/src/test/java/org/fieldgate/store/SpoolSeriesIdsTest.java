package org.fieldgate.store;

import org.fieldgate.forward.InfluxLines;
import org.fieldgate.reading.Reading;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Series ids in the spool ({@link SeriesIds}): a spool and keys file written by the version before them (resources
 * {@code spool-before-series-ids/}, see {@code MakeMainSpool.java.txt} there) open with every waiting reading, each
 * read once and in order, the row sequence kept, and every key still known; the keys keep their series when spool.db
 * is lost and recreated with other ids.
 */
class SpoolSeriesIdsTest {
    private static final long T0 = 1_763_856_000_000_000_000L;
    private static final long MIN = 60_000_000_000L;

    @Test
    void aSpoolWrittenBeforeSeriesIdsOpensAndEveryReadingGoesOutOnce(@TempDir Path dir) throws Exception {
        SpoolSchemaTest.copySpool("spool-before-series-ids", dir);
        List<Reading> written = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            written.add(new Reading("plot-a", "probe-1", "co2", "ppm", T0 + i * MIN, 400 + i, 0, "cal-7"));
            written.add(new Reading("plot-a", "probe-1", "h2o", "mmol/mol", T0 + i * MIN, 10 + i, 0, null));
        }
        written.add(new Reading("plot-b", "nöde-2", "vwc", "/", T0, 0.31, 0, null));
        Reading otherUnit = new Reading("plot-a", "probe-1", "co2", "ppmv", T0 + 20 * MIN, 420, 0, null);
        // the first four delivered, the last one quarantined
        List<Reading> waiting = new ArrayList<>(written.subList(4, written.size()));
        waiting.add(otherUnit);
        try (Spool spool = new Spool(dir, 64L << 20, FullPolicy.BACKPRESSURE, InfluxLines::gap)) {
            assertEquals("", spool.damageAtStart());
            assertEquals(0, spool.lostTotal());
            assertEquals(18, spool.readings().depth());
            assertEquals(1, spool.readings().duplicatesTotal());
            assertEquals(1, spool.readings().conflictsTotal());
            List<SpooledReading> read = new ArrayList<>(spool.readings().oldest(7));
            read.addAll(spool.readings().after(read.get(read.size() - 1).id(), 100));
            assertEquals(waiting, read.stream().map(SpooledReading::reading).toList());
            assertEquals(5, read.get(0).id());
            assertEquals(22, read.get(read.size() - 1).id());

            // redelivered: one delivered before the upgrade, one waiting, the quarantined one; a conflict; a new one
            Reading fresh = new Reading("plot-b", "nöde-2", "vwc", "/", T0 + 2 * MIN, 0.33, 0, null);
            int stored = spool.readings().commit(List.of(written.get(0), written.get(15),
                    new Reading("plot-b", "nöde-2", "vwc", "/", T0 + MIN, 0.32, 0, null),
                    new Reading("plot-a", "probe-1", "h2o", "mmol/mol", T0, 99, 0, null), fresh), List.of(), 10L);
            assertEquals(1, stored);
            assertEquals(4, spool.readings().duplicatesTotal());
            assertEquals(2, spool.readings().conflictsTotal());
            List<SpooledReading> next = spool.readings().after(22, 100);
            assertEquals(List.of(fresh), next.stream().map(SpooledReading::reading).toList());
            assertEquals(24, next.get(0).id(), "the row sequence goes on from the old table's (23 was quarantined)");

            spool.readings().deliveredRuns(List.of(read, next));
            assertEquals(0, spool.readings().depth());
            assertEquals(List.of(), spool.readings().oldest(100));
        }
        try (Spool again = new Spool(dir, 64L << 20, FullPolicy.BACKPRESSURE, InfluxLines::gap)) {
            assertEquals("", again.damageAtStart());
            assertEquals(0, again.readings().depth());
            assertEquals(0, again.readings().commit(List.of(written.get(20)), List.of(), 11L));
        }
        try (Connection keys = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("keys.db"))) {
            assertEquals(0, SpoolDatabase.single(keys,
                    "SELECT count(*) FROM sqlite_master WHERE name IN ('reading_seen', 'reading_key')"));
            assertEquals(24, SpoolDatabase.single(keys, "SELECT count(*) FROM seen"), "23 keys before, 1 new");
            assertEquals(3, SpoolDatabase.single(keys, "SELECT count(*) FROM key_series"), "co2 in two units: one key series");
        }
    }

    @Test
    void aSalvagedReadingWhoseSeriesIsGoneIsCountedLostNotSent(@TempDir Path dir) throws Exception {
        List<Reading> sent = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            sent.add(new Reading("plot-a", "probe-" + i % 3, "co2", "ppm", T0 + i * MIN, 400 + i, 0));
        }
        try (Spool spool = new Spool(dir, 64L << 20, FullPolicy.BACKPRESSURE, InfluxLines::gap)) {
            spool.readings().commit(sent, List.of(), 1L);
        }
        // what a checkpoint cut short and a lost WAL can leave: the last reading gone, one row naming a series that is not
        // in the file
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("spool.db"))) {
            c.createStatement().execute("DELETE FROM reading WHERE id = 10");
            c.createStatement().execute("UPDATE reading SET series = 999 WHERE id = 4");
        }
        try (Spool spool = new Spool(dir, 64L << 20, FullPolicy.BACKPRESSURE, InfluxLines::gap)) {
            assertTrue(spool.damageAtStart().contains("1 acknowledged readings lost"), spool.damageAtStart());
            assertEquals(2, spool.lostTotal(), "the missing row and the row without its series");
            List<Reading> expected = new ArrayList<>(sent.subList(0, 9));
            expected.remove(3);
            assertEquals(expected, spool.readings().oldest(100).stream().map(SpooledReading::reading).toList());
            assertEquals(8, spool.readings().depth());
        }
    }

    @Test
    void keysKeepTheirSeriesWhenTheSpoolIsRecreated(@TempDir Path dir) throws IOException, SQLException {
        Reading a = new Reading("plot-a", "probe-1", "co2", "ppm", T0, 400, 0);
        Reading b = new Reading("plot-b", "probe-9", "temp", "Cel", T0, 12.5, 0);
        try (Spool spool = new Spool(dir, 64L << 20, FullPolicy.BACKPRESSURE, InfluxLines::gap)) {
            spool.readings().commit(List.of(a, b), List.of(), 1L);
            spool.readings().delivered(spool.readings().oldest(10));
        }
        // spool.db and its mark gone (a drained spool deleted by hand), keys.db left: the new spool.db numbers its
        // series from 1 again, in another order
        for (String f : List.of("spool.db", "spool.db-wal", "spool.db-shm", "spool.hwm")) {
            Files.deleteIfExists(dir.resolve(f));
        }
        try (Spool spool = new Spool(dir, 64L << 20, FullPolicy.BACKPRESSURE, InfluxLines::gap)) {
            Reading c = new Reading("plot-c", "probe-2", "co2", "ppm", T0, 401, 0);
            assertEquals(1, spool.readings().commit(List.of(c), List.of(), 2L));
            assertEquals(0, spool.readings().commit(List.of(b, a), List.of(), 3L), "both redelivered, both known");
            assertEquals(2, spool.readings().duplicatesTotal());
            assertEquals(List.of(c), spool.readings().oldest(10).stream().map(SpooledReading::reading).toList());
        }
        try (Connection spoolDb = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("spool.db"))) {
            assertTrue(SpoolDatabase.single(spoolDb, "SELECT id FROM series WHERE site = 'plot-c'") == 1);
        }
    }
}
