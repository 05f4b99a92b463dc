package org.fieldgate.calc.mineralisation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.fieldgate.calc.InvalidInputException;
import org.junit.jupiter.api.Test;

/** docs/science.md §3: mineralisation house. */
class MineralisationTest {

    @Test
    void massBalanceOfAConstantDrawdownMatchesTheHandCalculation() {
        // Hand calculation, 100 ppm drawdown at 1 m3/s, 20 degC, 101.325 kPa:
        //   n_air = 101325 / (8.314 x 293.15) = 41.57 mol/s
        //   uptake = 41.57 x 100e-6 x 44.01e-3 = 1.8296e-4 kg/s = 0.6587 kg/h
        assertEquals(41.5735, MassBalance.airMolPerS(1.0, 20, 101.325), 1e-4);
        assertEquals(1.8296e-4, MassBalance.uptakeKgCo2PerS(1.0, 420, 320, 20, 101.325), 1e-8);
        assertEquals(0.6587, MassBalance.uptakeKgCo2PerH(1.0, 420, 320, 20, 101.325), 1e-4);
        assertEquals(101325.0 / (8.314 * 293.15) * 100e-6 * 44.01e-3,
                MassBalance.uptakeKgCo2PerS(1.0, 420, 320, 20, 101.325), 1e-18);

        // Integrated over 10 hours of 1-minute samples the trapezoid is exact for a constant rate.
        List<HouseSample> samples = new ArrayList<>();
        for (int i = 0; i <= 600; i++) {
            samples.add(new HouseSample(i * 60.0, 1.0, 420, 320, 20, 101.325, 2.0));
        }
        HouseOptions options = HouseOptions.of(10_000, 0.5, 0.462, 0);
        MineralisationResult r = new MineralisationCalculator(options).calculate(samples);
        double perS = 101325.0 / (8.314 * 293.15) * 100e-6 * 44.01e-3;
        assertEquals(perS * 36_000, r.grossUptakeKg(), 1e-9);
        assertEquals(perS * 3600, r.meanUptakeKgPerH(), 1e-12);
        assertEquals(20.0, r.energyKwh(), 1e-9); // 2 kW x 10 h
        assertEquals(perS * 36_000 - 20.0 * 0.462, r.netRemovalKg(), 1e-9);
        assertEquals(perS * 36_000 / (10_000 * 0.5), r.mineralisedFraction(), 1e-15);
        assertEquals(0, r.gaps());
    }

    @Test
    void gapsAreFlaggedAndNotIntegratedAndEnergyIsFilledConservatively() {
        List<HouseSample> samples = new ArrayList<>();
        for (int i = 0; i <= 60; i++) {
            if (i > 10 && i < 40) {
                continue; // nothing logged from minute 10 to minute 40
            }
            double power = i <= 10 ? 1.0 : 3.0;
            samples.add(new HouseSample(i * 60.0, 1.0, 420, 320, 20, 101.325, power));
        }
        // A row with no outlet CO2 does not count for uptake but its power does.
        samples.add(new HouseSample(61 * 60.0, 1.0, 420, Double.NaN, 20, 101.325, 3.0));
        var options = new HouseOptions(1000, 0.5, 0.5, 0, 600, 365, HouseOptions.PUBLISHED_CYCLES_YR);
        MineralisationResult r = new MineralisationCalculator(options).calculate(samples);
        double perS = MassBalance.uptakeKgCo2PerS(1.0, 420, 320, 20, 101.325);
        assertEquals(1, r.gaps());
        assertEquals(30 * 60, r.gapS(), 1e-9);
        assertEquals(perS * (10 + 20) * 60, r.grossUptakeKg(), 1e-12); // 10 + 20 logged minutes
        assertEquals(32, r.samplesValid()); // minutes 0-10 and 40-60; the row without CO2 out is not valid
        // Energy is deducted over the counted uptake time only: 10 min at 1 kW + 20 min at 3 kW. The 30-minute gap
        // (at the higher power 3 kW) and the last minute (no CO2 out) are reported, not deducted.
        assertEquals((10 * 1.0 + 20 * 3.0) / 60, r.energyKwh(), 1e-12);
        assertEquals(0, r.energyInGapsKwh(), 1e-12);
        assertEquals((30 * 3.0 + 3.0) / 60, r.energyNotCountedKwh(), 1e-12);
        assertEquals(r.grossUptakeKg() - r.energyKwh() * 0.5, r.netRemovalKg(), 1e-12);
    }

