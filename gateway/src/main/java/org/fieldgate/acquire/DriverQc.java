package org.fieldgate.acquire;

import org.fieldgate.reading.QcFlags;

/**
 * QC bits a local driver sets, inside the source byte (bits 0-7) of {@link QcFlags}; the gateway's stages own
 * bits 8 and up. A flagged value is kept and published: the verifier decides, the driver only says why it
 * looks suspect.
 */
public final class DriverQc {
    /** The chip itself says the value is suspect (a status or fault bit). Same bit as {@link QcFlags#SOURCE_FLAGGED}. */
    public static final int STATUS_WARNING = QcFlags.SOURCE_FLAGGED;
    /** Outside the chip's specified range, or the converter is saturated. */
    public static final int OUT_OF_RANGE = 1 << 1;
    /** The same raw value N times in a row: a frozen sensor repeats its last register contents. */
    public static final int STUCK_VALUE = 1 << 2;
    /** The first frame failed its CRC; this value came from the retry. */
    public static final int CRC_RETRIED = 1 << 3;
    /** Taken within the chip's warm-up after (re-)initialisation. */
    public static final int WARMING_UP = 1 << 4;
    /** A 4-20 mA loop signalling a fault (NAMUR NE43: at most 3.6 mA or at least 21 mA). */
    public static final int LOOP_FAULT = 1 << 5;
    /** The first value after the driver re-initialised a chip that had failed. */
    public static final int REINITIALISED = 1 << 6;

    /** The source byte. */
    public static final int MASK = QcFlags.SOURCE_MASK;

    private DriverQc() {
    }

    /** Names of the bits set in {@code qc}, for logs and tests, e.g. {@code OUT_OF_RANGE|STUCK_VALUE}. */
    public static String describe(int qc) {
        StringBuilder b = new StringBuilder();
        String[] names = {"STATUS_WARNING", "OUT_OF_RANGE", "STUCK_VALUE", "CRC_RETRIED", "WARMING_UP", "LOOP_FAULT",
                "REINITIALISED", "BIT7"};
        for (int i = 0; i < names.length; i++) {
            if ((qc & (1 << i)) != 0) {
                b.append(b.length() == 0 ? "" : "|").append(names[i]);
            }
        }
        return b.length() == 0 ? "clean" : b.toString();
    }
}
