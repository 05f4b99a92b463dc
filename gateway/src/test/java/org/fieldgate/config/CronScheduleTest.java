package org.fieldgate.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.ZoneId;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

class CronScheduleTest {
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    private static String next(String cron, String after) {
        return CronSchedule.parse(cron).next(ZonedDateTime.parse(after), BERLIN).toString();
    }

    @Test
    void dailyAtTwoInTheSitesZone() {
        assertEquals("2026-11-02T02:00+01:00[Europe/Berlin]", next("0 2 * * *", "2026-11-01T03:00+01:00[Europe/Berlin]"));
        assertEquals("2026-11-01T02:00+01:00[Europe/Berlin]", next("0 2 * * *", "2026-11-01T01:59:59+01:00[Europe/Berlin]"));
        // strictly after: at 02:00 itself the next one is tomorrow's
        assertEquals("2026-11-02T02:00+01:00[Europe/Berlin]", next("0 2 * * *", "2026-11-01T02:00+01:00[Europe/Berlin]"));
    }

    @Test
    void stepsRangesListsAndDaysOfWeek() {
        assertEquals("2026-11-01T10:15+01:00[Europe/Berlin]", next("*/15 * * * *", "2026-11-01T10:07+01:00[Europe/Berlin]"));
        assertEquals("2026-11-02T08:30+01:00[Europe/Berlin]", next("30 8-17/3 * * 1-5", "2026-10-31T12:00+01:00[Europe/Berlin]"));
        // 2026-11-01 is a Sunday: 0 and 7 both mean Sunday
        assertEquals("2026-11-01T00:00+01:00[Europe/Berlin]", next("0 0 * * 7", "2026-10-31T23:00+01:00[Europe/Berlin]"));
        assertEquals("2026-11-01T00:00+01:00[Europe/Berlin]", next("0 0 * * 0", "2026-10-31T23:00+01:00[Europe/Berlin]"));
        // day of month or day of week when both are restricted (Vixie cron): the 15th, or the next Monday
        assertEquals("2026-11-02T00:00+01:00[Europe/Berlin]", next("0 0 15 * 1", "2026-11-01T12:00+01:00[Europe/Berlin]"));
        assertEquals("2028-02-29T00:00+01:00[Europe/Berlin]", next("0 0 29 2 *", "2026-11-01T12:00+01:00[Europe/Berlin]"));
        assertEquals("2026-12-01T06:05+01:00[Europe/Berlin]", next("5 6 1,15 12 *", "2026-11-20T12:00+01:00[Europe/Berlin]"));
    }

    @Test
    void aTimeTheClockChangeSkipsFiresJustAfterIt() {
        // 2026-03-29 02:00-03:00 does not exist in Berlin
        assertEquals("2026-03-29T03:30+02:00[Europe/Berlin]", next("30 2 * * *", "2026-03-29T01:00+01:00[Europe/Berlin]"));
    }

    @Test
    void badExpressionsNameTheFieldAndWhatIsAllowed() {
        assertEquals("minute '60': expected *, a number from 0 to 59, a range a-b, a list a,b or a step */n",
                assertThrows(IllegalArgumentException.class, () -> CronSchedule.parse("60 2 * * *")).getMessage());
        assertEquals("day of week 'mon': expected *, a number from 0 to 7, a range a-b, a list a,b or a step */n",
                assertThrows(IllegalArgumentException.class, () -> CronSchedule.parse("0 2 * * mon")).getMessage());
        assertEquals("five fields (minute hour day-of-month month day-of-week), e.g. '0 2 * * *' for 02:00 daily; got 6",
                assertThrows(IllegalArgumentException.class, () -> CronSchedule.parse("0 0 2 * * *")).getMessage());
        assertThrows(IllegalStateException.class, () -> CronSchedule.parse("0 0 31 2 *")
                .next(ZonedDateTime.parse("2026-11-01T00:00+01:00[Europe/Berlin]"), BERLIN));
    }
}
