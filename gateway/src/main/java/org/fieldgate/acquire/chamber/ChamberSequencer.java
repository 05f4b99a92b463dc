package org.fieldgate.acquire.chamber;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import org.fieldgate.site.ChamberConfig;
import org.fieldgate.site.ChamberSchedule;
import org.fieldgate.site.ChamberSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs automated chambers multiplexed on one analyser: for each chamber in configured order,
 * CLOSING (close-s) → DEAD_BAND (dead-band-s) → OBSERVATION (observation-s) → OPENING (open-s) → PURGE (purge-s),
 * then the next chamber; after the last, IDLE until the cycle (cycle-s, counted from the start of the cycle's first
 * closure) is over. A cycle whose slots take longer than cycle-s starts the next cycle at once.
 *
 * <p>Phase boundaries are computed from the moment the lid was actually commanded closed, and the timers run on the
 * {@link Scheduler} (virtual in tests). Analyser samples come in through {@link #accept(AnalyserSample)} from any
 * thread and are assigned to a closure by their own acquisition time, not by when they arrive: a sample at t belongs
 * to CLOSING for t in [close, close + close-s), DEAD_BAND up to the observation start, OBSERVATION up to (excluding)
 * the lid open command. A {@link ClosureEvent} is emitted when the lid opens, or {@code sampleGraceS} later so that
 * samples still in transit (MQTT, a slow bus) are included.
 *
 * <p>Failures: an exception from {@link LidActuator#close} aborts the closure (event with outcome ABORTED and the
 * reason), the lid is opened if possible, and the sequence moves on through open-s and purge-s to the next chamber.
 * An exception from {@link LidActuator#open} does not invalidate the observation already made: the event is
 * COMPLETE with {@link ClosureQc#LID_OPEN_FAILED}, and opening is retried once at the end of the purge. Nothing the
 * actuator or the event consumer throws stops the sequence.
 *
 * <p>Config mapping: {@link ChamberSystem} from the site file supplies the schedule and the chambers (id, geometry);
 * its channel references (co2, h2o, temperature, pressure) are for whoever assembles {@link AnalyserSample}s from
 * readings. The analyser's sampling interval (the analyser probe's {@code interval-s}) is passed separately, for the
 * missing-sample check.
 */
public final class ChamberSequencer {
    private static final Logger LOG = LoggerFactory.getLogger(ChamberSequencer.class);
    private static final int MAX_BUFFERED_SAMPLES = 20_000;

    private final String site;
    private final ChamberSchedule schedule;
    private final List<ChamberConfig> chambers;
    private final LidActuator lid;
    private final Scheduler scheduler;
    private final Consumer<ClosureEvent> sink;
    private final double sampleIntervalS;
    private final long sampleGraceNs;

    private final ArrayDeque<AnalyserSample> samples = new ArrayDeque<>();
    private boolean running;
    private long cycleStartNs;
    private int index = -1;
    private ChamberPhase phase = ChamberPhase.IDLE;
    private Closure current;
    private Scheduler.Task pending;
    private long cycles;
    private long emitted;
    private long aborted;

    /** The in-flight closure. */
    private static final class Closure {
        final ChamberConfig chamber;
        final long closeNs;
        final long closedNs;
        final long obsStartNs;
        final long obsEndNs;
        long openNs;
        String abortReason;
        final EnumSet<ClosureQc> qc = EnumSet.noneOf(ClosureQc.class);
        final List<String> notes = new ArrayList<>();

        Closure(ChamberConfig chamber, long closeNs, ChamberSchedule s) {
            this.chamber = chamber;
            this.closeNs = closeNs;
            this.closedNs = closeNs + seconds(s.closeS());
            this.obsStartNs = closedNs + seconds(s.deadBandS());
            this.obsEndNs = obsStartNs + seconds(s.observationS());
            this.openNs = obsEndNs;
        }
    }

    /**
     * @param site            site id (first part of the closure ids)
     * @param system          schedule and chambers from the site file
     * @param lid             the lid actuator
     * @param scheduler       time and timers
     * @param sink            receives each closure event (on the scheduler's thread; should hand it off quickly)
     * @param sampleIntervalS the analyser's sampling interval, s (NaN: no missing-sample check)
     * @param sampleGraceS    how long after the lid opens to wait for late samples before emitting, s (0 = at once)
     */
    public ChamberSequencer(String site, ChamberSystem system, LidActuator lid, Scheduler scheduler,
                            Consumer<ClosureEvent> sink, double sampleIntervalS, double sampleGraceS) {
        if (system.chambers().isEmpty()) {
            throw new IllegalArgumentException("no chambers to sequence");
        }
        ChamberSchedule s = system.schedule();
        for (double v : new double[] {s.closeS(), s.deadBandS(), s.observationS(), s.openS(), s.purgeS(), s.cycleS()}) {
            if (!(v >= 0) || Double.isInfinite(v)) {
                throw new IllegalArgumentException("schedule durations must be finite and >= 0: " + s);
            }
        }
        if (!(s.observationS() > 0)) {
            throw new IllegalArgumentException("observation-s must be > 0: " + s);
        }
        if (!(sampleGraceS >= 0) || sampleGraceS > s.openS() + s.purgeS()) {
            throw new IllegalArgumentException("sample grace must be in [0, open-s + purge-s]: " + sampleGraceS);
        }
        this.site = site;
        this.schedule = s;
        this.chambers = List.copyOf(system.chambers());
        this.lid = lid;
        this.scheduler = scheduler;
        this.sink = sink;
        this.sampleIntervalS = sampleIntervalS;
        this.sampleGraceNs = seconds(sampleGraceS);
    }

    static long seconds(double s) {
        return Math.round(s * 1e9);
    }

    /** Starts the first cycle now. */
    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        startCycle();
    }

    /** Stops: cancels the timers; a closure in progress is aborted (STOPPED) and its lid opened. */
    public synchronized void stop() {
        if (!running) {
            return;
        }
        running = false;
        if (pending != null) {
            pending.cancel();
        }
        if (current != null && (phase == ChamberPhase.CLOSING || phase == ChamberPhase.DEAD_BAND
                || phase == ChamberPhase.OBSERVATION)) {
            Closure c = current;
            c.openNs = scheduler.nowNs();
            c.qc.add(ClosureQc.STOPPED);
            c.abortReason = "sequencer stopped during " + phase;
            tryOpen(c);
            emit(c);
        }
        phase = ChamberPhase.IDLE;
        current = null;
    }

    /** One analyser sample; any thread. Samples are kept until the closure they belong to has been emitted. */
    public synchronized void accept(AnalyserSample s) {
        if (samples.size() >= MAX_BUFFERED_SAMPLES) {
            samples.removeFirst();
        }
        samples.addLast(s);
    }

    public synchronized ChamberPhase phase() {
        return phase;
    }

    /** The chamber in the analyser loop now, or null when idle. */
    public synchronized String currentChamber() {
        return phase == ChamberPhase.IDLE || index < 0 ? null : chambers.get(index).id();
    }

    public synchronized long cycles() {
        return cycles;
    }

    public synchronized long emitted() {
        return emitted;
    }

    public synchronized long aborted() {
        return aborted;
    }

    // --- the sequence ---------------------------------------------------------------------------------------------

    private void startCycle() {
        cycleStartNs = scheduler.nowNs();
        cycles++;
        startChamber(0);
    }

    private void startChamber(int i) {
        if (!running) {
            return;
        }
        index = i;
        ChamberConfig chamber = chambers.get(i);
        Closure c = new Closure(chamber, scheduler.nowNs(), schedule);
        current = c;
        phase = ChamberPhase.CLOSING;
        try {
            lid.close(chamber.id());
        } catch (Exception e) {
            c.qc.add(ClosureQc.LID_CLOSE_FAILED);
            c.abortReason = "lid close failed: " + describe(e);
            c.notes.add(c.abortReason);
            LOG.warn("chamber {}: {}; aborting the closure and moving on", chamber.id(), c.abortReason);
            c.openNs = scheduler.nowNs();
            phase = ChamberPhase.OPENING;
            tryOpen(c);
            emitLater(c, c.openNs);
            schedule(c.openNs + seconds(schedule.openS()), this::purge);
            return;
        }
        // the dead band and observation transitions are chained so each runs after the previous
        schedule(c.closedNs, () -> {
            phase = ChamberPhase.DEAD_BAND;
            schedule(c.obsStartNs, () -> {
                phase = ChamberPhase.OBSERVATION;
                schedule(c.obsEndNs, () -> openLid(c));
            });
        });
    }

    private void openLid(Closure c) {
        phase = ChamberPhase.OPENING;
        c.openNs = scheduler.nowNs();
        tryOpen(c);
        emitLater(c, c.openNs);
        schedule(c.openNs + seconds(schedule.openS()), this::purge);
    }

    private void purge() {
        phase = ChamberPhase.PURGE;
        Closure c = current;
        schedule(scheduler.nowNs() + seconds(schedule.purgeS()), () -> {
            if (c != null && c.qc.contains(ClosureQc.LID_OPEN_FAILED)) {
                try {
                    lid.open(c.chamber.id());
                    LOG.info("chamber {}: lid opened on retry", c.chamber.id());
                } catch (Exception e) {
                    LOG.warn("chamber {}: lid open retry failed: {}", c.chamber.id(), describe(e));
                }
            }
            if (index + 1 < chambers.size()) {
                startChamber(index + 1);
            } else {
                phase = ChamberPhase.IDLE;
                current = null;
                long next = Math.max(cycleStartNs + seconds(schedule.cycleS()), scheduler.nowNs());
                schedule(next, this::startCycle);
            }
        });
    }

    private void tryOpen(Closure c) {
        try {
            lid.open(c.chamber.id());
        } catch (Exception e) {
            c.qc.add(ClosureQc.LID_OPEN_FAILED);
            String note = "lid open failed: " + describe(e) + " (retried after the purge)";
            c.notes.add(note);
            LOG.warn("chamber {}: {}", c.chamber.id(), note);
        }
    }

    private void schedule(long atNs, Runnable body) {
        pending = scheduler.at(atNs, () -> {
            synchronized (ChamberSequencer.this) {
                if (!running) {
                    return;
                }
                try {
                    body.run();
                } catch (RuntimeException e) {
                    // never stop the sequence: log, and carry on with the next chamber after open + purge
                    LOG.error("chamber sequencer step failed; moving on to the next chamber", e);
                    schedule(scheduler.nowNs() + seconds(schedule.openS() + schedule.purgeS()), () -> {
                        if (index + 1 < chambers.size()) {
                            startChamber(index + 1);
                        } else {
                            phase = ChamberPhase.IDLE;
                            schedule(Math.max(cycleStartNs + seconds(schedule.cycleS()), scheduler.nowNs()),
                                    this::startCycle);
                        }
                    });
                }
            }
        });
    }

    private void emitLater(Closure c, long openNs) {
        if (sampleGraceNs == 0) {
            emit(c);
        } else {
            // not through schedule(): its task must not replace the pending phase timer
            scheduler.at(openNs + sampleGraceNs, () -> {
                synchronized (ChamberSequencer.this) {
                    emit(c);
                }
            });
        }
    }

    // --- the event ------------------------------------------------------------------------------------------------

    private void emit(Closure c) {
        long end = c.abortReason == null ? c.obsEndNs : c.openNs;
        List<ClosureEvent.Sample> mine = new ArrayList<>();
        for (AnalyserSample s : samples) {
            if (s.timeNs() >= c.closeNs && s.timeNs() < end) {
                mine.add(new ClosureEvent.Sample(phaseAt(c, s.timeNs()), s));
            }
        }
        mine.sort((a, b) -> Long.compare(a.sample().timeNs(), b.sample().timeNs()));
        samples.removeIf(s -> s.timeNs() < end);

        int expected = Double.isNaN(sampleIntervalS) || !(sampleIntervalS > 0) ? -1
                : (int) Math.floor(schedule.observationS() / sampleIntervalS + 1e-9);
        ClosureEvent.Outcome outcome = c.abortReason == null ? ClosureEvent.Outcome.COMPLETE
                : ClosureEvent.Outcome.ABORTED;
        if (outcome == ClosureEvent.Outcome.COMPLETE) {
            checkSamples(c, mine, expected);
        }
        ClosureEvent e = new ClosureEvent(closureId(c), site, c.chamber.id(), c.chamber.geometry(), outcome,
                c.abortReason, c.closeNs, c.closedNs, c.obsStartNs, c.obsEndNs, c.openNs, mine, expected, c.qc,
                c.notes);
        emitted++;
        if (outcome == ClosureEvent.Outcome.ABORTED) {
            aborted++;
        }
        try {
            sink.accept(e);
        } catch (RuntimeException ex) {
            LOG.error("closure event consumer failed for {}", e.closureId(), ex);
        }
    }

    private void checkSamples(Closure c, List<ClosureEvent.Sample> mine, int expected) {
        int obs = 0;
        int flagged = 0;
        long prev = Long.MIN_VALUE;
        double maxGapS = 0;
        for (ClosureEvent.Sample s : mine) {
            if (s.phase() == ChamberPhase.OBSERVATION) {
                obs++;
            }
            if (s.sample().qc() != 0) {
                flagged++;
            }
            if (s.phase() != ChamberPhase.CLOSING) {
                if (prev != Long.MIN_VALUE) {
                    maxGapS = Math.max(maxGapS, (s.sample().timeNs() - prev) / 1e9);
                }
                prev = s.sample().timeNs();
            }
        }
        if (obs == 0) {
            c.qc.add(ClosureQc.NO_SAMPLES);
            c.notes.add("no analyser sample in the observation window");
        } else if (expected > 0 && obs < expected - 1) {
            c.qc.add(ClosureQc.MISSING_SAMPLES);
            c.notes.add(String.format(Locale.ROOT, "%d of %d expected samples in the observation window", obs,
                    expected));
        }
        if (!Double.isNaN(sampleIntervalS) && maxGapS > 3 * sampleIntervalS) {
            c.qc.add(ClosureQc.SAMPLE_GAP);
            c.notes.add(String.format(Locale.ROOT, "%.1f s without a sample while the lid was closed", maxGapS));
        }
        if (flagged > 0) {
            c.qc.add(ClosureQc.SAMPLE_QC);
            c.notes.add(flagged + " sample(s) carry QC bits");
        }
    }

    private static ChamberPhase phaseAt(Closure c, long t) {
        if (t < c.closedNs) {
            return ChamberPhase.CLOSING;
        }
        if (t < c.obsStartNs) {
            return ChamberPhase.DEAD_BAND;
        }
        return ChamberPhase.OBSERVATION;
    }

    private String closureId(Closure c) {
        return site + "/" + c.chamber.id() + "/" + Instant.ofEpochSecond(0, c.closeNs);
    }

    private static String describe(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName()
                : e.getClass().getSimpleName() + ": " + e.getMessage();
    }
}
