package org.fieldgate.acquire.chamber;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.function.LongPredicate;
import org.fieldgate.calc.flux.ChamberClosure;
import org.fieldgate.calc.flux.FluxOptions;
import org.fieldgate.reading.QcFlags;
import org.fieldgate.site.ChamberSystem;
import org.fieldgate.site.SiteConfig;
import org.fieldgate.site.SiteConfigs;
import org.junit.jupiter.api.Test;

class ChamberSequencerTest {
    static final long S = 1_000_000_000L;
    static final Path CONFIG = Path.of("..", "firmware-config").toAbsolutePath().normalize();
    static final long T0 = Instant.parse("2025-06-04T00:00:00Z").getEpochSecond() * S;

    static SiteConfig site() {
        return SiteConfigs.loadOrThrow(CONFIG.resolve("sites/soil-plot-example.yaml"), CONFIG.resolve("models"));
    }

    final SiteConfig site = site();
    final ChamberSystem system = site.chambers();
    final VirtualScheduler clock = new VirtualScheduler(T0);
    final FakeLidActuator lid = new FakeLidActuator(clock);
    final List<ClosureEvent> events = new ArrayList<>();

    /** A plain analyser: a sample every 2 s at odd seconds after T0, unless {@code drop} says so. */
    private void feed(ChamberSequencer seq, LongPredicate drop) {
        Runnable[] tick = new Runnable[1];
        tick[0] = () -> {
            long now = clock.nowNs();
            if (!drop.test(now)) {
                seq.accept(new AnalyserSample(now, 430, 12, 20, 101.3, 0));
            }
            clock.at(now + 2 * S, tick[0]);
        };
        clock.at(T0 + S, tick[0]);
    }

    private ChamberSequencer sequencer(double graceS) {
        return new ChamberSequencer(site.id(), system, lid, clock, events::add, 2, graceS);
    }

    @Test
    void fullCycleOfFourChambersEmitsFourClosuresWithTheirLidTimesAndSamples() {
        assertEquals(2, site.probe("analyser").intervalS());
        ChamberSequencer seq = sequencer(0);
        feed(seq, t -> false);
        seq.start();
        assertEquals(ChamberPhase.CLOSING, seq.phase());
        assertEquals("chamber-1", seq.currentChamber());
        clock.runUntil(T0 + 9 * S);
        assertEquals(ChamberPhase.CLOSING, seq.phase());
        clock.runUntil(T0 + 10 * S);
        assertEquals(ChamberPhase.DEAD_BAND, seq.phase());
        clock.runUntil(T0 + 30 * S);
        assertEquals(ChamberPhase.OBSERVATION, seq.phase());
        clock.runUntil(T0 + 150 * S);
        assertEquals(ChamberPhase.OPENING, seq.phase());
        assertEquals(1, events.size()); // emitted at lid open
        clock.runUntil(T0 + 160 * S);
        assertEquals(ChamberPhase.PURGE, seq.phase());
        clock.runUntil(T0 + 880 * S - 1);
        assertEquals(ChamberPhase.PURGE, seq.phase());
        clock.runUntil(T0 + 880 * S);
        assertEquals(ChamberPhase.IDLE, seq.phase());
        assertNull(seq.currentChamber());
        clock.runUntil(T0 + 1800 * S - 1);
        assertEquals(4, events.size());

        for (int i = 0; i < 4; i++) {
            ClosureEvent e = events.get(i);
            long close = T0 + i * 220L * S;
            String chamber = "chamber-" + (i + 1);
            assertEquals("soil-plot-example/" + chamber + "/" + Instant.ofEpochSecond(0, close), e.closureId());
            assertEquals(chamber, e.chamberId());
            assertEquals(ClosureEvent.Outcome.COMPLETE, e.outcome());
            assertEquals(system.chambers().get(i).geometry(), e.geometry());
            assertEquals(close, e.lidCloseNs());
            assertEquals(close + 10 * S, e.lidClosedNs());
            assertEquals(close + 30 * S, e.observationStartNs());
            assertEquals(close + 150 * S, e.observationEndNs());
            assertEquals(close + 150 * S, e.lidOpenNs());
            assertEquals(5, e.samples(ChamberPhase.CLOSING).size());
            assertEquals(10, e.samples(ChamberPhase.DEAD_BAND).size());
            assertEquals(60, e.samples(ChamberPhase.OBSERVATION).size());
            assertEquals(60, e.expectedObservationSamples());
            assertEquals(EnumSet.noneOf(ClosureQc.class), e.qc(), e.notes().toString());
            ChamberClosure c = e.toChamberClosure();
            assertEquals(70, c.samples().size());
            assertEquals(0.0, c.samples().get(0).timeS());
            FluxOptions o = e.fluxOptions(FluxOptions.defaults());
            assertEquals(19.0, o.deadBandS(), 1e-12); // first lid-closed sample at +11 s, window from +30 s
            assertEquals(120.0, o.observationS(), 1e-12);
        }
        List<String> actions = new ArrayList<>();
        for (FakeLidActuator.Command c : lid.commands()) {
            actions.add(c.action() + " " + c.chamberId() + " @" + (c.atNs() - T0) / S);
        }
        assertEquals(List.of("close chamber-1 @0", "open chamber-1 @150", "close chamber-2 @220",
                "open chamber-2 @370", "close chamber-3 @440", "open chamber-3 @590", "close chamber-4 @660",
                "open chamber-4 @810"), actions);

        clock.runUntil(T0 + 1800 * S);
        assertEquals("chamber-1", seq.currentChamber());
        assertEquals(2, seq.cycles());
        clock.runUntil(T0 + 1800 * S + 150 * S);
        assertEquals(5, events.size());
        assertEquals(T0 + 1800 * S, events.get(4).lidCloseNs());
        assertFalse(events.get(4).closureId().equals(events.get(0).closureId()));
    }

