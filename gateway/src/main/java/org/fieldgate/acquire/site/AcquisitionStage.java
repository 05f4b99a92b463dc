package org.fieldgate.acquire.site;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.fieldgate.acquire.ProbeFactory;
import org.fieldgate.acquire.time.ClockCorrection;
import org.fieldgate.acquire.time.ClockSyncPoller;
import org.fieldgate.acquire.time.ClockSyncSource;
import org.fieldgate.acquire.time.SyncStatus;
import org.fieldgate.acquire.time.TimeKeeper;
import org.fieldgate.senml.SenmlPack;
import org.fieldgate.site.SiteConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's own probes, for every site file: one {@link TimeKeeper} stamps them all; the sync source is polled
 * every {@value #SYNC_POLL_S} s, and when the clock becomes trusted the readings taken before are re-published
 * re-dated and the correction is recorded as a {@code clock_correction} point.
 */
public final class AcquisitionStage implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AcquisitionStage.class);
    static final int SYNC_POLL_S = 30;
    /** Untrusted readings kept for re-dating (about 10 MB at most). */
    static final int REDATING_KEPT = 50_000;
    private static final int RECORDS_PER_PACK = 1000;

    private final TimeKeeper time;
    private final ProbeFactory factory;
    private final PackSink packs;
    private final Consumer<ClockCorrection> corrections;
    private final Redating redating = new Redating(REDATING_KEPT, this::publish);
    private final List<SiteAcquisition> sites = new ArrayList<>();
    private final ClockSyncPoller syncPoller;
    /** The sync source's last answer, so the page can say why readings carry CLOCK_UNSYNCED. */
    private volatile SyncStatus lastSync;

    public AcquisitionStage(List<SiteConfig> siteConfigs, ProbeFactory factory, TimeKeeper time,
                            ClockSyncSource sync, PackSink packs, GapSink gaps, Consumer<ClockCorrection> corrections) {
        this(siteConfigs, factory, time, sync, Duration.ofSeconds(SYNC_POLL_S), packs, gaps, corrections);
    }

    AcquisitionStage(List<SiteConfig> siteConfigs, ProbeFactory factory, TimeKeeper time, ClockSyncSource sync,
                     Duration syncPoll, PackSink packs, GapSink gaps, Consumer<ClockCorrection> corrections) {
        this.time = time;
        this.factory = factory;
        this.packs = packs;
        this.corrections = corrections;
        // Look once before the first stamp, so a gateway restarted on a synchronised host starts trusted.
        var status = sync.status();
        lastSync = status;
        time.observeSync(status).ifPresent(this::corrected);
        if (!time.trusted()) {
            LOG.warn("wall clock not known to be synchronised ({}): readings carry CLOCK_UNSYNCED (qc bit 8) until it "
                    + "is, and are then re-published re-dated", status.source());
        }
        for (SiteConfig s : siteConfigs) {
            sites.add(new SiteAcquisition(s, factory, time, packs, gaps, redating::untrusted));
        }
        this.syncPoller = new ClockSyncPoller(() -> lastSync = sync.status(), time, syncPoll, this::corrected);
    }

    public void start() {
        for (SiteAcquisition s : sites) {
            s.start();
        }
    }

    private void publish(Redating.Redated r) {
        List<SenmlPack.Record> all = r.records();
        for (int i = 0; i < all.size(); i += RECORDS_PER_PACK) {
            List<SenmlPack.Record> part = all.subList(i, Math.min(all.size(), i + RECORDS_PER_PACK));
            if (!packs.submit(SenmlPack.topic(r.site(), r.device()), SenmlPack.encode(r.device(), part))) {
                LOG.error("re-dated readings of {}/{} could not be handed to ingest ({} records); the correction "
                        + "record still allows re-dating them later", r.site(), r.device(), part.size());
            }
        }
    }

    private void corrected(ClockCorrection c) {
        for (Redating.Redated r : redating.apply(c)) {
            publish(r);
        }
        try {
            corrections.accept(c);
        } catch (RuntimeException e) {
            LOG.error("clock correction record could not be stored: {}", e.getMessage());
        }
    }

    /** Per site, the state of its probes; the gateway's acquisition is as bad as its worst site. */
    public Health health() {
        List<SiteHealth> out = new ArrayList<>();
        ProbeHealth.State worst = ProbeHealth.State.UP;
        for (SiteAcquisition s : sites) {
            List<ProbeHealth> probes = s.health();
            ProbeHealth.State state = ProbeHealth.of(probes);
            worst = ProbeHealth.worst(worst, state);
            out.add(new SiteHealth(s.site().id(), state, probes));
        }
        return new Health(worst, out);
    }

    /** The acquisition's health: DOWN when some site measures nothing, DEGRADED when some probe fails. */
    public record Health(ProbeHealth.State state, List<SiteHealth> sites) {
    }

    public record SiteHealth(String site, ProbeHealth.State state, List<ProbeHealth> probes) {
    }

    public List<SiteAcquisition> sites() {
        return List.copyOf(sites);
    }

    /** The clock sync source's last answer (state and where it came from, e.g. "timedatectl: NTPSynchronized=no"). */
    public SyncStatus lastSync() {
        return lastSync;
    }

    public TimeKeeper time() {
        return time;
    }

    @Override
    public void close() {
        syncPoller.close();
        for (SiteAcquisition s : sites) {
            s.close();
        }
        factory.close();
    }
}
