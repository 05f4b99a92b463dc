package org.fieldgate.calc.decomposition;

import java.time.LocalDate;
import java.util.EnumSet;
import java.util.List;

/**
 * Heterotrophic respiration summed to a year and turned into a decomposition rate (docs/science.md §2.2).
 *
 * <p>Gaps: a day is missing when it has no row, no respiration value, or (trenched collars) no Rh. Missing days
 * are counted and listed, never interpolated. {@code rhMeasuredGCM2} sums the measured days only (a lower bound
 * for the span); {@code rhAnnualGCM2Yr} is the mean of the measured days' sums x 365.25, i.e. it assumes the
 * missing days look like the measured ones on average: check {@code coverageFraction} and the flags.
 *
 * @param partitioning        how Rh was obtained
 * @param firstDate           first day of the series
 * @param lastDate            last day of the series
 * @param daysInSpan          days from first to last, inclusive
 * @param daysMeasured        days with an Rh value
 * @param daysMissing         daysInSpan - daysMeasured
 * @param missingRanges       the missing days as ranges ("2024-03-01..2024-03-04" or a single date)
 * @param rowsMerged          extra rows for a date already seen, averaged into that day
 * @param coverageFraction    daysMeasured / daysInSpan
 * @param rhMeasuredGCM2      sum of the measured days' Rh, g C m-2
 * @param rhMeanGCM2D         mean daily Rh over measured days, g C m-2 d-1
 * @param rhAnnualGCM2Yr      rhMeanGCM2D x 365.25, g C m-2 yr-1
 * @param socGCM2             soil organic carbon stock, g C m-2
 * @param kPerYr              decomposition rate k = Rh_annual / Csoc, yr-1
 * @param residenceTimeYr     mean residence time 1/k, yr
 * @param q10                 Q10 fit of daily Rh against temperature
 * @param lloydTaylor         Lloyd-Taylor fit of daily Rh against temperature
 * @param flags               caveats
 * @param rhDailySdGCM2D      standard deviation of the measured days' Rh, g C m-2 d-1 (NaN with one day), for the
 *                            random part of the annual sum's interval (docs/science.md §7.3)
 */
public record DecompositionResult(String partitioning, LocalDate firstDate, LocalDate lastDate, int daysInSpan,
                                  int daysMeasured, int daysMissing, List<String> missingRanges, int rowsMerged,
                                  double coverageFraction, double rhMeasuredGCM2, double rhMeanGCM2D,
                                  double rhAnnualGCM2Yr, double socGCM2, double kPerYr, double residenceTimeYr,
                                  TemperatureResponse.Q10Fit q10, TemperatureResponse.LloydTaylorFit lloydTaylor,
                                  EnumSet<DecompositionFlag> flags, double rhDailySdGCM2D) {
    public DecompositionResult {
        missingRanges = List.copyOf(missingRanges);
        flags = EnumSet.copyOf(flags);
    }

    @Override
    public EnumSet<DecompositionFlag> flags() {
        return EnumSet.copyOf(flags);
    }
}
