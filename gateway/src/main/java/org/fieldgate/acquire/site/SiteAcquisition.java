package org.fieldgate.acquire.site;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import org.fieldgate.acquire.Probe;
import org.fieldgate.acquire.ProbeFactory;
import org.fieldgate.acquire.time.TimeKeeper;
import org.fieldgate.reading.Reading;
import org.fieldgate.site.ProbeConfig;
import org.fieldgate.site.SiteConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls every probe of one site file. Probes on the same bus share one thread (a bus carries one transaction at a
 * time; the drivers' own waits then never interleave), probes on different buses run in parallel, and each GPIO pin
 * has its own thread. A probe whose driver cannot be built is logged and recorded as a gap; the others run.
 */
public final class SiteAcquisition implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SiteAcquisition.class);

    private final SiteConfig site;
    private final List<ProbePoller> pollers = new ArrayList<>();
    private final Map<String, ScheduledExecutorService> buses = new LinkedHashMap<>();
    private final List<String> unbuilt = new ArrayList<>();
    private final List<ProbeHealth> unbuiltHealth = new ArrayList<>();

    public SiteAcquisition(SiteConfig site, ProbeFactory factory, TimeKeeper time, PackSink packs, GapSink gaps,
                           Consumer<Reading> untrusted) {
        this.site = site;
        for (ProbeConfig p : site.probes()) {
            if (p.channels().isEmpty()) {
                continue;
            }
            Probe probe;
            try {
                probe = factory.create(site, p);
            } catch (RuntimeException e) {
                String cause = "driver not built: " + e.getMessage();
                LOG.error("{} probe {} ({}): {}", site.id(), p.id(), p.model().id(), cause);
                long now = time.nowNs();
                for (var c : p.channels()) {
                    gaps.gap(site.id(), p.id(), c.name(), now, now, 0, cause);
                }
                unbuilt.add(p.id() + ": " + e.getMessage());
                unbuiltHealth.add(new ProbeHealth(site.id(), p.id(), p.model().id(), p.bus() != null ? p.bus()
                        : "gpio" + p.pin(), ProbeHealth.State.DOWN, "driver not built", null, null, cause, now,
                        p.intervalS()));
                continue;
            }
            String bus = p.bus() != null ? p.bus() : "gpio" + p.pin();
            ScheduledExecutorService executor = buses.computeIfAbsent(bus, b ->
                    Executors.newSingleThreadScheduledExecutor(r -> {
                        Thread t = new Thread(r, "acquire-" + site.id() + "-" + b);
                        t.setDaemon(true);
                        return t;
                    }));
            pollers.add(new ProbePoller(site, p, probe, time, packs, gaps, untrusted, executor));
        }
    }

    public void start() {
        for (ProbePoller p : pollers) {
            p.start();
        }
        LOG.info("site {}: sampling {} probe(s) on {} bus thread(s){}", site.id(), pollers.size(), buses.size(),
                unbuilt.isEmpty() ? "" : "; not built: " + unbuilt);
    }

    public SiteConfig site() {
        return site;
    }

    /** Sampling lateness of every probe, pooled. */
    public JitterStats pooledJitter() {
        JitterStats all = new JitterStats();
        for (ProbePoller p : pollers) {
            for (long v : p.jitter().values()) {
                all.record(v);
            }
        }
        return all;
    }

    /** Per probe: id, published readings, missed slots, driver counters. */
    public List<ProbeStatus> status() {
        List<ProbeStatus> out = new ArrayList<>();
        for (ProbePoller p : pollers) {
            out.add(new ProbeStatus(site.id(), p.probeId(), p.probe().model(), p.probe().address(), p.published(),
                    p.missed(), p.probe().counters().failures(), p.jitter().quantileNs(0.99)));
        }
        return out;
    }

    /** Every configured probe's health, in config order of the built ones, then those whose driver was not built. */
    public List<ProbeHealth> health() {
        long now = System.nanoTime();
        List<ProbeHealth> out = new ArrayList<>();
        for (ProbePoller p : pollers) {
            out.add(p.health(p.probe().model(), p.probe().address(), now));
        }
        out.addAll(unbuiltHealth);
        return out;
    }

    /** One probe's figures for the status page and metrics. */
    public record ProbeStatus(String site, String probe, String model, String address, long published, long missed,
                              long failures, long jitterP99Ns) {
    }

    public List<String> unbuilt() {
        return List.copyOf(unbuilt);
    }

    @Override
    public void close() {
        for (ProbePoller p : pollers) {
            p.stop();
        }
        for (ScheduledExecutorService e : buses.values()) {
            e.shutdownNow();
        }
        for (ProbePoller p : pollers) {
            try {
                p.probe().close();
            } catch (RuntimeException e) {
                LOG.warn("closing {} failed: {}", p.probeId(), e.getMessage());
            }
        }
    }
}
