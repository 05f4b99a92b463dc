package org.fieldgate.reading;

/**
 * The hash of a series' names for the gateway's own tables (the live view's series, the hourly counts' series and
 * hours, the spool's series ids). Its parts are mixed with a large odd multiplier, the golden ratio's: with 31, String's
 * own multiplier, a shift in one part cancels one in the next, so names such as {@code dev-100}/{@code co2_30cm} and
 * {@code dev-300}/{@code co2_10cm} had one hash, and 700 of the benchmark's 10,000 series shared a hash with another.
 */
public final class SeriesHash {
    /** The multiplier; also for a caller's further part (an hour, a unit). */
    public static final int MIX = 0x9E3779B1;

    private SeriesHash() {
    }

    /** Site, device and channel mixed, not yet folded: a caller adds its own parts with {@link #MIX}, then folds. */
    public static int of(String site, String device, String channel) {
        return (site.hashCode() * MIX + device.hashCode()) * MIX + channel.hashCode();
    }
}
