package org.fieldgate.calc;

/**
 * Shared arithmetic of the uncertainty budget (docs/science.md §7): standard uncertainties from datasheet limits,
 * root-sum-square combination, and the quantiles that turn a standard uncertainty into a 95 % interval or the
 * conservative (5th-percentile) value.
 */
public final class Uncertainty {
    /** Two-sided 95 % quantile of the normal distribution. */
    public static final double Z95 = 1.959963984540054;
    /** One-sided 95 % quantile: the 5th percentile lies Z05 standard uncertainties below the central value. */
    public static final double Z05 = 1.6448536269514722;

    private Uncertainty() {
    }

    /**
     * A datasheet "±a" with no stated coverage, read as the half-width of a rectangular distribution
     * (GUM 4.3.7): standard uncertainty a / sqrt(3). The sign is kept, so that a negative limit fails validation.
     */
    public static double fromLimit(double limit) {
        return limit / Math.sqrt(3);
    }

    /** Root sum of squares of independent standard uncertainties (NaN parts are an error: callers pass 0). */
    public static double rss(double... parts) {
        double s = 0;
        for (double p : parts) {
            s += p * p;
        }
        return Math.sqrt(s);
    }

    /**
     * Two-sided 95 % quantile of Student's t with {@code dof} degrees of freedom (Cornish-Fisher expansion to
     * 1/dof^3; within 1 % of the exact value from 3 dof on, exact in the limit); the normal quantile for
     * infinite dof.
     */
    public static double t95(double dof) {
        if (!(dof > 0)) {
            return Double.NaN;
        }
        if (Double.isInfinite(dof)) {
            return Z95;
        }
        double z = Z95;
        double z3 = z * z * z;
        double z5 = z3 * z * z;
        double z7 = z5 * z * z;
        return z + (z3 + z) / (4 * dof) + (5 * z5 + 16 * z3 + 3 * z) / (96 * dof * dof)
                + (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * dof * dof * dof);
    }

    /** Central value +- k standard uncertainties: {low, high}. */
    public static double[] symmetric(double value, double standard, double k) {
        return new double[] {value - k * standard, value + k * standard};
    }
}
