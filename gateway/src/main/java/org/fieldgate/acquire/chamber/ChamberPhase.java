package org.fieldgate.acquire.chamber;

/** Where the sequencer is with the current chamber. */
public enum ChamberPhase {
    /** Between cycles (or not started). */
    IDLE,
    /** Lid commanded closed, moving (schedule close-s). */
    CLOSING,
    /** Lid closed, headspace mixing; not fitted (dead-band-s). */
    DEAD_BAND,
    /** Lid closed, the fitted window (observation-s). */
    OBSERVATION,
    /** Lid commanded open, moving (open-s). */
    OPENING,
    /** Lid open, analyser loop flushed with ambient air before the next chamber (purge-s). */
    PURGE
}
