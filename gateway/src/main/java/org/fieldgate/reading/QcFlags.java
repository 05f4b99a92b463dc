package org.fieldgate.reading;

/**
 * Quality-control bits carried with every reading (InfluxDB field {@code qc}, 0 = clean). Sources set their
 * own bits in the low byte; bits 8-10 say how far the timestamp can be trusted and are set by whoever stamped the
 * reading (the gateway's acquisition stage, or a remote node that keeps time the same way); the gateway's later
 * stages own the bits above.
 */
public final class QcFlags {
    /** The probe or node says the value is suspect (its own status bits). */
    public static final int SOURCE_FLAGGED = 1;
    /** Bits 0-7 are the source's; anything it sets there passes through unchanged. */
    public static final int SOURCE_MASK = 0xFF;
    /** Bits 8-10: timestamp quality (CLOCK_UNSYNCED, REDATED, CLOCK_JUMP; see acquire.time.TimeQc). */
    public static final int TIME_MASK = 0x700;
    /** The reading was stamped before the clock was synchronised (see acquire.time.TimeQc). */
    public static final int CLOCK_UNSYNCED = 1 << 8;
    /** What a SenML {@code qc} may carry: the source byte and the time bits. */
    public static final int WIRE_MASK = SOURCE_MASK | TIME_MASK;

    private QcFlags() {
    }
}
