package org.fieldgate.calc;

/** Physical constants and unit factors used by the calculators, with where each comes from. */
public final class Constants {
    private Constants() {
    }

    /** Gas constant, Pa m3 K-1 mol-1, as the LI-COR formulation writes it (science README §1 and §3). */
    public static final double R_PA_M3_PER_K_MOL = 8.314;

    /** 0 degC in K. */
    public static final double ZERO_C_IN_K = 273.15;

    /** Molar mass of CO2, kg mol-1 (science README §3). */
    public static final double CO2_KG_PER_MOL = 44.01e-3;

    /**
     * 1 umol CO2 m-2 s-1 in g C m-2 d-1. The science README §1 and the issue both state 1.0368, which is
     * 12.0e-6 g C per umol x 86400 s per day; the README's "12.011e-6" would give 1.03775 (0.09 % more).
     * We use the stated 1.0368 so figures match the README's examples and other tools quoting it.
     */
    public static final double G_C_M2_D_PER_UMOL_M2_S = 12.0e-6 * 86400.0;

    /** Seconds in a day. */
    public static final double SECONDS_PER_DAY = 86400.0;

    /** Days in a year for annual sums and rates (Julian year; a calendar year's 365 or 366 is noted where it matters). */
    public static final double DAYS_PER_YEAR = 365.25;

    /** Seconds per hour. */
    public static final double SECONDS_PER_HOUR = 3600.0;
}
