package org.fieldgate.calc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.fieldgate.calc.decomposition.DailyRespiration;
import org.fieldgate.calc.decomposition.DecompositionCalculator;
import org.fieldgate.calc.decomposition.DecompositionOptions;
import org.fieldgate.calc.decomposition.DecompositionResult;
import org.fieldgate.calc.decomposition.DecompositionUncertainty;
import org.fieldgate.calc.flux.FluxEstimate;
import org.fieldgate.calc.flux.FluxModel;
import org.fieldgate.calc.flux.FluxQc;
import org.fieldgate.calc.flux.FluxSystematics;
import org.fieldgate.calc.flux.FluxUncertainty;
import org.fieldgate.calc.mineralisation.HouseAccuracy;
import org.fieldgate.calc.mineralisation.HouseOptions;
import org.fieldgate.calc.mineralisation.HouseSample;
import org.fieldgate.calc.mineralisation.MassBalance;
import org.fieldgate.calc.mineralisation.MineralisationCalculator;
import org.fieldgate.calc.mineralisation.MineralisationResult;
import org.fieldgate.calc.mineralisation.MineralisationUncertainty;
import org.junit.jupiter.api.Test;

/** docs/science.md §7: each propagated interval against its closed form, worked by hand in the comments. */
class UncertaintyTest {

    @Test
    void studentTQuantilesMatchTheTables() {
        // two-sided 95 %: t(3) = 3.1824, t(9) = 2.2622, t(10) = 2.2281, t(30) = 2.0423 (standard tables)
        assertEquals(3.1824, Uncertainty.t95(3), 3.1824 * 0.01);
        assertEquals(2.2622, Uncertainty.t95(9), 2.2622 * 0.001);
        assertEquals(2.2281, Uncertainty.t95(10), 2.2281 * 0.001);
        assertEquals(2.0423, Uncertainty.t95(30), 1e-4);
        assertEquals(1.959964, Uncertainty.t95(Double.POSITIVE_INFINITY), 1e-6);
        assertEquals(1 / Math.sqrt(3), Uncertainty.fromLimit(1), 1e-15);
    }

    @Test
    void fluxIntervalCombinesTheFitsStandardErrorWithTheSystematicPart() {
        FluxEstimate e = new FluxEstimate("c", "ch", FluxModel.LINEAR, "test", 2.0, 0.1, 0.01, 0.99, 0.5, 0.02, 0.001,
                100, 100, 100, null, null, 0, Double.NaN, EnumSet.noneOf(FluxQc.class), null);
        // u(V) 2 %, u(S) 1 %, u(P) 0.1 kPa at 100 kPa (0.1 %), u(T) 3 K at 300 K (1 %), gain 3 %:
        //   rel = sqrt(0.02^2 + 0.01^2 + 0.001^2 + 0.01^2 + 0.03^2) = sqrt(0.001501) = 0.038743
        //   systematic = 2 x 0.038743 = 0.077485; combined = sqrt(0.1^2 + 0.077485^2) = 0.126507
        //   95 %: 2 +- 1.959964 x 0.126507 = [1.752051, 2.247949]
        FluxSystematics sys = new FluxSystematics(0.02, 0.01, 0.1, 3, 0.03);
        FluxUncertainty u = FluxUncertainty.of(e, sys, 100, 300 - 273.15);
        assertEquals(Math.sqrt(0.001501), u.systematicRel(), 1e-12);
        assertEquals(0.126507, u.combinedSeUmolM2S(), 1e-6);
        assertEquals(1.752051, u.ci95LowUmolM2S(), 1e-6);
        assertEquals(2.247949, u.ci95HighUmolM2S(), 1e-6);
        // no systematic part: the fit's interval alone
        assertEquals(2 - 1.959964 * 0.1, FluxUncertainty.of(e, FluxSystematics.NONE, 100, 20).ci95LowUmolM2S(), 1e-6);
        // datasheet limits are read as rectangular: +-3 % -> 3 % / sqrt(3)
        assertEquals(0.03 / Math.sqrt(3), FluxSystematics.fromLimits(0, 0, 0, 0, 3).co2GainRel(), 1e-15);
        assertThrows(InvalidInputException.class, () -> FluxSystematics.fromLimits(-1, 0, 0, 0, 0));
    }

