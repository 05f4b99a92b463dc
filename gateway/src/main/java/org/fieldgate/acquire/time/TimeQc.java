package org.fieldgate.acquire.time;

import org.fieldgate.reading.QcFlags;

/**
 * Gateway QC bits about a reading's timestamp. {@link QcFlags} gives bits 0-7 to the source and bits 8 and up to
 * the gateway; these are the time-keeping stage's bits:
 *
 * <pre>
 *   bit  8  0x100  CLOCK_UNSYNCED  stamped before the wall clock was known synchronised (NTP/chrony) in this boot,
 *                                   or while the time keeper distrusts it (after a jump, or sync lost). The time is
 *                                   the boot's unsynchronised wall clock carried forward on the monotonic clock.
 *   bit  9  0x200  REDATED         a copy of a CLOCK_UNSYNCED reading whose time was recomputed, once the clock was
 *                                   synchronised, as sync wall time - (monotonic at sync - monotonic at acquisition).
 *                                   CLOCK_UNSYNCED is cleared on the copy; the original stays as it was.
 *   bit 10  0x400  CLOCK_JUMP      stamped after the wall clock was seen to jump (wall delta and monotonic delta
 *                                   between two looks differ by more than the threshold) and before the time keeper
 *                                   re-anchored on a synchronised clock. Always together with CLOCK_UNSYNCED.
 * </pre>
 *
 * A verifier keeps readings with {@code qc & CLOCK_UNSYNCED == 0}: the synchronised ones and the re-dated copies.
 * <p>These bits travel in SenML {@code qc} (the wire contract accepts bits 0-10), so a local driver publishing over
 * MQTT and a remote node that keeps time the same way both carry them to InfluxDB.
 */
public final class TimeQc {
    public static final int CLOCK_UNSYNCED = 1 << 8;
    public static final int REDATED = 1 << 9;
    public static final int CLOCK_JUMP = 1 << 10;
    /** All time-keeping bits. */
    public static final int MASK = CLOCK_UNSYNCED | REDATED | CLOCK_JUMP;

    static {
        if ((MASK & QcFlags.SOURCE_MASK) != 0 || MASK != QcFlags.TIME_MASK) {
            throw new AssertionError("time QC bits overlap the source byte or differ from QcFlags.TIME_MASK");
        }
    }

    private TimeQc() {
    }

    /** Names of the time bits in {@code qc}, e.g. {@code CLOCK_UNSYNCED|CLOCK_JUMP}, or {@code clean}. */
    public static String describe(int qc) {
        StringBuilder b = new StringBuilder();
        if ((qc & CLOCK_UNSYNCED) != 0) {
            b.append("CLOCK_UNSYNCED");
        }
        if ((qc & REDATED) != 0) {
            b.append(b.length() == 0 ? "" : "|").append("REDATED");
        }
        if ((qc & CLOCK_JUMP) != 0) {
            b.append(b.length() == 0 ? "" : "|").append("CLOCK_JUMP");
        }
        return b.length() == 0 ? "clean" : b.toString();
    }
}