    @Test
    void actuatorFailuresAbortOrAnnotateTheClosureAndTheSequenceGoesOn() {
        lid.failClose("chamber-2");
        lid.failOpen("chamber-3");
        ChamberSequencer seq = sequencer(0);
        feed(seq, t -> false);
        seq.start();
        clock.runUntil(T0 + 1800 * S - 1);
        assertEquals(4, events.size());

        ClosureEvent e2 = events.get(1);
        assertEquals("chamber-2", e2.chamberId());
        assertEquals(ClosureEvent.Outcome.ABORTED, e2.outcome());
        assertTrue(e2.abortReason().contains("lid close failed") && e2.abortReason().contains("did not switch"),
                e2.abortReason());
        assertEquals(EnumSet.of(ClosureQc.LID_CLOSE_FAILED), e2.qc());
        assertEquals(T0 + 220 * S, e2.lidCloseNs());
        assertEquals(T0 + 220 * S, e2.lidOpenNs());
        assertTrue(e2.toChamberClosure().samples().isEmpty());

        // the lid was opened right after the failed close, then open-s + purge-s, then the next chamber
        List<FakeLidActuator.Command> cmds = lid.commands();
        assertEquals(new FakeLidActuator.Command(T0 + 220 * S, "close", "chamber-2", true), cmds.get(2));
        assertEquals(new FakeLidActuator.Command(T0 + 220 * S, "open", "chamber-2", false), cmds.get(3));
        ClosureEvent e3 = events.get(2);
        assertEquals(T0 + 290 * S, e3.lidCloseNs());
        assertEquals(ClosureEvent.Outcome.COMPLETE, e3.outcome()); // the observation was made
        assertEquals(EnumSet.of(ClosureQc.LID_OPEN_FAILED), e3.qc());
        assertTrue(e3.notes().get(0).contains("GPIO line busy"), e3.notes().toString());
        assertEquals(60, e3.samples(ChamberPhase.OBSERVATION).size());
        // open retried at the end of the purge, then chamber-4
        assertEquals(new FakeLidActuator.Command(T0 + 510 * S, "open", "chamber-3", true), cmds.get(6));
        ClosureEvent e4 = events.get(3);
        assertEquals(T0 + 510 * S, e4.lidCloseNs());
        assertEquals(EnumSet.noneOf(ClosureQc.class), e4.qc());
        assertEquals(1, seq.aborted());

        // healed: the next cycle is clean and on time
        lid.heal();
        clock.runUntil(T0 + 1800 * S + 880 * S);
        assertEquals(8, events.size());
        for (int i = 4; i < 8; i++) {
            assertEquals(T0 + (1800 + (i - 4) * 220L) * S, events.get(i).lidCloseNs());
            assertTrue(events.get(i).complete());
        }
    }

