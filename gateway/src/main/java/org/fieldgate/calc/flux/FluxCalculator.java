package org.fieldgate.calc.flux;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import org.fieldgate.calc.Constants;
import org.fieldgate.calc.LinearRegression;

/**
 * Chamber flux per closure, LI-COR LI-8100A formulation (docs/science.md §1.3-§1.5):
 * <pre>  F = 10 V P0 (1 - W0/1000) / (R S (T0 + 273.15)) * dC'/dt</pre>
 * with C' = C / (1 - W/1000) and dC'/dt from a linear or exponential fit over the observation window.
 *
 * <p>Model choice: the exponential is used only when its curvature a is positive, significant
 * (a / SE(a) &gt;= {@link FluxOptions#curvatureTStat()}), visible (it bends C' away from its tangent at t0 by more
 * than the analyser precision over the window), in range (a x window &lt;=
 * {@link FluxOptions#maxCurvatureTimesWindow()}) and its AIC is lower than the line's. Otherwise the line is used
 * and the reason says which condition failed. Reasoning: a saturating curve is what diffusion into a closed
 * headspace produces, and then the linear slope underestimates the initial flux; but on noisy or nearly linear
 * closures the exponential's initial slope has a much larger variance, so we pay for it only when the data show
 * the curvature.
 *
 * <p>P0, T0, W0 are the values of the first sample in the window (at or just after t0).
 * Stateless and thread-safe.
 */
public final class FluxCalculator {
    private final FluxOptions options;

    public FluxCalculator(FluxOptions options) {
        this.options = options;
    }

    public FluxOptions options() {
        return options;
    }

    /** Estimates the flux of one closure; never throws for data it cannot fit, it says why in the estimate. */
    public FluxEstimate estimate(ChamberClosure closure) {
        String id = closure.closureId();
        String chamber = closure.chamberId();
        EnumSet<FluxQc> flags = EnumSet.noneOf(FluxQc.class);
        List<ChamberSample> samples = new ArrayList<>(closure.samples());
        if (samples.isEmpty()) {
            return FluxEstimate.failed(id, chamber, "the closure has no samples", 0, EnumSet.of(FluxQc.TOO_FEW_POINTS));
        }
        samples.sort(Comparator.comparingDouble(ChamberSample::timeS));
        for (int i = 1; i < samples.size(); i++) {
            if (samples.get(i).timeS() == samples.get(i - 1).timeS()) {
                return FluxEstimate.failed(id, chamber, "two samples at time_s " + fmt(samples.get(i).timeS())
                        + "; times must be distinct", 0, flags);
            }
        }
        double tStart = samples.get(0).timeS();
        double t0 = tStart + options.deadBandS();
        double tEnd = t0 + options.observationS();
        int first = 0;
        while (first < samples.size() && samples.get(first).timeS() < t0) {
            first++;
        }
        int last = first;
        while (last < samples.size() && samples.get(last).timeS() <= tEnd) {
            last++;
        }
        int n = last - first;

        // Drift is judged over the whole closure up to the end of the window, dead band included.
        checkDrift(samples, Math.max(last, 1), flags);
        checkAmbient(samples.get(0), flags);

        if (n < options.minPoints()) {
            flags.add(FluxQc.TOO_FEW_POINTS);
        }
        if (n < 3) {
            return FluxEstimate.failed(id, chamber, String.format(Locale.ROOT,
                    "%d sample(s) between t0 = %s s and %s s (dead band %s s, observation %s s; the closure spans %s s);"
                            + " at least 3 are needed for a fit",
                    n, fmt(t0 - tStart), fmt(tEnd - tStart), fmt(options.deadBandS()), fmt(options.observationS()),
                    fmt(samples.get(samples.size() - 1).timeS() - tStart)), n, flags);
        }

        double[] tau = new double[n];
        double[] c = new double[n];
        for (int i = 0; i < n; i++) {
            ChamberSample s = samples.get(first + i);
            tau[i] = s.timeS() - t0;
            c[i] = s.co2DryPpm();
        }
        checkGaps(tau, n, flags);

        LinearRegression line = LinearRegression.fit(tau, c, 0, n);
        // The line's slope at t0 is its slope; the exponential's is its parameter s.
        ExponentialFit.Result exp = n >= 6 ? ExponentialFit.fit(tau, c, n) : null;
        double rssFloor = n * Math.pow(1e-12 * Math.max(1.0, Math.abs(line.intercept())), 2);
        double aicLinear = aic(line.rss(), n, 2, rssFloor);
        double aicExp = exp != null && exp.failure() == null ? aic(exp.rss(), n, 3, rssFloor) : Double.NaN;

        Choice choice = choose(line, exp, aicLinear, aicExp, tau[n - 1], flags);
        ChamberSample at0 = samples.get(first);
        ChamberGeometry g = closure.geometry();
        // docs/science.md §1.3: 10 V P0 (1 - W0/1000) / (R S (T0 + 273.15)); 10 = Pa/kPa * m3/cm3 / (m2/cm2)
        double factor = 10.0 * g.volumeCm3() * at0.pressureKpa() * (1 - at0.h2oMmolMol() / 1000.0)
                / (Constants.R_PA_M3_PER_K_MOL * g.areaCm2() * (at0.tempC() + Constants.ZERO_C_IN_K));
        double observedS = tau[n - 1];
        double flux = factor * choice.slope;
        double se = factor * choice.slopeSe;
        // docs/science.md §1.7: MDF ~ (precision / observation time) x (V P / (R S T)), scaled like F.
        double mdf = factor * options.analyserPrecisionPpm() / observedS;

        if (!(choice.r2 >= options.r2Threshold())) {
            flags.add(FluxQc.LOW_R2);
        }
        if (Math.abs(flux) < mdf) {
            flags.add(FluxQc.BELOW_MDF);
        }
        checkDrops(c, n, choice.slope, flags);

        return new FluxEstimate(id, chamber, choice.model, choice.reason, flux, se, mdf, choice.r2, choice.rmse,
                choice.slope, choice.slopeSe, n, observedS, factor, line, exp, aicLinear, aicExp, flags, null);
    }

