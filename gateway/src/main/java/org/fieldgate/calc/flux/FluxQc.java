package org.fieldgate.calc.flux;

/** Quality-control flags a verifier expects per closure (docs/science.md §1.6). */
public enum FluxQc {
    /** R2 of the chosen fit is below the threshold (or undefined because C' did not vary). */
    LOW_R2,
    /** Fewer samples in the observation window than the configured minimum. */
    TOO_FEW_POINTS,
    /** Samples in the window further apart than the allowed gap (or the window starts late). */
    GAPS,
    /** C' at lid closing is outside the site's expected ambient +/- tolerance (leak, bad purge). */
    AMBIENT_MISMATCH,
    /** C' moves against the closure's direction by more than the drop tolerance (leak, lid lifted). */
    CO2_DROPS,
    /** The exponential's curvature is significantly negative: C' accelerates, which diffusion cannot do. */
    NEGATIVE_CURVATURE,
    /** The exponential's curvature is implausibly large for the window (saturates almost at once). */
    CURVATURE_OUT_OF_RANGE,
    /** The exponential's asymptote Cx lies below C'0 although the flux is positive. */
    CX_BELOW_C0,
    /** |flux| is below the minimum detectable flux for this analyser and geometry. */
    BELOW_MDF,
    /** Chamber temperature changed by more than the limit during the closure. */
    TEMPERATURE_DRIFT,
    /** Chamber pressure changed by more than the limit during the closure. */
    PRESSURE_DRIFT,
    /**
     * No water-vapour reading in the closure (an analyser without an H2O channel, e.g. a Vaisala GMP252) and the
     * caller allowed it ({@code calc flux --assume-dry}): W = 0 was used for C' and for the (1 - W0/1000) term.
     * With W constant over the closure the two cancel and the flux is unbiased; a change of W during the closure
     * is not corrected. Set by the caller that read the data, never by {@link FluxCalculator}.
     */
    DRY_ASSUMED
}
