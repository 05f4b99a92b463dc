package org.fieldgate.calc.mineralisation;

import java.util.List;
import org.fieldgate.calc.Constants;
import org.fieldgate.calc.InvalidInputException;
import org.fieldgate.calc.Require;

/**
 * A batch of rock in the house and how to account for it (docs/science.md §3.2-§3.6).
 *
 * @param rockKg                  mass of rock in the batch, M, kg
 * @param potentialKgCo2PerKg     the rock's CO2 potential Pot, kg CO2 per kg rock (0.485-0.602 reported in Japan,
 *                                0.5 a typical design value)
 * @param gridKgCo2PerKwh         emission factor of the electricity, kg CO2 per kWh (e.g. 0.462 or 0.47, Japan)
 * @param handlingKgCo2PerBatch   emissions of loading, grinding, hauling and spreading one batch, kg CO2
 * @param maxGapS                 longest interval between valid samples integrated by trapezoid, s; longer
 *                                intervals are gaps: no uptake is counted across them
 * @param cycleDays               the planned replacement cycle, days, for the predicted X at its end (a year is
 *                                {@link Constants#DAYS_PER_YEAR} = 365.25 days, as everywhere in calc)
 * @param candidateCyclesYr       cycle lengths compared for the replacement advice, years
 */
public record HouseOptions(double rockKg, double potentialKgCo2PerKg, double gridKgCo2PerKwh,
                           double handlingKgCo2PerBatch, double maxGapS, double cycleDays,
                           List<Double> candidateCyclesYr) {
    /** Candidate cycles of the published case (docs/science.md §3.6). */
    public static final List<Double> PUBLISHED_CYCLES_YR = List.of(0.5, 1.0, 2.0);

    public HouseOptions {
        Require.positive("rockKg", rockKg);
        Require.within("potentialKgCo2PerKg", potentialKgCo2PerKg, 1e-6, 1.0);
        Require.nonNegative("gridKgCo2PerKwh", gridKgCo2PerKwh);
        Require.nonNegative("handlingKgCo2PerBatch", handlingKgCo2PerBatch);
        Require.positive("maxGapS", maxGapS);
        Require.positive("cycleDays", cycleDays);
        Require.present("candidateCyclesYr", candidateCyclesYr);
        if (candidateCyclesYr.isEmpty()) {
            throw new InvalidInputException("candidateCyclesYr", "[]", "must list at least one cycle length");
        }
        for (double c : candidateCyclesYr) {
            Require.positive("candidateCyclesYr", c);
        }
        candidateCyclesYr = List.copyOf(candidateCyclesYr);
    }

    /** Gaps over 10 minutes, a 1-year (365.25-day) cycle, the published 0.5 / 1 / 2-year candidates. */
    public static HouseOptions of(double rockKg, double potentialKgCo2PerKg, double gridKgCo2PerKwh,
                                  double handlingKgCo2PerBatch) {
        return new HouseOptions(rockKg, potentialKgCo2PerKg, gridKgCo2PerKwh, handlingKgCo2PerBatch, 600,
                Constants.DAYS_PER_YEAR, PUBLISHED_CYCLES_YR);
    }
}
