package org.fieldgate.calc.flux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import org.fieldgate.calc.InvalidInputException;
import org.junit.jupiter.api.Test;

/** docs/science.md §1: closed-chamber flux, LI-COR formulation. */
class FluxCalculatorTest {
    private static final double R = 8.314;
    private static final FluxOptions OPTIONS = FluxOptions.builder().deadBandS(20).observationS(120).build();
    private final FluxCalculator calculator = new FluxCalculator(OPTIONS);

    /** F = 10 V P0 (1 - W0/1000) / (R S (T0 + 273.15)) x dC'/dt, written out independently of the code. */
    private static double readmeFlux(double slopePpmS, double h2o, double tempC, double pressureKpa) {
        double v = 4843 + 2.0 * 317.8; // chamber + collar offset x area
        return 10 * v * pressureKpa * (1 - h2o / 1000) / (R * 317.8 * (tempC + 273.15)) * slopePpmS;
    }

    @Test
    void linearClosureIsRecoveredExactly() {
        // C' = 415 + 0.5 t (dry), so dC'/dt = 0.5 ppm/s everywhere.
        var samples = Closures.samples(150, t -> 415 + 0.5 * t, 0, 20, 101.3, 0, null);
        FluxEstimate e = calculator.estimate(Closures.closure("lin", samples));

        assertNull(e.error());
        assertEquals(FluxModel.LINEAR, e.model(), e.modelReason());
        double expected = readmeFlux(0.5, 0, 20, 101.3);
        assertEquals(expected, e.fluxUmolM2S(), 1e-9 * expected);
        assertEquals(expected * 1.0368, e.fluxGCM2D(), 1e-9 * expected);
        assertEquals(121, e.pointsUsed()); // t = 20 .. 140
        assertEquals(120, e.observedS());
        assertEquals(1.0, e.r2(), 1e-12);
        assertFalse(e.flags().contains(FluxQc.LOW_R2));
    }

    @Test
    void noiselessExponentialInitialSlopeIsRecoveredToHalfAPercent() {
        // C'(t) = 900 + (410 - 900) exp(-0.004 t); at t0 = 20 s the slope is a (Cx - C'(t0)).
        double a = 0.004;
        var samples = Closures.samples(150, Closures.exponential(410, 900, a), 0, 20, 101.3, 0, null);
        FluxEstimate e = calculator.estimate(Closures.closure("exp", samples));

        double c0 = 900 + (410 - 900) * Math.exp(-a * 20);
        double trueSlope = a * (900 - c0);
        double expected = readmeFlux(trueSlope, 0, 20, 101.3);
        assertEquals(FluxModel.EXPONENTIAL, e.model(), e.modelReason());
        assertEquals(expected, e.fluxUmolM2S(), 0.005 * expected);
        assertEquals(a, e.exponential().curvaturePerS(), 1e-6 * a);
        assertEquals(900, e.exponential().cxPpm(), 1e-6);
        assertEquals(c0, e.exponential().c0Ppm(), 1e-6);
        // The straight line over the window underestimates the initial slope of a saturating curve.
        assertTrue(e.linear().slope() < 0.9 * trueSlope);
        assertTrue(e.modelReason().startsWith("exponential"));
    }

    @Test
    void waterVapourDilutionIsCorrectedAsSpecified() {
        ChamberSample s = new ChamberSample(0, 400, 20, 20, 101.3);
        assertEquals(400 / (1 - 20 / 1000.0), s.co2DryPpm(), 1e-12);

        // Dry C' linear at 0.5 ppm/s, W = 20 mmol/mol: the wet series is scaled by 0.98; the flux carries
        // (1 - W0/1000) in its factor.
        var samples = Closures.samples(150, t -> 415 + 0.5 * t, 20, 20, 101.3, 0, null);
        FluxEstimate e = calculator.estimate(Closures.closure("wet", samples));
        assertEquals(0.5, e.slopePpmS(), 1e-9);
        double expected = readmeFlux(0.5, 20, 20, 101.3);
        assertEquals(expected, e.fluxUmolM2S(), 1e-9 * expected);
    }

