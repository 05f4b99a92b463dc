package org.fieldgate.export;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * A closed time window [from, to) of an export. Its id names the outbox folder and is half of the idempotency key,
 * so it is built from the UTC instants only: {@code 20261031T2300Z_20261101T2300Z}.
 */
public record ExportWindow(Instant from, Instant to) {
    private static final DateTimeFormatter ID = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmX").withZone(ZoneId.of("UTC"));

    public ExportWindow {
        if (!to.isAfter(from)) {
            throw new IllegalArgumentException("window end " + to + " is not after its start " + from);
        }
    }

    public String id() {
        return ID.format(from) + "_" + ID.format(to);
    }

    public long fromNs() {
        return from.getEpochSecond() * 1_000_000_000L + from.getNano();
    }

    public long toNs() {
        return to.getEpochSecond() * 1_000_000_000L + to.getNano();
    }

    /** {@code --from 2026-11-01 --to 2026-11-02}: local midnights in {@code zone}. */
    public static ExportWindow days(LocalDate from, LocalDate to, ZoneId zone) {
        return new ExportWindow(from.atStartOfDay(zone).toInstant(), to.atStartOfDay(zone).toInstant());
    }

    /**
     * The windows of length {@code length} (which divides a day) that start at local midnight plus whole multiples of
     * it, end after {@code after} and no later than {@code until}; oldest first.
     */
    public static List<ExportWindow> closedBetween(Instant after, Instant until, Duration length, ZoneId zone) {
        List<ExportWindow> out = new ArrayList<>();
        ExportWindow w = containing(after, length, zone);
        if (!w.to().isAfter(after)) {
            w = next(w, length, zone);
        }
        while (!w.to().isAfter(until)) {
            out.add(w);
            w = next(w, length, zone);
        }
        return out;
    }

    /** The last window that ended at or before {@code until}. */
    public static ExportWindow lastClosed(Instant until, Duration length, ZoneId zone) {
        ExportWindow w = containing(until, length, zone);
        if (w.to().equals(until)) {
            return w;
        }
        return containing(w.from().minusNanos(1), length, zone);
    }

    static ExportWindow containing(Instant t, Duration length, ZoneId zone) {
        ZonedDateTime local = t.atZone(zone);
        ZonedDateTime midnight = local.toLocalDate().atStartOfDay(zone);
        if (length.equals(Duration.ofDays(1))) {
            return new ExportWindow(midnight.toInstant(), midnight.plusDays(1).toInstant());
        }
        // sub-day windows count in local wall-clock time from midnight, so 02:00-03:00 is a window on every day
        long intoDayNs = Duration.between(midnight.toLocalDateTime(), local.toLocalDateTime()).toNanos();
        long k = Math.floorDiv(intoDayNs, length.toNanos());
        ZonedDateTime start = midnight.toLocalDateTime().plus(length.multipliedBy(k)).atZone(zone);
        ZonedDateTime end = start.toLocalDateTime().plus(length).atZone(zone);
        return new ExportWindow(start.toInstant(), end.toInstant());
    }

    private static ExportWindow next(ExportWindow w, Duration length, ZoneId zone) {
        ExportWindow n = containing(w.to(), length, zone);
        return n.from().isAfter(w.from()) ? n : containing(w.to().plus(length), length, zone);
    }

    @Override
    public String toString() {
        return from + " to " + to;
    }
}
