package org.fieldgate.calc.decomposition;

import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.TreeMap;
import org.fieldgate.calc.Constants;
import org.fieldgate.calc.InvalidInputException;

/**
 * From daily chamber fluxes to a soil carbon decomposition rate (docs/science.md §2.1-§2.3):
 * Rh from the configured partitioning, daily sums in g C m-2, an annual sum with its gaps counted,
 * k = Rh_annual / Csoc and the mean residence time 1/k, and Q10 / Lloyd-Taylor temperature responses.
 * Stateless and thread-safe.
 */
public final class DecompositionCalculator {
    private final DecompositionOptions options;

    public DecompositionCalculator(DecompositionOptions options) {
        this.options = options;
    }

    public DecompositionResult calculate(List<DailyRespiration> rows) {
        if (rows.isEmpty()) {
            throw new InvalidInputException("rows", 0, "must include at least one day");
        }
        // Several rows for one date (several closures a day) are averaged into that day.
        TreeMap<LocalDate, double[]> byDate = new TreeMap<>(); // sumRs, nRs, sumT, nT
        int merged = 0;
        for (DailyRespiration r : rows) {
            double[] acc = byDate.get(r.date());
            if (acc == null) {
                acc = new double[4];
                byDate.put(r.date(), acc);
            } else {
                merged++;
            }
            if (!Double.isNaN(r.respirationUmolM2S())) {
                acc[0] += r.respirationUmolM2S();
                acc[1]++;
            }
            if (!Double.isNaN(r.tempC())) {
                acc[2] += r.tempC();
                acc[3]++;
            }
        }
        LocalDate first = byDate.firstKey();
        LocalDate last = byDate.lastKey();
        int span = (int) ChronoUnit.DAYS.between(first, last) + 1;

        List<Double> rhDays = new ArrayList<>();
        List<Double> tempDays = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        LocalDate gapStart = null;
        double sumGCM2 = 0;
        boolean negative = false;
        for (LocalDate d = first; !d.isAfter(last); d = d.plusDays(1)) {
            double[] acc = byDate.get(d);
            double rs = acc != null && acc[1] > 0 ? acc[0] / acc[1] : Double.NaN;
            double rh = options.partitioning().rhUmolM2S(d, rs);
            if (Double.isNaN(rh)) {
                if (gapStart == null) {
                    gapStart = d;
                }
                continue;
            }
            if (gapStart != null) {
                missing.add(range(gapStart, d.minusDays(1)));
                gapStart = null;
            }
            // Daily sum: mean flux x 86400 s x 12e-6 g C/umol = x 1.0368 (docs/science.md §1.8).
            sumGCM2 += rh * Constants.G_C_M2_D_PER_UMOL_M2_S;
            negative |= rh < 0;
            rhDays.add(rh);
            tempDays.add(acc != null && acc[3] > 0 ? acc[2] / acc[3] : Double.NaN);
        }
        // The last day always has a row, but with trenched collars it may still lack Rh.
        if (gapStart != null) {
            missing.add(range(gapStart, last));
        }
        int measured = rhDays.size();
        if (measured == 0) {
            throw new InvalidInputException("rows", rows.size() + " rows",
                    "must include at least one day with a heterotrophic respiration value");
        }
        double meanGCM2D = sumGCM2 / measured;
        double annual = meanGCM2D * Constants.DAYS_PER_YEAR;
        double k = annual / options.socGCM2();
        double coverage = (double) measured / span;

        double[] t = new double[measured];
        double[] r = new double[measured];
        for (int i = 0; i < measured; i++) {
            t[i] = tempDays.get(i);
            r[i] = rhDays.get(i);
        }
        TemperatureResponse.Q10Fit q10 = TemperatureResponse.fitQ10(t, r);
        TemperatureResponse.LloydTaylorFit lt = TemperatureResponse.fitLloydTaylor(t, r);

        EnumSet<DecompositionFlag> flags = EnumSet.noneOf(DecompositionFlag.class);
        // Calendar days: 2023-01-01..2023-12-31 is a whole year (the 365.25-day Julian year is for rates and sums).
        if (span < 365) {
            flags.add(DecompositionFlag.SPAN_UNDER_ONE_YEAR);
        }
        if (coverage < options.minCoverageFraction()) {
            flags.add(DecompositionFlag.LOW_COVERAGE);
        }
        if (negative) {
            flags.add(DecompositionFlag.NEGATIVE_DAYS);
        }
        if (q10.failure() != null || lt.failure() != null) {
            flags.add(DecompositionFlag.TEMPERATURE_FIT_FAILED);
        }
        return new DecompositionResult(options.partitioning().describe(), first, last, span, measured,
                span - measured, missing, merged, coverage, sumGCM2, meanGCM2D, annual, options.socGCM2(), k,
                1 / k, q10, lt, flags, dailySd(rhDays, meanGCM2D));
    }

    /** Sample standard deviation of the daily sums, g C m-2 d-1 (NaN for one day). */
    private static double dailySd(List<Double> rhUmolM2S, double meanGCM2D) {
        int n = rhUmolM2S.size();
        double ss = 0;
        for (double rh : rhUmolM2S) {
            double d = rh * Constants.G_C_M2_D_PER_UMOL_M2_S - meanGCM2D;
            ss += d * d;
        }
        return n > 1 ? Math.sqrt(ss / (n - 1)) : Double.NaN;
    }

    private static String range(LocalDate from, LocalDate to) {
        return from.equals(to) ? from.toString() : from + ".." + to;
    }
}
