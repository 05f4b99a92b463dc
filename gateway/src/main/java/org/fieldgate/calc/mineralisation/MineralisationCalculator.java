package org.fieldgate.calc.mineralisation;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.fieldgate.calc.Constants;
import org.fieldgate.calc.InvalidInputException;

/**
 * Mineralisation house accounting for one batch (docs/science.md §3.2-§3.6): mass-balance uptake integrated by
 * trapezoid over valid samples, X(t) = U / (M Pot), shrinking-core kinetics, net removal after energy and
 * handling, and replacement-cycle advice. Stateless and thread-safe.
 *
 * <p>Gaps: an interval between consecutive valid samples longer than {@link HouseOptions#maxGapS()} is not
 * integrated (uptake during it is not counted, which understates removal rather than inventing it); it is
 * counted and its length reported. Fan energy is deducted over exactly the time whose uptake is counted, so gross
 * and net cover one period: energy over uptake gaps (and before the first / after the last valid sample) is
 * reported as {@link MineralisationResult#energyNotCountedKwh()}, never deducted against uptake that was not counted
 * either. Within the counted time, a gap in the power log alone is filled at the higher of the two bracketing
 * powers, so the deduction errs on the side of more emissions.
 *
 * <p>Samples whose outlet CO2 is above the inlet's (negative uptake: a sensor offset, or CO2 released) are kept in
 * the sums, since dropping them would bias uptake upwards, and counted in
 * {@link MineralisationResult#samplesOutletAboveInlet()}.
 */
public final class MineralisationCalculator {
    private final HouseOptions options;

    public MineralisationCalculator(HouseOptions options) {
        this.options = options;
    }

