package org.fieldgate.calc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.fieldgate.calc.decomposition.DailyRespiration;
import org.fieldgate.calc.decomposition.DecompositionCalculator;
import org.fieldgate.calc.decomposition.DecompositionOptions;
import org.fieldgate.calc.decomposition.DecompositionResult;
import org.fieldgate.calc.decomposition.RhPartitioning;
import org.fieldgate.calc.decomposition.TemperatureResponse;
import org.fieldgate.calc.flux.ChamberClosure;
import org.fieldgate.calc.flux.ChamberGeometry;
import org.fieldgate.calc.flux.ChamberSample;
import org.fieldgate.calc.flux.FluxCalculator;
import org.fieldgate.calc.flux.FluxEstimate;
import org.fieldgate.calc.flux.FluxOptions;
import org.fieldgate.calc.flux.FluxQc;
import org.fieldgate.calc.mineralisation.HouseOptions;
import org.fieldgate.calc.mineralisation.HouseSample;
import org.fieldgate.calc.mineralisation.MineralisationCalculator;
import org.fieldgate.calc.mineralisation.MineralisationResult;
import org.fieldgate.calc.mineralisation.ReplacementAdvice;
import org.fieldgate.calc.mineralisation.ShrinkingCore;

/**
 * Offline calculators on CSV files, JSON on stdout (science README §1-3). Exit codes: 0 done, 1 bad input (the
 * message names file, line and column), 64 bad usage. Run as
 * {@code java -cp fieldgate-gateway.jar org.fieldgate.calc.CalcCli flux --input closures.csv --volume-cm3 V
 * --area-cm2 S}; {@code --help} prints the options.
 */
public final class CalcCli {
    public static final int OK = 0;
    public static final int BAD_INPUT = 1;
    public static final int USAGE = 64;

    private static final String USAGE_TEXT = String.join("\n",
            "usage: calc flux --input closures.csv --volume-cm3 V --area-cm2 S [options]",
            "         CSV columns chamber,closure_id,time_s,co2_ppm,h2o_mmol_mol,temp_c,pressure_kpa (one row per sample)",
            "         -> one JSON object per closure per line: flux_umol_m2_s, flux_g_c_m2_d, model, model_reason,",
            "            r2, rmse (ppm), se (umol m-2 s-1), mdf (umol m-2 s-1), qc [...], error (when not fitted)",
            "         options: --collar-offset-cm H (adds H x area to the volume)  --deadband-s 20  --observation-s 120",
            "                  --r2-threshold 0.90  --precision-ppm 1  --ambient-ppm 420|off  --ambient-tolerance-ppm 100",
            "                  --max-temp-drift-c 1  --max-pressure-drift-kpa 0.1  --min-points 10",
            "                  --max-gap-s (default 3 x median spacing)",
            "       calc decomposition --input daily.csv --soc-g-c-m2 X [--rh-fraction f] [--min-coverage 0.8]",
            "         CSV columns date,rh_umol_m2_s,temp_c (or rs_umol_m2_s with --rh-fraction: Rh = f x Rs)",
            "         -> JSON: k_per_yr, residence_time_yr, q10, rref_umol_m2_s, rh_g_c_m2_yr, lt_* , days_missing ...",
            "       calc mineralisation --input house.csv --rock-kg M --potential-kg-per-kg P --grid-kg-per-kwh G",
            "                [--handling-kg-co2 H] [--max-gap-s 600] [--cycle-days 365] [--cycles-yr 0.5,1,2]",
            "         CSV columns time_s,flow_m3_s,co2_in_ppm,co2_out_ppm,temp_c,pressure_kpa,power_kw",
            "         -> JSON: cumulative_uptake_kg, mineralised_fraction, energy_kwh, net_removal_kg, tau_days,",
            "            kinetic_model, x_at_cycle_end, replacement {...}",
            "Empty cells and NA mean 'not measured'. Exit: 0 ok, 1 bad input, 64 bad usage.");

    private final PrintStream out;
    private final PrintStream err;
    private final ObjectMapper json = new ObjectMapper();

