package org.fieldgate.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import org.fieldgate.forward.InfluxLines;
import org.fieldgate.reading.Reading;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Derived points, gap records and the calculators' sums are as durable as readings, and old spools still open. */
class DerivedPointsSpoolTest {
    @TempDir
    Path dir;

    @Test
    void pointsSurviveAReopenAndLeaveOnlyWhenSettled() {
        try (Spool spool = new Spool(dir, 64L << 20, FullPolicy.BACKPRESSURE, InfluxLines::gap)) {
            spool.points().commit(List.of(PointLine.of("flux", 1, "flux,site=a flux=1.5 1"),
                    PointLine.of("flux", 2, "flux,site=a flux=2.5 2"), PointLine.of("gap", 3, "gap,site=a readings=4i 3")));
        }
        try (Spool spool = new Spool(dir, 64L << 20, FullPolicy.BACKPRESSURE, InfluxLines::gap)) {
            assertEquals(3, spool.points().depth());
            List<PointLine> pending = spool.points().pending(10);
            assertEquals(List.of("flux,site=a flux=1.5 1", "flux,site=a flux=2.5 2", "gap,site=a readings=4i 3"),
                    pending.stream().map(PointLine::line).toList());
            spool.points().settled(List.of(pending.get(0), pending.get(2)), List.of(pending.get(1)), "field type conflict");
            assertEquals(0, spool.points().depth());
            assertEquals(List.of(), spool.points().pending(10));
        }
        try (Spool spool = new Spool(dir, 64L << 20, FullPolicy.BACKPRESSURE, InfluxLines::gap)) {
            assertEquals(0, spool.points().depth());
        }
    }

    @Test
    void accumulatorsAddUpAcrossReopens() {
        try (Spool spool = new Spool(dir, 64L << 20, FullPolicy.BACKPRESSURE, InfluxLines::gap)) {
            spool.accumulators().accumulate("fixation/h/b1", "1000", 1.25, 0.5, 3600, 3600);
            spool.accumulators().accumulate("fixation/h/b1", "1000", 0.25, 0.5, 0, 0);
            spool.accumulators().accumulate("fixation/h/b1", "2000", 2);
            spool.accumulators().accumulate("fixation/h/b2", "1000", 9);
        }
        try (Spool spool = new Spool(dir, 64L << 20, FullPolicy.BACKPRESSURE, InfluxLines::gap)) {
            var sums = spool.accumulators().get("fixation/h/b1");
            assertEquals(List.of("1000", "2000"), List.copyOf(sums.keySet()));
            assertArrayEquals(new double[]{1.5, 1.0, 3600, 3600}, sums.get("1000"));
            assertArrayEquals(new double[]{2, 0, 0, 0}, sums.get("2000"));
        }
    }

    @Test
    void gapRecordsAreKeptWithTheirCause() {
        try (Spool spool = new Spool(dir, 64L << 20, FullPolicy.BACKPRESSURE, InfluxLines::gap)) {
            spool.gaps().record("s", "probe", "co2", 10, 20, 5, "TIMEOUT: no answer");
            GapRecord g = spool.gaps().recent(5).get(0);
            assertEquals(List.of("s", "probe", "co2", 10L, 20L, 5L, "TIMEOUT: no answer"),
                    List.of(g.site(), g.device(), g.channel(), g.firstTimeNs(), g.lastTimeNs(), g.readings(), g.cause()));
        }
    }

    @Test
    void aSpoolWrittenBeforeCalibrationIdsOpensAndItsReadingsStillGoOut() throws Exception {
        Files.createDirectories(dir);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("spool.db"));
             Statement s = c.createStatement()) {
            // the reading table as the first release wrote it, with one undelivered reading
            s.execute("""
                    CREATE TABLE reading (
                      id INTEGER PRIMARY KEY AUTOINCREMENT,
                      site TEXT NOT NULL, device TEXT NOT NULL, channel TEXT NOT NULL, unit TEXT NOT NULL,
                      time_ns INTEGER NOT NULL, value REAL NOT NULL, qc INTEGER NOT NULL,
                      received_ns INTEGER NOT NULL)""");
            s.execute("INSERT INTO reading (site, device, channel, unit, time_ns, value, qc, received_ns) "
                    + "VALUES ('s', 'd', 'co2', 'ppm', 5, 412.5, 0, 6)");
        }
        try (Spool spool = new Spool(dir, 64L << 20, FullPolicy.BACKPRESSURE, InfluxLines::gap)) {
            assertEquals(1, spool.readings().depth());
            assertEquals(new Reading("s", "d", "co2", "ppm", 5, 412.5, 0, null), spool.readings().oldest(1).get(0).reading());
            spool.readings().commit(List.of(new Reading("s", "d", "co2", "ppm", 7, 413, 0, "cal-1")), List.of(), 8);
            assertEquals("cal-1", spool.readings().oldest(2).get(1).reading().calibration());
        }
    }
}