    public MineralisationResult calculate(List<HouseSample> input) {
        List<HouseSample> samples = new ArrayList<>(input);
        samples.sort(Comparator.comparingDouble(HouseSample::timeS));
        double maxGap = options.maxGapS();

        // Uptake: trapezoid over consecutive valid samples; X(t) series at each valid sample.
        List<double[]> series = new ArrayList<>(); // {t since start, U}
        int valid = 0;
        int gaps = 0;
        double gapS = 0;
        double integratedS = 0;
        double u = 0;
        int outletAboveInlet = 0;
        List<double[]> counted = new ArrayList<>(); // {from, to} intervals whose uptake is integrated
        double tFirst = Double.NaN;
        double tPrev = Double.NaN;
        double ratePrev = Double.NaN;
        for (HouseSample s : samples) {
            if (!s.validForUptake()) {
                continue;
            }
            valid++;
            if (s.co2OutPpm() > s.co2InPpm()) {
                outletAboveInlet++;
            }
            double rate = s.uptakeKgCo2PerS();
            if (Double.isNaN(tPrev)) {
                tFirst = s.timeS();
            } else {
                double dt = s.timeS() - tPrev;
                if (dt > maxGap) {
                    gaps++;
                    gapS += dt;
                } else {
                    u += 0.5 * (rate + ratePrev) * dt;
                    integratedS += dt;
                    counted.add(new double[] {tPrev, s.timeS()});
                }
            }
            series.add(new double[] {s.timeS() - tFirst, u});
            tPrev = s.timeS();
            ratePrev = rate;
        }
        if (valid < 2) {
            throw new InvalidInputException("samples", valid + " valid",
                    "must include at least 2 samples with flow, CO2 in and out, temperature and pressure");
        }
        double spanS = tPrev - tFirst;

        // Energy: piecewise-linear power between power samples (a power gap at the higher bracketing power),
        // integrated over the counted uptake intervals only; the rest is reported, not deducted.
        double totalKwh = 0;
        double energyKwh = 0;
        double energyGapKwh = 0;
        double pPrev = Double.NaN;
        double tpPrev = Double.NaN;
        int next = 0; // first counted interval that may still overlap a later power interval
        for (HouseSample s : samples) {
            if (Double.isNaN(s.powerKw())) {
                continue;
            }
            if (!Double.isNaN(tpPrev) && s.timeS() > tpPrev) {
                double a = tpPrev;
                double b = s.timeS();
                boolean powerGap = b - a > maxGap;
                double pa = powerGap ? Math.max(pPrev, s.powerKw()) : pPrev;
                double pb = powerGap ? pa : s.powerKw();
                totalKwh += 0.5 * (pa + pb) * (b - a) / Constants.SECONDS_PER_HOUR;
                while (next < counted.size() && counted.get(next)[1] <= a) {
                    next++;
                }
                for (int k = next; k < counted.size() && counted.get(k)[0] < b; k++) {
                    double lo = Math.max(a, counted.get(k)[0]);
                    double hi = Math.min(b, counted.get(k)[1]);
                    if (hi > lo) {
                        double kwh = 0.5 * (powerAt(a, pa, b, pb, lo) + powerAt(a, pa, b, pb, hi)) * (hi - lo)
                                / Constants.SECONDS_PER_HOUR;
                        energyKwh += kwh;
                        if (powerGap) {
                            energyGapKwh += kwh;
                        }
                    }
                }
            }
            tpPrev = s.timeS();
            pPrev = s.powerKw();
        }
        double energyNotCountedKwh = Math.max(0, totalKwh - energyKwh);

        double capacityKg = options.rockKg() * options.potentialKgCo2PerKg();
        double[] t = new double[series.size()];
        double[] x = new double[series.size()];
        for (int i = 0; i < t.length; i++) {
            t[i] = series.get(i)[0];
            x[i] = series.get(i)[1] / capacityKg;
        }
        ShrinkingCore.Comparison kinetics = ShrinkingCore.fitBoth(t, x);
        double energyKg = energyKwh * options.gridKgCo2PerKwh();
        double net = u - energyKg - options.handlingKgCo2PerBatch();
        double cycleS = options.cycleDays() * Constants.SECONDS_PER_DAY;
        ShrinkingCore.Fit best = kinetics.best();
        double xCycle = best.failure() == null ? best.fractionAt(cycleS) : Double.NaN;

        ReplacementAdvice advice = null;
        if (best.failure() == null) {
            // Mean fan power over the counted time stands for the fans' draw in any cycle.
            double countedH = integratedS / Constants.SECONDS_PER_HOUR;
            double meanPowerKw = countedH > 0 ? energyKwh / countedH : 0;
            advice = ReplacementAdvice.advise(best, capacityKg, options.handlingKgCo2PerBatch(), meanPowerKw,
                    options.gridKgCo2PerKwh(), options.candidateCyclesYr(), spanS / Constants.SECONDS_PER_DAY);
        }
        double integratedH = integratedS / Constants.SECONDS_PER_HOUR;
        return new MineralisationResult(samples.size(), valid, gaps, gapS, integratedS, spanS, u,
                integratedH > 0 ? u / integratedH : Double.NaN, u / capacityKg, energyKwh, energyGapKwh,
                energyNotCountedKwh, energyKg, options.handlingKgCo2PerBatch(), net, outletAboveInlet, kinetics, options.cycleDays(), xCycle, advice);
    }

    private static double powerAt(double a, double pa, double b, double pb, double t) {
        return pa + (pb - pa) * (t - a) / (b - a);
    }

    /**
     * Median interval between consecutive samples valid for uptake, s (NaN with fewer than two): the logging
     * interval, which {@link HouseOptions#maxGapS()} must exceed for anything to be integrated.
     */
    public static double medianValidIntervalS(List<HouseSample> input) {
        double[] times = input.stream().filter(HouseSample::validForUptake).mapToDouble(HouseSample::timeS)
                .sorted().toArray();
        if (times.length < 2) {
            return Double.NaN;
        }
        double[] steps = new double[times.length - 1];
        for (int i = 1; i < times.length; i++) {
            steps[i - 1] = times[i] - times[i - 1];
        }
        java.util.Arrays.sort(steps);
        int m = steps.length / 2;
        return steps.length % 2 == 1 ? steps[m] : 0.5 * (steps[m - 1] + steps[m]);
    }
}
