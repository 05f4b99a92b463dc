package org.fieldgate.calc.flux;

/**
 * Non-linear least-squares fit of the LI-COR exponential (docs/science.md §1.4)
 * <pre>  C'(t) = Cx + (C'0 - Cx) exp(-a (t - t0))</pre>
 * written in the equivalent form
 * <pre>  C'(tau) = C'0 + s (1 - exp(-a tau)) / a,   tau = t - t0,   s = dC'/dt at t0 = a (Cx - C'0)</pre>
 * so that the initial slope s is itself a parameter (its standard error comes straight from the covariance) and
 * the model passes smoothly through a = 0, where it is the straight line C'0 + s tau. That lets one fit cover
 * saturating (a &gt; 0), linear (a ~ 0) and accelerating (a &lt; 0) closures without overflow or a singular
 * Jacobian, and the sign and significance of a decide the model, not whether the fit blew up.
 *
 * <p>All three parameters (C'0, s, a) are fitted: taking C'0 from "the first points" as LI-COR's manual
 * describes biases s whenever those points are noisy, and the three-parameter fit is exact for noiseless data.
 * Method: Levenberg-Marquardt with Jacobi scaling. The start for a comes from the means of C' over the three
 * thirds of the window: for the exponential, (M3 - M2) / (M2 - M1) = exp(-a T/3) whatever the sign of a, and
 * averaging makes it robust to noise; C'0 and s then follow by linear least squares. If LM does not converge from
 * there, a quadratic fit (s ~ q1, a ~ -2 q2 / q1) and then a coarse grid on a give new starts. One pass over the
 * points per trial step, one exp per point: about 10 passes per closure.
 *
 * <p>Stateless; all work arrays are local.
 */
public final class ExponentialFit {
    /** Most LM trials before giving up. */
    private static final int MAX_TRIALS = 200;
    /** Allowed a x tau_max during the search: below -20 exp(-a tau) grows past 5e8; above 60 the curve is a step. */
    private static final double MIN_A_TAU = -20;
    private static final double MAX_A_TAU = 60;
    private static final double[] GRID_A_TAU = {-10, -5, -2, -1, -0.5, -0.1, 0, 0.1, 0.5, 1, 2, 5, 10, 20, 50, 100};

    private ExponentialFit() {
    }

    /**
     * Result of a fit; values are NaN when {@code failure} is set.
     *
     * @param converged        whether the least-squares iteration converged
     * @param failure          why there is no fit, or null
     * @param trials           LM trial steps used
     * @param n                points fitted
     * @param c0Ppm            C'0, fitted C' at t0, ppm
     * @param slopePpmS        s = dC'/dt at t0, ppm s-1
     * @param curvaturePerS    a, s-1
     * @param cxPpm            asymptote Cx = C'0 + s / a, ppm (NaN when a is 0)
     * @param c0SePpm          standard error of C'0
     * @param slopeSePpmS      standard error of s, from sigma^2 (J'J)^-1 with n - 3 degrees of freedom
     * @param curvatureSePerS  standard error of a
     * @param rss              residual sum of squares, ppm^2
     * @param tss              total sum of squares of C' about its mean, ppm^2
     */
    public record Result(boolean converged, String failure, int trials, int n, double c0Ppm, double slopePpmS,
                         double curvaturePerS, double cxPpm, double c0SePpm, double slopeSePpmS,
                         double curvatureSePerS, double rss, double tss) {

        static Result failed(int n, String why) {
            double nan = Double.NaN;
            return new Result(false, why, 0, n, nan, nan, nan, nan, nan, nan, nan, nan, nan);
        }

        /** 1 - rss/tss; NaN when C' did not vary. */
        public double r2() {
            return tss > 0 ? 1 - rss / tss : Double.NaN;
        }

        /** sqrt(rss / n), ppm. */
        public double rmsePpm() {
            return Math.sqrt(rss / n);
        }

        /** a / SE(a); NaN when undefined. */
        public double curvatureTStat() {
            return curvaturePerS / curvatureSePerS;
        }
    }

