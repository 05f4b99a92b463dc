package org.fieldgate.acquire.site;

import java.util.List;

/**
 * One probe as /health, /api/status and the live page see it: its state, its last good sample and its last error.
 *
 * @param state          UP, DEGRADED (last attempt failed, a recent sample exists) or DOWN (no sample for
 *                       {@value #STALE_INTERVALS} intervals, or never and failing)
 * @param why            why DOWN, in a technician's words; null otherwise
 * @param lastGoodNs     wall time of the last sample handed to ingest, ns since the epoch; null when none yet
 * @param lastGoodAgeS   seconds since then (monotonic); null when none yet
 * @param lastError      the last failure's cause with the driver's message; null when none yet
 * @param lastErrorNs    when it happened; null when none yet
 */
public record ProbeHealth(String site, String probe, String model, String address, State state, String why,
                          Long lastGoodNs, Double lastGoodAgeS, String lastError, Long lastErrorNs, double intervalS) {
    /** A probe that has delivered nothing for this many of its intervals is DOWN (one late sample is not). */
    public static final int STALE_INTERVALS = 3;
    /** Plus this much, so a probe sampled every second is not DOWN after one slow bus transaction. */
    static final long STALE_GRACE_NS = 10_000_000_000L;

    /** Ordered from good to bad: a group is as bad as its worst member, see {@link #worst}. */
    public enum State { UP, DEGRADED, DOWN }

    static long staleAfterNs(long intervalNs) {
        return STALE_INTERVALS * intervalNs + STALE_GRACE_NS;
    }

    /**
     * A site's or the gateway's state from its probes': DOWN when every probe is DOWN (nothing is measured), DEGRADED
     * when some probe is not UP, UP otherwise (also when there are no probes).
     */
    public static State of(List<ProbeHealth> probes) {
        if (probes.isEmpty()) {
            return State.UP;
        }
        if (probes.stream().allMatch(p -> p.state() == State.DOWN)) {
            return State.DOWN;
        }
        return probes.stream().allMatch(p -> p.state() == State.UP) ? State.UP : State.DEGRADED;
    }

    public static State worst(State a, State b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
