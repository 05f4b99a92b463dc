package org.fieldgate.store;

import org.fieldgate.reading.Reading;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link SeriesIds} and {@link SeriesNames} against the series tables they remember. */
class SeriesIdsTest {
    @TempDir
    Path dir;

    @Test
    void seriesWhoseNamesCollidedUnder31TakeDistinctSlots() {
        // SeriesIds hashed (((site * 31 + device) * 31 + channel) * 31 + unit) and mixed afterwards, which kept these
        // two equal: every slot the same, a linear probe's cluster for each such pair
        int oldA = (("bench".hashCode() * 31 + "dev-100".hashCode()) * 31 + "co2_30cm".hashCode()) * 31 + "ppm".hashCode();
        int oldB = (("bench".hashCode() * 31 + "dev-300".hashCode()) * 31 + "co2_10cm".hashCode()) * 31 + "ppm".hashCode();
        assertEquals(oldA, oldB, "the collision this test is about");
        int a = SeriesIds.hash("bench", "dev-100", "co2_30cm", "ppm");
        int b = SeriesIds.hash("bench", "dev-300", "co2_10cm", "ppm");
        for (int slots = 16; slots <= 1 << 17; slots <<= 1) {
            assertNotEquals(a & slots - 1, b & slots - 1, slots + " slots");
        }
    }

    @Test
    void anIdLearntInARolledBackTransactionIsForgotten() throws SQLException {
        try (Connection c = spool()) {
            SeriesIds ids = new SeriesIds(c, SeriesIds.READING_SERIES);
            long a = ids.of("s", "d", "co2", "ppm");
            SpoolDatabase.rollback(c);
            ids.rolledBack();
            // the rolled-back id goes to the next new series; the first one gets another
            long b = ids.of("s", "d", "h2o", "ppm");
            assertEquals(a, b);
            long a2 = ids.of(new String("s"), "d", "co2", "ppm");
            assertNotEquals(b, a2);
            c.commit();
            ids.committed();
            ids.rolledBack(); // nothing learnt since the commit: nothing forgotten
            assertEquals(List.of("s", "d", "co2", "ppm"), table(c, a2));
            assertEquals(List.of("s", "d", "h2o", "ppm"), table(c, b));
        }
    }

    @Test
    void idsEqualTheTablesOnRandomNamesWithLittleRoom() throws SQLException {
        try (Connection c = spool()) {
            SeriesIds readings = new SeriesIds(c, SeriesIds.READING_SERIES, 7);
            SeriesIds keys = new SeriesIds(c, SeriesIds.KEY_SERIES, 7);
            SeriesNames names = new SeriesNames(c, 5);
            Random random = new Random(7);
            Map<List<String>, Long> seen = new HashMap<>();
            for (int i = 0; i < 5_000; i++) {
                List<Reading> commit = new ArrayList<>();
                for (int j = random.nextInt(20); j > 0; j--) {
                    // equal names in other String objects now and then
                    commit.add(new Reading(random.nextBoolean() ? "plot-a" : new String("plot-a"), "node-" + random.nextInt(9),
                            "ch" + random.nextInt(6), random.nextBoolean() ? "ppm" : "µmol", i, 1.0, 0));
                }
                long[] got = readings.of(commit);
                for (int j = 0; j < commit.size(); j++) {
                    Reading r = commit.get(j);
                    List<String> series = List.of(r.site(), r.device(), r.channel(), r.unit());
                    Long before = seen.putIfAbsent(series, got[j]);
                    assertEquals(before == null ? got[j] : before, got[j], series.toString());
                    assertEquals(series, table(c, got[j]));
                    SeriesNames.Series n = names.of(got[j]);
                    assertEquals(series, List.of(n.site(), n.device(), n.channel(), n.unit()));
                    long key = keys.of(r.site(), r.device(), r.channel(), r.unit());
                    assertEquals(key, SpoolDatabase.single(c, "SELECT id FROM keys.key_series WHERE site = '" + r.site()
                            + "' AND device = '" + r.device() + "' AND channel = '" + r.channel() + "'"));
                }
                c.commit();
                readings.committed();
                keys.committed();
                assertTrue(readings.size() <= 7);
            }
            assertEquals(9 * 6 * 2, seen.size());
        }
    }

    @Test
    void aMissingNameIsRefusedByName() throws SQLException {
        try (Connection c = spool()) {
            SeriesIds ids = new SeriesIds(c, SeriesIds.READING_SERIES);
            SQLException e = assertThrows(SQLException.class, () -> ids.of("s", null, "co2", "ppm"));
            assertTrue(e.getMessage().contains("device=null"), e.getMessage());
        }
    }

    private Connection spool() throws SQLException {
        Connection c = SpoolDatabase.open(dir.resolve("spool.db"), false);
        SpoolDatabase.createSchema(c);
        SpoolDatabase.attachKeys(c, dir.resolve("keys.db"));
        return c;
    }

    private static List<String> table(Connection c, long id) throws SQLException {
        try (var q = c.prepareStatement("SELECT site, device, channel, unit FROM series WHERE id = ?")) {
            q.setLong(1, id);
            try (var rs = q.executeQuery()) {
                return rs.next() ? List.of(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)) : List.of();
            }
        }
    }
}