    private record Choice(FluxModel model, String reason, double slope, double slopeSe, double r2, double rmse) {
    }

    private Choice choose(LinearRegression line, ExponentialFit.Result exp, double aicLinear, double aicExp,
                          double windowS, EnumSet<FluxQc> flags) {
        Choice linear = new Choice(FluxModel.LINEAR, null, line.slope(), line.slopeSe(), line.r2(), line.rmse());
        if (exp == null) {
            return withReason(linear, "linear: too few points for the exponential (" + line.n() + " < 6)");
        }
        if (exp.failure() != null) {
            return withReason(linear, "linear: " + exp.failure());
        }
        double a = exp.curvaturePerS();
        double t = exp.curvatureTStat();
        boolean significant = Math.abs(t) >= options.curvatureTStat();
        double aWindow = a * windowS;
        // Diagnostics of the exponential are flagged only when its curvature is real, not noise around zero: it
        // must be significant and bend the curve away from its tangent by more than the analyser can resolve.
        // On a noiseless straight closure rounding leaves a ~ 1e-14 s-1 with a "significant" t, bending 1e-9 ppm.
        boolean visible = bendPpm(exp.slopePpmS(), a, windowS) > options.analyserPrecisionPpm();
        if (significant && visible && a < 0) {
            flags.add(FluxQc.NEGATIVE_CURVATURE);
        }
        if (significant && aWindow > options.maxCurvatureTimesWindow()) {
            flags.add(FluxQc.CURVATURE_OUT_OF_RANGE);
        }
        if (significant && visible && exp.slopePpmS() > 0 && exp.cxPpm() < exp.c0Ppm()) {
            flags.add(FluxQc.CX_BELOW_C0);
        }
        String stats = String.format(Locale.ROOT, "a = %.4g s-1, a/SE = %.3g, AIC exp %.4g vs linear %.4g",
                a, t, aicExp, aicLinear);
        if (!significant) {
            return withReason(linear, "linear: curvature not significant (" + stats + ")");
        }
        if (!visible) {
            return withReason(linear, String.format(Locale.ROOT,
                    "linear: curvature bends C' by %.3g ppm over the window, below the analyser precision %s ppm (%s)",
                    bendPpm(exp.slopePpmS(), a, windowS), fmt(options.analyserPrecisionPpm()), stats));
        }
        if (a <= 0) {
            return withReason(linear, "linear: curvature negative, C' accelerates (" + stats + ")");
        }
        if (aWindow > options.maxCurvatureTimesWindow()) {
            return withReason(linear, String.format(Locale.ROOT,
                    "linear: curvature out of range, a x window = %.3g > %.3g (%s)",
                    aWindow, options.maxCurvatureTimesWindow(), stats));
        }
        if (!(aicExp < aicLinear)) {
            return withReason(linear, "linear: exponential AIC not lower (" + stats + ")");
        }
        return new Choice(FluxModel.EXPONENTIAL, "exponential: curvature positive and significant, AIC lower (" + stats + ")",
                exp.slopePpmS(), exp.slopeSePpmS(), exp.r2(), exp.rmsePpm());
    }

