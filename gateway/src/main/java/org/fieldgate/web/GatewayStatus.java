package org.fieldgate.web;

import org.fieldgate.pipeline.PipelineStatus;

import java.util.Map;

/**
 * The figures a technician checks first; served at /api/status and shown on the page. {@code acquisition}: the
 * gateway's own probes, per site and probe (state, last good sample, last error), see {@link AcquisitionView}.
 * {@code exportKeySha256}: the fingerprint of the key that signs exports (export/README.md). {@code liveSeries},
 * {@code liveSeriesEvicted}: series the live page holds, and dropped at its cap ({@code fieldgate.live.max-series}).
 */
public record GatewayStatus(String site, boolean brokerConnected, String brokerError, long spoolDepth,
                            double oldestUndeliveredAgeS, long spoolBytes, long spoolMaxBytes, boolean spoolFull,
                            String spoolFullPolicy, boolean influxReachable, String influxError, long deadLetters,
                            long ingested, long delivered, long quarantined, long dropped,
                            Map<String, Object> acquisition, String exportKeySha256, int liveSeries,
                            long liveSeriesEvicted) {

    /** The JSON of /api/status: a snapshot's figures under the names tests, the README and dashboards read. */
    static GatewayStatus of(PipelineStatus s) {
        return new GatewayStatus(s.site(), s.brokerConnected(), s.brokerError(), s.spoolDepth(),
                s.oldestUndeliveredAgeS(), s.spoolBytes(), s.spoolMaxBytes(), s.spoolFull(), s.spoolFullPolicy(),
                s.influxReachable(), s.influxError(), s.deadLetters(), s.ingested(), s.delivered(), s.quarantined(),
                s.dropped(), AcquisitionView.of(s.acquireMode(), s.acquisition()), s.exportKeySha256(),
                s.liveSeries(), s.liveSeriesEvicted());
    }
}
