package org.fieldgate.calc.cli;

import static org.fieldgate.calc.cli.CalcCli.OK;
import static org.fieldgate.calc.cli.CliJson.put;
import static org.fieldgate.calc.cli.DatasheetDefaults.DEFAULT_CO2_GAIN_ACCURACY_PCT;
import static org.fieldgate.calc.cli.DatasheetDefaults.DEFAULT_PRESSURE_ACCURACY_KPA;
import static org.fieldgate.calc.cli.DatasheetDefaults.DEFAULT_TEMP_ACCURACY_C;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.fieldgate.calc.Constants;
import org.fieldgate.calc.InvalidInputException;
import org.fieldgate.calc.Uncertainty;
import org.fieldgate.calc.decomposition.DailyRespiration;
import org.fieldgate.calc.decomposition.DecompositionCalculator;
import org.fieldgate.calc.decomposition.DecompositionOptions;
import org.fieldgate.calc.decomposition.DecompositionResult;
import org.fieldgate.calc.decomposition.DecompositionUncertainty;
import org.fieldgate.calc.decomposition.RhPartitioning;
import org.fieldgate.calc.decomposition.TemperatureResponse;
import org.fieldgate.calc.flux.FluxSystematics;

/**
 * {@code calc decomposition}: daily respiration and soil carbon to a decay rate,
 * one JSON object (docs/science.md §2).
 */
final class DecompositionCommand {
    static final String USAGE = String.join("\n",
            "usage: calc decomposition --input daily.csv --soc-g-c-m2 X [--rh-fraction f] [--min-coverage 0.8]",
            "         CSV columns date,rh_umol_m2_s,temp_c (heterotrophic respiration, used as it is), or",
            "           date,rs_umol_m2_s,temp_c (total soil respiration) with --rh-fraction f: Rh = f x Rs.",
            "           The fraction applies to rs_umol_m2_s only; given with rh_umol_m2_s it is ignored (a warning).",
            "         -> JSON: k_per_yr, residence_time_yr, q10, rref_umol_m2_s, rh_g_c_m2_yr, lt_* , days_missing ...",
            "         conventions (docs/science.md section 2): k = Rh_annual / Csoc; Rh_annual = mean of the measured",
            "           days' sums x 365.25 (the Julian year, used by every calculator); missing days not interpolated;",
            "           12.0 g C per mol CO2 (1 umol m-2 s-1 = 1.0368 g C m-2 d-1)",
            "         uncertainty (docs/science.md section 7.3): --flux-systematic-pct (1 sigma, default that of",
            "           calc flux's default accuracies) --soc-accuracy-pct 0 -> rh_g_c_m2_yr_ci95_low/high,",
            "           k_per_yr_ci95_low/high, q10_ci95_low/high, rref_umol_m2_s_ci95_low/high",
            "         exit: 0 ok; 1 bad input; 64 bad usage");

    private final PrintStream out;
    private final PrintStream err;
    private final CliJson json;

    DecompositionCommand(PrintStream out, PrintStream err, CliJson json) {
        this.out = out;
        this.err = err;
        this.json = json;
    }

