package org.fieldgate.acquire;

import java.util.HashMap;
import java.util.Map;
import org.fieldgate.reading.QcFlags;

/**
 * Flags a channel whose raw value repeats: a sensor that froze (hung firmware, a latched register, a dead
 * analogue front end) keeps returning its last bits, while a live one always has some noise in the last LSB.
 * Compare raw codes, not converted values, so a coarse conversion cannot fake a repeat.
 */
public final class StuckDetector {
    private final int repeats;
    private final Map<String, long[]> last = new HashMap<>();

    /** @param repeats how many identical raw values in a row count as stuck (at least 2); 0 turns it off */
    public StuckDetector(int repeats) {
        if (repeats == 1 || repeats < 0) {
            throw new IllegalArgumentException("stuck repeats must be 0 (off) or at least 2, not " + repeats);
        }
        this.repeats = repeats;
    }

    /** Records {@code raw} for {@code channel}; returns {@link QcFlags#STUCK_VALUE} once it has repeated enough. */
    public int check(String channel, long raw) {
        if (repeats == 0) {
            return 0;
        }
        long[] seen = last.get(channel);
        if (seen == null || seen[0] != raw) {
            last.put(channel, new long[] {raw, 1});
            return 0;
        }
        seen[1]++;
        return seen[1] >= repeats ? QcFlags.STUCK_VALUE : 0;
    }
}
