package org.fieldgate.acquire.site;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.fieldgate.acquire.Measurement;
import org.fieldgate.acquire.Probe;
import org.fieldgate.acquire.ProbeException;
import org.fieldgate.acquire.time.AcquisitionStamp;
import org.fieldgate.acquire.time.TimeKeeper;
import org.fieldgate.reading.Reading;
import org.fieldgate.senml.SenmlPack;
import org.fieldgate.site.ProbeConfig;
import org.fieldgate.site.SiteConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples one probe on its schedule: at every multiple of its {@code interval-s} on the (disciplined) wall clock, so
 * probes with the same interval sample together and their readings join on time. Each acquisition is stamped by the
 * {@link TimeKeeper} as it starts, converted by the site's channel settings and calibrations, and handed over as one
 * SenML pack. A failed sample, a skipped slot (the bus was busy past the next slot) or a pack the ingest path could not
 * take becomes part of a gap record per channel (first and last missed time, count, cause), written when the probe
 * recovers, and every {@link #GAP_FLUSH} while it does not. Never throws out of its task: a dead poller is a silent
 * gap, the one thing a field gateway must not have.
 */
final class ProbePoller {
    private static final Logger LOG = LoggerFactory.getLogger(ProbePoller.class);
    /** An open gap is written out at least this often, so an outage shows before the probe comes back. */
    static final long GAP_FLUSH = Duration.ofMinutes(10).toNanos();
    /**
     * While a probe keeps failing, at most one warning per this long, whatever the text of each failure (a timeout's
     * milliseconds, a CRC's bytes, a skipped slot between two timeouts): one failing probe must not write tens of
     * thousands of lines a day to the SD card. Gap records still carry every cause.
     */
    static final long WARN_EVERY = Duration.ofMinutes(10).toNanos();

    private final String site;
    private final ProbeConfig config;
    private final Probe probe;
    private final ChannelMapper mapper;
    private final TimeKeeper time;
    private final PackSink packs;
    private final GapSink gaps;
    private final Consumer<Reading> untrusted;
    private final ScheduledExecutorService bus;
    private final long intervalNs;
    private final JitterStats jitter = new JitterStats();
    private final String topic;

    private volatile boolean running;
    private long dueNano;
    private long published;
    private long missed;
    private long gapFirstNs = -1;
    private long gapLastNs;
    private long gapCount;
    private String gapCause;
    /** per probe: failing since the last good sample, when it last warned, and how many warnings it held back since */
    private boolean failing;
    private long warnedNano;
    private long warningsHeldBack;
    // what /health and the page say of this probe (monotonic times: a clock step does not age a sample)
    private long startedNano;
    private long lastGoodNano;
    private long lastGoodWallNs = -1;
    private long lastErrorWallNs = -1;
    private String lastError;
    private boolean lastAttemptFailed;

    ProbePoller(SiteConfig site, ProbeConfig config, Probe probe, TimeKeeper time, PackSink packs, GapSink gaps,
                Consumer<Reading> untrusted, ScheduledExecutorService bus) {
        this.site = site.id();
        this.config = config;
        this.probe = probe;
        this.mapper = new ChannelMapper(config, site.timezone());
        this.time = time;
        this.packs = packs;
        this.gaps = gaps;
        this.untrusted = untrusted;
        this.bus = bus;
        this.intervalNs = Math.round(config.intervalS() * 1e9);
        this.topic = SenmlPack.topic(site.id(), config.id());
    }

    /** First acquisition at the next multiple of the interval on the wall clock. */
    synchronized void start() {
        running = true;
        long wall = time.nowNs();
        long nano = System.nanoTime();
        startedNano = nano;
        long nextWall = (Math.floorDiv(wall, intervalNs) + 1) * intervalNs;
        dueNano = nano + (nextWall - wall);
        scheduleNext();
    }

    synchronized void stop() {
        running = false;
        flushGap();
    }

    private void scheduleNext() {
        if (running) {
            bus.schedule(this::tick, Math.max(0, dueNano - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
    }

    private synchronized void tick() {
        if (!running) {
            return;
        }
        try {
            long startNano = System.nanoTime();
            jitter.record(Math.max(0, startNano - dueNano));
            AcquisitionStamp stamp = time.stamp();
            acquire(stamp);
            // next slot; slots that have already passed (bus busy, machine suspended) are skipped and counted
            dueNano += intervalNs;
            long now = System.nanoTime();
            if (now - dueNano > 0) {
                long skipped = (now - dueNano) / intervalNs + 1;
                dueNano += skipped * intervalNs;
                missed += skipped;
                failed(stamp.wallNs() + intervalNs, stamp.wallNs() + skipped * intervalNs, skipped,
                        "sampling overran its interval (bus busy or gateway stalled)");
            }
        } catch (RuntimeException e) {
            if (mayWarn()) {
                LOG.error("acquisition of {} ({}) failed unexpectedly; sampling continues{}", config.id(), probe.model(),
                        heldBack(), e);
            }
            dueNano += intervalNs;
        }
        scheduleNext();
    }

    private void acquire(AcquisitionStamp stamp) {
        List<Measurement> measured;
        try {
            measured = probe.sample();
        } catch (ProbeException e) {
            failed(stamp.wallNs(), stamp.wallNs(), 1, e.failure() + ": " + e.getMessage());
            return;
        }
        List<String> problems = new ArrayList<>();
        List<SenmlPack.Record> records = mapper.map(measured, stamp.wallNs(), stamp.qc(), problems);
        for (String p : problems) {
            if (mayWarn()) {
                LOG.warn("{}: {}{}", site, p, heldBack());
            }
        }
        if (records.isEmpty()) {
            failed(stamp.wallNs(), stamp.wallNs(), 1, problems.isEmpty() ? "driver returned no configured channel"
                    : problems.get(0));
            return;
        }
        if (!packs.submit(topic, SenmlPack.encode(config.id(), records))) {
            failed(stamp.wallNs(), stamp.wallNs(), 1, "ingest did not take the pack (spool full or gateway stopping)");
            return;
        }
        published += records.size();
        lastGoodNano = System.nanoTime();
        lastGoodWallNs = stamp.wallNs();
        lastAttemptFailed = false;
        if (!stamp.trusted()) {
            for (SenmlPack.Record r : records) {
                untrusted.accept(new Reading(site, config.id(), r.channel(), r.unit(), r.timeNs(), r.value(), r.qc(),
                        r.calibration()));
            }
        }
        if (gapFirstNs >= 0) {
            LOG.info("{} {} ({}) recovered after {} missed acquisition(s){}", site, config.id(), probe.model(), gapCount,
                    heldBack());
            flushGap();
        }
        if (problems.isEmpty()) {
            failing = false;
            warningsHeldBack = 0;
        }
    }

    /** True for the first warning of a failure and then once per {@link #WARN_EVERY} until a good sample. */
    private boolean mayWarn() {
        long now = System.nanoTime();
        if (!failing || now - warnedNano >= WARN_EVERY) {
            failing = true;
            warnedNano = now;
            return true;
        }
        warningsHeldBack++;
        return false;
    }

    /** " (N similar warnings held back)" once, after warnings were held back; else empty. */
    private String heldBack() {
        long n = warningsHeldBack;
        warningsHeldBack = 0;
        return n == 0 ? "" : " (" + n + " more warning(s) for this probe held back)";
    }

    private void failed(long firstNs, long lastNs, long count, String cause) {
        lastError = cause;
        lastErrorWallNs = lastNs;
        lastAttemptFailed = true;
        if (gapFirstNs >= 0 && !cause.equals(gapCause)) {
            flushGap(); // one record per cause: a skipped slot inside a device outage is its own gap
        }
        if (gapFirstNs < 0) {
            if (mayWarn()) {
                LOG.warn("{} {} ({} at {}): {}; recording a gap until it recovers{}", site, config.id(), probe.model(),
                        probe.address(), cause, heldBack());
            }
            gapFirstNs = firstNs;
            gapCause = cause;
        }
        gapLastNs = lastNs;
        gapCount += count;
        if (gapLastNs - gapFirstNs >= GAP_FLUSH) {
            flushGap();
        }
    }

    private void flushGap() {
        if (gapFirstNs < 0) {
            return;
        }
        for (String channel : mapper.channels()) {
            try {
                gaps.gap(site, config.id(), channel, gapFirstNs, gapLastNs, gapCount, gapCause);
            } catch (RuntimeException e) {
                LOG.error("gap record for {}/{}/{} could not be written: {}", site, config.id(), channel,
                        e.getMessage());
            }
        }
        gapFirstNs = -1;
        gapCount = 0;
        gapCause = null;
    }

    String probeId() {
        return config.id();
    }

    Probe probe() {
        return probe;
    }

    JitterStats jitter() {
        return jitter;
    }

    synchronized long published() {
        return published;
    }

    synchronized long missed() {
        return missed;
    }

    /**
     * This probe's health at monotonic time {@code nowNano}: DOWN when it has not delivered a sample for
     * {@link ProbeHealth#STALE_INTERVALS} intervals (never, since start, counts from start; a probe whose every attempt
     * failed is DOWN at its first failure), DEGRADED when its last attempt failed but a recent sample exists, else UP.
     * A poller that went silent (its bus thread stuck) ages like a failing one.
     */
    synchronized ProbeHealth health(String model, String address, long nowNano) {
        long staleNs = ProbeHealth.staleAfterNs(intervalNs);
        boolean everGood = lastGoodWallNs >= 0;
        long since = everGood ? lastGoodNano : startedNano;
        boolean stale = running && nowNano - since > staleNs;
        ProbeHealth.State state;
        if ((!everGood && lastAttemptFailed) || stale) {
            state = ProbeHealth.State.DOWN;
        } else if (lastAttemptFailed) {
            state = ProbeHealth.State.DEGRADED;
        } else {
            state = ProbeHealth.State.UP;
        }
        String why = state != ProbeHealth.State.DOWN ? null : !everGood && lastAttemptFailed
                ? "no good sample since start; every attempt failed"
                : "no good sample for " + Math.round((nowNano - since) / 1e9) + " s (interval "
                + config.intervalS() + " s)" + (lastAttemptFailed ? "" : ": sampling silent");
        return new ProbeHealth(site, config.id(), model, address, state, why,
                everGood ? lastGoodWallNs : null, everGood ? (nowNano - lastGoodNano) / 1e9 : null,
                lastError, lastErrorWallNs >= 0 ? lastErrorWallNs : null, config.intervalS());
    }
}
