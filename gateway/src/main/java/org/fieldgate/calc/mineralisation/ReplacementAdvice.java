package org.fieldgate.calc.mineralisation;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.fieldgate.calc.Constants;

/**
 * Which tray-replacement cycle fixes the most CO2 per year of house capacity (docs/science.md §3.6):
 * net per year for cycle L = (X(L) M Pot - handling per cycle - fan energy per cycle x grid) / L.
 *
 * @param candidates   the configured cycle lengths, each evaluated
 * @param best         the best of the candidates
 * @param scanned      the best over a scan of 0.1 to 5 years in 0.05-year steps
 * @param note         what the figures rest on
 */
public record ReplacementAdvice(List<Cycle> candidates, Cycle best, Cycle scanned, String note) {
    public ReplacementAdvice {
        candidates = List.copyOf(candidates);
    }

    /**
     * Evaluates each candidate cycle and a scan of 0.1-5 years with the fitted kinetics.
     *
     * @param fit                 shrinking-core fit giving X(L)
     * @param capacityKg          M x Pot, kg CO2 the batch could take up
     * @param handlingKgPerCycle  handling emissions per batch, kg CO2
     * @param meanFanPowerKw      fans' mean draw, kW
     * @param gridKgCo2PerKwh     grid factor, kg CO2 per kWh
     * @param candidatesYr        cycle lengths to compare, years
     * @param dataDays            days of data behind the fit, for the note
     */
    public static ReplacementAdvice advise(ShrinkingCore.Fit fit, double capacityKg, double handlingKgPerCycle,
                                           double meanFanPowerKw, double gridKgCo2PerKwh, List<Double> candidatesYr,
                                           double dataDays) {
        List<Cycle> candidates = new ArrayList<>();
        Cycle best = null;
        for (double l : candidatesYr) {
            Cycle c = cycle(l, fit, capacityKg, handlingKgPerCycle, meanFanPowerKw, gridKgCo2PerKwh);
            candidates.add(c);
            if (best == null || c.netKgPerYr() > best.netKgPerYr()) {
                best = c;
            }
        }
        Cycle scanned = null;
        for (int i = 2; i <= 100; i++) {
            Cycle c = cycle(i * 0.05, fit, capacityKg, handlingKgPerCycle, meanFanPowerKw, gridKgCo2PerKwh);
            if (scanned == null || c.netKgPerYr() > scanned.netKgPerYr()) {
                scanned = c;
            }
        }
        String note = String.format(Locale.ROOT,
                "X(L) from the %s model (tau %.1f d) fitted to %.1f d of data; fans %.3f kW mean; handling %.1f kg"
                        + " CO2 per batch; predictions beyond the data are extrapolations",
                fit.model().name().toLowerCase(Locale.ROOT), fit.tauDays(), dataDays, meanFanPowerKw,
                handlingKgPerCycle);
        return new ReplacementAdvice(candidates, best, scanned, note);
    }

    private static Cycle cycle(double years, ShrinkingCore.Fit fit, double capacityKg, double handlingKg,
                               double meanFanPowerKw, double gridKgCo2PerKwh) {
        double xEnd = fit.fractionAt(years * Constants.DAYS_PER_YEAR * Constants.SECONDS_PER_DAY);
        double fixed = xEnd * capacityKg;
        double energy = meanFanPowerKw * years * Constants.DAYS_PER_YEAR * 24 * gridKgCo2PerKwh;
        return new Cycle(years, xEnd, fixed, handlingKg, energy, (fixed - handlingKg - energy) / years);
    }

    /**
     * @param cycleYr            cycle length L, years
     * @param fractionAtEnd      predicted X(L)
     * @param fixedKgPerCycle    X(L) M Pot, kg CO2
     * @param handlingKgPerCycle handling emissions per batch, kg CO2
     * @param energyKgPerCycle   fan energy over L x grid factor, kg CO2
     * @param netKgPerYr         (fixed - handling - energy) / L, kg CO2 yr-1
     */
    public record Cycle(double cycleYr, double fractionAtEnd, double fixedKgPerCycle, double handlingKgPerCycle,
                        double energyKgPerCycle, double netKgPerYr) {
    }
}