    @Test
    void risingHumidityAloneIsNoFlux() {
        // Constant dry CO2 while W rises from 10 to 25 mmol/mol: the wet reading falls by dilution only.
        List<ChamberSample> samples = new ArrayList<>();
        for (int t = 0; t <= 150; t++) {
            double w = 10 + 0.1 * t;
            samples.add(new ChamberSample(t, 420 * (1 - w / 1000), w, 20, 101.3));
        }
        FluxEstimate e = calculator.estimate(Closures.closure("humid", samples));
        assertEquals(0, e.fluxUmolM2S(), 1e-9);
        assertTrue(e.flags().contains(FluxQc.BELOW_MDF));
    }

    @Test
    void minimumDetectableFluxFollowsTheReadme() {
        var samples = Closures.samples(150, t -> 415 + 0.5 * t, 0, 20, 101.3, 0, null);
        FluxEstimate e = new FluxCalculator(OPTIONS.toBuilder().analyserPrecisionPpm(2.0).build())
                .estimate(Closures.closure("mdf", samples));
        // MDF = precision / observation time x 10 V P / (R S T) = (2 / 120) x F-factor
        assertEquals(readmeFlux(2.0 / 120, 0, 20, 101.3), e.mdfUmolM2S(), 1e-12);
        assertFalse(e.flags().contains(FluxQc.BELOW_MDF));
    }

    @Test
    void standardErrorOfTheLinearFluxIsTheSlopeStandardErrorScaled() {
        var samples = Closures.samples(150, t -> 415 + 0.5 * t, 0, 20, 101.3, 1.0, new Random(7));
        FluxEstimate e = calculator.estimate(Closures.closure("se", samples));
        assertEquals(FluxModel.LINEAR, e.model(), e.modelReason());
        // SE(b) = sqrt(RSS/(n-2) / Sxx) for 121 points 1 s apart: Sxx = sum (t - 60)^2 = 121 * (121^2 - 1) / 12
        double sxx = 121.0 * (121 * 121 - 1) / 12;
        double seSlope = Math.sqrt(e.linear().rss() / 119 / sxx);
        assertEquals(readmeFlux(seSlope, 0, 20, 101.3), e.seUmolM2S(), 1e-9 * e.seUmolM2S());
    }

    @Test
    void unfittableClosureCarriesItsReason() {
        // Lid opened after 22 s: two samples after a 20 s dead band.
        var samples = Closures.samples(21, t -> 415 + 0.5 * t, 0, 20, 101.3, 0, null);
        FluxEstimate e = calculator.estimate(Closures.closure("short", samples));
        assertFalse(e.fitted());
        assertEquals(FluxModel.NONE, e.model());
        assertNotNull(e.error());
        assertTrue(e.error().contains("2 sample(s)"), e.error());
        assertTrue(e.error().contains("at least 3"), e.error());
        assertTrue(Double.isNaN(e.fluxUmolM2S()));
        assertTrue(e.flags().contains(FluxQc.TOO_FEW_POINTS));
    }

    @Test
    void repeatedTimestampIsReportedNotFitted() {
        var samples = new ArrayList<>(Closures.samples(150, t -> 415 + 0.5 * t, 0, 20, 101.3, 0, null));
        samples.add(new ChamberSample(30, 430, 0, 20, 101.3));
        FluxEstimate e = calculator.estimate(Closures.closure("dup", samples));
        assertFalse(e.fitted());
        assertTrue(e.error().contains("time_s 30"), e.error());
    }

    @Test
    void qcFlagsForDriftAmbientDropsAndGaps() {
        List<ChamberSample> samples = new ArrayList<>();
        for (int t = 0; t <= 150; t++) {
            if (t > 60 && t < 80) {
                continue; // 20 s hole in a 1 Hz series
            }
            double c = 600 + 0.5 * t - (t == 100 ? 30 : 0); // starts far above 420 ambient; one 30 ppm drop
            samples.add(new ChamberSample(t, c, 0, 20 + 0.02 * t, 101.3 - 0.002 * t));
        }
        FluxEstimate e = calculator.estimate(Closures.closure("qc", samples));
        EnumSet<FluxQc> flags = e.flags();
        assertTrue(flags.containsAll(EnumSet.of(FluxQc.GAPS, FluxQc.AMBIENT_MISMATCH, FluxQc.CO2_DROPS,
                FluxQc.TEMPERATURE_DRIFT, FluxQc.PRESSURE_DRIFT)), flags.toString());
        assertTrue(e.fitted());
    }

