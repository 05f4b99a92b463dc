package org.fieldgate.calc.mineralisation;

/**
 * Uptake, mineralisation and net removal of one batch (docs/science.md §3.2-§3.6).
 *
 * @param samples                  samples read
 * @param samplesValid             samples with everything the mass balance needs
 * @param gaps                     intervals between valid samples longer than the allowed span (not integrated)
 * @param gapS                     total length of those intervals, s
 * @param integratedS              time covered by the trapezoid, s
 * @param spanS                    first to last valid sample, s
 * @param grossUptakeKg            cumulative gross uptake U, kg CO2 (trapezoid over valid samples, gaps skipped)
 * @param meanUptakeKgPerH         U over the integrated time, kg CO2 h-1
 * @param mineralisedFraction      X = U / (M Pot) at the last valid sample
 * @param energyKwh                fan energy over the time whose uptake is counted, kWh (the deduction)
 * @param energyInGapsKwh          the part of it filled across gaps in the power log, conservatively at the higher
 *                                 of the two bracketing powers
 * @param energyNotCountedKwh      fan energy logged over uptake gaps or outside the first-to-last valid sample,
 *                                 kWh: reported, not deducted, since the uptake over that time is not counted
 * @param energyKgCo2              energy x grid factor, kg CO2
 * @param handlingKgCo2            configured handling emissions of the batch, kg CO2
 * @param netRemovalKg             gross - energy emissions - handling, kg CO2
 * @param samplesOutletAboveInlet  valid samples with CO2 out above CO2 in (negative uptake, kept in the sums)
 * @param kinetics                 both shrinking-core fits and the better one
 * @param cycleDays                the planned cycle
 * @param fractionAtCycleEnd       predicted X at the end of the planned cycle (better model)
 * @param advice                   replacement-cycle advice (null when the kinetics could not be fitted)
 */
public record MineralisationResult(int samples, int samplesValid, int gaps, double gapS, double integratedS,
                                   double spanS, double grossUptakeKg, double meanUptakeKgPerH,
                                   double mineralisedFraction, double energyKwh, double energyInGapsKwh,
                                   double energyNotCountedKwh, double energyKgCo2, double handlingKgCo2,
                                   double netRemovalKg, int samplesOutletAboveInlet,
                                   ShrinkingCore.Comparison kinetics, double cycleDays, double fractionAtCycleEnd,
                                   ReplacementAdvice advice) {
}