    @Test
    void decompositionIntervalsFollowTheirClosedForms() {
        // 10 days, Rh alternating 1 and 3 umol m-2 s-1 at 5 and 15 degC: Q10 = 3 exactly and ln R has no residual
        List<DailyRespiration> days = new ArrayList<>();
        LocalDate d0 = LocalDate.of(2024, 1, 1);
        for (int i = 0; i < 10; i++) {
            days.add(new DailyRespiration(d0.plusDays(i), i % 2 == 0 ? 1.0 : 3.0, i % 2 == 0 ? 5 : 15));
        }
        DecompositionResult d = new DecompositionCalculator(DecompositionOptions.of(5000, 1.0)).calculate(days);
        // daily sums 1.0368 and 3.1104 g C m-2: mean 2.0736, sd = 1.0368 x sqrt(10/9) = 1.092878
        assertEquals(1.0368 * Math.sqrt(10.0 / 9), d.rhDailySdGCM2D(), 1e-9);
        double annual = 2.0736 * 365.25;
        double randomHalf = Uncertainty.t95(9) * 1.0368 * Math.sqrt(10.0 / 9) / Math.sqrt(10) * 365.25;
        double sysRel = 0.02;
        double half = Math.hypot(randomHalf, 1.959964 * annual * sysRel);
        DecompositionUncertainty u = DecompositionUncertainty.of(d, sysRel, 0.05);
        assertEquals(annual - half, u.rhAnnualCi95LowGCM2Yr(), 1e-3);
        assertEquals(annual + half, u.rhAnnualCi95HighGCM2Yr(), 1e-3);
        // k = annual / 5000; Csoc's 5 % adds to the systematic part
        double k = annual / 5000;
        double kHalf = Math.hypot(randomHalf / 5000, 1.959964 * k * Math.hypot(sysRel, 0.05));
        assertEquals(k - kHalf, u.kCi95LowPerYr(), 1e-9);
        assertEquals(k + kHalf, u.kCi95HighPerYr(), 1e-9);
        // a perfect fit: Q10's interval collapses on 3; Rref = sqrt(3) (at 10 degC) keeps only the flux's systematic
        assertEquals(3.0, u.q10Ci95Low(), 1e-9);
        assertEquals(3.0, u.q10Ci95High(), 1e-9);
        assertEquals(Math.sqrt(3) * Math.exp(-1.959964 * sysRel), u.rrefCi95LowUmolM2S(), 1e-6);
        assertEquals(Math.sqrt(3) * Math.exp(1.959964 * sysRel), u.rrefCi95HighUmolM2S(), 1e-6);
    }

    @Test
    void q10IntervalIsTheSlopesIntervalOnTheLogScale() {
        List<DailyRespiration> days = new ArrayList<>();
        LocalDate d0 = LocalDate.of(2024, 1, 1);
        double[] noise = {0.05, -0.03, 0.02, -0.06, 0.04, 0.01, -0.02, 0.03};
        double[] t = new double[noise.length];
        double[] lnR = new double[noise.length];
        for (int i = 0; i < noise.length; i++) {
            t[i] = 2 + 3 * i;
            lnR[i] = Math.log(1.5) + (t[i] - 10) * Math.log(2.2) / 10 + noise[i];
            days.add(new DailyRespiration(d0.plusDays(i), Math.exp(lnR[i]), t[i]));
        }
        DecompositionResult d = new DecompositionCalculator(DecompositionOptions.of(5000, 1.0)).calculate(days);
        double[] x = new double[t.length];
        for (int i = 0; i < t.length; i++) {
            x[i] = t[i] - 10;
        }
        LinearRegression fit = LinearRegression.fit(x, lnR);
        double tq = Uncertainty.t95(6);
        DecompositionUncertainty u = DecompositionUncertainty.of(d, 0, 0);
        assertEquals(Math.exp(10 * (fit.slope() - tq * fit.slopeSe())), u.q10Ci95Low(), 1e-9);
        assertEquals(Math.exp(10 * (fit.slope() + tq * fit.slopeSe())), u.q10Ci95High(), 1e-9);
        assertEquals(Math.exp(fit.intercept() - tq * fit.interceptSe()), u.rrefCi95LowUmolM2S(), 1e-9);
        assertEquals(Math.exp(fit.intercept() + tq * fit.interceptSe()), u.rrefCi95HighUmolM2S(), 1e-9);
        assertTrue(u.q10Ci95Low() < d.q10().q10() && d.q10().q10() < u.q10Ci95High());
    }