    /**
     * Fits points (tauS[i], co2DryPpm[i]), i &lt; n, where tauS is time since t0 (the end of the dead band).
     */
    public static Result fit(double[] tauS, double[] co2DryPpm, int n) {
        if (n < 4) {
            return Result.failed(n, "the exponential needs at least 4 points, got " + n);
        }
        double tauMax = 0;
        double yMean = 0;
        for (int i = 0; i < n; i++) {
            tauMax = Math.max(tauMax, Math.abs(tauS[i]));
            yMean += co2DryPpm[i];
        }
        yMean /= n;
        if (!(tauMax > 0)) {
            return Result.failed(n, "all points at the same time");
        }
        // Work on C' minus its mean so sums of squares keep their precision.
        double[] yc = new double[n];
        double tss = 0;
        for (int i = 0; i < n; i++) {
            yc[i] = co2DryPpm[i] - yMean;
            tss += yc[i] * yc[i];
        }
        double rssFloor = n * square(1e-12 * Math.max(1.0, Math.abs(yMean)));

        Lm lm = levenbergMarquardt(tauS, yc, n, tauMax, thirdsStart(tauS, yc, n, tauMax), rssFloor);
        for (int attempt = 0; attempt < 2 && !lm.converged; attempt++) {
            double[] start = attempt == 0 ? quadraticStart(tauS, yc, n, tauMax) : gridStart(tauS, yc, n, tauMax);
            if (start != null) {
                Lm other = levenbergMarquardt(tauS, yc, n, tauMax, start, rssFloor);
                other.trials += lm.trials;
                if (other.converged || other.rss < lm.rss) {
                    lm = other;
                }
            }
        }
        if (!Double.isFinite(lm.rss)) {
            return Result.failed(n, "the exponential fit produced no finite residuals");
        }
        // Covariance sigma^2 (J'J)^-1 at the solution, sigma^2 with n - 3 degrees of freedom.
        double[] a = new double[10];
        double rss = pass(tauS, yc, n, lm.p[0], lm.p[1], lm.p[2], a);
        double[] inv = inverseSymmetric3(a);
        double sigma2 = rss / (n - 3);
        double seC0 = Double.NaN;
        double seS = Double.NaN;
        double seA = Double.NaN;
        if (inv != null) {
            seC0 = Math.sqrt(sigma2 * inv[0]);
            seS = Math.sqrt(sigma2 * inv[3]);
            seA = Math.sqrt(sigma2 * inv[5]);
        }
        double c0 = yMean + lm.p[0];
        double s = lm.p[1];
        double curvature = lm.p[2];
        double cx = curvature != 0 ? c0 + s / curvature : Double.NaN;
        String failure = lm.converged ? null : "the exponential fit did not converge in " + lm.trials + " steps";
        return new Result(lm.converged, failure, lm.trials, n, c0, s, curvature, cx, seC0, seS, seA, rss, tss);
    }

    private static final class Lm {
        final double[] p;
        double rss;
        boolean converged;
        int trials;

        Lm(double[] p) {
            this.p = p;
        }
    }

    private static Lm levenbergMarquardt(double[] tau, double[] yc, int n, double tauMax, double[] start,
                                         double rssFloor) {
        Lm lm = new Lm(start.clone());
        double[] acc = new double[10];
        double[] trialAcc = new double[10];
        double rss = pass(tau, yc, n, lm.p[0], lm.p[1], lm.p[2], acc);
        lm.rss = rss;
        if (!Double.isFinite(rss)) {
            return lm;
        }
        if (rss <= rssFloor) {
            lm.converged = true;
            return lm;
        }
        double lambda = 1e-3;
        int smallSteps = 0;
        double[] step = new double[3];
        while (lm.trials < MAX_TRIALS) {
            lm.trials++;
            if (!dampedStep(acc, lambda, step)) {
                lambda *= 10;
                if (lambda > 1e16) {
                    lm.converged = true; // no direction left to try: stationary to rounding
                    return lm;
                }
                continue;
            }
            double c0 = lm.p[0] + step[0];
            double s = lm.p[1] + step[1];
            double a = lm.p[2] + step[2];
            double aTau = a * tauMax;
            double trialRss = aTau >= MIN_A_TAU && aTau <= MAX_A_TAU
                    ? pass(tau, yc, n, c0, s, a, trialAcc) : Double.POSITIVE_INFINITY;
            if (trialRss < rss) {
                double improvement = rss - trialRss;
                lm.p[0] = c0;
                lm.p[1] = s;
                lm.p[2] = a;
                System.arraycopy(trialAcc, 0, acc, 0, acc.length);
                rss = trialRss;
                lm.rss = rss;
                lambda = Math.max(lambda * 0.1, 1e-12);
                // Converged when the sum of squares stops moving: relative to itself, or by less than 1e-6 of the
                // residual variance (parameters then sit within ~1e-3 standard errors of the optimum), twice
                // running so one short damped step does not end the search.
                boolean small = improvement <= 1e-12 * rss || improvement <= 1e-6 * rss / (n - 3);
                smallSteps = small ? smallSteps + 1 : 0;
                if (rss <= rssFloor || smallSteps >= 2) {
                    lm.converged = true;
                    return lm;
                }
            } else {
                lambda *= 10;
                if (lambda > 1e16) {
                    lm.converged = true; // no step lowers the sum of squares: a minimum to rounding
                    return lm;
                }
            }
        }
        return lm;
    }