    int run(String[] args) throws UsageException, CsvFile.InputException {
        CliOptions o = CliOptions.parse(args, Set.of("input", "soc-g-c-m2", "rh-fraction", "min-coverage",
                "flux-systematic-pct", "soc-accuracy-pct"));
        double fluxSystematicRel = o.number("flux-systematic-pct", 100 * FluxSystematics.fromLimits(0, 0,
                DEFAULT_PRESSURE_ACCURACY_KPA, DEFAULT_TEMP_ACCURACY_C, DEFAULT_CO2_GAIN_ACCURACY_PCT)
                .relative(101.325, 15)) / 100;
        double socRel = Uncertainty.fromLimit(o.number("soc-accuracy-pct", 0) / 100);
        if (!(fluxSystematicRel >= 0) || !(socRel >= 0)) {
            throw new UsageException("--flux-systematic-pct and --soc-accuracy-pct: must be >= 0, got "
                    + o.text("flux-systematic-pct", "default") + " and " + o.text("soc-accuracy-pct", "0"));
        }
        String input = o.required("input");
        double soc = o.requiredNumber("soc-g-c-m2");
        double fraction = o.number("rh-fraction", 1.0);
        double coverage = o.number("min-coverage", 0.8);
        Map<String, String> optionOfField = Map.of("socGCM2", "soc-g-c-m2", "rhFraction", "rh-fraction",
                "minCoverageFraction", "min-coverage");
        RhPartitioning.Fraction rsFraction = o.build(optionOfField, () -> new RhPartitioning.Fraction(fraction));
        CsvFile csv = CsvFile.read(Path.of(input), input, List.of("date", "temp_c"));
        String column;
        RhPartitioning partitioning;
        String warning = null;
        if (csv.hasColumn("rh_umol_m2_s")) {
            // The series already is Rh: a fraction partitions Rs only (docs/science.md §2.1).
            column = "rh_umol_m2_s";
            partitioning = new RhPartitioning.Measured(column);
            if (o.has("rh-fraction")) {
                warning = "--rh-fraction " + fraction + " not applied: " + input
                        + " holds heterotrophic respiration (rh_umol_m2_s), used as it is";
                err.println("calc decomposition: warning: " + warning);
            }
        } else if (csv.hasColumn("rs_umol_m2_s")) {
            if (!o.has("rh-fraction")) {
                throw new UsageException(input + " has total soil respiration (rs_umol_m2_s): give --rh-fraction");
            }
            column = "rs_umol_m2_s";
            partitioning = rsFraction;
        } else {
            throw new CsvFile.InputException(input + ": missing column rh_umol_m2_s (or rs_umol_m2_s)");
        }
        DecompositionOptions options = o.build(optionOfField,
                () -> new DecompositionOptions(soc, partitioning, coverage));
        List<DailyRespiration> days = new ArrayList<>();
        for (CsvFile.Row row : csv.rows()) {
            var date = csv.date(row, "date");
            double r = csv.number(row, column);
            double t = csv.number(row, "temp_c");
            try {
                days.add(new DailyRespiration(date, r, t));
            } catch (InvalidInputException e) {
                throw csv.rejected(row, e.field().equals("tempC") ? "temp_c" : column, e);
            }
        }
        if (days.isEmpty()) {
            throw new CsvFile.InputException(input + ": no data rows");
        }
        DecompositionResult d;
        try {
            d = new DecompositionCalculator(options).calculate(days);
        } catch (InvalidInputException e) {
            throw new CsvFile.InputException(input + ": no day has a value in " + column);
        }
        ObjectNode n = json.createObjectNode();
        n.put("partitioning", d.partitioning());
        put(n, "k_per_yr", d.kPerYr());
        put(n, "residence_time_yr", d.residenceTimeYr());
        put(n, "rh_g_c_m2_yr", d.rhAnnualGCM2Yr());
        put(n, "rh_measured_g_c_m2", d.rhMeasuredGCM2());
        put(n, "rh_mean_g_c_m2_d", d.rhMeanGCM2D());
        put(n, "soc_g_c_m2", d.socGCM2());
        TemperatureResponse.Q10Fit q = d.q10();
        put(n, "q10", q.q10());
        put(n, "q10_se", q.q10Se());
        put(n, "rref_umol_m2_s", q.rrefUmolM2S());
        n.put("q10_tref_c", TemperatureResponse.Q10_TREF_C);
        put(n, "q10_r2_log", q.r2Log());
        put(n, "q10_rmse_log", q.rmseLog());
        n.put("q10_days", q.n());
        if (q.failure() != null) {
            n.put("q10_error", q.failure());
        }
        TemperatureResponse.LloydTaylorFit lt = d.lloydTaylor();
        put(n, "lt_e0_k", lt.e0K());
        put(n, "lt_e0_se_k", lt.e0SeK());
        put(n, "lt_rref_umol_m2_s", lt.rrefUmolM2S());
        n.put("lt_tref_k", TemperatureResponse.LT_TREF_K);
        n.put("lt_t0_k", TemperatureResponse.LT_T0_K);
        put(n, "lt_r2_log", lt.r2Log());
        put(n, "lt_rmse_log", lt.rmseLog());
        n.put("lt_days", lt.n());
        if (lt.failure() != null) {
            n.put("lt_error", lt.failure());
        }
        n.put("first_date", d.firstDate().toString());
        n.put("last_date", d.lastDate().toString());
        n.put("days_in_span", d.daysInSpan());
        n.put("days_measured", d.daysMeasured());
        n.put("days_missing", d.daysMissing());
        put(n, "coverage_fraction", d.coverageFraction());
        ArrayNode ranges = n.putArray("missing_ranges");
        d.missingRanges().forEach(ranges::add);
        n.put("rows_merged", d.rowsMerged());
        n.put("annual_method", "mean of measured days x " + Constants.DAYS_PER_YEAR
                + " (Julian year); missing days not interpolated");
        ArrayNode flags = n.putArray("flags");
        d.flags().forEach(f -> flags.add(f.name()));
        if (warning != null) {
            n.put("warning", warning);
        }
        DecompositionUncertainty du = DecompositionUncertainty.of(d, fluxSystematicRel, socRel);
        put(n, "rh_g_c_m2_yr_ci95_low", du.rhAnnualCi95LowGCM2Yr());
        put(n, "rh_g_c_m2_yr_ci95_high", du.rhAnnualCi95HighGCM2Yr());
        put(n, "k_per_yr_ci95_low", du.kCi95LowPerYr());
        put(n, "k_per_yr_ci95_high", du.kCi95HighPerYr());
        put(n, "q10_ci95_low", du.q10Ci95Low());
        put(n, "q10_ci95_high", du.q10Ci95High());
        put(n, "rref_umol_m2_s_ci95_low", du.rrefCi95LowUmolM2S());
        put(n, "rref_umol_m2_s_ci95_high", du.rrefCi95HighUmolM2S());
        put(n, "flux_systematic_rel", fluxSystematicRel);
        out.println(json.write(n));
        return OK;
    }
}
