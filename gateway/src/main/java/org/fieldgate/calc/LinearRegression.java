package org.fieldgate.calc;

/**
 * Ordinary least squares y = intercept + slope * x, computed on centred data so that a large offset (CO2 near
 * 420 ppm, times in epoch seconds) does not cost precision. Standard errors are the textbook ones from the
 * residual variance with n - 2 degrees of freedom (NaN when n &lt; 3).
 *
 * @param n            number of points
 * @param intercept    value at x = 0
 * @param slope        dy/dx
 * @param interceptSe  standard error of the intercept
 * @param slopeSe      standard error of the slope
 * @param rss          residual sum of squares
 * @param tss          total sum of squares about the mean of y
 * @param r2           1 - rss/tss (NaN when y is constant)
 */
public record LinearRegression(int n, double intercept, double slope, double interceptSe, double slopeSe,
                               double rss, double tss, double r2) {

    /** Fits y[from..to) on x[from..to). Throws when fewer than 2 points or x does not vary. */
    public static LinearRegression fit(double[] x, double[] y, int from, int to) {
        int n = to - from;
        if (n < 2) {
            throw new IllegalArgumentException("a straight line needs at least 2 points, got " + n);
        }
        double xMean = 0;
        double yMean = 0;
        for (int i = from; i < to; i++) {
            xMean += x[i];
            yMean += y[i];
        }
        xMean /= n;
        yMean /= n;
        double sxx = 0;
        double sxy = 0;
        double syy = 0;
        for (int i = from; i < to; i++) {
            double dx = x[i] - xMean;
            double dy = y[i] - yMean;
            sxx += dx * dx;
            sxy += dx * dy;
            syy += dy * dy;
        }
        if (!(sxx > 0)) {
            throw new IllegalArgumentException("x does not vary across the " + n + " points; no slope can be fitted");
        }
        double slope = sxy / sxx;
        double intercept = yMean - slope * xMean;
        // Residuals summed directly rather than as syy - slope*sxy, which cancels badly for exact data.
        double rss = 0;
        for (int i = from; i < to; i++) {
            double r = (y[i] - yMean) - slope * (x[i] - xMean);
            rss += r * r;
        }
        double sigma2 = n > 2 ? rss / (n - 2) : Double.NaN;
        double slopeSe = Math.sqrt(sigma2 / sxx);
        double interceptSe = Math.sqrt(sigma2 * (1.0 / n + xMean * xMean / sxx));
        double r2 = syy > 0 ? 1 - rss / syy : Double.NaN;
        return new LinearRegression(n, intercept, slope, interceptSe, slopeSe, rss, syy, r2);
    }

    public static LinearRegression fit(double[] x, double[] y) {
        if (x.length != y.length) {
            throw new IllegalArgumentException("x has " + x.length + " values but y has " + y.length);
        }
        return fit(x, y, 0, x.length);
    }

    /** Root mean square of the residuals, sqrt(rss / n). */
    public double rmse() {
        return Math.sqrt(rss / n);
    }
}