    /**
     * How far the exponential C'(t) departs from its tangent at t0 by the end of the window, ppm:
     * |s/a (a T - 1 + exp(-a T))|, about |s a| T^2 / 2 for small a T.
     */
    static double bendPpm(double slopePpmS, double aPerS, double windowS) {
        double x = aPerS * windowS;
        double bend = Math.abs(x) < 1e-6 ? x * windowS / 2 : (x - 1 + Math.exp(-x)) / aPerS;
        return Math.abs(slopePpmS * bend);
    }

    private static Choice withReason(Choice c, String reason) {
        return new Choice(c.model, reason, c.slope, c.slopeSe, c.r2, c.rmse);
    }

    /** AIC for Gaussian residuals, n ln(RSS/n) + 2k; RSS floored so exact data compare on parameter count. */
    private static double aic(double rss, int n, int k, double rssFloor) {
        return n * Math.log(Math.max(rss, rssFloor) / n) + 2 * k;
    }

    private void checkDrift(List<ChamberSample> samples, int end, EnumSet<FluxQc> flags) {
        double tMin = Double.POSITIVE_INFINITY, tMax = Double.NEGATIVE_INFINITY;
        double pMin = Double.POSITIVE_INFINITY, pMax = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < end; i++) {
            ChamberSample s = samples.get(i);
            tMin = Math.min(tMin, s.tempC());
            tMax = Math.max(tMax, s.tempC());
            pMin = Math.min(pMin, s.pressureKpa());
            pMax = Math.max(pMax, s.pressureKpa());
        }
        if (tMax - tMin > options.maxTempDriftC()) {
            flags.add(FluxQc.TEMPERATURE_DRIFT);
        }
        if (pMax - pMin > options.maxPressureDriftKpa()) {
            flags.add(FluxQc.PRESSURE_DRIFT);
        }
    }

    private void checkAmbient(ChamberSample atClosing, EnumSet<FluxQc> flags) {
        double ambient = options.ambientCo2Ppm();
        if (!Double.isNaN(ambient) && Math.abs(atClosing.co2DryPpm() - ambient) > options.ambientTolerancePpm()) {
            flags.add(FluxQc.AMBIENT_MISMATCH);
        }
    }

    private void checkGaps(double[] tau, int n, EnumSet<FluxQc> flags) {
        double maxGap = options.maxGapS();
        if (Double.isNaN(maxGap)) {
            double[] steps = new double[n - 1];
            for (int i = 1; i < n; i++) {
                steps[i - 1] = tau[i] - tau[i - 1];
            }
            Arrays.sort(steps);
            maxGap = 3 * steps[steps.length / 2];
        }
        boolean gap = tau[0] > maxGap; // window starts late
        for (int i = 1; i < n && !gap; i++) {
            gap = tau[i] - tau[i - 1] > maxGap;
        }
        if (gap) {
            flags.add(FluxQc.GAPS);
        }
    }

    /** C' moving against the closure's direction (below its running maximum for a rising closure). */
    private void checkDrops(double[] c, int n, double slope, EnumSet<FluxQc> flags) {
        double tolerance = options.effectiveDropTolerancePpm();
        double sign = slope >= 0 ? 1 : -1;
        double extreme = sign * c[0];
        for (int i = 1; i < n; i++) {
            double v = sign * c[i];
            if (extreme - v > tolerance) {
                flags.add(FluxQc.CO2_DROPS);
                return;
            }
            extreme = Math.max(extreme, v);
        }
    }

    private static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
