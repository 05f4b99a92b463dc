package org.fieldgate.acquire.chamber;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.fieldgate.calc.flux.ChamberGeometry;
import org.fieldgate.calc.flux.FluxCalculator;
import org.fieldgate.calc.flux.FluxEstimate;
import org.fieldgate.calc.flux.FluxOptions;
import org.fieldgate.site.ChamberConfig;
import org.fieldgate.site.ChamberSystem;
import org.fieldgate.site.SiteConfig;
import org.junit.jupiter.api.Test;

/** Sequencer + simulated analyser + flux calculator: the configured fluxes come back out, closure by closure. */
class ChamberFluxEndToEndTest {
    static final long S = 1_000_000_000L;
    static final long T0 = Instant.parse("2025-06-04T00:00:00Z").getEpochSecond() * S;

    @Test
    void recoversTheConfiguredFluxOfEachChamber() {
        SiteConfig site = ChamberSequencerTest.site();
        ChamberSystem system = site.chambers();
        VirtualScheduler clock = new VirtualScheduler(T0);
        Map<String, Double> flux = Map.of("chamber-1", 1.5, "chamber-2", 3.0, "chamber-3", 5.0, "chamber-4", 8.0);
        Map<String, ChamberGeometry> geometry = new HashMap<>();
        for (ChamberConfig c : system.chambers()) {
            geometry.put(c.id(), c.geometry());
        }
        List<ClosureEvent> events = new ArrayList<>();
        ChamberSequencer[] seq = new ChamberSequencer[1];
        SimulatedChamberAnalyser analyser = new SimulatedChamberAnalyser(clock,
                SimulatedChamberAnalyser.Settings.defaults(system.schedule().closeS(), 2), flux, geometry, 42,
                s -> seq[0].accept(s));
        seq[0] = new ChamberSequencer(site.id(), system, analyser, clock, events::add, 2, 0);
        analyser.start();
        seq[0].start();
        clock.runUntil(T0 + 1800L * S * 2 - 1); // two cycles
        assertEquals(8, events.size());

        FluxOptions base = FluxOptions.defaults();
        for (ClosureEvent e : events) {
            assertTrue(e.complete());
            FluxEstimate est = new FluxCalculator(e.fluxOptions(base)).estimate(e.toChamberClosure());
            // the slope is taken at t0 = end of the dead band, dead-band-s after the lid sealed
            double expected = analyser.fluxAt(e.chamberId(), system.schedule().deadBandS());
            double rel = (est.fluxUmolM2S() - expected) / expected;
            String what = String.format(Locale.ROOT, "%s: F = %.4f +/- %.4f vs %.4f (%.2f %%), %s, flags %s",
                    e.closureId(), est.fluxUmolM2S(), est.seUmolM2S(), expected, 100 * rel, est.modelReason(),
                    est.flags());
            System.out.println(what);
            assertTrue(est.fitted(), what);
            assertEquals(60, est.pointsUsed(), what);
            assertTrue(Math.abs(rel) < 0.05, what);
            assertTrue(Math.abs(est.fluxUmolM2S() - expected) < 4 * est.seUmolM2S(), what);
            assertTrue(est.flags().isEmpty(), what);
        }
    }
}
