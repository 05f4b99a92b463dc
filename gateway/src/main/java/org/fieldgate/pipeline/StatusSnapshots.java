package org.fieldgate.pipeline;

import org.fieldgate.acquire.site.AcquisitionStage;
import org.fieldgate.config.GatewaySettings;
import org.fieldgate.forward.InfluxForwarder;
import org.fieldgate.forward.Reconciler;
import org.fieldgate.live.LatestReadings;
import org.fieldgate.reading.EpochNanos;
import org.fieldgate.store.Spool;
import org.fieldgate.transport.IngestCommitter;
import org.fieldgate.transport.MqttIngest;

import java.util.function.LongSupplier;
import java.util.function.Supplier;

/** The one place the gateway's status figures are computed; see {@link PipelineStatus}. */
public final class StatusSnapshots {
    private final String site;
    private final GatewaySettings.AcquireMode acquireMode;
    private final Spool spool;
    private final IngestCommitter committer;
    private final MqttIngest mqtt;
    private final InfluxForwarder forwarder;
    private final Reconciler reconciler;
    private final AcquisitionStage acquisition;
    private final LatestReadings latest;
    private final LongSupplier nowNs;
    private final Supplier<String> exportKeySha256;

    /**
     * {@code acquisition}: null when the gateway acquires nothing. {@code exportKeySha256}: the export signing key's
     * fingerprint, null while it is unusable.
     */
    public StatusSnapshots(String site, GatewaySettings.AcquireMode acquireMode, Spool spool, IngestCommitter committer,
                           MqttIngest mqtt, InfluxForwarder forwarder, Reconciler reconciler,
                           AcquisitionStage acquisition, LatestReadings latest, Supplier<String> exportKeySha256) {
        this(site, acquireMode, spool, committer, mqtt, forwarder, reconciler, acquisition, latest, EpochNanos::now,
                exportKeySha256);
    }

    StatusSnapshots(String site, GatewaySettings.AcquireMode acquireMode, Spool spool, IngestCommitter committer,
                    MqttIngest mqtt, InfluxForwarder forwarder, Reconciler reconciler, AcquisitionStage acquisition,
                    LatestReadings latest, LongSupplier nowNs) {
        this(site, acquireMode, spool, committer, mqtt, forwarder, reconciler, acquisition, latest, nowNs, () -> null);
    }

    private StatusSnapshots(String site, GatewaySettings.AcquireMode acquireMode, Spool spool,
                            IngestCommitter committer, MqttIngest mqtt, InfluxForwarder forwarder,
                            Reconciler reconciler, AcquisitionStage acquisition, LatestReadings latest,
                            LongSupplier nowNs,
                            Supplier<String> exportKeySha256) {
        this.exportKeySha256 = exportKeySha256;
        this.site = site;
        this.acquireMode = acquireMode;
        this.spool = spool;
        this.committer = committer;
        this.mqtt = mqtt;
        this.forwarder = forwarder;
        this.reconciler = reconciler;
        this.acquisition = acquisition;
        this.latest = latest;
        this.nowNs = nowNs;
    }

    public PipelineStatus take() {
        long now = nowNs.getAsLong();
        double oldestS = spool.readings().oldestUndeliveredAgeS(now);
        return new PipelineStatus(now, site,
                mqtt.isConnected(), mqtt.lastError(),
                spool.readings().depth(), oldestS, spool.space().usedBytes(), spool.space().maxBytes(),
                spool.space().isFull(), spool.space().fullPolicy().label, spool.points().depth(),
                forwarder.isReachable(), forwarder.lastError(), forwarder.lastSuccessfulWriteNs(),
                forwarder.deliveryStalled(oldestS, now),
                spool.deadLetters().total(), committer.ingested(), forwarder.delivered(), forwarder.quarantined(),
                spool.readings().droppedTotal(),
                spool.lostTotal(), spool.readings().duplicatesTotal(), spool.readings().conflictsTotal(), committer.lastCommitError(),
                spool.damageAtStart(), reconciler.last(),
                acquireMode, acquisition == null ? null : acquisition.health(), exportKeySha256.get(),
                latest.seriesCount(), latest.evictedSeries());
    }
}