    @Test
    void aGapInThePowerLogAloneIsFilledAtTheHigherPowerWithinCountedTime() {
        // Uptake logged every minute for an hour; power only at minutes 0-10 (1 kW) and 40-60 (3 kW), 600 s gaps
        // allowed: the 30-minute power gap lies in counted uptake time, so it is filled at 3 kW and deducted.
        List<HouseSample> samples = new ArrayList<>();
        for (int i = 0; i <= 60; i++) {
            double power = i <= 10 ? 1.0 : i >= 40 ? 3.0 : Double.NaN;
            samples.add(new HouseSample(i * 60.0, 1.0, 420, 320, 20, 101.325, power));
        }
        var options = new HouseOptions(1000, 0.5, 0.5, 0, 600, 365.25, HouseOptions.PUBLISHED_CYCLES_YR);
        MineralisationResult r = new MineralisationCalculator(options).calculate(samples);
        assertEquals((10 * 1.0 + 30 * 3.0 + 20 * 3.0) / 60, r.energyKwh(), 1e-12);
        assertEquals(30 * 3.0 / 60, r.energyInGapsKwh(), 1e-12);
        assertEquals(0, r.energyNotCountedKwh(), 1e-12);
    }

    @Test
    void shrinkingCoreTauIsRecoveredForBothModels() {
        for (KineticModel truth : KineticModel.values()) {
            double tauS = 400 * 86400.0;
            int n = 200;
            double[] t = new double[n];
            double[] x = new double[n];
            for (int i = 0; i < n; i++) {
                t[i] = i * 86400.0; // daily for 200 days
                x[i] = truth.fractionAt(t[i] / tauS);
                assertEquals(t[i] / tauS, truth.g(x[i]), 1e-9); // the inverse is the model's own g(X)
            }
            ShrinkingCore.Comparison c = ShrinkingCore.fitBoth(t, x);
            assertEquals(truth, c.best().model());
            assertEquals(400, c.best().tauDays(), 1e-6 * 400, truth.name());
            assertTrue(c.best().rmseX() < 1e-9);
            ShrinkingCore.Fit other = truth == KineticModel.DIFFUSION ? c.reaction() : c.diffusion();
            assertTrue(other.rmseX() > 1e-4, truth + " vs " + other);
        }
    }

    @Test
    void diffusionInverseSolvesTheCubic() {
        // 1 - 3 (1 - X)^(2/3) + 2 (1 - X) = 0.5 at X = 0.875
        assertEquals(0.875, KineticModel.DIFFUSION.fractionAt(0.5), 1e-12);
        assertEquals(1.0, KineticModel.DIFFUSION.fractionAt(1.2));
        assertEquals(1 - Math.pow(0.5, 3), KineticModel.REACTION.fractionAt(0.5), 1e-15);
    }

