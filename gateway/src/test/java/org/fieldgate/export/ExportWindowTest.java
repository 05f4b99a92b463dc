package org.fieldgate.export;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Export windows follow the site's local days (moved out of CronScheduleTest when CronSchedule went to config). */
class ExportWindowTest {
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    @Test
    void windowsStartAtLocalMidnightAndTheDaysAroundAClockChangeAreTheirTrueLength() {
        ExportWindow day = ExportWindow.lastClosed(Instant.parse("2026-10-25T01:00:00Z"), Duration.ofDays(1), BERLIN);
        assertEquals("20261023T2200Z_20261024T2200Z", day.id());
        List<ExportWindow> days = ExportWindow.closedBetween(day.to(), Instant.parse("2026-10-27T00:00:00Z"),
                Duration.ofDays(1), BERLIN);
        assertEquals(List.of("20261024T2200Z_20261025T2300Z", "20261025T2300Z_20261026T2300Z"),
                days.stream().map(ExportWindow::id).toList(), "25 October has 25 hours");
        List<ExportWindow> sixHours = ExportWindow.closedBetween(Instant.parse("2026-11-01T05:00:00Z"),
                Instant.parse("2026-11-01T17:00:00Z"), Duration.ofHours(6), BERLIN);
        assertEquals(List.of("20261101T0500Z_20261101T1100Z", "20261101T1100Z_20261101T1700Z"),
                sixHours.stream().map(ExportWindow::id).toList());
        assertEquals(day, Exporter.parseId(day.id()));
    }
}
