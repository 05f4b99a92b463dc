package org.fieldgate.acquire.site;

import java.util.Arrays;

/**
 * How late acquisitions started against their schedule (the sampling jitter): the latest {@value #KEPT} lateness
 * values in a ring, so percentiles cover the recent past in constant memory. Lateness is never negative: a task
 * runs at or after its due time.
 */
public final class JitterStats {
    static final int KEPT = 4096;
    private final long[] ring = new long[KEPT];
    private long count;
    private long maxNs;

    public synchronized void record(long latenessNs) {
        ring[(int) (count++ % KEPT)] = latenessNs;
        maxNs = Math.max(maxNs, latenessNs);
    }

    public synchronized long count() {
        return count;
    }

    public synchronized long maxNs() {
        return maxNs;
    }

    /** The q-quantile (0-1) of the kept values, nearest rank; 0 when there are none. */
    public synchronized long quantileNs(double q) {
        int n = (int) Math.min(count, KEPT);
        if (n == 0) {
            return 0;
        }
        long[] copy = Arrays.copyOf(ring, n);
        Arrays.sort(copy);
        int rank = (int) Math.ceil(q * n);
        return copy[Math.max(0, Math.min(n - 1, rank - 1))];
    }

    /** All kept values (for pooling several probes' figures). */
    public synchronized long[] values() {
        return Arrays.copyOf(ring, (int) Math.min(count, KEPT));
    }
}