    @Test
    void mineralisationIntervalsOfAConstantHouseFollowTheHandCalculation() {
        // n + 1 = 601 samples a minute apart, constant 1 m3/s, 420 -> 320 ppm, 20 degC, 101.325 kPa, 2 kW
        List<HouseSample> samples = new ArrayList<>();
        for (int i = 0; i <= 600; i++) {
            samples.add(new HouseSample(i * 60.0, 1.0, 420, 320, 20, 101.325, 2.0));
        }
        HouseOptions options = HouseOptions.of(10_000, 0.5, 0.462, 5.0);
        MineralisationResult m = new MineralisationCalculator(options).calculate(samples);
        HouseAccuracy acc = new HouseAccuracy(2, 1.5, 0.01, 0.02, 0.03, 0.05, 0.5, 0.01, 0.05, 1.0, 0.02, 0.04);
        MineralisationUncertainty u = MineralisationUncertainty.of(samples, options, m, acc);

        double r = MassBalance.uptakeKgCo2PerS(1.0, 420, 320, 20, 101.325); // kg/s
        double a = r / 100; // per ppm of drawdown
        double uptake = r * 36_000;
        // trapezoid weights: 30 s at both ends, 60 s between: sum w^2 = 599 x 60^2 + 2 x 30^2
        double sumW2 = 599 * 3600.0 + 2 * 900.0;
        double random = Math.sqrt(sumW2 * (Math.pow(r * 0.02, 2) + 2 * Math.pow(a * 2, 2)));
        // systematic: flow gain and CO2 gain scale U; offset difference x sum(w a) = 36000 a; P and T relative
        double systematic = Math.sqrt(Math.pow(uptake * 0.03, 2) + Math.pow(uptake * 0.01, 2)
                + Math.pow(36_000 * a * 1.5, 2) + Math.pow(uptake * 0.05 / 101.325, 2)
                + Math.pow(uptake * 0.5 / 293.15, 2));
        double se = Math.hypot(random, systematic);
        assertEquals(random, u.uptakeRandomSeKg(), 1e-9);
        assertEquals(systematic, u.uptakeSystematicSeKg(), 1e-9);
        assertEquals(uptake - 1.959964 * se, u.uptakeCi95LowKg(), 1e-5);
        assertEquals(uptake + 1.959964 * se, u.uptakeCi95HighKg(), 1e-5);

        double x = uptake / 5000;
        double xSe = Math.sqrt(Math.pow(se / 5000, 2) + Math.pow(x * 0.02, 2) + Math.pow(x * 0.04, 2));
        assertEquals(x - 1.959964 * xSe, u.fractionCi95Low(), 1e-9);
        assertEquals(x + 1.959964 * xSe, u.fractionCi95High(), 1e-9);

        double energyKg = 20 * 0.462; // 2 kW x 10 h x grid
        double net = uptake - energyKg - 5.0;
        double netSe = Math.sqrt(se * se + Math.pow(energyKg, 2) * (0.01 * 0.01 + 0.05 * 0.05) + 1.0);
        assertEquals(net - 1.959964 * netSe, u.netCi95LowKg(), 1e-5);
        assertEquals(net + 1.959964 * netSe, u.netCi95HighKg(), 1e-5);
        assertEquals(net - 1.644854 * netSe, u.netConservativeKg(), 1e-5);
        assertEquals(1.0, u.coverageFraction(), 1e-12);
    }

    @Test
    void missingHoursAddNeitherUptakeNorUncertaintyAndLowerTheCoverage() {
        // 10 h of minute samples with hours 4-6 missing: 7 h measured of a 10-h window
        List<HouseSample> samples = new ArrayList<>();
        for (int i = 0; i <= 600; i++) {
            if (i <= 240 || i >= 420) {
                samples.add(new HouseSample(i * 60.0, 1.0, 420, 320, 20, 101.325, 2.0));
            }
        }
        HouseOptions options = HouseOptions.of(10_000, 0.5, 0.462, 0);
        MineralisationResult m = new MineralisationCalculator(options).calculate(samples);
        HouseAccuracy acc = new HouseAccuracy(2, 1.5, 0.01, 0.02, 0.03, 0.05, 0.5, 0.01, 0.05, 0, 0, 0);
        MineralisationUncertainty u = MineralisationUncertainty.of(samples, options, m, acc);
        assertEquals(0.7, u.coverageFraction(), 1e-12);
        double r = MassBalance.uptakeKgCo2PerS(1.0, 420, 320, 20, 101.325);
        assertEquals(r * 7 * 3600, m.grossUptakeKg(), 1e-9); // not scaled up to 10 h
        // the conservative value is below the central one, and both count the measured 7 h only
        assertTrue(u.netConservativeKg() < m.netRemovalKg());
        assertEquals(m.netRemovalKg() - 1.644854 * u.netSeKg(), u.netConservativeKg(), 1e-6);
    }
}
