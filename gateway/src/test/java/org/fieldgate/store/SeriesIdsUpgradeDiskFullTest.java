package org.fieldgate.store;

import org.fieldgate.forward.InfluxLines;
import org.fieldgate.testkit.Cleanup;
import org.fieldgate.testkit.StartsProcesses;
import org.fieldgate.testkit.Tmpfs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The upgrade to series ids copies the reading table once, so a spool written before them needs room for a second
 * copy. On an SD card too full for it the open fails with SQLite's "disk is full", the old table is left whole (not
 * half moved, not set aside as damage), and once there is room the same spool opens with every reading waiting.
 */
@StartsProcesses
class SeriesIdsUpgradeDiskFullTest {
    /** Readings added to the old-format fixture: about 13 MB of rows, more than the room left for the copy. */
    private static final int ADDED = 150_000;
    /** The fixture's own waiting readings (SpoolSeriesIdsTest). */
    private static final int FIXTURE_WAITING = 18;

    @Test
    void anUpgradeWithoutRoomFailsWholeAndSucceedsOnceThereIsRoom(@TempDir Path dir) throws Exception {
        try (Cleanup cleanup = new Cleanup()) {
            Tmpfs fs = cleanup.add(Tmpfs.mount(dir.resolve("fs"), 48L << 20));
            Path spoolDir = fs.dir().resolve("spool");
            java.nio.file.Files.createDirectories(spoolDir);
            SpoolSchemaTest.copySpool("spool-before-series-ids", spoolDir);
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + spoolDir.resolve("spool.db"));
                 Statement s = c.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("""
                        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)
                        INSERT INTO reading (site, device, channel, unit, time_ns, value, qc, received_ns, cal)
                        SELECT 'plot-c', 'probe-' || (i %% 50), 'co2_' || (i %% 7) || '0cm', 'ppm',
                               1763856000000000000 + i * 1000000000, 400 + i * 0.001, 0, 1, NULL FROM n""".formatted(ADDED));
                s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
            }
            long rowsBefore = rows(spoolDir);
            assertEquals(FIXTURE_WAITING + ADDED, rowsBefore);

            // the card fills up, leaving 1 MB: enough to open and begin, not for a second copy of the table
            fs.fill();
            try (FileChannel filler = FileChannel.open(fs.dir().resolve("filler"), StandardOpenOption.WRITE)) {
                filler.truncate(filler.size() - (1L << 20));
            }
            RuntimeException full = assertThrows(RuntimeException.class,
                    () -> new Spool(spoolDir, 256L << 20, FullPolicy.BACKPRESSURE, InfluxLines::gap).close());
            String why = String.valueOf(full.getMessage());
            assertTrue(why.contains("disk is full"), "says the disk is full: " + why);
            assertTrue(why.contains("moving " + rowsBefore + " waiting readings to series ids (an upgrade, once) failed, "
                    + "nothing changed; it needs free space about the size of spool.db ("), "says what needs room: " + why);
            assertEquals(rowsBefore, rows(spoolDir), "the old table is whole after the failed upgrade");
            assertTrue(hasTextSeries(spoolDir), "the old table was not replaced");

            fs.release();
            try (Spool spool = new Spool(spoolDir, 256L << 20, FullPolicy.BACKPRESSURE, InfluxLines::gap)) {
                assertEquals("", spool.damageAtStart(), "a full disk at the upgrade is not damage");
                assertEquals(0, spool.lostTotal());
                assertEquals(FIXTURE_WAITING + ADDED, spool.readings().depth());
                long seen = 0;
                long after = 0;
                for (var batch = spool.readings().after(after, 20_000); !batch.isEmpty();
                     batch = spool.readings().after(after, 20_000)) {
                    seen += batch.size();
                    after = batch.get(batch.size() - 1).id();
                }
                assertEquals(FIXTURE_WAITING + ADDED, seen, "every reading read once after the upgrade");
            }
            assertTrue(!hasTextSeries(spoolDir), "upgraded to series ids");
        }
    }

    private static long rows(Path spoolDir) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + spoolDir.resolve("spool.db"))) {
            return SpoolDatabase.single(c, "SELECT count(*) FROM reading");
        }
    }

    private static boolean hasTextSeries(Path spoolDir) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + spoolDir.resolve("spool.db"))) {
            return SpoolDatabase.single(c, "SELECT count(*) FROM pragma_table_info('reading') WHERE name = 'site'") == 1;
        }
    }
}
