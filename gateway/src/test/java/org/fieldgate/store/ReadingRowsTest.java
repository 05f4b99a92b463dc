package org.fieldgate.store;

import org.fieldgate.reading.Reading;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ingest commit's native inserts ({@link ReadingRows}: only the changed columns bound again) against JDBC's batch
 * ({@link ReadingStore#insertAllJdbc}, {@link ReadingKeys#insertKeysJdbc}), each into a spool of its own, on random
 * commits: runs of readings sharing site, device and unit as a message's do, a channel or device changing every row,
 * equal names in other String objects, calibrations coming and going (null), names beyond ASCII, keys repeated within
 * a commit and across commits (same value and another), and failed commits (a reading with no site) rolled back
 * midway; the UTF-8 bytes of names kept in 4 slots only, so names take each other's slots all the time. Every row
 * of {@code reading} and {@code keys.seen}, with each value's SQLite type and its series' names (ids from
 * {@link SeriesIds}, forgotten when a commit rolls back), must be the same, and so must each key's inserted-or-not
 * answer.
 */
class ReadingRowsTest {
    private static final long T0 = 1_763_856_000_000_000_000L;
    private static final String[] SITES = {"hainich", "tharandt", "säntis"};
    private static final String[] UNITS = {"ppm", "Cel", "%RH", "µmol/m2/s"};
    /** Few slots, so names lose theirs often: a wrong reuse of another name's bytes would show. */
    private static final ReadingRows.Utf8Names NAMES = new ReadingRows.Utf8Names(4);
    private static final String[] CALS = {null, "model:gmp252", "cal-2026-03", "ζ-2"};

    @Test
    void nativeInsertsStoreWhatJdbcBatchesStore(@TempDir Path dir) throws SQLException {
        try (Connection jdbc = spool(dir.resolve("jdbc")); Connection fast = spool(dir.resolve("native"));
             PreparedStatement jdbcReading = jdbc.prepareStatement(ReadingStore.INSERT_READING);
             PreparedStatement jdbcKey = jdbc.prepareStatement(ReadingKeys.INSERT_KEY);
             PreparedStatement fastReading = fast.prepareStatement(ReadingStore.INSERT_READING);
             PreparedStatement fastKey = fast.prepareStatement(ReadingKeys.INSERT_KEY)) {
            Ids jdbcIds = new Ids(jdbc);
            Ids fastIds = new Ids(fast);
            assertNotNull(ReadingRows.nativeOf(fastReading), "sqlite-jdbc's statement takes the native binds");
            Random random = new Random(20261207);
            List<Reading> earlier = new ArrayList<>();
            int failed = 0;
            for (int commit = 0; commit < 400; commit++) {
                List<Reading> readings = randomCommit(random, commit, earlier);
                boolean poisoned = random.nextInt(12) == 0 && !readings.isEmpty();
                if (poisoned) {
                    Reading r = readings.get(random.nextInt(readings.size()));
                    readings.set(readings.indexOf(r), new Reading(null, r.device(), r.channel(), r.unit(), r.timeNs(),
                            r.value(), r.qc(), r.calibration()));
                }
                long receivedNs = T0 + commit * 1_000_000_000L;
                if (poisoned) {
                    assertThrows(SQLException.class, () -> viaJdbc(jdbcIds, jdbcKey, jdbcReading, readings, receivedNs));
                    assertThrows(SQLException.class, () -> natively(fastIds, fastKey, fastReading, readings, receivedNs));
                    SpoolDatabase.rollback(jdbc);
                    SpoolDatabase.rollback(fast);
                    jdbcIds.rolledBack();
                    fastIds.rolledBack();
                    failed++;
                    continue;
                }
                int[] expected = viaJdbc(jdbcIds, jdbcKey, jdbcReading, readings, receivedNs);
                int[] actual = natively(fastIds, fastKey, fastReading, readings, receivedNs);
                assertArrayEquals(expected, actual, "keys inserted, commit " + commit);
                jdbc.commit();
                fast.commit();
                jdbcIds.committed();
                fastIds.committed();
                earlier.addAll(readings);
            }
            assertTrue(failed > 10, "failed commits tried: " + failed);
            String readingRows = "SELECT r.id, typeof(r.series), s.site, s.device, s.channel, s.unit, time_ns, typeof(time_ns), "
                    + "value, typeof(value), qc, typeof(qc), received_ns, typeof(received_ns), cal, typeof(cal) "
                    + "FROM reading r JOIN series s ON s.id = r.series ORDER BY r.id";
            String keyRows = "SELECT time_ns, typeof(k.series), s.site, s.device, s.channel, value, typeof(value), qc, "
                    + "received_ns, typeof(received_ns) FROM keys.seen k JOIN keys.key_series s ON s.id = k.series "
                    + "ORDER BY time_ns, s.site, s.device, s.channel";
            List<String> readingsExpected = rows(jdbc, readingRows);
            assertTrue(readingsExpected.size() > 10_000, "rows compared: " + readingsExpected.size());
            assertEquals(readingsExpected, rows(fast, readingRows));
            assertEquals(rows(jdbc, keyRows), rows(fast, keyRows));
            assertEquals(rows(jdbc, "SELECT count(*) FROM reading"), rows(jdbc, "SELECT count(*) FROM reading r "
                    + "JOIN series s ON s.id = r.series"), "every reading's series is in the table");
        }
    }

    /** One connection's series ids, as the ingest commit keeps them. */
    private record Ids(SeriesIds readings, SeriesIds keys) {
        Ids(Connection c) throws SQLException {
            // room for 5 series only: the ids are forgotten and read back from the tables all the time
            this(new SeriesIds(c, SeriesIds.READING_SERIES, 5), new SeriesIds(c, SeriesIds.KEY_SERIES, 5));
        }

        void committed() {
            readings.committed();
            keys.committed();
        }

        void rolledBack() {
            readings.rolledBack();
            keys.rolledBack();
        }
    }

    /** Old path: every key and then every fresh reading bound in full, in JDBC batches. */
    private static int[] viaJdbc(Ids ids, PreparedStatement key, PreparedStatement reading, List<Reading> readings,
                                 long receivedNs) throws SQLException {
        int[] inserted = ReadingKeys.insertKeysJdbc(key, readings, ids.keys().of(readings), receivedNs);
        List<Reading> fresh = fresh(readings, inserted);
        ReadingStore.insertAllJdbc(reading, fresh, ids.readings().of(fresh), receivedNs);
        return inserted;
    }

    private static int[] natively(Ids ids, PreparedStatement key, PreparedStatement reading, List<Reading> readings,
                                  long receivedNs) throws SQLException {
        int[] inserted = ReadingRows.insertKeys(key, readings, ids.keys().of(readings), receivedNs, NAMES);
        List<Reading> fresh = fresh(readings, inserted);
        ReadingRows.insertReadings(reading, fresh, ids.readings().of(fresh), receivedNs, NAMES);
        return inserted;
    }

    private static List<Reading> fresh(List<Reading> readings, int[] inserted) {
        List<Reading> fresh = new ArrayList<>();
        for (int i = 0; i < inserted.length; i++) {
            if (inserted[i] == 1) {
                fresh.add(readings.get(i));
            }
        }
        return fresh;
    }

    /** A group of messages: each message a run of readings of one site and device, as the SenML decoder gives them. */
    private static List<Reading> randomCommit(Random random, int commit, List<Reading> earlier) {
        List<Reading> readings = new ArrayList<>();
        int messages = random.nextInt(4) == 0 ? 0 : 1 + random.nextInt(random.nextBoolean() ? 3 : 60);
        for (int m = 0; m < messages; m++) {
            String site = SITES[random.nextInt(SITES.length)];
            String device = "node-" + random.nextInt(40);
            String cal = CALS[random.nextInt(CALS.length)];
            int perMessage = random.nextBoolean() ? 1 : 1 + random.nextInt(150);
            long timeNs = T0 - 3_600_000_000_000L + (commit * 50L + random.nextInt(50)) * 1_000_000_000L;
            for (int i = 0; i < perMessage; i++) {
                if (!earlier.isEmpty() && random.nextInt(40) == 0) {
                    // a redelivered reading, or one at a known series and time with another value
                    Reading again = earlier.get(random.nextInt(earlier.size()));
                    readings.add(random.nextBoolean() ? again : new Reading(again.site(), again.device(),
                            again.channel(), again.unit(), again.timeNs(), again.value() + 1, again.qc(), again.calibration()));
                    continue;
                }
                if (!readings.isEmpty() && random.nextInt(50) == 0) {
                    readings.add(readings.get(random.nextInt(readings.size()))); // twice in one commit
                    continue;
                }
                String channel = random.nextInt(8) == 0 ? "kanal-ä" + (i % 7) : "ch" + (i % 97);
                // equal names in new String objects now and then: bound again, same rows
                String siteNow = random.nextInt(10) == 0 ? new String(site) : site;
                String calNow = random.nextInt(30) == 0 ? CALS[random.nextInt(CALS.length)] : cal;
                readings.add(new Reading(siteNow, device, channel, UNITS[(i + m) % UNITS.length],
                        timeNs + i * 1_000L, random.nextInt(3) == 0 ? random.nextGaussian() * 1e6 : random.nextInt(2000) / 4.0,
                        random.nextInt(10) == 0 ? 4 : 0, calNow));
            }
        }
        return readings;
    }

    private static Connection spool(Path dir) throws SQLException {
        dir.toFile().mkdirs();
        Connection c = SpoolDatabase.open(dir.resolve("spool.db"), false);
        SpoolDatabase.createSchema(c);
        SpoolDatabase.attachKeys(c, dir.resolve("keys.db"));
        return c;
    }

    private static List<String> rows(Connection c, String sql) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            int columns = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder row = new StringBuilder();
                for (int i = 1; i <= columns; i++) {
                    row.append(rs.getString(i)).append('|');
                }
                rows.add(row.toString());
            }
        }
        c.commit();
        return rows;
    }
}