    @Test
    void replacementAdviceFavoursTheCycleThatFixesMostPerYear() {
        // Diffusion control with tau = 1 year; capacity M x Pot = 10 t x 0.5 = 5000 kg CO2; handling 4000 kg
        // per batch; fans 0.1 kW at 0.5 kg/kWh = 438.3 kg CO2 per year.
        //   L = 0.5: X = 0.875 (g(0.875) = 0.5), (4375 - 4000 - 219.15) / 0.5 = 311.7 kg/yr
        //   L = 1:   X = 1,                      (5000 - 4000 - 438.3)  / 1   = 561.7 kg/yr  <- best
        //   L = 2:   X = 1,                      (5000 - 4000 - 876.6)  / 2   =  61.7 kg/yr
        double year = 365.25 * 86400;
        ShrinkingCore.Fit fit = new ShrinkingCore.Fit(KineticModel.DIFFUSION, 100, year, 0, 1, null);
        ReplacementAdvice advice = ReplacementAdvice.advise(fit, 5000, 4000, 0.1, 0.5, List.of(0.5, 1.0, 2.0), 90);
        double energyPerYear = 0.1 * 365.25 * 24 * 0.5;
        assertEquals((4375 - 4000 - 0.5 * energyPerYear) / 0.5, advice.candidates().get(0).netKgPerYr(), 1e-9);
        assertEquals(5000 - 4000 - energyPerYear, advice.candidates().get(1).netKgPerYr(), 1e-9);
        assertEquals((5000 - 4000 - 2 * energyPerYear) / 2, advice.candidates().get(2).netKgPerYr(), 1e-9);
        assertEquals(1.0, advice.best().cycleYr());
        // The scan finds the optimum between the candidates and is at least as good.
        assertTrue(advice.scanned().netKgPerYr() >= advice.best().netKgPerYr());

        // Cheap handling makes the short cycle win: (4375 - 100 - 219.15) / 0.5 > 5000 - 100 - 438.3.
        assertEquals(0.5, ReplacementAdvice.advise(fit, 5000, 100, 0.1, 0.5, List.of(0.5, 1.0, 2.0), 90)
                .best().cycleYr());
    }

    @Test
    void calculatorAdvisesFromItsOwnKineticFit() {
        // 120 days of a reaction-controlled batch (tau 300 d): uptake rate follows dX/dt = 3 (1 - X)^(2/3) / tau.
        double tauS = 300 * 86400.0;
        double capacity = 2000 * 0.5;
        List<HouseSample> samples = new ArrayList<>();
        for (int h = 0; h <= 120 * 24; h++) {
            double t = h * 3600.0;
            double x = KineticModel.REACTION.fractionAt(t / tauS);
            double rateKgS = capacity * 3 * Math.cbrt((1 - x) * (1 - x)) / tauS;
            // Drawdown that gives this rate at 2 m3/s, 20 degC, 101.325 kPa.
            double ppm = rateKgS / (MassBalance.airMolPerS(2.0, 20, 101.325) * 1e-6 * 44.01e-3);
            samples.add(new HouseSample(t, 2.0, 420, 420 - ppm, 20, 101.325, 0.5));
        }
        var options = new HouseOptions(2000, 0.5, 0.462, 50, 7200, 365, List.of(0.5, 1.0, 2.0));
        MineralisationResult r = new MineralisationCalculator(options).calculate(samples);
        assertEquals(KineticModel.REACTION, r.kinetics().best().model());
        assertEquals(300, r.kinetics().best().tauDays(), 0.5); // hourly trapezoid of a smooth curve
        assertEquals(KineticModel.REACTION.fractionAt(120 / 300.0), r.mineralisedFraction(), 1e-4);
        assertEquals(KineticModel.REACTION.fractionAt(365 / 300.0), r.fractionAtCycleEnd(), 1e-9);
        assertEquals(120 * 24 * 0.5, r.energyKwh(), 1e-9);
        assertEquals(r.grossUptakeKg() - 120 * 24 * 0.5 * 0.462 - 50, r.netRemovalKg(), 1e-9);
        assertNotNull(r.advice());
        assertNull(r.kinetics().best().failure());
    }

    @Test
    void fewerThanTwoValidSamplesIsAnError() {
        var options = HouseOptions.of(1000, 0.5, 0.462, 0);
        List<HouseSample> one = List.of(new HouseSample(0, 1, 420, 320, 20, 101.3, 1));
        assertThrows(InvalidInputException.class, () -> new MineralisationCalculator(options).calculate(one));
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> new HouseSample(0, -1, 420, 320, 20, 101.3, 1));
        assertEquals("flowM3S", e.field());
    }
}
