package org.fieldgate.calc.flux;

import java.util.EnumSet;
import org.fieldgate.calc.Constants;
import org.fieldgate.calc.LinearRegression;

/**
 * The flux of one closure (docs/science.md §1.3). A closure that could not be fitted still has an estimate: model
 * {@link FluxModel#NONE}, NaN numbers, and {@code error} saying why.
 *
 * @param closureId          the closure
 * @param chamberId          the chamber
 * @param model              the curve the flux comes from
 * @param modelReason        why that curve was chosen (or why none could be fitted)
 * @param fluxUmolM2S        F, umol CO2 m-2 s-1 (positive = emission from the soil)
 * @param seUmolM2S          standard error of F, propagated from the slope's standard error
 * @param mdfUmolM2S         minimum detectable flux for this closure, umol m-2 s-1
 * @param r2                 R2 of the chosen fit
 * @param rmsePpm            root mean square residual of the chosen fit, ppm
 * @param slopePpmS          dC'/dt at t0 of the chosen fit, ppm s-1
 * @param slopeSePpmS        its standard error
 * @param pointsUsed         samples in the observation window
 * @param observedS          time from t0 to the last fitted sample, s
 * @param fluxFactorUmolM2PerPpm 10 V P0 (1 - W0/1000) / (R S T0): converts ppm s-1 to umol m-2 s-1
 * @param linear             the straight-line fit (null when not fitted)
 * @param exponential        the exponential fit (null when not attempted)
 * @param aicLinear          AIC of the linear fit (n ln(RSS/n) + 2k, k = 2)
 * @param aicExponential     AIC of the exponential fit (k = 3); NaN when not fitted
 * @param flags              QC flags
 * @param error              why the closure could not be fitted, or null
 */
public record FluxEstimate(String closureId, String chamberId, FluxModel model, String modelReason,
                           double fluxUmolM2S, double seUmolM2S, double mdfUmolM2S, double r2, double rmsePpm,
                           double slopePpmS, double slopeSePpmS, int pointsUsed, double observedS,
                           double fluxFactorUmolM2PerPpm, LinearRegression linear, ExponentialFit.Result exponential,
                           double aicLinear, double aicExponential, EnumSet<FluxQc> flags, String error) {

    public FluxEstimate {
        flags = flags == null ? EnumSet.noneOf(FluxQc.class) : EnumSet.copyOf(flags);
    }

    static FluxEstimate failed(String closureId, String chamberId, String reason, int pointsUsed,
                               EnumSet<FluxQc> flags) {
        double nan = Double.NaN;
        return new FluxEstimate(closureId, chamberId, FluxModel.NONE, "not fitted: " + reason, nan, nan, nan, nan,
                nan, nan, nan, pointsUsed, nan, nan, null, null, nan, nan, flags, reason);
    }

    /** A copy: the record stays immutable. */
    @Override
    public EnumSet<FluxQc> flags() {
        return EnumSet.copyOf(flags);
    }

    public boolean fitted() {
        return error == null;
    }

    /** F in g C m-2 d-1 (x 1.0368, docs/science.md §1.8). */
    public double fluxGCM2D() {
        return fluxUmolM2S * Constants.G_C_M2_D_PER_UMOL_M2_S;
    }

    /** Standard error in g C m-2 d-1. */
    public double seGCM2D() {
        return seUmolM2S * Constants.G_C_M2_D_PER_UMOL_M2_S;
    }
}
