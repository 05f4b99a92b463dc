package org.fieldgate.acquire.time;

import java.util.List;
import org.fieldgate.reading.QcFlags;
import org.fieldgate.reading.Reading;

/**
 * The clock became trustworthy (synchronised) and the readings stamped since the time keeper last trusted it are
 * re-dated. For the caller to store (audit trail) and to re-publish re-dated copies.
 *
 * <p>Every re-dated time is {@code syncWallNs - (syncMonotonicNs - stamp.monotonicNs)}. Because untrusted stamps
 * are the anchor wall time carried forward on the monotonic clock, that equals {@code original + offsetNs} for
 * every stamp of the epoch, which is what {@link #redate(Reading)} applies to readings.
 *
 * @param bootId          the boot
 * @param offsetNs        true wall - (anchor wall + monotonic elapsed since the anchor) at the moment of sync
 * @param stampsRedated   acquisitions stamped untrusted in this epoch (all of them, even beyond the buffer bound)
 * @param syncWallNs      wall clock when the sync was observed (now trusted)
 * @param syncMonotonicNs monotonic clock at that moment
 * @param firstOriginalNs earliest original (untrusted) stamp time of the epoch, or 0 when none
 * @param lastOriginalNs  latest original stamp time of the epoch, or -1 when none
 * @param cause           what was corrected: {@code boot-unsynced}, {@code after-jump}, {@code sync-lost}
 * @param redated         re-dated copies of the buffered stamps (at most the keeper's buffer bound; the oldest are
 *                        dropped first, so {@code redated.size() <= stampsRedated})
 */
public record ClockCorrection(String bootId, long offsetNs, long stampsRedated, long syncWallNs, long syncMonotonicNs,
                              long firstOriginalNs, long lastOriginalNs, String cause,
                              List<AcquisitionStamp> redated) {
    public ClockCorrection {
        redated = List.copyOf(redated);
    }

    /** Whether {@code r} is one of this epoch's untrusted readings (by flag and original time range). */
    public boolean covers(Reading r) {
        return (r.qc() & QcFlags.CLOCK_UNSYNCED) != 0 && (r.qc() & QcFlags.REDATED) == 0
                && r.timeNs() >= firstOriginalNs && r.timeNs() <= lastOriginalNs;
    }

    /**
     * The re-dated copy of a reading of this boot and epoch: time + offset, CLOCK_UNSYNCED and CLOCK_JUMP cleared,
     * REDATED set. The caller restricts it to readings of this boot from a source stamped by this time keeper (the
     * reading itself does not carry the boot id). Throws when {@link #covers(Reading)} is false.
     */
    public Reading redate(Reading r) {
        if (!covers(r)) {
            throw new IllegalArgumentException("reading at " + r.timeNs() + " with qc " + r.qc()
                    + " is not an untrusted reading of this correction's range");
        }
        int qc = (r.qc() & ~(QcFlags.CLOCK_UNSYNCED | QcFlags.CLOCK_JUMP)) | QcFlags.REDATED;
        return new Reading(r.site(), r.device(), r.channel(), r.unit(), r.timeNs() + offsetNs, r.value(), qc,
                r.calibration());
    }
}
