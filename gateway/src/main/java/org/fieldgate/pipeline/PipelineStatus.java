package org.fieldgate.pipeline;

import org.fieldgate.acquire.site.AcquisitionStage;
import org.fieldgate.config.GatewaySettings;
import org.fieldgate.forward.Reconciler;

import java.util.OptionalLong;

/**
 * The gateway's figures at one instant, taken by {@link StatusSnapshots#take()} once per request or tick: /api/status,
 * the /health indicators, the live page and the {@code gateway} health point all read one of these, so no two of them
 * compute a figure their own way.
 *
 * @param nowNs                  when it was taken, ns since the epoch; the ages are relative to it
 * @param brokerError            why the MQTT subscription is not connected; empty when it is
 * @param oldestUndeliveredAgeS  how long the oldest reading still in the spool has waited since it was received, s
 *                               (0 when none waits)
 * @param spoolFullPolicy        the label of fieldgate.spool.full-policy
 * @param pointsWaiting          derived points (fluxes, rates, gaps) waiting in the spool
 * @param lastSuccessfulWriteNs  InfluxDB's last 2xx to a write, empty when none since start
 * @param deliveryStalled        why delivery counts as stalled (DOWN), or null while it is not
 * @param deadLetters            dead letters kept since the spool was created
 * @param quarantined            readings ever quarantined in this spool
 * @param lostAcknowledged       acknowledged readings found gone from a damaged spool, over its life
 * @param commitError            the last failed spool commit of ingest; empty when the last succeeded
 * @param spoolDamage            what was found damaged when the spool opened; empty when nothing was
 * @param lastReconcile          the reconciler's last findings, null before its first run
 * @param acquisition            the gateway's own probes, null when it acquires nothing
 * @param exportKeySha256        the export signing key's fingerprint (SHA-256 of its DER SubjectPublicKeyInfo), null
 *                               while the key is unusable
 * @param liveSeries             series the live page holds now (at most {@code fieldgate.live.max-series})
 * @param liveSeriesEvicted      series the live page dropped, least recently updated first, because the cap was reached
 */
public record PipelineStatus(long nowNs, String site,
                             boolean brokerConnected, String brokerError,
                             long spoolDepth, double oldestUndeliveredAgeS, long spoolBytes, long spoolMaxBytes,
                             boolean spoolFull, String spoolFullPolicy, long pointsWaiting,
                             boolean influxReachable, String influxError, OptionalLong lastSuccessfulWriteNs,
                             String deliveryStalled,
                             long deadLetters, long ingested, long delivered, long quarantined, long dropped,
                             long lostAcknowledged, long duplicates, long conflicts, String commitError,
                             String spoolDamage, Reconciler.Summary lastReconcile,
                             GatewaySettings.AcquireMode acquireMode, AcquisitionStage.Health acquisition,
                             String exportKeySha256, int liveSeries, long liveSeriesEvicted) {
}
