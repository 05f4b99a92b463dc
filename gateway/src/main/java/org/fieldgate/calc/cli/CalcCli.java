package org.fieldgate.calc.cli;

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
import org.fieldgate.calc.flux.ChamberClosure;
import org.fieldgate.calc.flux.ChamberGeometry;
import org.fieldgate.calc.flux.ChamberSample;
import org.fieldgate.calc.flux.FluxCalculator;
import org.fieldgate.calc.flux.FluxEstimate;
import org.fieldgate.calc.flux.FluxOptions;
import org.fieldgate.calc.flux.FluxQc;
import org.fieldgate.calc.flux.FluxSystematics;
import org.fieldgate.calc.flux.FluxUncertainty;
import org.fieldgate.calc.mineralisation.HouseAccuracy;
import org.fieldgate.calc.mineralisation.HouseOptions;
import org.fieldgate.calc.mineralisation.HouseSample;
import org.fieldgate.calc.mineralisation.MineralisationCalculator;
import org.fieldgate.calc.mineralisation.MineralisationResult;
import org.fieldgate.calc.mineralisation.MineralisationUncertainty;
import org.fieldgate.calc.mineralisation.ReplacementAdvice;
import org.fieldgate.calc.mineralisation.ShrinkingCore;

/**
 * Offline calculators on CSV files, JSON on stdout (docs/science.md §1-§3). Exit codes: 0 done, 2 output written but a
 * closure has no flux or a plausibility check failed, 1 bad input (the
 * message names file, line and column), 64 bad usage. Run as
 * {@code java -cp fieldgate-gateway.jar org.fieldgate.calc.cli.CalcCli flux --input closures.csv --volume-cm3 V
 * --area-cm2 S}; {@code --help} prints the options.
 */
public final class CalcCli {
    public static final int OK = 0;
    public static final int BAD_INPUT = 1;
    public static final int USAGE = 64;

    /** Output written, but a closure has no flux or a plausibility check failed; stderr says which. */
    public static final int PARTIAL = 2;

    private static final String FLUX_USAGE = String.join("\n",
            "usage: calc flux --input closures.csv --volume-cm3 V --area-cm2 S [options]",
            "         CSV columns chamber,closure_id,time_s,co2_ppm,h2o_mmol_mol,temp_c,pressure_kpa (one row per sample)",
            "         -> one JSON object per closure per line: flux_umol_m2_s, flux_g_c_m2_d, model, model_reason,",
            "            r2, rmse (ppm), se (umol m-2 s-1), mdf (umol m-2 s-1), qc [...], error (when not fitted)",
            "         options: --collar-offset-cm H (adds H x area to the volume)  --deadband-s 20  --observation-s 120",
            "                  --r2-threshold 0.90  --precision-ppm 1  --ambient-ppm 420|off  --ambient-tolerance-ppm 100",
            "                  --max-temp-drift-c 1  --max-pressure-drift-kpa 0.1  --min-points 10",
            "                  --max-gap-s (default 3 x median spacing)",
            "         uncertainty (docs/science.md section 7; datasheet limits +-, as printed, read as rectangular):",
            "                  --volume-accuracy-pct 0  --area-accuracy-pct 0  --pressure-accuracy-kpa 0.1 (BME280)",
            "                  --temp-accuracy-c 1 (BME280)  --co2-gain-accuracy-pct 3 (SCD30's % of reading)",
            "                  -> flux_ci95_low, flux_ci95_high (umol m-2 s-1: the fit's se and the systematic part",
            "                     flux_systematic_rel combined in flux_se_combined)",
            "                  --assume-dry: a closure with h2o_mmol_mol empty or NA in every sample (or no such column;",
            "                    an analyser without an H2O channel, e.g. a Vaisala GMP252) is computed with W = 0 and",
            "                    flagged DRY_ASSUMED; without it such a closure has no flux and says why",
            "         conventions (docs/science.md section 1):",
            "           co2_ppm is the analyser's WET mole fraction (umol per mol of moist air); it is corrected to dry",
            "             C' = C / (1 - W/1000) with W = h2o_mmol_mol. With W constant during a closure W = 0 gives the",
            "             same flux; for an analyser that reports dry CO2, --assume-dry overstates F by 1/(1 - W0/1000).",
            "           the flux is dC'/dt at t0 = the first sample at or after lid closing + dead band: the line's",
            "             slope, or the exponential's initial slope a (Cx - C'0) at t0 (not at lid closing);",
            "             P0, T0, W0 are taken at that sample",
            "           g C: 12.0 g C per mol CO2, so 1 umol m-2 s-1 = 12.0e-6 x 86400 = 1.0368 g C m-2 d-1",
            "           time_s must rise within a closure: a step back or a repeated time rejects the closure with",
            "             file:line and the value (it is never re-sorted)",
            "         exit: 0 every closure has a flux; 2 some closure has none (its line's error and stderr give",
            "               file:lines and why); 1 bad input (nothing written); 64 bad usage");

