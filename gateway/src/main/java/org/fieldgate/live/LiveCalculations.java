package org.fieldgate.live;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.fieldgate.acquire.chamber.LidActuator;
import org.fieldgate.acquire.chamber.SystemScheduler;
import org.fieldgate.calc.decomposition.DecompositionOptions;
import org.fieldgate.calc.flux.FluxOptions;
import org.fieldgate.config.GatewaySettings;
import org.fieldgate.reading.Reading;
import org.fieldgate.site.ChannelRef;
import org.fieldgate.site.SiteConfig;
import org.fieldgate.store.AccumulatorStore;
import org.fieldgate.store.PointLine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The calculators on the live stream, for every site file: chamber sequencing and fluxes where the site has
 * chambers (and lids to drive), decomposition for the same plots, fixation where it is a mineralisation house. They
 * see every committed reading, from local probes and remote nodes alike, and commit their results as derived points.
 */
public final class LiveCalculations implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LiveCalculations.class);

    private final List<ChamberFeed> chambers = new ArrayList<>();
    private final List<HouseFeed> houses = new ArrayList<>();
    private final List<DecompositionFeed> decompositions = new ArrayList<>();
    private final SystemScheduler chamberClock;
    private final ScheduledExecutorService runs;
    private final GatewaySettings.Calc settings;
    private final LongSupplier nowNs;

    /**
     * @param lids lid actuator of a site's chambers, or null when the gateway does not drive them (then no
     *             sequencing, and no fluxes from this gateway)
     */
    public LiveCalculations(List<SiteConfig> sites, GatewaySettings.Calc settings, AccumulatorStore accumulators,
                            Function<SiteConfig, LidActuator> lids, LongSupplier nowNs,
                            Consumer<List<PointLine>> out) {
        this.settings = settings;
        this.nowNs = nowNs;
        this.chamberClock = new SystemScheduler(nowNs);
        for (SiteConfig site : sites) {
            if (site.chambers() != null) {
                LidActuator lid;
                try {
                    lid = lids.apply(site);
                } catch (RuntimeException e) {
                    LOG.error("site {}: chamber lids cannot be driven ({}); no chamber sequencing", site.id(),
                            e.getMessage());
                    lid = null;
                }
                if (lid == null) {
                    LOG.info("site {}: chambers configured but no lids to drive here; no live fluxes", site.id());
                } else {
                    ChamberFeed feed = new ChamberFeed(site, lid, chamberClock, FluxOptions.defaults(), out);
                    chambers.add(feed);
                    ChannelRef soilT = settings.soilTemperature() != null
                            ? new ChannelRef(settings.soilTemperature().split("/", 2)[0],
                            settings.soilTemperature().split("/", 2)[1])
                            : DecompositionFeed.shallowestSoilTemperature(site);
                    DecompositionFeed d = new DecompositionFeed(site, soilT,
                            DecompositionOptions.of(settings.socGCM2(), settings.rhFraction()), accumulators, out);
                    feed.onResult(d::flux);
                    decompositions.add(d);
                    LOG.info("site {}: decomposition from the chamber fluxes, soil temperature {}, SOC {} g C m-2, "
                            + "Rh = {} x Rs", site.id(), soilT, settings.socGCM2(), settings.rhFraction());
                }
            }
            if (site.house() != null) {
                houses.add(new HouseFeed(site, accumulators, out));
            }
        }
        this.runs = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "live-calculations");
            t.setDaemon(true);
            return t;
        });
    }

    /** The committer's listener. */
    public void accept(List<Reading> committed) {
        for (ChamberFeed c : chambers) {
            c.accept(committed);
        }
        for (HouseFeed h : houses) {
            h.accept(committed);
        }
        for (DecompositionFeed d : decompositions) {
            d.accept(committed);
        }
    }

    public void start() {
        for (ChamberFeed c : chambers) {
            c.start();
        }
        every(settings.fixationEvery(), () -> houses.forEach(HouseFeed::run), "fixation");
        every(settings.decompositionEvery(), () -> decompositions.forEach(d -> d.run(nowNs.getAsLong())),
                "decomposition");
    }

    private void every(Duration period, Runnable task, String what) {
        runs.scheduleAtFixedRate(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.error("{} run failed; next run as scheduled", what, e);
            }
        }, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    }

    public List<ChamberFeed> chambers() {
        return List.copyOf(chambers);
    }

    public List<HouseFeed> houses() {
        return List.copyOf(houses);
    }

    public List<DecompositionFeed> decompositions() {
        return List.copyOf(decompositions);
    }

    @Override
    public void close() {
        for (ChamberFeed c : chambers) {
            c.close();
        }
        runs.shutdownNow();
        chamberClock.close();
        for (DecompositionFeed d : decompositions) {
            try {
                d.flush();
            } catch (RuntimeException e) {
                LOG.warn("soil temperature sums not stored at shutdown: {}", e.getMessage());
            }
        }
        // what the house feeds hold since their last run goes into the durable sums before the spool closes
        for (HouseFeed h : houses) {
            try {
                h.run(true);
            } catch (RuntimeException e) {
                LOG.warn("last fixation run at shutdown failed: {}", e.getMessage());
            }
        }
    }
}
