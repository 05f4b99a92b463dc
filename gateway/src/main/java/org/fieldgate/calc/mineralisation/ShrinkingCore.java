package org.fieldgate.calc.mineralisation;

/**
 * Fits tau of the shrinking-core models (docs/science.md §3.4) to a mineralised-fraction series X(t).
 *
 * <p>Least squares on tau, in two steps: g(X) = t / tau is a line through the origin in t, so
 * 1/tau = sum g(X_i) t_i / sum t_i^2 gives a closed-form start; then tau is refined by a golden-section search
 * on ln tau (within a factor 4 either side) minimising sum (X_i - X(t_i; tau))^2, i.e. least squares on the
 * measured quantity X rather than on its transform. Fit quality (RMSE and R2) is in X. The better model is the one
 * with the lower RMSE in X. Points with t &lt;= 0 or X &gt;= 1 are left out; long series are thinned evenly
 * to at most 5000 points for the search.
 */
public final class ShrinkingCore {
    private static final int MAX_POINTS = 5000;

    private ShrinkingCore() {
    }

    /**
     * @param model   the kinetic model
     * @param n       points used
     * @param tauS    fitted tau, s (NaN on failure)
     * @param rmseX   RMSE of X
     * @param r2X     R2 of X about its mean
     * @param failure why there is no fit, or null
     */
    public record Fit(KineticModel model, int n, double tauS, double rmseX, double r2X, String failure) {
        /** Predicted X at time t (s since the batch started). */
        public double fractionAt(double tS) {
            return model.fractionAt(tS / tauS);
        }

        public double tauDays() {
            return tauS / 86400.0;
        }
    }

    /** Both models' fits and the better one. */
    public record Comparison(Fit diffusion, Fit reaction, Fit best) {
    }

    public static Comparison fitBoth(double[] tS, double[] x) {
        Fit d = fit(KineticModel.DIFFUSION, tS, x);
        Fit r = fit(KineticModel.REACTION, tS, x);
        Fit best;
        if (d.failure() != null && r.failure() != null) {
            best = d;
        } else if (d.failure() != null) {
            best = r;
        } else if (r.failure() != null) {
            best = d;
        } else {
            best = r.rmseX() < d.rmseX() ? r : d;
        }
        return new Comparison(d, r, best);
    }

    public static Fit fit(KineticModel model, double[] tS, double[] x) {
        if (tS.length != x.length) {
            throw new IllegalArgumentException("tS has " + tS.length + " values but x has " + x.length);
        }
        int usable = 0;
        for (int i = 0; i < tS.length; i++) {
            if (usable(tS[i], x[i])) {
                usable++;
            }
        }
        if (usable < 2) {
            return new Fit(model, usable, Double.NaN, Double.NaN, Double.NaN,
                    "needs at least 2 samples after the start with X < 1, got " + usable);
        }
        int stride = (usable + MAX_POINTS - 1) / MAX_POINTS;
        int n = (usable + stride - 1) / stride;
        double[] t = new double[n];
        double[] xs = new double[n];
        int k = 0;
        int seen = 0;
        for (int i = 0; i < tS.length && k < n; i++) {
            if (usable(tS[i], x[i])) {
                if (seen % stride == 0) {
                    t[k] = tS[i];
                    xs[k] = x[i];
                    k++;
                }
                seen++;
            }
        }
        n = k;
        double sgt = 0;
        double stt = 0;
        for (int i = 0; i < n; i++) {
            sgt += model.g(xs[i]) * t[i];
            stt += t[i] * t[i];
        }
        double inverseTau = sgt / stt;
        if (!(inverseTau > 0)) {
            return new Fit(model, n, Double.NaN, Double.NaN, Double.NaN,
                    "X does not rise with time; no uptake to fit");
        }
        double tau0 = 1 / inverseTau;
        // Golden-section search on ln tau in [tau0/4, tau0*4].
        double lo = Math.log(tau0 / 4);
        double hi = Math.log(tau0 * 4);
        double phi = (Math.sqrt(5) - 1) / 2;
        double a = hi - phi * (hi - lo);
        double b = lo + phi * (hi - lo);
        double fa = rss(model, t, xs, n, Math.exp(a));
        double fb = rss(model, t, xs, n, Math.exp(b));
        for (int iter = 0; iter < 100 && hi - lo > 1e-12; iter++) {
            if (fa <= fb) {
                hi = b;
                b = a;
                fb = fa;
                a = hi - phi * (hi - lo);
                fa = rss(model, t, xs, n, Math.exp(a));
            } else {
                lo = a;
                a = b;
                fa = fb;
                b = lo + phi * (hi - lo);
                fb = rss(model, t, xs, n, Math.exp(b));
            }
        }
        double tau = Math.exp((lo + hi) / 2);
        double rss = rss(model, t, xs, n, tau);
        // Keep the closed-form start if the search did not improve on it (e.g. exact data, flat RSS).
        double rss0 = rss(model, t, xs, n, tau0);
        if (rss0 <= rss) {
            tau = tau0;
            rss = rss0;
        }
        double mean = 0;
        for (int i = 0; i < n; i++) {
            mean += xs[i];
        }
        mean /= n;
        double tss = 0;
        for (int i = 0; i < n; i++) {
            tss += (xs[i] - mean) * (xs[i] - mean);
        }
        return new Fit(model, n, tau, Math.sqrt(rss / n), tss > 0 ? 1 - rss / tss : Double.NaN, null);
    }

    private static boolean usable(double t, double x) {
        return t > 0 && Double.isFinite(x) && x < 1;
    }

    private static double rss(KineticModel model, double[] t, double[] x, int n, double tau) {
        double rss = 0;
        for (int i = 0; i < n; i++) {
            double r = x[i] - model.fractionAt(t[i] / tau);
            rss += r * r;
        }
        return rss;
    }
}