    private CalcCli(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                StandardCharsets.UTF_8);
        System.exit(run(args, out, System.err));
    }

    /** Runs one command; returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return new CalcCli(out, err).dispatch(args);
    }

    private static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    private int dispatch(String[] args) {
        String command = args.length > 0 ? args[0] : "";
        try {
            if (command.equals("--help") || command.equals("-h") || command.equals("help")) {
                out.println(USAGE_TEXT);
                return OK;
            }
            String[] rest = java.util.Arrays.copyOfRange(args, Math.min(1, args.length), args.length);
            switch (command) {
                case "flux" -> flux(rest);
                case "decomposition" -> decomposition(rest);
                case "mineralisation", "mineralization" -> mineralisation(rest);
                case "" -> throw new UsageException("no command given");
                default -> throw new UsageException("unknown command '" + command + "'");
            }
            out.flush();
            return OK;
        } catch (UsageException e) {
            err.println("calc: " + e.getMessage());
            err.println(USAGE_TEXT);
            return USAGE;
        } catch (CsvFile.InputException e) {
            err.println("calc " + command + ": " + e.getMessage());
            return BAD_INPUT;
        }
    }

    // ---------------------------------------------------------------- flux

    private static final Map<String, String> FLUX_COLUMNS = Map.of(
            "timeS", "time_s", "co2Ppm", "co2_ppm", "h2oMmolMol", "h2o_mmol_mol", "tempC", "temp_c",
            "pressureKpa", "pressure_kpa");

    private void flux(String[] args) throws UsageException, CsvFile.InputException {
        Options o = Options.parse(args, Set.of("input", "volume-cm3", "area-cm2", "collar-offset-cm", "deadband-s",
                "observation-s", "r2-threshold", "precision-ppm", "ambient-ppm", "ambient-tolerance-ppm",
                "max-temp-drift-c", "max-pressure-drift-kpa", "min-points", "max-gap-s"));
        String input = o.required("input");
        double volume = o.requiredNumber("volume-cm3");
        double area = o.requiredNumber("area-cm2");
        double offset = o.number("collar-offset-cm", 0);
        ChamberGeometry geometry = o.build(Map.of("chamberVolumeCm3", "volume-cm3", "volumeCm3", "volume-cm3",
                        "areaCm2", "area-cm2", "collarOffsetCm", "collar-offset-cm"),
                () -> ChamberGeometry.withCollarOffset(volume, offset, area));
        FluxOptions.Builder b = FluxOptions.builder();
        b.deadBandS(o.number("deadband-s", 20)).observationS(o.number("observation-s", 120))
                .r2Threshold(o.number("r2-threshold", 0.90)).analyserPrecisionPpm(o.number("precision-ppm", 1))
                .ambientTolerancePpm(o.number("ambient-tolerance-ppm", 100))
                .maxTempDriftC(o.number("max-temp-drift-c", 1)).maxPressureDriftKpa(o.number("max-pressure-drift-kpa", 0.1))
                .minPoints(o.integer("min-points", 10)).maxGapS(o.number("max-gap-s", Double.NaN));
        String ambient = o.text("ambient-ppm", "420");
        b.ambientCo2Ppm(ambient.equalsIgnoreCase("off") ? Double.NaN : o.number("ambient-ppm", 420));
        FluxOptions options = o.build(Map.ofEntries(Map.entry("deadBandS", "deadband-s"),
                Map.entry("observationS", "observation-s"), Map.entry("r2Threshold", "r2-threshold"),
                Map.entry("analyserPrecisionPpm", "precision-ppm"), Map.entry("ambientCo2Ppm", "ambient-ppm"),
                Map.entry("ambientTolerancePpm", "ambient-tolerance-ppm"),
                Map.entry("maxTempDriftC", "max-temp-drift-c"), Map.entry("maxPressureDriftKpa", "max-pressure-drift-kpa"),
                Map.entry("minPoints", "min-points"), Map.entry("maxGapS", "max-gap-s")), b::build);

        CsvFile csv = CsvFile.read(Path.of(input), input,
                List.of("chamber", "closure_id", "time_s", "co2_ppm", "h2o_mmol_mol", "temp_c", "pressure_kpa"));
        record Group(String chamber, String closure, List<ChamberSample> samples, int[] missing) {
        }
        Map<List<String>, Group> groups = new LinkedHashMap<>();
        for (CsvFile.Row row : csv.rows()) {
            String chamber = csv.requiredText(row, "chamber");
            String closure = csv.requiredText(row, "closure_id");
            Group g = groups.computeIfAbsent(List.of(chamber, closure),
                    k -> new Group(chamber, closure, new ArrayList<>(), new int[1]));
            double t = csv.requiredNumber(row, "time_s");
            double co2 = csv.number(row, "co2_ppm");
            double h2o = csv.number(row, "h2o_mmol_mol");
            double temp = csv.number(row, "temp_c");
            double p = csv.number(row, "pressure_kpa");
            if (Double.isNaN(co2) || Double.isNaN(h2o) || Double.isNaN(temp) || Double.isNaN(p)) {
                g.missing()[0]++; // a sample not measured: left out, it shows as a gap
                continue;
            }
            try {
                g.samples().add(new ChamberSample(t, co2, h2o, temp, p));
            } catch (InvalidInputException e) {
                throw csv.rejected(row, FLUX_COLUMNS.getOrDefault(e.field(), e.field()), e);
            }
        }
        FluxCalculator calculator = new FluxCalculator(options);
        for (Group g : groups.values()) {
            FluxEstimate e = calculator.estimate(new ChamberClosure(g.closure(), g.chamber(), geometry, g.samples()));
            ObjectNode n = json.createObjectNode();
            n.put("closure_id", e.closureId());
            n.put("chamber", e.chamberId());
            n.put("model", e.model().name().toLowerCase(Locale.ROOT));
            n.put("model_reason", e.modelReason());
            put(n, "flux_umol_m2_s", e.fluxUmolM2S());
            put(n, "flux_g_c_m2_d", e.fluxGCM2D());
            put(n, "r2", e.r2());
            put(n, "rmse", e.rmsePpm());
            put(n, "se", e.seUmolM2S());
            put(n, "mdf", e.mdfUmolM2S());
            ArrayNode qc = n.putArray("qc");
            for (FluxQc f : e.flags()) {
                qc.add(f.name());
            }
            n.put("points", e.pointsUsed());
            n.put("samples_missing", g.missing()[0]);
            put(n, "observed_s", e.observedS());
            put(n, "slope_ppm_s", e.slopePpmS());
            if (e.linear() != null) {
                put(n, "linear_slope_ppm_s", e.linear().slope());
                put(n, "linear_r2", e.linear().r2());
            }
            if (e.exponential() != null && e.exponential().failure() == null) {
                put(n, "exp_slope_ppm_s", e.exponential().slopePpmS());
                put(n, "curvature_per_s", e.exponential().curvaturePerS());
                put(n, "c0_ppm", e.exponential().c0Ppm());
                put(n, "cx_ppm", e.exponential().cxPpm());
                put(n, "exp_r2", e.exponential().r2());
            }
            if (e.error() != null) {
                n.put("error", e.error());
            }
            out.println(write(n));
        }
    }

    // ---------------------------------------------------------------- decomposition

    private void decomposition(String[] args) throws UsageException, CsvFile.InputException {
        Options o = Options.parse(args, Set.of("input", "soc-g-c-m2", "rh-fraction", "min-coverage"));
        String input = o.required("input");
        double soc = o.requiredNumber("soc-g-c-m2");
        double fraction = o.number("rh-fraction", 1.0);
        double coverage = o.number("min-coverage", 0.8);
        DecompositionOptions options = o.build(Map.of("socGCM2", "soc-g-c-m2", "rhFraction", "rh-fraction",
                "minCoverageFraction", "min-coverage"),
                () -> new DecompositionOptions(soc, new RhPartitioning.Fraction(fraction), coverage));
        CsvFile csv = CsvFile.read(Path.of(input), input, List.of("date", "temp_c"));
        String column;
        if (csv.hasColumn("rh_umol_m2_s")) {
            column = "rh_umol_m2_s";
        } else if (csv.hasColumn("rs_umol_m2_s")) {
            if (!o.has("rh-fraction")) {
                throw new UsageException(input + " has total soil respiration (rs_umol_m2_s): give --rh-fraction");
            }
            column = "rs_umol_m2_s";
        } else {
            throw new CsvFile.InputException(input + ": missing column rh_umol_m2_s (or rs_umol_m2_s)");
        }
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
        n.put("annual_method", "mean of measured days x 365.25; missing days not interpolated");
        ArrayNode flags = n.putArray("flags");
        d.flags().forEach(f -> flags.add(f.name()));
        out.println(write(n));
    }

    // ---------------------------------------------------------------- mineralisation

    private static final Map<String, String> HOUSE_COLUMNS = Map.of(
            "timeS", "time_s", "flowM3S", "flow_m3_s", "co2InPpm", "co2_in_ppm", "co2OutPpm", "co2_out_ppm",
            "tempC", "temp_c", "pressureKpa", "pressure_kpa", "powerKw", "power_kw");

    private void mineralisation(String[] args) throws UsageException, CsvFile.InputException {
        Options o = Options.parse(args, Set.of("input", "rock-kg", "potential-kg-per-kg", "grid-kg-per-kwh",
                "handling-kg-co2", "max-gap-s", "cycle-days", "cycles-yr"));
        String input = o.required("input");
        double rock = o.requiredNumber("rock-kg");
        double pot = o.requiredNumber("potential-kg-per-kg");
        double grid = o.requiredNumber("grid-kg-per-kwh");
        double handling = o.number("handling-kg-co2", 0);
        double maxGap = o.number("max-gap-s", 600);
        double cycleDays = o.number("cycle-days", 365);
        List<Double> cycles = o.numberList("cycles-yr", HouseOptions.PUBLISHED_CYCLES_YR);
        HouseOptions options = o.build(Map.of("rockKg", "rock-kg", "potentialKgCo2PerKg", "potential-kg-per-kg",
                        "gridKgCo2PerKwh", "grid-kg-per-kwh", "handlingKgCo2PerBatch", "handling-kg-co2",
                        "maxGapS", "max-gap-s", "cycleDays", "cycle-days", "candidateCyclesYr", "cycles-yr"),
                () -> new HouseOptions(rock, pot, grid, handling, maxGap, cycleDays, cycles));
        CsvFile csv = CsvFile.read(Path.of(input), input, List.of("time_s", "flow_m3_s", "co2_in_ppm",
                "co2_out_ppm", "temp_c", "pressure_kpa", "power_kw"));
        List<HouseSample> samples = new ArrayList<>();
        for (CsvFile.Row row : csv.rows()) {
            double t = csv.requiredNumber(row, "time_s");
            try {
                samples.add(new HouseSample(t, csv.number(row, "flow_m3_s"), csv.number(row, "co2_in_ppm"),
                        csv.number(row, "co2_out_ppm"), csv.number(row, "temp_c"), csv.number(row, "pressure_kpa"),
                        csv.number(row, "power_kw")));
            } catch (InvalidInputException e) {
                throw csv.rejected(row, HOUSE_COLUMNS.getOrDefault(e.field(), e.field()), e);
            }
        }
        MineralisationResult m;
        try {
            m = new MineralisationCalculator(options).calculate(samples);
        } catch (InvalidInputException e) {
            throw new CsvFile.InputException(input + ": " + e.value()
                    + " sample(s) with flow, CO2 in and out, temperature and pressure; at least 2 are needed");
        }
        ObjectNode n = json.createObjectNode();
        put(n, "cumulative_uptake_kg", m.grossUptakeKg());
        put(n, "mineralised_fraction", m.mineralisedFraction());
        put(n, "energy_kwh", m.energyKwh());
        put(n, "energy_in_gaps_kwh", m.energyInGapsKwh());
        put(n, "energy_kg_co2", m.energyKgCo2());
        put(n, "handling_kg_co2", m.handlingKgCo2());
        put(n, "net_removal_kg", m.netRemovalKg());
        put(n, "mean_uptake_kg_co2_h", m.meanUptakeKgPerH());
        ShrinkingCore.Fit best = m.kinetics().best();
        put(n, "tau_days", best.tauDays());
        n.put("kinetic_model", best.failure() == null ? best.model().name().toLowerCase(Locale.ROOT) : null);
        put(n, "kinetic_rmse_x", best.rmseX());
        put(n, "kinetic_r2_x", best.r2X());
        if (best.failure() != null) {
            n.put("kinetic_error", best.failure());
        }
        for (ShrinkingCore.Fit f : List.of(m.kinetics().diffusion(), m.kinetics().reaction())) {
            ObjectNode k = n.putObject(f.model().name().toLowerCase(Locale.ROOT));
            put(k, "tau_days", f.tauDays());
            put(k, "rmse_x", f.rmseX());
            put(k, "r2_x", f.r2X());
            if (f.failure() != null) {
                k.put("error", f.failure());
            }
        }
        put(n, "cycle_days", m.cycleDays());
        put(n, "x_at_cycle_end", m.fractionAtCycleEnd());
        n.put("samples", m.samples());
        n.put("samples_valid", m.samplesValid());
        n.put("gaps", m.gaps());
        put(n, "gap_s", m.gapS());
        put(n, "integrated_s", m.integratedS());
        put(n, "span_s", m.spanS());
        if (m.integratedS() == 0) {
            n.put("warning", "every interval between valid samples is longer than --max-gap-s "
                    + options.maxGapS() + " s, so nothing was integrated; raise it to the logging interval");
        }
        ReplacementAdvice a = m.advice();
        if (a == null) {
            n.putNull("replacement");
        } else {
            ObjectNode r = n.putObject("replacement");
            put(r, "best_cycle_yr", a.best().cycleYr());
            put(r, "best_net_kg_co2_per_yr", a.best().netKgPerYr());
            put(r, "scan_best_cycle_yr", a.scanned().cycleYr());
            put(r, "scan_best_net_kg_co2_per_yr", a.scanned().netKgPerYr());
            ArrayNode list = r.putArray("candidates");
            for (ReplacementAdvice.Cycle c : a.candidates()) {
                ObjectNode cn = list.addObject();
                put(cn, "cycle_yr", c.cycleYr());
                put(cn, "x_at_end", c.fractionAtEnd());
                put(cn, "fixed_kg_co2", c.fixedKgPerCycle());
                put(cn, "handling_kg_co2", c.handlingKgPerCycle());
                put(cn, "energy_kg_co2", c.energyKgPerCycle());
                put(cn, "net_kg_co2_per_yr", c.netKgPerYr());
            }
            r.put("note", a.note());
        }
        out.println(write(n));
    }

    // ---------------------------------------------------------------- helpers

    /** JSON has no NaN: an undefined number is written as null. */
    private static void put(ObjectNode n, String key, double v) {
        if (Double.isFinite(v)) {
            n.put(key, v);
        } else {
            n.putNull(key);
        }
    }

    private String write(ObjectNode n) {
        try {
            return json.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    /** --name value / --name=value options of one command. */
    private static final class Options {
        private final Map<String, String> values;

        private Options(Map<String, String> values) {
            this.values = values;
        }

        static Options parse(String[] args, Set<String> allowed) throws UsageException {
            Map<String, String> values = new LinkedHashMap<>();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (!a.startsWith("--") || a.length() == 2) {
                    throw new UsageException("unexpected argument '" + a + "'");
                }
                String name = a.substring(2);
                String value;
                int eq = name.indexOf('=');
                if (eq >= 0) {
                    value = name.substring(eq + 1);
                    name = name.substring(0, eq);
                } else {
                    if (i + 1 >= args.length) {
                        throw new UsageException("--" + name + " needs a value");
                    }
                    value = args[++i];
                }
                if (!allowed.contains(name)) {
                    throw new UsageException("unknown option --" + name);
                }
                if (values.put(name, value) != null) {
                    throw new UsageException("--" + name + " given twice");
                }
            }
            return new Options(values);
        }

        boolean has(String name) {
            return values.containsKey(name);
        }

        String required(String name) throws UsageException {
            String v = values.get(name);
            if (v == null || v.isBlank()) {
                throw new UsageException("--" + name + " is required");
            }
            return v;
        }

        String text(String name, String fallback) {
            return values.getOrDefault(name, fallback);
        }

        double requiredNumber(String name) throws UsageException {
            return parse(name, required(name));
        }

        double number(String name, double fallback) throws UsageException {
            String v = values.get(name);
            return v == null ? fallback : parse(name, v);
        }

        int integer(String name, int fallback) throws UsageException {
            String v = values.get(name);
            if (v == null) {
                return fallback;
            }
            try {
                return Integer.parseInt(v.strip());
            } catch (NumberFormatException e) {
                throw new UsageException("--" + name + ": '" + v + "' is not a whole number");
            }
        }

        List<Double> numberList(String name, List<Double> fallback) throws UsageException {
            String v = values.get(name);
            if (v == null) {
                return fallback;
            }
            List<Double> list = new ArrayList<>();
            for (String part : v.split(",")) {
                list.add(parse(name, part));
            }
            return list;
        }

        private static double parse(String name, String v) throws UsageException {
            try {
                double d = Double.parseDouble(v.strip());
                if (!Double.isFinite(d)) {
                    throw new NumberFormatException();
                }
                return d;
            } catch (NumberFormatException e) {
                throw new UsageException("--" + name + ": '" + v + "' is not a number");
            }
        }

        /** Builds a record, turning its complaint about a field into one about the option that set it. */
        <T> T build(Map<String, String> optionOfField, java.util.function.Supplier<T> build) throws UsageException {
            try {
                return build.get();
            } catch (InvalidInputException e) {
                String option = optionOfField.get(e.field());
                throw new UsageException((option != null ? "--" + option : e.field()) + ": " + e.requirement()
                        + ", got " + e.value());
            }
        }
    }
}
