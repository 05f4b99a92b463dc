package org.fieldgate.calc.decomposition;

/** Caveats on an annual decomposition figure (docs/science.md §2.2). */
public enum DecompositionFlag {
    /** The series spans less than a year, so the annual figure extrapolates the measured season. */
    SPAN_UNDER_ONE_YEAR,
    /** Fewer days measured than the coverage threshold; the annual figure rests on the measured days' mean. */
    LOW_COVERAGE,
    /** Some days had a negative mean Rh (kept in the sums: dropping them would bias Rh upwards). */
    NEGATIVE_DAYS,
    /** The Q10 or Lloyd-Taylor fit could not be made. */
    TEMPERATURE_FIT_FAILED
}
