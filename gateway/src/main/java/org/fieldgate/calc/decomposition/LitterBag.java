package org.fieldgate.calc.decomposition;

import org.fieldgate.calc.InvalidInputException;
import org.fieldgate.calc.Require;

/**
 * A litter bag retrieved after some time (docs/science.md §2.4): single-pool decay k = -ln(Mt/M0) / t.
 *
 * @param massInitialG    dry mass put out, M0, g
 * @param massRemainingG  dry mass retrieved (ash-free, cleaned of soil), Mt, g
 * @param elapsedYears    time in the field, t, years
 */
public record LitterBag(double massInitialG, double massRemainingG, double elapsedYears) {
    public LitterBag {
        Require.positive("massInitialG", massInitialG);
        Require.positive("massRemainingG", massRemainingG);
        Require.positive("elapsedYears", elapsedYears);
        if (massRemainingG > massInitialG) {
            // A bag cannot gain organic mass; more out than in means soil ingress or a weighing error.
            throw new InvalidInputException("massRemainingG", massRemainingG,
                    "must not exceed massInitialG " + massInitialG + " (soil ingress or a weighing error?)");
        }
    }

    /** Decay constant k = -ln(Mt/M0) / t, yr-1. */
    public double decayPerYr() {
        return -Math.log(massRemainingG / massInitialG) / elapsedYears;
    }

    /** Mean residence time 1/k, years (infinite when nothing was lost). */
    public double residenceTimeYr() {
        return 1 / decayPerYr();
    }
}
