package org.fieldgate.calc.mineralisation;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * docs/science.md §7.4: the analytic first-order intervals checked by a Monte Carlo run through the calculator
 * itself. N = 3000 runs, seed 20261205. Each run draws the systematic errors once (fully correlated over the
 * window) and the random errors per sample, perturbs the logged samples, and recomputes uptake, energy and net
 * removal; the 2.5th and 97.5th percentiles of the runs must lie within 5 % of the analytic half-width
 * (1.96 sigma) of the analytic interval's ends, and the 5th percentile within 5 % of it of the conservative value.
 */
class MineralisationMonteCarloTest {
    static final int N = 3000;
    static final long SEED = 20261205L;
    static final double TOLERANCE = 0.05;

    @Test
    void analyticIntervalsAgreeWithMonteCarlo() {
        // one day at 20-minute logging, flow and drawdown varying over the day, a 3-hour gap in the afternoon
        List<HouseSample> samples = new ArrayList<>();
        for (int i = 0; i <= 72; i++) {
            double t = i * 1200.0;
            if (t > 14 * 3600 && t < 17 * 3600) {
                continue;
            }
            double phase = 2 * Math.PI * t / 86_400;
            samples.add(new HouseSample(t, 2.0 + 0.5 * Math.sin(phase), 425 + 10 * Math.cos(phase),
                    330 + 15 * Math.sin(phase), 18 + 6 * Math.sin(phase), 100.8, 3.0 + 0.4 * Math.cos(phase)));
        }
        HouseOptions options = new HouseOptions(20_000, 0.5, 0.462, 2.0, 1800, 365.25,
                HouseOptions.PUBLISHED_CYCLES_YR);
        MineralisationResult central = new MineralisationCalculator(options).calculate(samples);
        HouseAccuracy acc = new HouseAccuracy(5.8, 24.5, 0.017, 0.01, 0.017, 0.058, 0.58, 0.0058, 0.02, 0.5, 0, 0);
        MineralisationUncertainty an = MineralisationUncertainty.of(samples, options, central, acc);

        Random rnd = new Random(SEED);
        double[] uptake = new double[N];
        double[] net = new double[N];
        for (int k = 0; k < N; k++) {
            double flowGain = 1 + acc.flowGainRel() * rnd.nextGaussian();
            double co2Gain = 1 + acc.co2GainRel() * rnd.nextGaussian();
            double offset = acc.co2OffsetDiffPpm() * rnd.nextGaussian();
            double dp = acc.pressureKpa() * rnd.nextGaussian();
            double dt = acc.tempC() * rnd.nextGaussian();
            double energyGain = 1 + acc.energyGainRel() * rnd.nextGaussian();
            double gridGain = 1 + acc.gridRel() * rnd.nextGaussian();
            double handling = options.handlingKgCo2PerBatch() + acc.handlingKgCo2() * rnd.nextGaussian();
            List<HouseSample> perturbed = new ArrayList<>(samples.size());
            for (HouseSample s : samples) {
                perturbed.add(new HouseSample(s.timeS(),
                        s.flowM3S() * flowGain * (1 + acc.flowRandomRel() * rnd.nextGaussian()),
                        s.co2InPpm() * co2Gain + offset + acc.co2RandomPpm() * rnd.nextGaussian(),
                        s.co2OutPpm() * co2Gain + acc.co2RandomPpm() * rnd.nextGaussian(),
                        s.tempC() + dt, s.pressureKpa() + dp, s.powerKw() * energyGain));
            }
            MineralisationResult m = new MineralisationCalculator(options).calculate(perturbed);
            uptake[k] = m.grossUptakeKg();
            net[k] = m.grossUptakeKg() - m.energyKwh() * options.gridKgCo2PerKwh() * gridGain - handling;
        }
        Arrays.sort(uptake);
        Arrays.sort(net);
        check("uptake 2.5 %", quantile(uptake, 0.025), an.uptakeCi95LowKg(), 1.96 * an.uptakeSeKg());
        check("uptake 97.5 %", quantile(uptake, 0.975), an.uptakeCi95HighKg(), 1.96 * an.uptakeSeKg());
        check("net 2.5 %", quantile(net, 0.025), an.netCi95LowKg(), 1.96 * an.netSeKg());
        check("net 97.5 %", quantile(net, 0.975), an.netCi95HighKg(), 1.96 * an.netSeKg());
        check("net 5 % (conservative)", quantile(net, 0.05), an.netConservativeKg(), 1.96 * an.netSeKg());
        // both parts are present (their closed forms are checked in UncertaintyTest)
        assertTrue(an.uptakeRandomSeKg() > 0 && an.uptakeSystematicSeKg() > 0, an.toString());
    }

    private static void check(String what, double monteCarlo, double analytic, double halfWidth) {
        double off = Math.abs(monteCarlo - analytic) / halfWidth;
        assertTrue(off <= TOLERANCE, String.format("%s: Monte Carlo %.4f vs analytic %.4f kg: %.1f %% of the"
                + " half-width %.4f (allowed %.0f %%; N %d, seed %d)", what, monteCarlo, analytic, 100 * off,
                halfWidth, 100 * TOLERANCE, N, SEED));
        System.out.printf("%s: Monte Carlo %.4f, analytic %.4f kg, %.2f %% of the half-width%n", what, monteCarlo,
                analytic, 100 * off);
    }

    private static double quantile(double[] sorted, double p) {
        double h = (sorted.length - 1) * p;
        int lo = (int) Math.floor(h);
        return sorted[lo] + (h - lo) * (sorted[Math.min(lo + 1, sorted.length - 1)] - sorted[lo]);
    }
}
