package org.fieldgate.pipeline;

import org.fieldgate.acquire.hardware.HardwareProbeFactory;
import org.fieldgate.acquire.site.AcquisitionStage;
import org.fieldgate.acquire.site.GapSink;
import org.fieldgate.acquire.site.PackSink;
import org.fieldgate.acquire.site.SimulatedProbes;
import org.fieldgate.acquire.time.ClockSyncSource;
import org.fieldgate.acquire.time.Clocks;
import org.fieldgate.acquire.time.SyncStatus;
import org.fieldgate.acquire.time.SystemClockSyncSource;
import org.fieldgate.acquire.time.TimeKeeper;
import org.fieldgate.config.GatewaySettings;
import org.fieldgate.live.LivePoints;
import org.fieldgate.store.PointLine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.function.Consumer;

/**
 * The gateway's own probes: the clock that stamps them, the clock-sync source, the probe factory the mode picks
 * (simulated or the Raspberry Pi's buses) and the acquisition stage over the site files.
 */
public final class AcquisitionBuilder {
    private static final Logger LOG = LoggerFactory.getLogger(AcquisitionBuilder.class);
    /** Fixed, so a simulated site gives the same series every run. */
    static final long SIMULATION_SEED = 20251123L;

    private AcquisitionBuilder() {
    }

    /**
     * {@code packs}: where each probe's SenML pack goes (the ingest committer); {@code gaps} and {@code derived}: where
     * missed acquisitions and derived points go.
     */
    public static Acquisition build(GatewaySettings settings, SiteFiles sites, PackSink packs, GapSink gaps,
                                    Consumer<List<PointLine>> derived) {
        var mode = settings.acquire().mode();
        TimeKeeper time = new TimeKeeper(Clocks.system(), TimeKeeper.DEFAULT_JUMP_THRESHOLD,
                TimeKeeper.DEFAULT_MAX_BUFFERED, jump -> LOG.warn("wall clock jump: {}", jump));
        if (sites.sites().isEmpty() || mode == GatewaySettings.AcquireMode.OFF) {
            return new Acquisition(time, null, null, null);
        }
        ClockSyncSource sync = settings.acquire().clockSync() == GatewaySettings.ClockSync.ASSUME_SYNCED
                ? () -> SyncStatus.synchronised("assumed (fieldgate.acquire.clock-sync = assume-synced)")
                : new SystemClockSyncSource();
        SimulatedProbes simulated = null;
        HardwareProbeFactory hardware = null;
        if (mode == GatewaySettings.AcquireMode.SIMULATED) {
            simulated = new SimulatedProbes(SIMULATION_SEED, time::nowNs);
        } else {
            hardware = HardwareProbeFactory.raspberryPi();
        }
        var stage = new AcquisitionStage(sites.sites(), simulated != null ? simulated : hardware, time, sync, packs,
                gaps, c -> derived.accept(List.of(LivePoints.clockCorrection(c))));
        return new Acquisition(time, stage, simulated, hardware);
    }
}
