package org.fieldgate.acquire;

import org.fieldgate.reading.QcFlags;

/**
 * The source-byte bits of {@link QcFlags} under the names the chip drivers use. The values, names and words live in
 * {@link QcFlags}; this class only points there, so the drivers' folders need not change with it.
 */
public final class DriverQc {
    public static final int STATUS_WARNING = QcFlags.STATUS_WARNING;
    public static final int OUT_OF_RANGE = QcFlags.OUT_OF_RANGE;
    public static final int STUCK_VALUE = QcFlags.STUCK_VALUE;
    public static final int CRC_RETRIED = QcFlags.CRC_RETRIED;
    public static final int WARMING_UP = QcFlags.WARMING_UP;
    public static final int LOOP_FAULT = QcFlags.LOOP_FAULT;
    public static final int REINITIALISED = QcFlags.REINITIALISED;

    private DriverQc() {
    }
}
