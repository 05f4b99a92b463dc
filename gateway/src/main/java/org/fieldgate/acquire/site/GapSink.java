package org.fieldgate.acquire.site;

/** Receives gap records: a series without readings over a stretch of time, and why. */
@FunctionalInterface
public interface GapSink {
    /**
     * @param firstNs  the first missing acquisition's time, ns since the epoch
     * @param lastNs   the last missing acquisition's time
     * @param readings acquisitions missed (samples that failed or were skipped)
     * @param cause    why, in a technician's words, with the driver's message
     */
    void gap(String site, String device, String channel, long firstNs, long lastNs, long readings, String cause);
}
