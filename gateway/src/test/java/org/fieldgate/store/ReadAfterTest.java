package org.fieldgate.store;

import org.fieldgate.forward.InfluxLines;
import org.fieldgate.reading.Reading;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The forwarder's read ({@link ReadingStore#after}: the series' names by their id, remembered from batch to batch,
 * the calibration read as bytes and decoded once per batch) against reading the same rows joined with their series,
 * with {@code getString} per column, on generated readings: names with every escaped
 * character, non-ASCII, 4-byte characters, an unpaired surrogate, empty units and calibrations beside absent ones,
 * many series.
 */
class ReadAfterTest {
    private static final long T0 = 1_763_000_000_000_000_000L;

    @TempDir
    Path dir;

    @Test
    void batchesReadAsBytesEqualTheRowsReadAsStrings() throws Exception {
        SplittableRandom random = new SplittableRandom(21);
        String[] alphabet = {"a", "Z", "0", "_", "-", " ", ",", "=", "\\", "\"", "'", ".", "\t", "µ", "°", "⁻²", "日",
                "\uD83C\uDF31", "\uD800", ":", "\u0000"};
        List<String> pool = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            StringBuilder name = new StringBuilder();
            for (int c = 0, n = random.nextInt(10); c < n; c++) {
                name.append(alphabet[random.nextInt(alphabet.length)]);
            }
            pool.add(name.toString());
        }
        try (Spool spool = new Spool(dir, 64L << 20, FullPolicy.BACKPRESSURE, InfluxLines::gap)) {
            for (int commit = 0; commit < 20; commit++) {
                List<Reading> readings = new ArrayList<>();
                for (int i = 0; i < 1_000; i++) {
                    String cal = switch (random.nextInt(4)) {
                        case 0 -> null;
                        case 1 -> "";
                        default -> pool.get(random.nextInt(pool.size()));
                    };
                    double value = switch (random.nextInt(4)) {
                        case 0 -> Double.longBitsToDouble(random.nextLong() & 0x7FEF_FFFF_FFFF_FFFFL); // finite: the spool
                        // refuses NaN (its key column is NOT NULL)
                        case 1 -> (double) random.nextLong();
                        default -> random.nextDouble(-1e4, 1e4);
                    };
                    readings.add(new Reading("site-" + random.nextInt(3), pool.get(random.nextInt(pool.size())),
                            pool.get(random.nextInt(40)), random.nextInt(5) == 0 ? "" : pool.get(random.nextInt(pool.size())),
                            T0 + commit * 1_000_000_000L + i, value, random.nextInt(), cal));
                }
                spool.readings().commit(readings, List.of(), T0 + commit);
            }
            try (Connection plain = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("spool.db"))) {
                long after = 0;
                int batches = 0;
                while (true) {
                    int limit = 1 + random.nextInt(3_000);
                    List<SpooledReading> batch = spool.readings().after(after, limit);
                    assertEquals(rowsAsStrings(plain, after, limit), batch);
                    if (batch.isEmpty()) {
                        break;
                    }
                    after = batch.get(batch.size() - 1).id();
                    batches++;
                }
                assertEquals(true, batches > 5, batches + " batches");
            }
        }
    }

    /** The rows as the forwarder read them before: a getString per name. */
    private static List<SpooledReading> rowsAsStrings(Connection c, long afterId, int limit) throws Exception {
        List<SpooledReading> rows = new ArrayList<>();
        try (PreparedStatement q = c.prepareStatement("SELECT r.id, s.site, s.device, s.channel, s.unit, time_ns, value, "
                + "qc, received_ns, cal FROM reading r JOIN series s ON s.id = r.series WHERE r.id > ? ORDER BY r.id "
                + "LIMIT ?")) {
            q.setLong(1, afterId);
            q.setInt(2, limit);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    rows.add(new SpooledReading(rs.getLong(1), new Reading(rs.getString(2), rs.getString(3),
                            rs.getString(4), rs.getString(5), rs.getLong(6), rs.getDouble(7), rs.getInt(8),
                            rs.getString(10)), rs.getLong(9)));
                }
            }
        }
        return rows;
    }
}