    /**
     * One pass over the points at (c0, s, a): returns the residual sum of squares and fills
     * acc[0..5] = J'J (upper triangle: 00 01 02 11 12 22) and acc[6..8] = J'r.
     */
    static double pass(double[] tau, double[] yc, int n, double c0, double s, double a, double[] acc) {
        double j00 = 0, j01 = 0, j02 = 0, j11 = 0, j12 = 0, j22 = 0, r0 = 0, r1 = 0, r2 = 0, rss = 0;
        for (int i = 0; i < n; i++) {
            double t = tau[i];
            double x = a * t;
            double h;
            double hp;
            if (Math.abs(x) < 1e-2) {
                // Series of h(x) = (1 - e^-x)/x and h'(x); the closed forms cancel badly near 0.
                double x2 = x * x;
                h = 1 - x / 2 + x2 / 6 - x2 * x / 24 + x2 * x2 / 120;
                hp = -0.5 + x / 3 - x2 / 8 + x2 * x / 30 - x2 * x2 / 144;
            } else {
                double e = Math.exp(-x);
                h = (1 - e) / x;
                hp = (e * (1 + x) - 1) / (x * x);
            }
            double g = t * h;              // d model / d s
            double ga = s * t * t * hp;    // d model / d a
            double r = yc[i] - c0 - s * g;
            rss += r * r;
            j00 += 1;
            j01 += g;
            j02 += ga;
            j11 += g * g;
            j12 += g * ga;
            j22 += ga * ga;
            r0 += r;
            r1 += g * r;
            r2 += ga * r;
        }
        acc[0] = j00;
        acc[1] = j01;
        acc[2] = j02;
        acc[3] = j11;
        acc[4] = j12;
        acc[5] = j22;
        acc[6] = r0;
        acc[7] = r1;
        acc[8] = r2;
        return Double.isNaN(rss) ? Double.POSITIVE_INFINITY : rss;
    }

    /** Solves (D^-1/2 A D^-1/2 + lambda I) u = D^-1/2 b, step = D^-1/2 u (Marquardt with Jacobi scaling). */
    private static boolean dampedStep(double[] acc, double lambda, double[] step) {
        double d0 = acc[0] > 0 ? 1 / Math.sqrt(acc[0]) : 0;
        double d1 = acc[3] > 0 ? 1 / Math.sqrt(acc[3]) : 0;
        double d2 = acc[5] > 0 ? 1 / Math.sqrt(acc[5]) : 0;
        double[] m = {
            (acc[0] > 0 ? 1 : 0) + lambda, acc[1] * d0 * d1, acc[2] * d0 * d2,
            (acc[3] > 0 ? 1 : 0) + lambda, acc[4] * d1 * d2,
            (acc[5] > 0 ? 1 : 0) + lambda};
        double[] inv = inverseSymmetric3(m);
        if (inv == null) {
            return false;
        }
        double b0 = acc[6] * d0;
        double b1 = acc[7] * d1;
        double b2 = acc[8] * d2;
        step[0] = d0 * (inv[0] * b0 + inv[1] * b1 + inv[2] * b2);
        step[1] = d1 * (inv[1] * b0 + inv[3] * b1 + inv[4] * b2);
        step[2] = d2 * (inv[2] * b0 + inv[4] * b1 + inv[5] * b2);
        return Double.isFinite(step[0]) && Double.isFinite(step[1]) && Double.isFinite(step[2]);
    }

    /**
     * Inverse of the symmetric 3x3 matrix given as its upper triangle (00 01 02 11 12 22), returned the same way;
     * null when singular. Scales to unit diagonal first so parameters of very different size stay accurate.
     */
    static double[] inverseSymmetric3(double[] m) {
        if (!(m[0] > 0 && m[3] > 0 && m[5] > 0)) {
            return null;
        }
        double d0 = 1 / Math.sqrt(m[0]);
        double d1 = 1 / Math.sqrt(m[3]);
        double d2 = 1 / Math.sqrt(m[5]);
        double a = 1, b = m[1] * d0 * d1, c = m[2] * d0 * d2, d = 1, e = m[4] * d1 * d2, f = 1;
        double c00 = d * f - e * e;
        double c01 = c * e - b * f;
        double c02 = b * e - c * d;
        double c11 = a * f - c * c;
        double c12 = b * c - a * e;
        double c22 = a * d - b * b;
        double det = a * c00 + b * c01 + c * c02;
        if (!(det > 1e-14)) {
            return null;
        }
        return new double[] {
            c00 / det * d0 * d0, c01 / det * d0 * d1, c02 / det * d0 * d2,
            c11 / det * d1 * d1, c12 / det * d1 * d2,
            c22 / det * d2 * d2};
    }

