package org.fieldgate.config;

import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.BitSet;

/**
 * A five-field cron expression (minute hour day-of-month month day-of-week), as crontab(5) reads it: {@code *},
 * numbers, ranges {@code a-b}, lists {@code a,b} and steps {@code * /n} or {@code a-b/n}; day-of-week 0-7 with 0 and
 * 7 both Sunday. When both day fields are restricted a day matching either one fires, as in Vixie cron. Times are
 * local to the zone given to {@link #next}; a time that a DST change skips fires at the first minute after it.
 */
public final class CronSchedule {
    private static final String[] FIELDS = {"minute", "hour", "day of month", "month", "day of week"};
    private static final int[][] RANGES = {{0, 59}, {0, 23}, {1, 31}, {1, 12}, {0, 7}};
    /** Enough to find any valid expression's next time (29 February comes round within 8 years). */
    private static final int MAX_YEARS = 9;

    private final String expression;
    private final BitSet[] allowed = new BitSet[5];
    private final boolean dayOfMonthRestricted;
    private final boolean dayOfWeekRestricted;

    private CronSchedule(String expression) {
        this.expression = expression;
        String[] parts = expression.trim().split("\\s+");
        if (parts.length != 5) {
            throw new IllegalArgumentException("five fields (minute hour day-of-month month day-of-week), e.g. "
                    + "'0 2 * * *' for 02:00 daily; got " + parts.length);
        }
        for (int i = 0; i < 5; i++) {
            allowed[i] = field(parts[i], i);
        }
        if (allowed[4].get(7)) {
            allowed[4].set(0);
        }
        dayOfMonthRestricted = !parts[2].startsWith("*");
        dayOfWeekRestricted = !parts[4].startsWith("*");
    }

    /** @throws IllegalArgumentException naming the field and what is allowed */
    public static CronSchedule parse(String expression) {
        return new CronSchedule(expression);
    }

    private static BitSet field(String text, int index) {
        int min = RANGES[index][0];
        int max = RANGES[index][1];
        BitSet bits = new BitSet(max + 1);
        for (String item : text.split(",", -1)) {
            String range = item;
            int step = 1;
            int slash = item.indexOf('/');
            if (slash >= 0) {
                range = item.substring(0, slash);
                step = number(item.substring(slash + 1), 1, max, index);
            }
            int from;
            int to;
            if (range.equals("*")) {
                from = min;
                to = max;
            } else if (range.contains("-")) {
                String[] ends = range.split("-", -1);
                if (ends.length != 2) {
                    throw bad(index, item);
                }
                from = number(ends[0], min, max, index);
                to = number(ends[1], min, max, index);
                if (from > to) {
                    throw bad(index, item);
                }
            } else {
                from = number(range, min, max, index);
                to = slash >= 0 ? max : from;
            }
            for (int v = from; v <= to; v += step) {
                bits.set(v);
            }
        }
        return bits;
    }

    private static int number(String text, int min, int max, int index) {
        try {
            int v = Integer.parseInt(text);
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException ignored) {
            // reported with the field's range below
        }
        throw bad(index, text);
    }

    private static IllegalArgumentException bad(int index, String text) {
        return new IllegalArgumentException(FIELDS[index] + " '" + text + "': expected *, a number from "
                + RANGES[index][0] + " to " + RANGES[index][1] + ", a range a-b, a list a,b or a step */n");
    }

    /** The first time strictly after {@code after} that the expression fires, in {@code zone}. */
    public ZonedDateTime next(ZonedDateTime after, ZoneId zone) {
        LocalDateTime t = after.withZoneSameInstant(zone).toLocalDateTime().truncatedTo(ChronoUnit.MINUTES)
                .plusMinutes(1);
        LocalDateTime limit = t.plusYears(MAX_YEARS);
        while (t.isBefore(limit)) {
            if (!allowed[3].get(t.getMonthValue())) {
                t = t.withDayOfMonth(1).toLocalDate().atStartOfDay().plusMonths(1);
            } else if (!dayMatches(t)) {
                t = t.toLocalDate().atStartOfDay().plusDays(1);
            } else if (!allowed[1].get(t.getHour())) {
                t = t.truncatedTo(ChronoUnit.HOURS).plusHours(1);
            } else if (!allowed[0].get(t.getMinute())) {
                t = t.plusMinutes(1);
            } else {
                ZonedDateTime fire = t.atZone(zone);
                if (fire.isAfter(after)) {
                    return fire;
                }
                t = t.plusMinutes(1);
            }
        }
        throw new IllegalStateException("cron '" + expression + "' never fires (e.g. 31 February)");
    }

    private boolean dayMatches(LocalDateTime t) {
        boolean dom = allowed[2].get(t.getDayOfMonth());
        boolean dow = allowed[4].get(t.getDayOfWeek().getValue() % 7);
        if (dayOfMonthRestricted && dayOfWeekRestricted) {
            return dom || dow;
        }
        return dom && dow;
    }

    @Override
    public String toString() {
        return expression;
    }
}
