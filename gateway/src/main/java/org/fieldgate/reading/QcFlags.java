package org.fieldgate.reading;

import java.util.ArrayList;
import java.util.List;

/**
 * The quality-control bits carried with every reading (InfluxDB field {@code qc}, 0 = clean): the one place for
 * their values, names and the words a technician reads. The values are stored in spools and InfluxDB and travel in
 * SenML {@code qc}: never renumber them.
 *
 * <pre>
 *   bits 0-7   the source's (a local driver, or a remote node's own status bits); passed through unchanged
 *   bit  0  0x001  STATUS_WARNING  the chip or node itself says the value is suspect (a status or fault bit)
 *   bit  1  0x002  OUT_OF_RANGE    outside the chip's specified range, or the converter is saturated
 *   bit  2  0x004  STUCK_VALUE     the same raw value N times in a row: a frozen sensor repeats its registers
 *   bit  3  0x008  CRC_RETRIED     the first frame failed its CRC; this value came from the retry
 *   bit  4  0x010  WARMING_UP      taken within the chip's warm-up after (re-)initialisation
 *   bit  5  0x020  LOOP_FAULT      a 4-20 mA loop signalling a fault (NAMUR NE43: at most 3.6 mA or at least 21 mA)
 *   bit  6  0x040  REINITIALISED   the first value after the driver re-initialised a chip that had failed
 *   bits 8-10  how far the timestamp can be trusted, set by whoever stamped the reading (the gateway's acquisition
 *              stage, or a remote node that keeps time the same way)
 *   bit  8  0x100  CLOCK_UNSYNCED  stamped before the wall clock was known synchronised (NTP/chrony) in this boot,
 *                                   or while the time keeper distrusts it (after a jump, or sync lost). The time is
 *                                   the boot's unsynchronised wall clock carried forward on the monotonic clock.
 *   bit  9  0x200  REDATED         a copy of a CLOCK_UNSYNCED reading whose time was recomputed, once the clock was
 *                                   synchronised, as sync wall time - (monotonic at sync - monotonic at acquisition).
 *                                   CLOCK_UNSYNCED is cleared on the copy; the original stays as it was.
 *   bit 10  0x400  CLOCK_JUMP      stamped after the wall clock was seen to jump (wall delta and monotonic delta
 *                                   between two looks differ by more than the threshold) and before the time keeper
 *                                   re-anchored on a synchronised clock. Always together with CLOCK_UNSYNCED.
 *   bit 11  0x800  NETWORK_TIME    stamped with a LoRaWAN network server's receive time (ChirpStack {@code time},
 *                                   The Things Stack {@code uplink_message.received_at}), not the node's acquisition
 *                                   time: the node sampled before it transmitted (org/fieldgate/lorawan/README.md)
 *   bits 12+   the gateway's later stages
 * </pre>
 *
 * A flagged value is kept and published: the verifier decides, the driver only says why it looks suspect. A verifier
 * keeps readings with {@code qc & CLOCK_UNSYNCED == 0}: the synchronised ones and the re-dated copies.
 * <p>Closures and fluxes carry their own flag sets ({@code acquire.chamber.ClosureQc}, {@code calc.flux.FluxQc}) in
 * the {@code qc} field of their own points; those are not reading bits.
 */
public final class QcFlags {
    public static final int STATUS_WARNING = 1;
    public static final int OUT_OF_RANGE = 1 << 1;
    public static final int STUCK_VALUE = 1 << 2;
    public static final int CRC_RETRIED = 1 << 3;
    public static final int WARMING_UP = 1 << 4;
    public static final int LOOP_FAULT = 1 << 5;
    public static final int REINITIALISED = 1 << 6;
    /** Bits 0-7 are the source's; anything it sets there passes through unchanged. */
    public static final int SOURCE_MASK = 0xFF;

    public static final int CLOCK_UNSYNCED = 1 << 8;
    public static final int REDATED = 1 << 9;
    public static final int CLOCK_JUMP = 1 << 10;
    public static final int NETWORK_TIME = 1 << 11;
    /** Bits 8-10: timestamp quality. */
    public static final int TIME_MASK = CLOCK_UNSYNCED | REDATED | CLOCK_JUMP;

    /** What a SenML {@code qc} may carry: the source byte and the time bits. */
    public static final int WIRE_MASK = SOURCE_MASK | TIME_MASK;

    /** Bit i's name; bits nobody defines are named BIT7, BIT11 and so on. */
    private static final String[] NAMES = new String[32];

    static {
        String[] named = {"STATUS_WARNING", "OUT_OF_RANGE", "STUCK_VALUE", "CRC_RETRIED", "WARMING_UP", "LOOP_FAULT",
                "REINITIALISED", null, "CLOCK_UNSYNCED", "REDATED", "CLOCK_JUMP", "NETWORK_TIME"};
        for (int bit = 0; bit < NAMES.length; bit++) {
            NAMES[bit] = bit < named.length && named[bit] != null ? named[bit] : "BIT" + bit;
        }
    }

    private QcFlags() {
    }

    /** The names of the bits set in {@code qc}, lowest first, e.g. [OUT_OF_RANGE, CLOCK_UNSYNCED]; empty when clean. */
    public static List<String> words(int qc) {
        List<String> words = new ArrayList<>();
        for (int bit = 0; bit < NAMES.length; bit++) {
            if ((qc & (1 << bit)) != 0) {
                words.add(NAMES[bit]);
            }
        }
        return words;
    }

    /** The names of the bits set in {@code qc}, e.g. {@code OUT_OF_RANGE|STUCK_VALUE} or {@code clean}. */
    public static String describe(int qc) {
        return qc == 0 ? "clean" : String.join("|", words(qc));
    }
}
