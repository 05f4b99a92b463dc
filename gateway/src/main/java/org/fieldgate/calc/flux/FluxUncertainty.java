package org.fieldgate.calc.flux;

import org.fieldgate.calc.Uncertainty;

/**
 * A closure's flux with its 95 % interval (docs/science.md §7.2): the fit's standard error (random: the analyser's
 * noise, averaged over the closure's samples) combined with the systematic part from V, S, P0, T0 and the analyser's
 * gain, which is the same for every sample of the closure.
 *
 * @param randomSeUmolM2S     the fit's standard error of F
 * @param systematicRel       relative standard uncertainty of F from {@link FluxSystematics}
 * @param systematicUmolM2S   |F| x systematicRel
 * @param combinedSeUmolM2S   sqrt(random^2 + systematic^2)
 * @param ci95LowUmolM2S      F - 1.96 combined
 * @param ci95HighUmolM2S     F + 1.96 combined
 */
public record FluxUncertainty(double randomSeUmolM2S, double systematicRel, double systematicUmolM2S,
                              double combinedSeUmolM2S, double ci95LowUmolM2S, double ci95HighUmolM2S) {

    /** The budget of {@code e} at P0 and T0 of its closure; NaN throughout for a closure without a flux. */
    public static FluxUncertainty of(FluxEstimate e, FluxSystematics sys, double p0Kpa, double t0C) {
        double rel = sys.relative(p0Kpa, t0C);
        double systematic = Math.abs(e.fluxUmolM2S()) * rel;
        double combined = Uncertainty.rss(e.seUmolM2S(), systematic);
        double[] ci = Uncertainty.symmetric(e.fluxUmolM2S(), combined, Uncertainty.Z95);
        return new FluxUncertainty(e.seUmolM2S(), rel, systematic, combined, ci[0], ci[1]);
    }
}
