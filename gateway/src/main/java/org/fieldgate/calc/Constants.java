package org.fieldgate.calc;

/** Physical constants and unit factors used by the calculators, with where each comes from. */
public final class Constants {
    private Constants() {
    }

    /** Gas constant, Pa m3 K-1 mol-1, as the LI-COR formulation writes it (docs/science.md §1.3 and §3.1). */
    public static final double R_PA_M3_PER_K_MOL = 8.314;

    /** 0 degC in K. */
    public static final double ZERO_C_IN_K = 273.15;

    /** Molar mass of CO2, kg mol-1 (docs/science.md §3.1). */
    public static final double CO2_KG_PER_MOL = 44.01e-3;

    /**
     * 1 umol CO2 m-2 s-1 in g C m-2 d-1: 12.0e-6 g C per umol x 86400 s per day = 1.0368 (docs/science.md §1.8);
     * the atomic mass 12.011 would give 1.03775 (0.09 % more). We use 1.0368 so figures match other tools quoting it.
     */
    public static final double G_C_M2_D_PER_UMOL_M2_S = 12.0e-6 * 86400.0;

    /** Seconds in a day. */
    public static final double SECONDS_PER_DAY = 86400.0;

    /** Days in a year for annual sums and rates (Julian year; a calendar year's 365 or 366 is noted where it matters). */
    public static final double DAYS_PER_YEAR = 365.25;

    /** Seconds per hour. */
    public static final double SECONDS_PER_HOUR = 3600.0;
}
