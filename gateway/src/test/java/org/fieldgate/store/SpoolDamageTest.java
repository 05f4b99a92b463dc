package org.fieldgate.store;

import org.fieldgate.forward.InfluxLines;
import org.fieldgate.reading.Reading;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A spool damaged while the gateway was down (a WAL cut short, deleted or corrupted, a main file truncated or
 * overwritten): the next start counts exactly the acknowledged readings that are gone, says so, moves the damaged files
 * aside and goes on with a fresh spool holding whatever could be read back.
 */
class SpoolDamageTest {
    private static final long T0 = 1_763_855_000_000_000_000L;
    private static final int SENT = 20_000;

    @Test
    void walTruncatedToHalf(@TempDir Path dir) throws Exception {
        damaged(dir, "wal-half", false, crashed -> truncate(crashed.resolve("spool.db-wal"), 0.5));
    }

    @Test
    void walDeleted(@TempDir Path dir) throws Exception {
        damaged(dir, "wal-deleted", false, crashed -> Files.delete(crashed.resolve("spool.db-wal")));
    }

    @Test
    void walWithSixtyFourFlippedBytes(@TempDir Path dir) throws Exception {
        damaged(dir, "wal-flipped", false, crashed -> flip(crashed.resolve("spool.db-wal"), 64));
    }

    @Test
    void mainFileTruncatedToZero(@TempDir Path dir) throws Exception {
        damaged(dir, "db-truncated", true, crashed -> truncate(crashed.resolve("spool.db"), 0));
    }

    @Test
    void mainFileDamaged(@TempDir Path dir) throws Exception {
        damaged(dir, "db-damaged", true, crashed -> flip(crashed.resolve("spool.db"), 8192));
    }

    interface Damage {
        void apply(Path crashed) throws IOException;
    }

    private static void damaged(Path dir, String name, boolean checkpointFirst, Damage damage) throws Exception {
        Path live = dir.resolve("live");
        Path crashed = dir.resolve("crashed");
        Set<Reading> sent = new HashSet<>();
        try (Spool spool = new Spool(live, 64L << 20, FullPolicy.BACKPRESSURE, InfluxLines::gap)) {
            for (int c = 0; c < 20; c++) {
                List<Reading> group = new ArrayList<>();
                for (int i = 0; i < SENT / 20; i++) {
                    int n = c * (SENT / 20) + i;
                    group.add(new Reading("plot-a", "probe-1", "co2", "ppm", T0 + n * 1_000_000_000L, 400 + n * 0.01, 0));
                }
                spool.readings().commit(group, List.of(), 1L);
                sent.addAll(group);
            }
            if (checkpointFirst) {
                try (var c = DriverManager.getConnection("jdbc:sqlite:" + spool.file())) {
                    c.createStatement().execute("PRAGMA wal_checkpoint(TRUNCATE)");
                }
            }
            // what a kill -9 leaves: the database, its WAL and the mark, as they are on disk now
            Files.createDirectories(crashed);
            for (String f : new String[]{"spool.db", "spool.db-wal", "spool.hwm"}) {
                Files.copy(live.resolve(f), crashed.resolve(f));
            }
        }
        damage.apply(crashed);
        try (Spool spool = new Spool(crashed, 64L << 20, FullPolicy.BACKPRESSURE, InfluxLines::gap)) {
            List<SpooledReading> left = spool.readings().after(0, SENT + 1);
            for (SpooledReading s : left) {
                assertTrue(sent.contains(s.reading()), "only what was sent is in the spool: " + s.reading());
            }
            long gone = SENT - left.size();
            long gapRecorded = spool.gaps().recent(100).stream().filter(g -> g.cause().startsWith(GapStore.DAMAGED_CAUSE))
                    .mapToLong(GapRecord::readings).sum();
            long gapPoints = spool.points().pending(100).stream().filter(p -> p.measurement().equals("gap")
                    && p.line().contains("readings=" + gone + "i")).count();
            List<Path> aside;
            try (Stream<Path> files = Files.list(crashed)) {
                aside = files.filter(p -> p.getFileName().toString().startsWith("damaged-")).toList();
            }
            System.out.printf("FAULT spool-damage-%s: sent=%d landed=%d lost=%d counted_as_lost=%d%n", name, SENT,
                    left.size(), gone, spool.lostTotal());
            System.out.println("damage report: " + spool.damageAtStart());
            assertTrue(gone > 0, "the damage cost readings");
            assertEquals(gone, spool.lostTotal(), "every acknowledged reading gone is counted");
            assertTrue(spool.damageAtStart().contains(": " + gone + " acknowledged readings lost"), spool.damageAtStart());
            assertEquals(gone, gapRecorded, "the ledger's gap record says how many");
            assertEquals(1, gapPoints, "and so does a gap point for InfluxDB");
            assertEquals(1, aside.size(), "the damaged files are moved aside");
            assertTrue(Files.exists(aside.get(0).resolve("spool.db")), "with the damaged database");
            // the fresh spool takes readings again
            spool.readings().commit(List.of(new Reading("plot-a", "probe-1", "co2", "ppm", T0 - 1, 1.0, 0)), List.of(), 2L);
            assertEquals(left.size() + 1, spool.readings().depth());
        }
        try (Spool again = new Spool(crashed, 64L << 20, FullPolicy.BACKPRESSURE, InfluxLines::gap)) {
            assertEquals("", again.damageAtStart(), "the fresh spool opens clean next time");
            assertEquals(SENT - (long) again.lostTotal() + 1, again.readings().depth());
        }
    }

    private static void truncate(Path f, double fraction) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength((long) (raf.length() * fraction));
        }
    }

    /** Inverts {@code n} bytes in the middle of the file. */
    private static void flip(Path f, int n) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            long at = raf.length() / 2;
            byte[] b = new byte[n];
            raf.seek(at);
            raf.readFully(b);
            for (int i = 0; i < n; i++) {
                b[i] = (byte) ~b[i];
            }
            raf.seek(at);
            raf.write(b);
        }
    }
}