    @Test
    void aThrowingConsumerDoesNotStopTheSequence() {
        ChamberSequencer seq = new ChamberSequencer(site.id(), system, lid, clock, e -> {
            events.add(e);
            throw new IllegalStateException("consumer broken");
        }, 2, 0);
        feed(seq, t -> false);
        seq.start();
        clock.runUntil(T0 + 880 * S);
        assertEquals(4, events.size());
    }

    @Test
    void missingSamplesAndGapsAreNoted() {
        ChamberSequencer seq = sequencer(0);
        // chamber-1: analyser silent from +41 s to +61 s of the closure
        feed(seq, t -> t >= T0 + 40 * S && t < T0 + 62 * S);
        seq.start();
        clock.runUntil(T0 + 220 * S);
        ClosureEvent e = events.get(0);
        assertEquals(49, e.samples(ChamberPhase.OBSERVATION).size());
        assertEquals(EnumSet.of(ClosureQc.MISSING_SAMPLES, ClosureQc.SAMPLE_GAP), e.qc());
        assertEquals("49 of 60 expected samples in the observation window", e.notes().get(0));
    }

    @Test
    void samplesWithQcBitsAreNoted() {
        ChamberSequencer seq = sequencer(0);
        seq.start();
        for (int i = 0; i < 75; i++) {
            seq.accept(new AnalyserSample(T0 + (1 + 2L * i) * S, 430, 12, 20, 101.3,
                    i == 40 ? QcFlags.CLOCK_UNSYNCED : 0));
        }
        clock.runUntil(T0 + 150 * S);
        assertEquals(EnumSet.of(ClosureQc.SAMPLE_QC), events.get(0).qc());
        assertEquals("1 sample(s) carry QC bits", events.get(0).notes().get(0));
    }

    @Test
    void lateSamplesAreAssignedByTheirTimeWithinTheGrace() {
        ChamberSequencer seq = sequencer(5);
        // samples arrive 3 s after they were taken
        Runnable[] tick = new Runnable[1];
        tick[0] = () -> {
            long now = clock.nowNs();
            seq.accept(new AnalyserSample(now - 3 * S, 430, 12, 20, 101.3, 0));
            clock.at(now + 2 * S, tick[0]);
        };
        clock.at(T0 + 4 * S, tick[0]);
        seq.start();
        clock.runUntil(T0 + 152 * S);
        assertTrue(events.isEmpty());
        clock.runUntil(T0 + 155 * S);
        assertEquals(1, events.size());
        assertEquals(60, events.get(0).samples(ChamberPhase.OBSERVATION).size());
        assertEquals(EnumSet.noneOf(ClosureQc.class), events.get(0).qc());
    }

    @Test
    void stopDuringAClosureAbortsItAndOpensTheLid() {
        ChamberSequencer seq = sequencer(0);
        feed(seq, t -> false);
        seq.start();
        clock.runUntil(T0 + 60 * S);
        seq.stop();
        assertEquals(1, events.size());
        assertEquals(ClosureEvent.Outcome.ABORTED, events.get(0).outcome());
        assertEquals(EnumSet.of(ClosureQc.STOPPED), events.get(0).qc());
        assertEquals("open", lid.commands().get(lid.commands().size() - 1).action());
        clock.runFor(Duration.ofHours(2));
        assertEquals(1, events.size());
        assertEquals(ChamberPhase.IDLE, seq.phase());
    }
}
