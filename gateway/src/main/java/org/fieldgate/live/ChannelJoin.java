package org.fieldgate.live;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.fieldgate.reading.Reading;
import org.fieldgate.site.ChannelRef;

/**
 * Joins a driving channel (the chamber analyser's CO2, the house's airflow) with other channels of the same site by
 * one rule: for a driving reading at t, each other channel's value is its latest reading at or before t, and not
 * older than {@link #MAX_AGE_NS} (else none). A driving reading is held until every other channel has reported at or
 * after t (or until it is {@link #RELEASE_AFTER_NS} behind the newest driving reading, when a channel has gone quiet),
 * so the join does not depend on which bus's reading was committed first, and a re-computation from the stored
 * readings joins exactly the same values.
 */
final class ChannelJoin {
    /** A value older than this relative to the driving reading is not used. */
    static final long MAX_AGE_NS = 120_000_000_000L;
    /** A driving reading waits at most this long (in reading time) for the other channels. */
    static final long RELEASE_AFTER_NS = 10_000_000_000L;
    private static final int KEPT = 512;

    private final String site;
    private final ChannelRef driver;
    private final List<ChannelRef> others;
    /** How many of {@code others} (the first ones) a driving reading waits for; the rest are taken as they are. */
    private final int waited;
    private final List<ArrayDeque<Reading>> history = new ArrayList<>();
    private final ArrayDeque<Reading> waiting = new ArrayDeque<>();

    /** A driving reading with the others' values at its time (null where none qualifies), in {@code others} order. */
    record Joined(Reading driver, List<Reading> others) {
    }

    /** @param others the channels joined to the driver; null entries are allowed (not configured) and stay null */
    ChannelJoin(String site, ChannelRef driver, List<ChannelRef> others) {
        this(site, driver, others, List.of());
    }

    /**
     * @param waitedFor channels a driving reading waits for (as above)
     * @param notWaited channels joined by the same rule but not waited for: a driving reading is released without
     *                  them, taking what has arrived by then, so that one of them going quiet does not hold back the
     *                  driver (they come after {@code waitedFor} in {@link Joined#others()})
     */
    ChannelJoin(String site, ChannelRef driver, List<ChannelRef> waitedFor, List<ChannelRef> notWaited) {
        List<ChannelRef> others = new ArrayList<>(waitedFor);
        others.addAll(notWaited);
        this.site = site;
        this.driver = driver;
        this.waited = waitedFor.size();
        this.others = others;
        for (int i = 0; i < others.size(); i++) {
            history.add(new ArrayDeque<>());
        }
    }

    static boolean is(Reading r, String site, ChannelRef ref) {
        return ref != null && r.site().equals(site) && r.device().equals(ref.probe())
                && r.channel().equals(ref.channel());
    }

    /** Takes committed readings; returns the driving readings that can now be joined, oldest first. */
    synchronized List<Joined> accept(List<Reading> committed) {
        for (Reading r : committed) {
            if (is(r, site, driver)) {
                waiting.addLast(r);
            }
            for (int i = 0; i < others.size(); i++) {
                if (is(r, site, others.get(i))) {
                    keep(history.get(i), r);
                }
            }
        }
        return release(false);
    }

    /** Every waiting driving reading, joined with what there is (at shutdown). */
    synchronized List<Joined> drain() {
        return release(true);
    }

    private List<Joined> release(boolean all) {
        long covered = Long.MAX_VALUE;
        for (int i = 0; i < waited; i++) {
            if (others.get(i) != null) {
                ArrayDeque<Reading> q = history.get(i);
                covered = Math.min(covered, q.isEmpty() ? Long.MIN_VALUE : q.peekLast().timeNs());
            }
        }
        List<Joined> out = new ArrayList<>();
        while (!waiting.isEmpty()) {
            Reading r = waiting.peekFirst();
            boolean late = waiting.peekLast().timeNs() - r.timeNs() > RELEASE_AFTER_NS;
            if (!all && r.timeNs() > covered && !late) {
                break;
            }
            waiting.removeFirst();
            List<Reading> values = new ArrayList<>(others.size());
            for (ArrayDeque<Reading> q : history) {
                values.add(atOrBefore(q, r.timeNs()));
            }
            out.add(new Joined(r, values));
        }
        return out;
    }

    private static void keep(ArrayDeque<Reading> q, Reading r) {
        if (q.size() >= KEPT) {
            q.removeFirst();
        }
        if (q.isEmpty() || q.peekLast().timeNs() <= r.timeNs()) {
            q.addLast(r);
            return;
        }
        // a late reading goes in its place, so "latest at or before t" stays right
        ArrayDeque<Reading> tail = new ArrayDeque<>();
        while (!q.isEmpty() && q.peekLast().timeNs() > r.timeNs()) {
            tail.addFirst(q.removeLast());
        }
        q.addLast(r);
        q.addAll(tail);
    }

    /** The latest reading at or before {@code timeNs} and at most {@link #MAX_AGE_NS} older, or null. */
    static Reading atOrBefore(Iterable<Reading> byTime, long timeNs) {
        Reading best = null;
        for (Reading r : byTime) {
            if (r.timeNs() <= timeNs && (best == null || r.timeNs() >= best.timeNs())) {
                best = r;
            }
        }
        return best != null && timeNs - best.timeNs() <= MAX_AGE_NS ? best : null;
    }
}
