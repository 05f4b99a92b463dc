package org.fieldgate.calc.mineralisation;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.fieldgate.calc.Constants;
import org.fieldgate.calc.InvalidInputException;

/**
 * Mineralisation house accounting for one batch (science README §3): mass-balance uptake integrated by
 * trapezoid over valid samples, X(t) = U / (M Pot), shrinking-core kinetics, net removal after energy and
 * handling, and replacement-cycle advice. Stateless and thread-safe.
 *
 * <p>Gaps: an interval between consecutive valid samples longer than {@link HouseOptions#maxGapS()} is not
 * integrated (uptake during it is not counted, which understates removal rather than inventing it); it is
 * counted and its length reported. Fan energy across such an interval is filled at the higher of the two
 * bracketing powers, so the deduction errs on the side of more emissions.
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
        double tFirst = Double.NaN;
        double tPrev = Double.NaN;
        double ratePrev = Double.NaN;
        for (HouseSample s : samples) {
            if (!s.validForUptake()) {
                continue;
            }
            valid++;
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

        // Energy: trapezoid over samples with power; gaps filled at the higher bracketing power.
        double energyKwh = 0;
        double energyGapKwh = 0;
        double pPrev = Double.NaN;
        double tpPrev = Double.NaN;
        for (HouseSample s : samples) {
            if (Double.isNaN(s.powerKw())) {
                continue;
            }
            if (!Double.isNaN(tpPrev)) {
                double dt = s.timeS() - tpPrev;
                if (dt > maxGap) {
                    energyGapKwh += Math.max(s.powerKw(), pPrev) * dt / Constants.SECONDS_PER_HOUR;
                } else {
                    energyKwh += 0.5 * (s.powerKw() + pPrev) * dt / Constants.SECONDS_PER_HOUR;
                }
            }
            tpPrev = s.timeS();
            pPrev = s.powerKw();
        }
        energyKwh += energyGapKwh;

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
            // Mean fan power over the logged span stands for the fans' draw in any cycle.
            double spanH = spanS / Constants.SECONDS_PER_HOUR;
            double meanPowerKw = spanH > 0 ? energyKwh / spanH : 0;
            advice = ReplacementAdvice.advise(best, capacityKg, options.handlingKgCo2PerBatch(), meanPowerKw,
                    options.gridKgCo2PerKwh(), options.candidateCyclesYr(), spanS / Constants.SECONDS_PER_DAY);
        }
        double integratedH = integratedS / Constants.SECONDS_PER_HOUR;
        return new MineralisationResult(samples.size(), valid, gaps, gapS, integratedS, spanS, u,
                integratedH > 0 ? u / integratedH : Double.NaN, u / capacityKg, energyKwh, energyGapKwh, energyKg,
                options.handlingKgCo2PerBatch(), net, kinetics, options.cycleDays(), xCycle, advice);
    }
}