    @Test
    void fewPointsAreFlaggedButStillFitted() {
        List<ChamberSample> samples = new ArrayList<>();
        for (int t = 0; t <= 140; t += 30) { // 4 samples in the window: 30, 60, 90, 120 s
            samples.add(new ChamberSample(t, 415 + 0.5 * t, 0, 20, 101.3));
        }
        FluxEstimate e = calculator.estimate(Closures.closure("sparse", samples));
        assertTrue(e.fitted());
        assertTrue(e.flags().contains(FluxQc.TOO_FEW_POINTS));
        assertTrue(e.modelReason().contains("too few points"), e.modelReason());
        assertEquals(readmeFlux(0.5, 0, 20, 101.3), e.fluxUmolM2S(), 1e-9);
    }

    @Test
    void aNoiselessStraightClosureKeepsTheLineWithoutCurvatureFlags() {
        // Rounding alone leaves a ~ -3e-14 s-1 with |a/SE| ~ 10: "significant", but it bends C' by ~1e-9 ppm.
        var samples = Closures.samples(140, t -> 410 + 5 * t, 10, 20, 101.3, 0, new Random(1));
        FluxEstimate e = calculator.estimate(Closures.closure("straight", samples));
        assertEquals(FluxModel.LINEAR, e.model(), e.modelReason());
        assertFalse(e.flags().contains(FluxQc.NEGATIVE_CURVATURE), e.flags().toString());
        assertFalse(e.flags().contains(FluxQc.CX_BELOW_C0), e.flags().toString());
        // bend = s/a (aT - 1 + exp(-aT)); about s a T^2 / 2 for small aT
        assertEquals(5 / 5e-3 * (0.6 - 1 + Math.exp(-0.6)), FluxCalculator.bendPpm(5, 5e-3, 120), 1e-9);
        assertEquals(5 * 1e-12 * 120 * 120 / 2, FluxCalculator.bendPpm(5, -1e-12, 120), 1e-18);
    }

    @Test
    void acceleratingClosureIsFlaggedAndFittedLinear() {
        // C' = 415 + 0.2 t + 0.004 t^2: convex, which diffusion into a closed headspace cannot produce.
        var samples = Closures.samples(150, t -> 415 + 0.2 * t + 0.004 * t * t, 0, 20, 101.3, 0.2, new Random(3));
        FluxEstimate e = calculator.estimate(Closures.closure("convex", samples));
        assertEquals(FluxModel.LINEAR, e.model());
        assertTrue(e.flags().contains(FluxQc.NEGATIVE_CURVATURE), e.flags().toString());
        assertTrue(e.flags().contains(FluxQc.CX_BELOW_C0), e.flags().toString());
        assertTrue(e.modelReason().contains("negative"), e.modelReason());
    }

    @Test
    void noisyFlatClosureHasLowR2AndIsBelowMdf() {
        var samples = Closures.samples(150, t -> 420, 0, 20, 101.3, 0.5, new Random(11));
        FluxEstimate e = calculator.estimate(Closures.closure("flat", samples));
        assertTrue(e.flags().containsAll(EnumSet.of(FluxQc.LOW_R2, FluxQc.BELOW_MDF)), e.flags().toString());
    }

    @Test
    void badInputNamesFieldAndValue() {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> new ChamberSample(0, 400, 20, 20, 1013));
        assertEquals("pressureKpa", e.field());
        assertTrue(e.getMessage().contains("1013"), e.getMessage());
        InvalidInputException g = assertThrows(InvalidInputException.class, () -> new ChamberGeometry(-1, 317.8));
        assertTrue(g.getMessage().startsWith("volumeCm3"), g.getMessage());
        InvalidInputException o = assertThrows(InvalidInputException.class,
                () -> FluxOptions.builder().r2Threshold(1.5).build());
        assertTrue(o.getMessage().contains("r2Threshold") && o.getMessage().contains("1.5"), o.getMessage());
    }
}
