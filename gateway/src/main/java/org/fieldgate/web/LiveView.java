package org.fieldgate.web;

import io.micronaut.context.annotation.Context;
import io.micronaut.http.sse.Event;
import io.micronaut.json.JsonMapper;
import jakarta.annotation.PreDestroy;
import org.fieldgate.config.GatewaySettings;
import org.fieldgate.live.ChamberFeed;
import org.fieldgate.live.HouseFeed;
import org.fieldgate.live.LatestReadings;
import org.fieldgate.live.LiveCalculations;
import org.fieldgate.pipeline.Acquisition;
import org.fieldgate.pipeline.SiteFiles;
import org.fieldgate.pipeline.StatusSnapshots;
import org.fieldgate.reading.EpochNanos;
import org.fieldgate.reading.QcFlags;
import org.fieldgate.reading.Reading;
import org.fieldgate.site.ChamberConfig;
import org.fieldgate.store.Spool;
import org.reactivestreams.Subscriber;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the live page shows, in five sections, each serialised once and sent to every client as an SSE event of its
 * name: {@code status} (health figures, probes, chamber sequencers) and {@code latest} (every channel's newest value,
 * age and QC words) every second; {@code spark} (the sparkline histories) every 10 s; {@code closure} (the last closure
 * of each chamber site with its fitted curve, and each chamber's newest flux) when a closure is fitted; {@code house}
 * (the newest fixation figures) when a fixation run has produced them. Nothing is built while no page is open; the
 * bean starts with the gateway so that each chamber's newest flux is known before the first page opens.
 */
@Context
public class LiveView implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LiveView.class);
    static final long TICK_MS = 1000;
    static final int SPARK_EVERY_TICKS = 10;
    /** About 30 s of events: a client further behind than this is dropped (and reconnects). */
    static final int MAX_PENDING_EVENTS = 64;
    /** How soon a dropped or cut-off browser reconnects. */
    static final Duration RETRY = Duration.ofSeconds(2);
    static final List<String> SECTIONS = List.of("status", "latest", "spark", "closure", "house");

    private final StatusSnapshots snapshots;
    private final LatestReadings latest;
    private final LiveCalculations live;
    private final Acquisition acquisition;
    private final SiteFiles siteFiles;
    private final GatewaySettings settings;
    private final Spool spool;
    private final JsonMapper json;
    private final LiveBroadcast broadcast = new LiveBroadcast(MAX_PENDING_EVENTS);
    private final ScheduledExecutorService ticker;
    /** Each chamber's newest result, per site (chamber ids in config order when shown). */
    private final Map<String, Map<String, ChamberFeed.Result>> byChamber = new ConcurrentHashMap<>();
    private final AtomicLong closures = new AtomicLong();
    /** Each chamber's newest flux as the spool kept it, per site: shown after a restart until the chamber closes again. */
    private final Map<String, Map<String, double[]>> beforeRestart = new ConcurrentHashMap<>();
    static final String LATEST_FLUX = "live-flux:";

    // guarded by this
    private final Map<String, String> sections = new LinkedHashMap<>();
    /** Monotonic time of the last build; sections empty before the first. */
    private long builtMonotonicNs;
    private boolean built;
    private long ticks;
    private long closuresShown = -1;
    private List<Map<String, Object>> probes = List.of();
    private final Map<HouseFeed, Map<String, Object>> housesShown = new IdentityHashMap<>();

    public LiveView(StatusSnapshots snapshots, LatestReadings latest, LiveCalculations live, Acquisition acquisition,
                    SiteFiles siteFiles, GatewaySettings settings, Spool spool, JsonMapper json) {
        this.snapshots = snapshots;
        this.latest = latest;
        this.live = live;
        this.acquisition = acquisition;
        this.siteFiles = siteFiles;
        this.settings = settings;
        this.spool = spool;
        this.json = json;
        for (ChamberFeed feed : live.chambers()) {
            Map<String, ChamberFeed.Result> chambers = new ConcurrentHashMap<>();
            byChamber.put(feed.site().id(), chambers);
            ChamberFeed.Result last = feed.last();
            if (last != null) {
                chambers.put(last.closure().chamberId(), last);
            }
            beforeRestart.put(feed.site().id(), spool.accumulators().get(LATEST_FLUX + feed.site().id()));
            feed.onResult(r -> {
                chambers.put(r.closure().chamberId(), r);
                closures.incrementAndGet();
                keep(feed.site().id(), r);
            });
        }
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "live-page");
            t.setDaemon(true);
            return t;
        });
        ticker.scheduleWithFixedDelay(this::tick, TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
    }

    /** The chamber's newest flux into the spool: [lid close ms, flux, SE, R²], so the page has it after a restart. */
    private void keep(String site, ChamberFeed.Result r) {
        var est = r.estimate();
        if (est == null || !Double.isFinite(est.fluxUmolM2S()) || !Double.isFinite(est.seUmolM2S())
                || !Double.isFinite(est.r2())) {
            return;
        }
        try {
            spool.accumulators().putLatest(LATEST_FLUX + site, r.closure().chamberId(),
                    r.closure().lidCloseNs() / 1_000_000L, est.fluxUmolM2S(), est.seUmolM2S(), est.r2());
        } catch (RuntimeException e) {
            LOG.warn("newest flux of {}/{} not kept for the page after a restart: {}", site, r.closure().chamberId(),
                    e.getMessage());
        }
    }

    /** A new page: the current state at once, then every change. */
    public synchronized void subscribe(Subscriber<? super Event<String>> subscriber) {
        refreshIfStale();
        List<Event<String>> greeting = new ArrayList<>();
        for (Map.Entry<String, String> s : sections.entrySet()) {
            Event<String> e = Event.of(s.getValue()).name(s.getKey());
            greeting.add(greeting.isEmpty() ? e.retry(RETRY) : e);
        }
        broadcast.subscribe(subscriber, greeting);
    }

    /** All sections as one JSON object, for the page's fallback poll. */
    public synchronized String snapshotJson() {
        refreshIfStale();
        StringBuilder b = new StringBuilder("{");
        for (Map.Entry<String, String> s : sections.entrySet()) {
            b.append(b.length() > 1 ? "," : "").append('"').append(s.getKey()).append("\":").append(s.getValue());
        }
        return b.append('}').toString();
    }

    int clients() {
        return broadcast.clients();
    }

    private void tick() {
        try {
            synchronized (this) {
                if (broadcast.clients() > 0) {
                    refresh(false);
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("live page update failed; next one in {} ms", TICK_MS, e);
        }
    }

    /** Sections older than a tick are rebuilt (all of them) before a new page or a poll sees them. */
    private void refreshIfStale() {
        if (!built || System.nanoTime() - builtMonotonicNs > TimeUnit.MILLISECONDS.toNanos(TICK_MS)) {
            refresh(true);
        }
    }

    /** Rebuilds and sends what changed to the open pages, so none misses a closure or a fixation run. */
    private void refresh(boolean all) {
        for (String name : build(all)) {
            broadcast.publish(Event.of(sections.get(name)).name(name));
        }
    }

    /** Rebuilds the sections due (all when {@code all}); returns the names of those rebuilt. */
    private List<String> build(boolean all) {
        long nowNs = EpochNanos.now();
        builtMonotonicNs = System.nanoTime();
        built = true;
        ticks++;
        List<String> changed = new ArrayList<>();
        boolean slow = all || ticks % SPARK_EVERY_TICKS == 0;
        if (slow) {
            probes = probeSection();
        }
        put("status", statusSection(nowNs), changed);
        put("latest", latestSection(nowNs), changed);
        if (slow) {
            put("spark", sparkSection(nowNs), changed);
        }
        long closuresNow = closures.get();
        if (all || closuresNow != closuresShown) {
            closuresShown = closuresNow;
            put("closure", closureSection(nowNs), changed);
        }
        boolean housesChanged = false;
        for (HouseFeed h : live.houses()) {
            Map<String, Object> fields = h.last();
            if (housesShown.put(h, fields) != fields) {
                housesChanged = true;
            }
        }
        if (all || housesChanged) {
            put("house", houseSection(), changed);
        }
        return changed;
    }

    private void put(String name, Object section, List<String> changed) {
        try {
            sections.put(name, json.writeValueAsString(section));
        } catch (IOException e) {
            throw new UncheckedIOException("live page section " + name + " not serialisable", e);
        }
        changed.add(name);
    }

    private Map<String, Object> statusSection(long nowNs) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("nowMs", nowNs / 1_000_000);
        s.put("gateway", GatewayStatus.of(snapshots.take()));
        s.put("probes", probes);
        // what the page needs to say what it shows: every site by name, simulated or real probes, why CLOCK_UNSYNCED
        List<Map<String, Object>> sites = new ArrayList<>();
        for (var site : siteFiles.sites()) {
            sites.add(ordered("site", site.id(), "name", site.name()));
        }
        s.put("sites", sites);
        s.put("acquireMode", settings.acquire().mode().label);
        var stage = acquisition.stage();
        var sync = stage == null ? null : stage.lastSync();
        s.put("clock", sync == null ? null : ordered("trusted", stage.time().trusted(), "state",
                sync.state().name(), "source", sync.source()));
        List<Map<String, Object>> sequencers = new ArrayList<>();
        for (ChamberFeed feed : live.chambers()) {
            var seq = feed.sequencer();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("site", feed.site().id());
            m.put("chamber", seq.currentChamber());
            m.put("phase", seq.phase().name());
            m.put("cycles", seq.cycles());
            m.put("closures", seq.emitted());
            m.put("aborted", seq.aborted());
            sequencers.add(m);
        }
        s.put("sequencers", sequencers);
        s.put("pageClients", broadcast.clients());
        s.put("pageClientsDropped", broadcast.dropped());
        return s;
    }

    /** Each probe's counters; its lateness percentile sorts 4096 values, so this runs with the sparklines. */
    private List<Map<String, Object>> probeSection() {
        List<Map<String, Object>> out = new ArrayList<>();
        if (acquisition.stage() != null) {
            for (var site : acquisition.stage().sites()) {
                for (var p : site.status()) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("site", p.site());
                    m.put("probe", p.probe());
                    m.put("model", p.model());
                    m.put("published", p.published());
                    m.put("missed", p.missed());
                    m.put("failures", p.failures());
                    m.put("jitterP99Ms", ClosureView.round(p.jitterP99Ns() / 1e6, 1));
                    out.add(m);
                }
            }
        }
        return out;
    }

    /** Sites, their devices, their channels: newest value, age, QC. */
    private Map<String, Object> latestSection(long nowNs) {
        Map<String, Map<String, List<Map<String, Object>>>> sites = new LinkedHashMap<>();
        for (LatestReadings.SeriesView v : latest.views()) {
            Reading r = v.latest();
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("channel", r.channel());
            c.put("unit", r.unit());
            c.put("unitText", HumanUnits.of(r.unit()));
            c.put("value", ClosureView.finite(r.value()));
            c.put("time", Instant.ofEpochSecond(0, r.timeNs()).toString());
            c.put("ageS", ClosureView.round((nowNs - r.timeNs()) / 1e9, 1));
            c.put("qc", r.qc());
            c.put("qcWords", QcFlags.words(r.qc()));
            sites.computeIfAbsent(r.site(), k -> new LinkedHashMap<>())
                    .computeIfAbsent(r.device(), k -> new ArrayList<>()).add(c);
        }
        List<Map<String, Object>> out = new ArrayList<>();
        sites.forEach((site, devices) -> {
            List<Map<String, Object>> ds = new ArrayList<>();
            devices.forEach((device, channels) -> ds.add(ordered("device", device, "channels", channels)));
            out.add(ordered("site", site, "devices", ds));
        });
        return ordered("sites", out);
    }

    /** Per series ("site/device/channel"): [[s relative to now, value], ...], oldest first. */
    private Map<String, Object> sparkSection(long nowNs) {
        Map<String, Object> series = new LinkedHashMap<>();
        for (LatestReadings.SeriesView v : latest.views()) {
            Reading r = v.latest();
            List<double[]> points = new ArrayList<>(v.history().size());
            for (LatestReadings.Point p : v.history()) {
                points.add(new double[] {Math.round((p.timeNs() - nowNs) / 1e9), significant(p.value(), 5)});
            }
            series.put(r.site() + "/" + r.device() + "/" + r.channel(), points);
        }
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("nowMs", nowNs / 1_000_000);
        s.put("spacingS", LatestReadings.HISTORY_SPACING_NS / 1e9);
        s.put("series", series);
        return s;
    }

    private Map<String, Object> closureSection(long nowNs) {
        List<Map<String, Object>> sites = new ArrayList<>();
        for (ChamberFeed feed : live.chambers()) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("site", feed.site().id());
            ChamberFeed.Result last = feed.last();
            s.put("last", last == null ? null : ClosureView.of(last, nowNs));
            List<Map<String, Object>> chambers = new ArrayList<>();
            Map<String, ChamberFeed.Result> results = byChamber.getOrDefault(feed.site().id(), Map.of());
            for (ChamberConfig c : feed.site().chambers().chambers()) {
                ChamberFeed.Result r = results.get(c.id());
                double[] kept = beforeRestart.getOrDefault(feed.site().id(), Map.of()).get(c.id());
                if (r != null) {
                    chambers.add(ClosureView.summary(r, nowNs));
                } else if (kept != null) {
                    long lidCloseMs = (long) kept[0];
                    chambers.add(ordered("chamber", c.id(), "lidClose", Instant.ofEpochMilli(lidCloseMs).toString(),
                            "lidCloseMs", lidCloseMs, "ageS", ClosureView.round(nowNs / 1e9 - lidCloseMs / 1e3, 1),
                            "fluxUmolM2S", kept[1], "seUmolM2S", kept[2], "r2", kept[3], "flags", List.of(),
                            "beforeRestart", true));
                } else {
                    chambers.add(ordered("chamber", c.id()));
                }
            }
            s.put("chambers", chambers);
            s.put("cycleS", feed.site().chambers().schedule().cycleS());
            s.put("firstFluxS", feed.firstFluxS());
            sites.add(s);
        }
        return ordered("sites", sites);
    }

    private Map<String, Object> houseSection() {
        List<Map<String, Object>> houses = new ArrayList<>();
        for (HouseFeed h : live.houses()) {
            Map<String, Object> fields = new LinkedHashMap<>();
            h.last().forEach((k, v) -> fields.put(k, v instanceof Double d ? ClosureView.finite(d) : v));
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("site", h.site().id());
            m.put("fields", fields);
            m.put("everyS", settings.calc().fixationEvery().toSeconds());
            houses.add(m);
        }
        return ordered("houses", houses);
    }

    /** A map that keeps its keys in the order given (JSON in the same order every run). */
    private static Map<String, Object> ordered(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    /** Sparklines need no more than 5 significant digits; the wire and the phone are thankful. */
    static double significant(double v, int digits) {
        if (v == 0 || !Double.isFinite(v)) {
            return v;
        }
        double scale = Math.pow(10, digits - 1 - (int) Math.floor(Math.log10(Math.abs(v))));
        return Math.round(v * scale) / scale;
    }

    @PreDestroy
    @Override
    public void close() {
        ticker.shutdownNow();
    }
}
