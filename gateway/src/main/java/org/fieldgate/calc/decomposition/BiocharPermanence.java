package org.fieldgate.calc.decomposition;

import org.fieldgate.calc.Require;

/**
 * Biochar permanence under Japan's J-Credit methodology AG-004 (docs/science.md §2.5): 52 % carbon, 65 % of it
 * remaining after 100 years, so 0.52 x 0.65 x 44/12 = 1.24 kg CO2e stored per kg biochar, and a single-pool
 * decay with 65 % left at 100 years has k = -ln(0.65)/100 = 0.00431 yr-1.
 */
public final class BiocharPermanence {
    /** Carbon content of biochar, kg C per kg (AG-004 default). */
    public static final double CARBON_FRACTION = 0.52;
    /** Fraction of the carbon remaining after 100 years (AG-004 default). */
    public static final double REMAINING_AFTER_100_YR = 0.65;
    /** CO2 per C by mass as AG-004 writes it (44/12, not 44.01/12.011). */
    public static final double CO2_PER_C = 44.0 / 12.0;
    /** Horizon of the permanence factor, years. */
    public static final double HORIZON_YR = 100;

    private BiocharPermanence() {
    }

    /** kg CO2e credited per kg biochar: 0.52 x 0.65 x 44/12 = 1.2393, quoted as 1.24. */
    public static double storedKgCo2ePerKg() {
        return CARBON_FRACTION * REMAINING_AFTER_100_YR * CO2_PER_C;
    }

    /** kg CO2e credited for a mass of biochar, kg. */
    public static double storedKgCo2e(double biocharKg) {
        Require.nonNegative("biocharKg", biocharKg);
        return biocharKg * storedKgCo2ePerKg();
    }

    /** Decay constant of the equivalent single pool, k = -ln(0.65)/100 = 0.00431 yr-1. */
    public static double decayPerYr() {
        return -Math.log(REMAINING_AFTER_100_YR) / HORIZON_YR;
    }

    /** Fraction of biochar carbon left after a number of years under that single pool, exp(-k t). */
    public static double fractionRemaining(double years) {
        Require.nonNegative("years", years);
        return Math.exp(-decayPerYr() * years);
    }
}