    private static final String DECOMPOSITION_USAGE = String.join("\n",
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

    private static final String MINERALISATION_USAGE = String.join("\n",
            "usage: calc mineralisation --input house.csv --rock-kg M --potential-kg-per-kg P --grid-kg-per-kwh G",
            "                [--handling-kg-co2 H] [--max-gap-s 600] [--cycle-days 365.25] [--cycles-yr 0.5,1,2]",
            "                [--max-flow-m3-s 100]",
            "         CSV columns time_s,flow_m3_s,co2_in_ppm,co2_out_ppm,temp_c,pressure_kpa,power_kw",
            "         -> JSON: cumulative_uptake_kg, mineralised_fraction, energy_kwh, net_removal_kg, tau_days,",
            "            kinetic_model, x_at_cycle_end, replacement {...}, flags [...]",
            "         conventions (docs/science.md section 3): flow in m3 per SECOND at the measured T and P; CO2 dry;",
            "           uptake = P Q / (R T) x (Cin - Cout) x 1e-6 x 44.01e-3 kg/s, trapezoid over valid samples;",
            "           an interval longer than --max-gap-s is a gap: neither its uptake nor its fan energy is counted",
            "           (energy_not_counted_kwh reports the latter); --max-gap-s below the logging interval is an error;",
            "           a year is 365.25 days (Julian year) in --cycles-yr and --cycle-days",
            "         flags: OUTLET_ABOVE_INLET (samples with CO2 out > in: negative uptake, kept in the sums),",
            "           FLOW_IMPLAUSIBLE (flow_m3_s above --max-flow-m3-s, e.g. m3/h logged as m3/s; exit 2)",
            "         uncertainty (docs/science.md section 7.4; datasheet limits +-, as printed): --co2-repeatability-ppm 10",
            "           --co2-offset-ppm 30 --co2-analysers 2 (1: one analyser switched between inlet and outlet, the",
            "           offset cancels) --co2-gain-accuracy-pct 3 --flow-repeatability-pct 0 --flow-accuracy-pct 3",
            "           --pressure-accuracy-kpa 0.1 --temp-accuracy-c 1 --energy-accuracy-pct 1 --grid-accuracy-pct 0",
            "           --handling-accuracy-kg 0 --rock-accuracy-pct 0 --potential-accuracy-pct 0",
            "           -> cumulative_uptake_kg_ci95_low/high, mineralised_fraction_ci95_low/high,",
            "              net_removal_kg_ci95_low/high, net_removal_kg_conservative (5th percentile), coverage_fraction",
            "         exit: 0 ok; 2 written but FLOW_IMPLAUSIBLE; 1 bad input; 64 bad usage");

    private static final Map<String, String> COMMAND_USAGE = Map.of("flux", FLUX_USAGE,
            "decomposition", DECOMPOSITION_USAGE, "mineralisation", MINERALISATION_USAGE,
            "mineralization", MINERALISATION_USAGE);

    private static final String USAGE_TEXT = String.join("\n", FLUX_USAGE, DECOMPOSITION_USAGE,
            MINERALISATION_USAGE,
            "Empty cells and NA mean 'not measured'. calc COMMAND --help prints one command's usage.",
            "Exit: 0 ok, 1 bad input, 2 written but some result is missing or implausible, 64 bad usage.");

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
            if (COMMAND_USAGE.containsKey(command) && wantsHelp(rest)) {
                out.println(COMMAND_USAGE.get(command));
                return OK;
            }
            int code = switch (command) {
                case "flux" -> flux(rest);
                case "decomposition" -> decomposition(rest);
                case "mineralisation", "mineralization" -> mineralisation(rest);
                case "" -> throw new UsageException("no command given");
                default -> throw new UsageException("unknown command '" + command + "'");
            };
            out.flush();
            return code;
        } catch (UsageException e) {
            err.println("calc: " + e.getMessage());
            err.println(COMMAND_USAGE.getOrDefault(command, USAGE_TEXT));
            return USAGE;
        } catch (CsvFile.InputException e) {
            err.println("calc " + command + ": " + e.getMessage());
            return BAD_INPUT;
        }
    }

    private static boolean wantsHelp(String[] args) {
        for (String a : args) {
            if (a.equals("--help") || a.equals("-h")) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- flux

    private static final Map<String, String> FLUX_COLUMNS = Map.of(
            "timeS", "time_s", "co2Ppm", "co2_ppm", "h2oMmolMol", "h2o_mmol_mol", "tempC", "temp_c",
            "pressureKpa", "pressure_kpa");

    private int flux(String[] args) throws UsageException, CsvFile.InputException {
        Options o = Options.parse(args, Set.of("input", "volume-cm3", "area-cm2", "collar-offset-cm", "deadband-s",
                "observation-s", "r2-threshold", "precision-ppm", "ambient-ppm", "ambient-tolerance-ppm",
                "max-temp-drift-c", "max-pressure-drift-kpa", "min-points", "max-gap-s", "volume-accuracy-pct",
                "area-accuracy-pct", "pressure-accuracy-kpa", "temp-accuracy-c", "co2-gain-accuracy-pct"),
                Set.of("assume-dry"));
        boolean assumeDry = o.has("assume-dry");
        String input = o.required("input");
        double volume = o.requiredNumber("volume-cm3");
        double area = o.requiredNumber("area-cm2");
        double offset = o.number("collar-offset-cm", 0);
        ChamberGeometry geometry = o.build(Map.of("chamberVolumeCm3", "volume-cm3", "volumeCm3", "volume-cm3",
                        "areaCm2", "area-cm2", "collarOffsetCm", "collar-offset-cm"),
                () -> ChamberGeometry.withCollarOffset(volume, offset, area));
        FluxSystematics systematics = fluxSystematics(o);
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

        List<String> required = new ArrayList<>(List.of("chamber", "closure_id", "time_s", "co2_ppm", "temp_c",
                "pressure_kpa"));
        if (!assumeDry) {
            required.add(4, "h2o_mmol_mol"); // without --assume-dry a file without the column is an error
        }
        CsvFile csv = CsvFile.read(Path.of(input), input, required);
        boolean hasH2o = csv.hasColumn("h2o_mmol_mol");
        record Reading(CsvFile.Row row, double t, double co2, double h2o, double temp, double p) {
        }
        record Group(String chamber, String closure, List<Reading> readings, String[] rejected) {
        }
        Map<List<String>, Group> groups = new LinkedHashMap<>();
        for (CsvFile.Row row : csv.rows()) {
            String chamber = csv.requiredText(row, "chamber");
            String closure = csv.requiredText(row, "closure_id");
            Group g = groups.computeIfAbsent(List.of(chamber, closure),
                    k -> new Group(chamber, closure, new ArrayList<>(), new String[1]));
            double t = csv.requiredNumber(row, "time_s");
            Reading r = new Reading(row, t, csv.number(row, "co2_ppm"),
                    hasH2o ? csv.number(row, "h2o_mmol_mol") : Double.NaN, csv.number(row, "temp_c"),
                    csv.number(row, "pressure_kpa"));
            if (!g.readings().isEmpty() && g.rejected()[0] == null) {
                // A step back is a clock fault (NTP correction, RTC-less boot): re-sorting would splice two
                // time bases into one series, so the closure is rejected instead.
                Reading prev = g.readings().get(g.readings().size() - 1);
                if (t <= prev.t()) {
                    g.rejected()[0] = csv.error(row, "time_s", String.format(Locale.ROOT,
                            "%s s %s the previous sample's %s s (line %d) in closure %s/%s: %s; the closure is"
                                    + " rejected, not re-sorted", fmt(t), t == prev.t() ? "repeats" : "is before",
                            fmt(prev.t()), prev.row().line(), chamber, closure,
                            t == prev.t() ? "two samples at one time" : "time went backwards (clock step?)"))
                            .getMessage();
                }
            }
            g.readings().add(r);
        }
        if (groups.isEmpty()) {
            throw new CsvFile.InputException(input + ": no data rows (the file has only a header)");
        }
        FluxCalculator calculator = new FluxCalculator(options);
        int failed = 0;
        for (Group g : groups.values()) {
            List<Reading> rs = g.readings();
            String lines = input + ":" + rs.get(0).row().line() + "-" + rs.get(rs.size() - 1).row().line();
            boolean dry = rs.stream().allMatch(r -> Double.isNaN(r.h2o()));
            List<ChamberSample> samples = new ArrayList<>();
            int missing = 0;
            for (Reading r : rs) {
                double h2o = dry ? 0 : r.h2o();
                if (Double.isNaN(r.co2()) || Double.isNaN(h2o) || Double.isNaN(r.temp()) || Double.isNaN(r.p())) {
                    missing++; // a sample not measured: left out, it shows as a gap
                    continue;
                }
                try {
                    samples.add(new ChamberSample(r.t(), r.co2(), h2o, r.temp(), r.p()));
                } catch (InvalidInputException e) {
                    throw csv.rejected(r.row(), FLUX_COLUMNS.getOrDefault(e.field(), e.field()), e);
                }
            }
            String error;
            FluxEstimate e = null;
            if (g.rejected()[0] != null) {
                error = g.rejected()[0];
            } else if (dry && !assumeDry) {
                error = lines + ": closure " + g.chamber() + "/" + g.closure() + ": h2o_mmol_mol is empty or NA in"
                        + " every sample; for an analyser without an H2O channel (e.g. a GMP252) give --assume-dry";
            } else {
                e = calculator.estimate(new ChamberClosure(g.closure(), g.chamber(), geometry, samples));
                error = e.error() == null ? null
                        : lines + ": closure " + g.chamber() + "/" + g.closure() + ": " + e.error();
            }
            ObjectNode n = json.createObjectNode();
            n.put("closure_id", g.closure());
            n.put("chamber", g.chamber());
            if (e == null) {
                n.put("model", "none");
                n.putNull("flux_umol_m2_s");
                n.putArray("qc");
            } else {
                fluxFields(n, e);
                if (e.fitted() && !samples.isEmpty()) {
                    // P and T enter only relatively (uP/P, uT/T): the closure's first sample stands for P0, T0
                    FluxUncertainty fu = FluxUncertainty.of(e, systematics, samples.get(0).pressureKpa(),
                            samples.get(0).tempC());
                    put(n, "flux_ci95_low", fu.ci95LowUmolM2S());
                    put(n, "flux_ci95_high", fu.ci95HighUmolM2S());
                    put(n, "flux_se_combined", fu.combinedSeUmolM2S());
                    put(n, "flux_systematic_rel", fu.systematicRel());
                }
                if (dry) {
                    ((ArrayNode) n.get("qc")).add(FluxQc.DRY_ASSUMED.name());
                }
            }
            n.put("samples_missing", missing);
            if (error != null) {
                n.put("error", error);
                err.println("calc flux: " + error);
                failed++;
            }
            out.println(write(n));
        }
        if (failed > 0) {
            err.println("calc flux: " + failed + " of " + groups.size() + " closure(s) have no flux");
            return PARTIAL;
        }
        return OK;
    }

    private void fluxFields(ObjectNode n, FluxEstimate e) {
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
    }

    /** Datasheet limits of calc flux's systematic inputs, defaults from the sensors named in its usage. */
    private static FluxSystematics fluxSystematics(Options o) throws UsageException {
        double v = o.number("volume-accuracy-pct", 0);
        double a = o.number("area-accuracy-pct", 0);
        double p = o.number("pressure-accuracy-kpa", DEFAULT_PRESSURE_ACCURACY_KPA);
        double t = o.number("temp-accuracy-c", DEFAULT_TEMP_ACCURACY_C);
        double g = o.number("co2-gain-accuracy-pct", DEFAULT_CO2_GAIN_ACCURACY_PCT);
        return o.build(Map.of("volumeRel", "volume-accuracy-pct", "areaRel", "area-accuracy-pct",
                "pressureKpa", "pressure-accuracy-kpa", "tempC", "temp-accuracy-c", "co2GainRel",
                "co2-gain-accuracy-pct"), () -> FluxSystematics.fromLimits(v, a, p, t, g));
    }

    /**
     * Datasheet limits of the house's measurements (docs/science.md §7.4, §7.5), each read as rectangular:
     * defaults SCD30 repeatability +-10 ppm and +-(30 ppm + 3 %), two analysers; 3 % of reading for the flow (a
     * project choice: Sensirion quotes 3 % of reading for the SDP810-125Pa's dP, and a flow k sqrt(dP) has half that);
     * BME280 +-1 hPa and +-1 degC; SDM120/SDM630 class 1 (1 %) for energy.
     */
    private static HouseAccuracy houseAccuracy(Options o) throws UsageException {
        long analysers = o.integer("co2-analysers", 2);
        if (analysers != 1 && analysers != 2) {
            throw new UsageException("--co2-analysers: 1 (one analyser switched between inlet and outlet) or 2, got "
                    + analysers);
        }
        String[] names = {"co2-repeatability-ppm", "co2-offset-ppm", "co2-gain-accuracy-pct", "flow-repeatability-pct",
            "flow-accuracy-pct", "pressure-accuracy-kpa", "temp-accuracy-c", "energy-accuracy-pct",
            "grid-accuracy-pct", "handling-accuracy-kg", "rock-accuracy-pct", "potential-accuracy-pct"};
        double[] defaults = {10, 30, DEFAULT_CO2_GAIN_ACCURACY_PCT, 0, 3, DEFAULT_PRESSURE_ACCURACY_KPA,
            DEFAULT_TEMP_ACCURACY_C, 1, 0, 0, 0, 0};
        double[] u = new double[names.length];
        for (int i = 0; i < names.length; i++) {
            double limit = o.number(names[i], defaults[i]);
            if (limit < 0) {
                throw new UsageException("--" + names[i] + ": must be >= 0 (a datasheet limit, +-), got " + fmt(limit));
            }
            u[i] = Uncertainty.fromLimit(names[i].endsWith("-pct") ? limit / 100 : limit);
        }
        // two analysers: their offsets are independent and do not cancel in Cin - Cout
        double offsetDiff = analysers == 2 ? Math.sqrt(2) * u[1] : 0;
        return new HouseAccuracy(u[0], offsetDiff, u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11]);
    }

    /** BME280 pressure, +-1 hPa absolute (docs/science.md §7.5). */
    static final double DEFAULT_PRESSURE_ACCURACY_KPA = 0.1;
    /** BME280 temperature, +-1 degC (docs/science.md §7.5). */
    static final double DEFAULT_TEMP_ACCURACY_C = 1.0;
    /** SCD30, the %-of-reading part of +-(30 ppm + 3 %) (docs/science.md §7.5). */
    static final double DEFAULT_CO2_GAIN_ACCURACY_PCT = 3.0;

    private static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    // ---------------------------------------------------------------- decomposition

    private int decomposition(String[] args) throws UsageException, CsvFile.InputException {
        Options o = Options.parse(args, Set.of("input", "soc-g-c-m2", "rh-fraction", "min-coverage",
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
        out.println(write(n));
        return OK;
    }

    // ---------------------------------------------------------------- mineralisation

    private static final Map<String, String> HOUSE_COLUMNS = Map.of(
            "timeS", "time_s", "flowM3S", "flow_m3_s", "co2InPpm", "co2_in_ppm", "co2OutPpm", "co2_out_ppm",
            "tempC", "temp_c", "pressureKpa", "pressure_kpa", "powerKw", "power_kw");

    /** Above this a flow_m3_s value is more likely m3/h or l/s in the wrong column than a house's fans. */
    static final double DEFAULT_MAX_FLOW_M3_S = 100;

    private int mineralisation(String[] args) throws UsageException, CsvFile.InputException {
        Options o = Options.parse(args, Set.of("input", "rock-kg", "potential-kg-per-kg", "grid-kg-per-kwh",
                "handling-kg-co2", "max-gap-s", "cycle-days", "cycles-yr", "max-flow-m3-s", "co2-repeatability-ppm",
                "co2-offset-ppm", "co2-analysers", "co2-gain-accuracy-pct", "flow-repeatability-pct",
                "flow-accuracy-pct", "pressure-accuracy-kpa", "temp-accuracy-c", "energy-accuracy-pct",
                "grid-accuracy-pct", "handling-accuracy-kg", "rock-accuracy-pct", "potential-accuracy-pct"));
        HouseAccuracy accuracy = houseAccuracy(o);
        String input = o.required("input");
        double rock = o.requiredNumber("rock-kg");
        double pot = o.requiredNumber("potential-kg-per-kg");
        double grid = o.requiredNumber("grid-kg-per-kwh");
        double handling = o.number("handling-kg-co2", 0);
        double maxGap = o.number("max-gap-s", 600);
        double cycleDays = o.number("cycle-days", Constants.DAYS_PER_YEAR);
        double maxFlow = o.number("max-flow-m3-s", DEFAULT_MAX_FLOW_M3_S);
        if (!(maxFlow > 0)) {
            throw new UsageException("--max-flow-m3-s: must be > 0, got " + maxFlow);
        }
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
        double loggingS = MineralisationCalculator.medianValidIntervalS(samples);
        if (loggingS > options.maxGapS()) {
            // Nothing (or little) would be integrated while fan energy still accrues: refuse, name the fix.
            throw new CsvFile.InputException(String.format(Locale.ROOT, "%s: --max-gap-s %s s is shorter than the"
                            + " logging interval (median %s s between valid samples), so no uptake would be counted;"
                            + " give --max-gap-s above %s (e.g. %s)", input, fmt(options.maxGapS()), fmt(loggingS),
                    fmt(loggingS), fmt(3 * loggingS)));
        }
        int flowImplausible = 0;
        double flowMax = 0;
        for (HouseSample s : samples) {
            if (s.flowM3S() > maxFlow) {
                flowImplausible++;
            }
            flowMax = Math.max(flowMax, Double.isNaN(s.flowM3S()) ? 0 : s.flowM3S());
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
        put(n, "energy_not_counted_kwh", m.energyNotCountedKwh());
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
        n.put("samples_outlet_above_inlet", m.samplesOutletAboveInlet());
        n.put("samples_flow_implausible", flowImplausible);
        n.put("plausible_flow_m3_s", "0.." + fmt(maxFlow));
        ArrayNode flags = n.putArray("flags");
        if (m.samplesOutletAboveInlet() > 0) {
            flags.add("OUTLET_ABOVE_INLET");
            err.println("calc mineralisation: warning: OUTLET_ABOVE_INLET: " + m.samplesOutletAboveInlet() + " of "
                    + m.samplesValid() + " valid samples have co2_out_ppm above co2_in_ppm (negative uptake, kept in"
                    + " the sums)");
        }
        if (flowImplausible > 0) {
            flags.add("FLOW_IMPLAUSIBLE");
            err.println("calc mineralisation: FLOW_IMPLAUSIBLE: " + flowImplausible + " sample(s) of " + input
                    + " have flow_m3_s above " + fmt(maxFlow) + " (up to " + fmt(flowMax) + "); the column is m3 per"
                    + " second (m3/h divided by 3600); --max-flow-m3-s raises the limit for a larger house");
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
        MineralisationUncertainty mu = MineralisationUncertainty.of(samples, options, m, accuracy);
        put(n, "cumulative_uptake_kg_ci95_low", mu.uptakeCi95LowKg());
        put(n, "cumulative_uptake_kg_ci95_high", mu.uptakeCi95HighKg());
        put(n, "mineralised_fraction_ci95_low", mu.fractionCi95Low());
        put(n, "mineralised_fraction_ci95_high", mu.fractionCi95High());
        put(n, "net_removal_kg_ci95_low", mu.netCi95LowKg());
        put(n, "net_removal_kg_ci95_high", mu.netCi95HighKg());
        put(n, "net_removal_kg_conservative", mu.netConservativeKg());
        put(n, "coverage_fraction", mu.coverageFraction());
        out.println(write(n));
        return flowImplausible > 0 ? PARTIAL : OK;
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
            return parse(args, allowed, Set.of());
        }

        /** {@code switches} are options without a value (present or not). */
        static Options parse(String[] args, Set<String> allowed, Set<String> switches) throws UsageException {
            Map<String, String> values = new LinkedHashMap<>();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (!a.startsWith("--") || a.length() == 2) {
                    throw new UsageException("unexpected argument '" + a + "'");
                }
                String name = a.substring(2);
                String value;
                int eq = name.indexOf('=');
                if (switches.contains(name)) {
                    value = "true";
                } else if (eq >= 0) {
                    value = name.substring(eq + 1);
                    name = name.substring(0, eq);
                } else {
                    if (i + 1 >= args.length) {
                        throw new UsageException("--" + name + " needs a value");
                    }
                    value = args[++i];
                }
                if (!allowed.contains(name) && !switches.contains(name)) {
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
