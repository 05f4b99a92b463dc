package org.fieldgate.web;

import org.fieldgate.acquire.chamber.AnalyserSample;
import org.fieldgate.acquire.chamber.ChamberPhase;
import org.fieldgate.acquire.chamber.ClosureEvent;
import org.fieldgate.acquire.chamber.ClosureQc;
import org.fieldgate.calc.flux.ChamberGeometry;
import org.fieldgate.calc.flux.FluxCalculator;
import org.fieldgate.calc.flux.FluxEstimate;
import org.fieldgate.calc.flux.FluxModel;
import org.fieldgate.calc.flux.FluxOptions;
import org.fieldgate.live.ChamberFeed;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The curve the page draws is the estimate's own fit, placed on the closure's time axis (s since lid close). */
class ClosureViewTest {
    private static final long LID_CLOSE_NS = 1_763_000_000_000_000_000L;
    private static final double CLOSING_S = 1;
    private static final double DEAD_BAND_S = 3;
    private static final double OBSERVATION_S = 40;
    private static final double H2O_MMOL_MOL = 12;

    /** A closure sampled every second; {@code dryPpm} is C' against seconds since the end of the dead band (tau). */
    private static ClosureEvent closure(DoubleUnaryOperator dryPpm) {
        double t0S = CLOSING_S + DEAD_BAND_S;
        List<ClosureEvent.Sample> samples = new ArrayList<>();
        for (int s = 0; s <= (int) (t0S + OBSERVATION_S); s++) {
            ChamberPhase phase = s < CLOSING_S ? ChamberPhase.CLOSING : s < t0S ? ChamberPhase.DEAD_BAND
                    : ChamberPhase.OBSERVATION;
            double wet = dryPpm.applyAsDouble(s - t0S) * (1 - H2O_MMOL_MOL / 1000);
            samples.add(new ClosureEvent.Sample(phase,
                    new AnalyserSample(LID_CLOSE_NS + s * 1_000_000_000L, wet, H2O_MMOL_MOL, 18.5, 99.1, 0)));
        }
        return new ClosureEvent("soil/chamber-2/t", "soil", "chamber-2", new ChamberGeometry(4876, 317.8),
                ClosureEvent.Outcome.COMPLETE, null, LID_CLOSE_NS, LID_CLOSE_NS + seconds(CLOSING_S),
                LID_CLOSE_NS + seconds(t0S), LID_CLOSE_NS + seconds(t0S + OBSERVATION_S),
                LID_CLOSE_NS + seconds(t0S + OBSERVATION_S), samples, (int) OBSERVATION_S,
                EnumSet.noneOf(ClosureQc.class), List.of());
    }

    private static long seconds(double s) {
        return Math.round(s * 1e9);
    }

    private static FluxEstimate fit(ClosureEvent e) {
        return new FluxCalculator(e.fluxOptions(FluxOptions.defaults())).estimate(e.toChamberClosure());
    }

    @Test
    void saturatingClosureIsDrawnAsTheFittedExponentialFromTheEndOfTheDeadBand() {
        // C' = Cx + (C'0 - Cx) exp(-a tau): 420 ppm rising towards 520 with a = 0.03 s-1
        DoubleUnaryOperator truth = tau -> 520 + (420 - 520) * Math.exp(-0.03 * tau);
        ClosureEvent e = closure(truth);
        FluxEstimate est = fit(e);
        assertEquals(FluxModel.EXPONENTIAL, est.model(), est.modelReason());

        List<double[]> curve = ClosureView.curve(e, est, 41);
        assertEquals(41, curve.size());
        assertEquals(CLOSING_S + DEAD_BAND_S, curve.get(0)[0], 1e-9, "the curve starts at t0");
        assertEquals(CLOSING_S + DEAD_BAND_S + est.observedS(), curve.get(40)[0], 1e-9, "and ends at the last sample");
        for (double[] p : curve) {
            double tau = p[0] - CLOSING_S - DEAD_BAND_S;
            assertEquals(truth.applyAsDouble(tau), p[1], 2e-3, "curve at " + p[0] + " s after lid close");
        }
    }

    @Test
    void linearClosureIsDrawnAsItsStraightLineAndTheSamplesAreDryCo2() {
        DoubleUnaryOperator truth = tau -> 431.5 + 0.42 * tau;
        // a little noise around the line keeps the exponential out (its curvature is not significant)
        double[] noise = {0.3, -0.2, 0.1, -0.3, 0.2, 0.0, -0.1};
        int[] i = {0};
        ClosureEvent e = closure(tau -> truth.applyAsDouble(tau) + noise[i[0]++ % noise.length]);
        FluxEstimate est = fit(e);
        assertEquals(FluxModel.LINEAR, est.model(), est.modelReason());
        for (double[] p : ClosureView.curve(e, est, ClosureView.CURVE_POINTS)) {
            double tau = p[0] - CLOSING_S - DEAD_BAND_S;
            assertEquals(est.linear().intercept() + est.linear().slope() * tau, p[1], 1e-3);
            assertEquals(truth.applyAsDouble(tau), p[1], 0.3, "the line is near the truth at " + p[0]);
        }

        Map<String, Object> view = ClosureView.of(new ChamberFeed.Result(e, est), LID_CLOSE_NS + seconds(60));
        @SuppressWarnings("unchecked")
        List<Object[]> samples = (List<Object[]>) view.get("samples");
        assertEquals(e.samples().size(), samples.size());
        Object[] first = samples.get(0);
        assertEquals(0.0, first[0]);
        assertEquals("C", first[2], "closing");
        assertEquals(truth.applyAsDouble(-(CLOSING_S + DEAD_BAND_S)) + noise[0], (Double) first[1], 0.006,
                "dry CO2 = wet / (1 - W/1000)");
        assertEquals("O", samples.get(samples.size() - 1)[2]);
        assertEquals(60.0, view.get("ageS"));
        assertEquals(4.0, view.get("observationStartS"));
        assertEquals(est.fluxUmolM2S(), (Double) view.get("fluxUmolM2S"), 0);
        assertEquals(ClosureView.CURVE_POINTS, ((List<?>) view.get("curve")).size());
    }

    @Test
    void anUnfittedClosureHasNoCurveAndNullFiguresRatherThanNaN() {
        ClosureEvent e = closure(tau -> 420);
        ClosureEvent aborted = new ClosureEvent(e.closureId(), e.site(), e.chamberId(), e.geometry(),
                ClosureEvent.Outcome.ABORTED, "lid stuck", e.lidCloseNs(), e.lidClosedNs(), e.observationStartNs(),
                e.observationEndNs(), e.lidOpenNs(), e.samples().subList(0, 3), e.expectedObservationSamples(),
                EnumSet.of(ClosureQc.LID_CLOSE_FAILED), List.of("lid stuck"));
        FluxEstimate est = fit(aborted);
        assertTrue(!est.fitted(), est.toString());
        assertEquals(List.of(), ClosureView.curve(aborted, est, 10));
        Map<String, Object> view = ClosureView.of(new ChamberFeed.Result(aborted, est), aborted.lidOpenNs());
        assertNull(view.get("fluxUmolM2S"));
        assertNull(view.get("r2"));
        assertEquals(List.of("LID_CLOSE_FAILED"), view.get("closureQc"));
        assertEquals(List.of(), view.get("curve"));
        Map<String, Object> refused = ClosureView.of(new ChamberFeed.Result(aborted, null), aborted.lidOpenNs());
        assertEquals("NONE", refused.get("model"));
        assertEquals(List.of(), refused.get("curve"));
    }
}
