package org.fieldgate.reading;

/**
 * Quality-control bits carried with every reading (InfluxDB field {@code qc}, 0 = clean). Sources set their
 * own bits in the low byte; the gateway's stages own the bits above it.
 */
public final class QcFlags {
    /** The probe or node says the value is suspect (its own status bits). */
    public static final int SOURCE_FLAGGED = 1;
    /** Bits 0-7 are the source's; anything it sets there passes through unchanged. */
    public static final int SOURCE_MASK = 0xFF;

    private QcFlags() {
    }
}