    /** Start from the means of the three thirds of the window; returns (c0, s, a). */
    private static double[] thirdsStart(double[] tau, double[] yc, int n, double tauMax) {
        double tauMin = Double.POSITIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            tauMin = Math.min(tauMin, tau[i]);
        }
        double third = (tauMax - tauMin) / 3;
        double[] sum = new double[3];
        int[] count = new int[3];
        for (int i = 0; i < n; i++) {
            int k = third > 0 ? Math.min(2, (int) ((tau[i] - tauMin) / third)) : 0;
            sum[k] += yc[i];
            count[k]++;
        }
        double aTau = 0;
        if (count[0] > 0 && count[1] > 0 && count[2] > 0) {
            double m1 = sum[0] / count[0];
            double m2 = sum[1] / count[1];
            double m3 = sum[2] / count[2];
            double ratio = (m3 - m2) / (m2 - m1);
            if (ratio > 0 && Double.isFinite(ratio)) {
                aTau = -3 * Math.log(ratio) * tauMax / (tauMax - tauMin);
            }
        }
        aTau = Math.max(-10, Math.min(50, aTau));
        return linearStart(tau, yc, n, aTau / tauMax);
    }

    /** C'0 and s by linear least squares at a fixed a; returns (c0, s, a), or null when degenerate. */
    private static double[] linearStart(double[] tau, double[] yc, int n, double a) {
        double sg = 0, sgg = 0, sy = 0, sgy = 0;
        for (int i = 0; i < n; i++) {
            double x = a * tau[i];
            double g = Math.abs(x) < 1e-8 ? tau[i] : tau[i] * (1 - Math.exp(-x)) / x;
            sg += g;
            sgg += g * g;
            sy += yc[i];
            sgy += g * yc[i];
        }
        double det = n * sgg - sg * sg;
        if (!(det > 0)) {
            return new double[] {0, 0, a};
        }
        double s = (n * sgy - sg * sy) / det;
        return new double[] {(sy - s * sg) / n, s, a};
    }

    /** Least-squares quadratic in u = tau/tauMax; returns the start (c0, s, a). */
    private static double[] quadraticStart(double[] tau, double[] yc, int n, double tauMax) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, b0 = 0, b1 = 0, b2 = 0;
        for (int i = 0; i < n; i++) {
            double u = tau[i] / tauMax;
            double u2 = u * u;
            s0 += 1;
            s1 += u;
            s2 += u2;
            s3 += u2 * u;
            s4 += u2 * u2;
            b0 += yc[i];
            b1 += u * yc[i];
            b2 += u2 * yc[i];
        }
        double[] inv = inverseSymmetric3(new double[] {s0, s1, s2, s2, s3, s4});
        if (inv == null) {
            return new double[] {0, 0, 0};
        }
        double q0 = inv[0] * b0 + inv[1] * b1 + inv[2] * b2;
        double q1 = inv[1] * b0 + inv[3] * b1 + inv[4] * b2;
        double q2 = inv[2] * b0 + inv[4] * b1 + inv[5] * b2;
        double aTau = q1 != 0 ? -2 * q2 / q1 : 0;
        // The quadratic only knows the start of the curve; keep the start well inside the search range.
        aTau = Math.max(-5, Math.min(20, Double.isFinite(aTau) ? aTau : 0));
        return new double[] {q0, q1 / tauMax, aTau / tauMax};
    }

    /** Best start over a coarse grid of a, with C'0 and s solved by linear least squares at each a. */
    private static double[] gridStart(double[] tau, double[] yc, int n, double tauMax) {
        double bestRss = Double.POSITIVE_INFINITY;
        double[] best = null;
        double[] acc = new double[10];
        for (double aTau : GRID_A_TAU) {
            double[] p = linearStart(tau, yc, n, aTau / tauMax);
            double rss = pass(tau, yc, n, p[0], p[1], p[2], acc);
            if (rss < bestRss) {
                bestRss = rss;
                best = p;
            }
        }
        return best;
    }

    private static double square(double v) {
        return v * v;
    }
}
