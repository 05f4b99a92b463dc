package org.fieldgate.calc.decomposition;

import org.fieldgate.calc.Require;

/**
 * @param socGCM2              soil organic carbon stock Csoc of the layer the collars sample, g C m-2
 * @param partitioning         how Rh comes from the measured series
 * @param minCoverageFraction  measured days / days in span below this raise {@link DecompositionFlag#LOW_COVERAGE}
 */
public record DecompositionOptions(double socGCM2, RhPartitioning partitioning, double minCoverageFraction) {
    public DecompositionOptions {
        Require.positive("socGCM2", socGCM2);
        Require.present("partitioning", partitioning);
        Require.within("minCoverageFraction", minCoverageFraction, 0, 1);
    }

    /** Rh = fraction x Rs, coverage warning below 80 %. */
    public static DecompositionOptions of(double socGCM2, double rhFraction) {
        return new DecompositionOptions(socGCM2, new RhPartitioning.Fraction(rhFraction), 0.8);
    }
}
