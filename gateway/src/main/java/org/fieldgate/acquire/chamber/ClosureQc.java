package org.fieldgate.acquire.chamber;

/** What went wrong with a closure at acquisition (the flux calculator adds its own {@code FluxQc}). */
public enum ClosureQc {
    /** The lid did not close (actuator exception); the closure was aborted. */
    LID_CLOSE_FAILED,
    /** The lid did not open (actuator exception) at the end of the closure or after an abort. */
    LID_OPEN_FAILED,
    /** No analyser sample in the observation window. */
    NO_SAMPLES,
    /** Fewer samples in the observation window than the schedule and the analyser interval imply. */
    MISSING_SAMPLES,
    /** Two consecutive samples in the closed part further apart than 3 analyser intervals. */
    SAMPLE_GAP,
    /** At least one sample carries QC bits (source or gateway, e.g. CLOCK_UNSYNCED). */
    SAMPLE_QC,
    /** The sequencer was stopped during the closure. */
    STOPPED
}
