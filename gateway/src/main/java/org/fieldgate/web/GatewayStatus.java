package org.fieldgate.web;

/**
 * The figures a technician checks first; served at /api/status and shown on the page. {@code acquisition}: the
 * gateway's own probes, per site and probe (state, last good sample, last error), see {@link AcquisitionView}.
 */
public record GatewayStatus(String site, boolean brokerConnected, String brokerError, long spoolDepth,
                            double oldestUndeliveredAgeS, long spoolBytes, long spoolMaxBytes, boolean spoolFull,
                            String spoolFullPolicy, boolean influxReachable, String influxError, long deadLetters,
                            long ingested, long delivered, long quarantined, long dropped,
                            java.util.Map<String, Object> acquisition) {
}
