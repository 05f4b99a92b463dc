package org.fieldgate.store;

import org.fieldgate.forward.InfluxLines;
import org.fieldgate.reading.Reading;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SpoolTest {
    private static final long T0 = 1_763_855_000_000_000_000L;

    private static List<Reading> readings(String channel, int n, int from) {
        List<Reading> out = new ArrayList<>();
        for (int i = from; i < from + n; i++) {
            out.add(new Reading("plot-a", "probe-1", channel, "ppm", T0 + i * 1_000_000L, 400.0 + i / 7.0, i % 3));
        }
        return out;
    }

    @Test
    void committedReadingsSurviveAReopenInOrderAndLeaveOnlyWhenDelivered(@TempDir Path dir) {
        List<Reading> first = readings("co2", 2500, 0);
        try (Spool spool = new Spool(dir, 64L << 20, FullPolicy.BACKPRESSURE, InfluxLines::gap)) {
            spool.readings().commit(first, List.of(), 1L);
            assertEquals(2500, spool.readings().depth());
        }
        try (Spool spool = new Spool(dir, 64L << 20, FullPolicy.BACKPRESSURE, InfluxLines::gap)) {
            assertEquals(2500, spool.readings().depth());
            List<SpooledReading> batch = spool.readings().oldest(1000);
            assertEquals(first.subList(0, 1000), batch.stream().map(SpooledReading::reading).toList());
            spool.readings().delivered(batch);
            assertEquals(1500, spool.readings().depth());
            assertEquals(first.subList(1000, 2500), spool.readings().oldest(5000).stream().map(SpooledReading::reading).toList());
        }
    }

    @Test
    void aCursorPastEverythingDeliveredStillSeesReadingsCommittedAfterTheSpoolEmptied(@TempDir Path dir) {
        try (Spool spool = new Spool(dir, 64L << 20, FullPolicy.BACKPRESSURE, InfluxLines::gap)) {
            spool.readings().commit(readings("co2", 10, 0), List.of(), 1L);
            List<SpooledReading> first = spool.readings().after(0, 100);
            spool.readings().delivered(first);
            assertEquals(0, spool.readings().depth());
            long cursor = first.get(first.size() - 1).id();
            spool.readings().commit(readings("co2", 5, 10), List.of(), 1L);
            // Without AUTOINCREMENT SQLite would hand out row ids from 1 again and this cursor would skip them.
            assertEquals(readings("co2", 5, 10), spool.readings().after(cursor, 100).stream().map(SpooledReading::reading).toList());
        }
    }

    @Test
    void quarantineMovesRefusedReadingsAsideWithTheReason(@TempDir Path dir) throws Exception {
        try (Spool spool = new Spool(dir, 64L << 20, FullPolicy.BACKPRESSURE, InfluxLines::gap)) {
            spool.readings().commit(readings("co2", 10, 0), List.of(), 1L);
            List<SpooledReading> batch = spool.readings().oldest(10);
            spool.readings().quarantine(batch.subList(3, 4), "field type conflict", 2L);
            spool.readings().delivered(batch);
            assertEquals(0, spool.readings().depth());
        }
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("spool.db"));
             ResultSet rs = c.createStatement().executeQuery("SELECT count(*), max(reason), max(value) FROM quarantine")) {
            assertTrue(rs.next());
            assertEquals(1, rs.getInt(1));
            assertEquals("field type conflict", rs.getString(2));
            assertEquals(400.0 + 3 / 7.0, rs.getDouble(3));
        }
    }

    @Test
    void deadLettersAreKeptNewestFirstAndCountedAcrossRestarts(@TempDir Path dir) {
        byte[] raw = "{not json".getBytes(StandardCharsets.UTF_8);
        try (Spool spool = new Spool(dir, 64L << 20, FullPolicy.BACKPRESSURE, InfluxLines::gap)) {
            spool.readings().commit(readings("co2", 1, 0), List.of(new DeadLetterStore.Refused("t/1", "first", raw, raw.length),
                    new DeadLetterStore.Refused("t/2", "second", raw, 5000)), 7L);
        }
        try (Spool spool = new Spool(dir, 64L << 20, FullPolicy.BACKPRESSURE, InfluxLines::gap)) {
            assertEquals(2, spool.deadLetters().total());
            List<DeadLetter> recent = spool.deadLetters().recent(10);
            assertEquals(List.of("second", "first"), recent.stream().map(DeadLetter::reason).toList());
            assertEquals(5000, recent.get(0).rawLength());
            assertEquals("{not json", new String(recent.get(1).raw(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void backpressureRaisesTheAlarmWhenFullAndClearsItOnceDrained(@TempDir Path dir) {
        try (Spool spool = new Spool(dir, 256 * 1024, FullPolicy.BACKPRESSURE, InfluxLines::gap)) {
            int committed = 0;
            while (!spool.space().isFull() && committed < 100_000) {
                spool.readings().commit(readings("co2", 500, committed), List.of(), 1L);
                committed += 500;
            }
            assertTrue(spool.space().isFull(), "spool never reported full after " + committed + " readings");
            assertEquals(committed, spool.readings().depth(), "backpressure must drop nothing");
            assertEquals(0, spool.readings().droppedTotal());
            while (spool.readings().depth() > 0) {
                spool.readings().delivered(spool.readings().oldest(1000));
            }
            assertFalse(spool.space().isFull(), "alarm must clear once drained; used " + spool.space().usedBytes());
        }
    }

    @Test
    void backpressureAdmitsOnlyWhatFitsAndHoldsTheAlarmUntilDrained(@TempDir Path dir) {
        long maxBytes = 512 * 1024;
        try (Spool spool = new Spool(dir, maxBytes, FullPolicy.BACKPRESSURE, InfluxLines::gap)) {
            assertEquals(maxBytes - spool.space().usedBytes(), spool.space().admissibleBytes());
            int committed = 0;
            List<Reading> group = readings("co2", 500, 0);
            while (SpoolSpace.estimatedBytes(group) <= spool.space().admissibleBytes() && committed < 100_000) {
                spool.readings().commit(group, List.of(), 1L);
                committed += 500;
                group = readings("co2", 500, committed);
            }
            assertTrue(spool.space().usedBytes() <= maxBytes, "the bound holds: " + spool.space().usedBytes() + " > " + maxBytes);
            assertTrue(spool.space().usedBytes() > maxBytes * 0.8, "and the spool is used: " + spool.space().usedBytes());
            spool.space().refuseForRoom();
            assertTrue(spool.space().isFull());
            assertEquals(0, spool.space().admissibleBytes(), "full takes nothing until drained below 90 %");
            // a few readings out (the fill stops within one 500-reading group of the bound, so not a whole group)
            spool.readings().delivered(spool.readings().oldest(100));
            assertEquals(0, spool.space().admissibleBytes(), "a few readings out is not yet below 90 %");
            while (spool.readings().depth() > 0) {
                spool.readings().delivered(spool.readings().oldest(1000));
            }
            assertFalse(spool.space().isFull());
            assertEquals(maxBytes - spool.space().usedBytes(), spool.space().admissibleBytes());
        }
    }

    @Test
    void dropOldestDropsTheOldestAndRecordsEachSeriesGap(@TempDir Path dir) throws Exception {
        int committed = 0;
        try (Spool spool = new Spool(dir, 256 * 1024, FullPolicy.DROP_OLDEST, InfluxLines::gap)) {
            while (spool.readings().droppedTotal() == 0 && committed < 100_000) {
                spool.readings().commit(readings("co2", 250, committed), List.of(), 1L);
                spool.readings().commit(readings("h2o", 250, committed), List.of(), 1L);
                committed += 250;
            }
            assertTrue(spool.readings().droppedTotal() > 0);
            assertEquals(2L * committed, spool.readings().depth() + spool.readings().droppedTotal(), "every reading is either waiting or counted as dropped");
            // the oldest went first: what waits starts right after what was dropped
            long firstWaiting = spool.readings().oldest(1).get(0).reading().timeNs();
            assertTrue(firstWaiting > T0, "oldest readings should have been dropped");
        }
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("spool.db"));
             ResultSet rs = c.createStatement().executeQuery(
                     "SELECT sum(readings), count(DISTINCT channel), min(first_time_ns), max(cause) FROM gap")) {
            assertTrue(rs.next());
            try (Spool spool = new Spool(dir, 256 * 1024, FullPolicy.DROP_OLDEST, InfluxLines::gap)) {
                assertEquals(spool.readings().droppedTotal(), rs.getLong(1), "gap records account for every dropped reading");
            }
            assertEquals(2, rs.getInt(2));
            assertEquals(T0, rs.getLong(3));
            assertEquals("spool full: drop-oldest policy", rs.getString(4));
        }
    }

    /**
     * Drop-oldest while the forwarder reads ahead: a batch read for InfluxDB lands even if the policy fires before it
     * is settled, so it must not be dropped. Every reading is delivered, waiting, or dropped, exactly once, and each
     * dropped one is in a gap record and in a {@code gap} point for InfluxDB.
     */
    @Test
    void dropOldestLeavesWhatTheForwarderReadAheadAndCountsEveryReadingOnce(@TempDir Path dir) throws Exception {
        int sent = 0;
        long landed = 0;
        try (Spool spool = new Spool(dir, 256 * 1024, FullPolicy.DROP_OLDEST, InfluxLines::gap)) {
            long cursor = 0;
            List<SpooledReading> onTheWire = List.of();
            for (int round = 0; round < 60; round++) {
                spool.readings().commit(readings("co2", 250, sent), List.of(), 1L);
                spool.readings().commit(readings("h2o", 250, sent), List.of(), 1L);
                sent += 500;
                // the forwarder: the batch read last round is acknowledged now; the next is read ahead meanwhile
                spool.readings().delivered(onTheWire);
                landed += onTheWire.size();
                onTheWire = spool.readings().after(cursor, 300);
                if (!onTheWire.isEmpty()) {
                    cursor = onTheWire.get(onTheWire.size() - 1).id();
                }
            }
            long dropped = spool.readings().droppedTotal();
            long waiting = spool.readings().depth();
            double[] ledger = SpoolDiskFullTest.ledgerSums(spool);
            long gapPointReadings = 0;
            int gapPoints = 0;
            for (PointLine p : spool.points().pending(100_000)) {
                if (p.measurement().equals("gap")) {
                    gapPoints++;
                    java.util.regex.Matcher m = java.util.regex.Pattern.compile("readings=(\\d+)i").matcher(p.line());
                    assertTrue(m.find(), p.line());
                    gapPointReadings += Long.parseLong(m.group(1));
                }
            }
            long gapRecords = spool.gaps().recent(100_000).stream().mapToLong(GapRecord::readings).sum();
            System.out.printf("FAULT spool-drop-oldest-read-ahead: sent=%d landed=%d lost=%d counted_as_lost=%d%n",
                    sent, landed + waiting, sent - landed - waiting, dropped);
            System.out.printf("drop-oldest: delivered %d, waiting %d, dropped %d, gap records %d, gap points %d (%d "
                    + "readings), ledger received %.0f delivered %.0f%n", landed, waiting, dropped, gapRecords,
                    gapPoints, gapPointReadings, ledger[0], ledger[2]);
            assertTrue(dropped > 0, "the policy fired");
            assertEquals(sent, landed + waiting + dropped, "each reading delivered, waiting or dropped, once");
            assertEquals(dropped, gapRecords, "gap records say what was really dropped");
            assertEquals(dropped, gapPointReadings, "and so do the gap points for InfluxDB");
            assertEquals(sent, (long) ledger[0], "ledger received");
            assertEquals(landed, (long) ledger[2], "ledger delivered == what was delivered");
        }
    }

    /**
     * A message redelivered after its acknowledgement was lost carries the same readings again: not received twice.
     * A node that rebooted without a clock re-sends the same stamps with other values: each is kept beside the first
     * and counted, and none is sent to overwrite it in InfluxDB.
     */
    @Test
    void aKnownSeriesAndTimeIsNeverCountedTwiceNorSilentlyOverwritten(@TempDir Path dir) throws Exception {
        List<Reading> first = readings("co2", 100, 0);
        List<Reading> rebooted = new ArrayList<>();
        for (Reading r : first) {
            rebooted.add(new Reading(r.site(), r.device(), r.channel(), r.unit(), r.timeNs(), r.value() + 50, r.qc()));
        }
        try (Spool spool = new Spool(dir, 64L << 20, FullPolicy.BACKPRESSURE, InfluxLines::gap)) {
            spool.readings().commit(first, List.of(), 1L);
            spool.readings().delivered(spool.readings().oldest(1000));
            spool.readings().commit(first, List.of(), 2L);
            assertEquals(0, spool.readings().depth(), "a redelivered copy is not spooled again");
            assertEquals(100, (long) SpoolDiskFullTest.ledgerSums(spool)[0], "ledger received counts it once");
            spool.readings().commit(rebooted, List.of(), 3L);
            assertEquals(0, spool.readings().depth(), "a conflicting reading is not sent to overwrite the first");
            assertEquals(100, (long) SpoolDiskFullTest.ledgerSums(spool)[0], "ledger received == distinct readings");
        }
        try (Spool spool = new Spool(dir, 64L << 20, FullPolicy.BACKPRESSURE, InfluxLines::gap);
             var c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("spool.db"));
             ResultSet rs = c.createStatement().executeQuery(
                     "SELECT count(*), sum(value - first_value = 50), min(received_ns) FROM conflict")) {
            assertTrue(rs.next());
            long sent = first.size() + rebooted.size();
            long landed = (long) SpoolDiskFullTest.ledgerSums(spool)[2];
            System.out.printf("FAULT spool-key-collision: sent=%d landed=%d lost=%d counted_as_lost=%d%n", sent, landed,
                    sent - landed, spool.readings().conflictsTotal());
            assertEquals(100, rs.getLong(1), "every conflicting reading kept");
            assertEquals(100, rs.getLong(2), "beside the first value");
            assertEquals(3L, rs.getLong(3));
            assertEquals(100, spool.readings().conflictsTotal(), "and counted, across a restart");
            assertEquals(100, spool.readings().duplicatesTotal());
        }
    }

    /**
     * One commit (one batch of keys) holding a reading, its copy and another value at the same series and time, between
     * new readings: the first is spooled, the copy counted a duplicate, the other value a conflict, in commit order.
     */
    @Test
    void aSeriesAndTimeRepeatedWithinOneCommitIsTakenOnce(@TempDir Path dir) throws Exception {
        List<Reading> fresh = readings("co2", 4, 0);
        Reading first = fresh.get(1);
        Reading other = new Reading(first.site(), first.device(), first.channel(), first.unit(), first.timeNs(),
                first.value() + 1, first.qc());
        List<Reading> commit = List.of(fresh.get(0), first, fresh.get(2), first, other, fresh.get(3));
        try (Spool spool = new Spool(dir, 64L << 20, FullPolicy.BACKPRESSURE, InfluxLines::gap)) {
            spool.readings().commit(commit, List.of(), 1L);
            assertEquals(fresh, spool.readings().oldest(100).stream().map(SpooledReading::reading).toList());
            assertEquals(1, spool.readings().duplicatesTotal());
            assertEquals(1, spool.readings().conflictsTotal());
            assertEquals(4, (long) SpoolDiskFullTest.ledgerSums(spool)[0], "ledger received == distinct readings");
        }
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("spool.db"));
             ResultSet rs = c.createStatement().executeQuery("SELECT value, first_value FROM conflict")) {
            assertTrue(rs.next());
            assertEquals(other.value(), rs.getDouble(1));
            assertEquals(first.value(), rs.getDouble(2));
        }
    }

    @Test
    void readingsComeBackExactlyAsCommittedWithOneCopyOfEachNamePerBatch(@TempDir Path dir) {
        // generated names (one non-ASCII), calibrations present and absent, series interleaved as in a 10k-series run
        java.util.Random random = new java.util.Random(12);
        String[] sites = {"plot-a", "plot-b"};
        String[] units = {"ppm", "degC", "%", "µmol m-2 s-1"};
        String[] cals = {null, "cal-2026-03", "cal-2026-05"};
        List<Reading> committed = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            committed.add(new Reading(sites[random.nextInt(sites.length)], "probe-" + random.nextInt(40),
                    "ch" + random.nextInt(12), units[random.nextInt(units.length)], T0 + i * 1_000_000L,
                    random.nextGaussian() * 100, random.nextInt(3), cals[random.nextInt(cals.length)]));
        }
        try (Spool spool = new Spool(dir, 64L << 20, FullPolicy.BACKPRESSURE, InfluxLines::gap)) {
            spool.readings().commit(committed, List.of(), 1L);
            List<SpooledReading> first = spool.readings().oldest(2_000);
            List<SpooledReading> rest = spool.readings().after(first.get(first.size() - 1).id(), 2_000);
            assertEquals(committed.subList(0, 2_000), first.stream().map(SpooledReading::reading).toList());
            assertEquals(committed.subList(2_000, 3_000), rest.stream().map(SpooledReading::reading).toList());
            for (List<SpooledReading> batch : List.of(first, rest)) {
                java.util.Map<String, String> seen = new java.util.HashMap<>();
                for (SpooledReading s : batch) {
                    Reading r = s.reading();
                    for (String name : java.util.Arrays.asList(r.site(), r.device(), r.channel(), r.unit(), r.calibration())) {
                        if (name != null) {
                            assertTrue(seen.computeIfAbsent(name, n -> name) == name, "a second copy of " + name + " in one batch");
                        }
                    }
                }
            }
        }
    }

    @Test
    void batchNamesKeepOneStringPerNameAndLeaveNullAlone() {
        BatchNames names = new BatchNames();
        String first = names.of("probe-1".getBytes(StandardCharsets.UTF_8));
        assertEquals("probe-1", first);
        assertTrue(names.of("probe-1".getBytes(StandardCharsets.UTF_8)) == first);
        assertEquals(null, names.of(null));
        assertEquals("", names.of(new byte[0]));
        assertEquals(2, names.size());
        java.util.SplittableRandom random = new java.util.SplittableRandom(8);
        java.util.Map<String, String> expected = new java.util.HashMap<>();
        for (int i = 0; i < 20_000; i++) { // past several growths, with names that differ in one byte
            String name = "µ-" + random.nextInt(3_000) + (random.nextBoolean() ? "日" : "\uD83C\uDF31");
            String got = names.of(name.getBytes(StandardCharsets.UTF_8));
            assertEquals(name, got);
            assertTrue(expected.computeIfAbsent(name, n -> got) == got, "a second copy of " + name);
        }
        assertEquals(expected.size() + 2, names.size());
    }
}
