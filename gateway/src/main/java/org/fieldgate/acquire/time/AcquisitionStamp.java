package org.fieldgate.acquire.time;

import org.fieldgate.reading.QcFlags;

/**
 * When one acquisition happened, as the {@link TimeKeeper} stamped it.
 *
 * @param wallNs       the time to publish, ns since the epoch: the boot's anchor wall time carried forward on the
 *                     monotonic clock (so it never goes backwards within a boot, whatever the wall clock does)
 * @param monotonicNs  monotonic clock, ns since boot (comparable within {@code bootId} only)
 * @param bootId       the kernel's boot id; monotonic times of different boots cannot be compared
 * @param qc           time bits of {@link QcFlags} (0 = trustworthy)
 * @param systemWallNs the raw system wall clock read at the same moment, kept for the audit trail
 */
public record AcquisitionStamp(long wallNs, long monotonicNs, String bootId, int qc, long systemWallNs) {
    public AcquisitionStamp {
        if (bootId == null || bootId.isBlank()) {
            throw new IllegalArgumentException("bootId must not be blank");
        }
        if ((qc & ~QcFlags.TIME_MASK) != 0) {
            throw new IllegalArgumentException("qc " + qc + " has bits other than the time bits (QcFlags.TIME_MASK)");
        }
    }

    public boolean has(int flag) {
        return (qc & flag) != 0;
    }

    /** Trustworthy: neither unsynchronised nor after an unresolved jump. */
    public boolean trusted() {
        return (qc & (QcFlags.CLOCK_UNSYNCED | QcFlags.CLOCK_JUMP)) == 0;
    }
}
