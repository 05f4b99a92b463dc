package org.fieldgate.calc.decomposition;

import org.fieldgate.calc.Constants;
import org.fieldgate.calc.LinearRegression;

/**
 * Temperature normalisation of respiration (docs/science.md §2.3), both fitted by ordinary least squares of ln R:
 * <pre>
 *   Q10:          ln R = ln Rref + ((T - Tref)/10) ln Q10                      (T, Tref in degC)
 *   Lloyd-Taylor: ln R = ln Rref + E0 (1/(Tref - T0) - 1/(T - T0))           (T, Tref, T0 in K)
 * </pre>
 * Fitting in log space weights every day by its relative error, which suits a flux whose noise grows with it;
 * days with R &lt;= 0 have no logarithm and are left out (their count is reported). Fit quality is R2 and RMSE in
 * log space.
 */
public final class TemperatureResponse {
    /** Reference temperature of the Q10 model, degC. */
    public static final double Q10_TREF_C = 10.0;
    /** Lloyd-Taylor reference temperature, K (docs/science.md §2.3). */
    public static final double LT_TREF_K = 283.15;
    /** Lloyd-Taylor T0, K (docs/science.md §2.3). */
    public static final double LT_T0_K = 227.13;

    private TemperatureResponse() {
    }

    /**
     * @param n              days used
     * @param excluded       days left out (R &lt;= 0 or no temperature)
     * @param q10            fitted Q10 (dimensionless)
     * @param q10Se          its standard error (delta method: 10 Q10 SE(slope))
     * @param rrefUmolM2S    R at 10 degC, umol m-2 s-1
     * @param r2Log          R2 of the regression of ln R on T
     * @param rmseLog        RMSE of ln R
     * @param failure        why there is no fit, or null
     * @param lnRrefSe       standard error of ln Rref (the regression's intercept), for its interval (§7.3)
     */
    public record Q10Fit(int n, int excluded, double q10, double q10Se, double rrefUmolM2S, double r2Log,
                         double rmseLog, String failure, double lnRrefSe) {
        /** R(T) = Rref Q10^((T - 10)/10). */
        public double predictUmolM2S(double tempC) {
            return rrefUmolM2S * Math.pow(q10, (tempC - Q10_TREF_C) / 10.0);
        }
    }

    /**
     * @param n              days used
     * @param excluded       days left out (R &lt;= 0, no temperature, or T &lt;= T0)
     * @param e0K            fitted E0, K
     * @param e0SeK          its standard error
     * @param rrefUmolM2S    R at Tref = 283.15 K, umol m-2 s-1
     * @param r2Log          R2 of ln R
     * @param rmseLog        RMSE of ln R
     * @param failure        why there is no fit, or null
     */
    public record LloydTaylorFit(int n, int excluded, double e0K, double e0SeK, double rrefUmolM2S, double r2Log,
                                 double rmseLog, String failure) {
        /** R(T) = Rref exp(E0 (1/(Tref - T0) - 1/(T - T0))). */
        public double predictUmolM2S(double tempC) {
            double tK = tempC + Constants.ZERO_C_IN_K;
            return rrefUmolM2S * Math.exp(e0K * (1 / (LT_TREF_K - LT_T0_K) - 1 / (tK - LT_T0_K)));
        }
    }

    public static Q10Fit fitQ10(double[] tempC, double[] respirationUmolM2S) {
        int len = tempC.length;
        double[] x = new double[len];
        double[] y = new double[len];
        int n = 0;
        for (int i = 0; i < len; i++) {
            if (respirationUmolM2S[i] > 0 && Double.isFinite(tempC[i])) {
                x[n] = tempC[i] - Q10_TREF_C;
                y[n] = Math.log(respirationUmolM2S[i]);
                n++;
            }
        }
        int excluded = len - n;
        String why = unfit(x, n);
        if (why != null) {
            return new Q10Fit(n, excluded, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, why,
                    Double.NaN);
        }
        LinearRegression fit = LinearRegression.fit(x, y, 0, n);
        double q10 = Math.exp(10 * fit.slope());
        return new Q10Fit(n, excluded, q10, 10 * q10 * fit.slopeSe(), Math.exp(fit.intercept()), fit.r2(),
                fit.rmse(), null, fit.interceptSe());
    }

    public static LloydTaylorFit fitLloydTaylor(double[] tempC, double[] respirationUmolM2S) {
        int len = tempC.length;
        double[] x = new double[len];
        double[] y = new double[len];
        int n = 0;
        double base = 1 / (LT_TREF_K - LT_T0_K);
        for (int i = 0; i < len; i++) {
            double tK = tempC[i] + Constants.ZERO_C_IN_K;
            if (respirationUmolM2S[i] > 0 && Double.isFinite(tK) && tK > LT_T0_K) {
                x[n] = base - 1 / (tK - LT_T0_K);
                y[n] = Math.log(respirationUmolM2S[i]);
                n++;
            }
        }
        int excluded = len - n;
        String why = unfit(x, n);
        if (why != null) {
            return new LloydTaylorFit(n, excluded, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, why);
        }
        LinearRegression fit = LinearRegression.fit(x, y, 0, n);
        return new LloydTaylorFit(n, excluded, fit.slope(), fit.slopeSe(), Math.exp(fit.intercept()), fit.r2(),
                fit.rmse(), null);
    }

    private static String unfit(double[] x, int n) {
        if (n < 3) {
            return "needs at least 3 days with respiration > 0 and a temperature, got " + n;
        }
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            min = Math.min(min, x[i]);
            max = Math.max(max, x[i]);
        }
        return max > min ? null : "temperature does not vary across the " + n + " days";
    }
}
