package org.fieldgate.calc.cli;

import static org.fieldgate.calc.cli.CalcCli.OK;
import static org.fieldgate.calc.cli.CalcCli.PARTIAL;
import static org.fieldgate.calc.cli.CliJson.fmt;
import static org.fieldgate.calc.cli.CliJson.put;
import static org.fieldgate.calc.cli.DatasheetDefaults.DEFAULT_CO2_GAIN_ACCURACY_PCT;
import static org.fieldgate.calc.cli.DatasheetDefaults.DEFAULT_PRESSURE_ACCURACY_KPA;
import static org.fieldgate.calc.cli.DatasheetDefaults.DEFAULT_TEMP_ACCURACY_C;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.fieldgate.calc.InvalidInputException;
import org.fieldgate.calc.flux.ChamberClosure;
import org.fieldgate.calc.flux.ChamberGeometry;
import org.fieldgate.calc.flux.ChamberSample;
import org.fieldgate.calc.flux.FluxCalculator;
import org.fieldgate.calc.flux.FluxEstimate;
import org.fieldgate.calc.flux.FluxOptions;
import org.fieldgate.calc.flux.FluxQc;
import org.fieldgate.calc.flux.FluxSystematics;
import org.fieldgate.calc.flux.FluxUncertainty;

/** {@code calc flux}: chamber closures in a CSV, one JSON object per closure per line (docs/science.md §1, §7). */
final class FluxCommand {
    static final String USAGE = String.join("\n",
            "usage: calc flux [--instrument csv] --input closures.csv --volume-cm3 V --area-cm2 S [options]",
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
            "               file:lines and why); 1 bad input (nothing written); 64 bad usage",
            "",
            InstrumentFluxCommand.USAGE);


    private static final Map<String, String> FLUX_COLUMNS = Map.of(
            "timeS", "time_s", "co2Ppm", "co2_ppm", "h2oMmolMol", "h2o_mmol_mol", "tempC", "temp_c",
            "pressureKpa", "pressure_kpa");
    private final PrintStream out;
    private final PrintStream err;
    private final CliJson json;

    FluxCommand(PrintStream out, PrintStream err, CliJson json) {
        this.out = out;
        this.err = err;
        this.json = json;
    }

    int run(String[] args) throws UsageException, CsvFile.InputException {
        String instrument = instrumentOf(args);
        if (!instrument.equals("csv")) {
            return new InstrumentFluxCommand(out, err, json).run(args);
        }
        CliOptions o = CliOptions.parse(args, Set.of("instrument", "input", "volume-cm3", "area-cm2", "collar-offset-cm",
                "deadband-s", "observation-s", "r2-threshold", "precision-ppm", "ambient-ppm", "ambient-tolerance-ppm",
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
            out.println(json.write(n));
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

    /** --instrument's value (csv when not given): an analyser's file goes to {@link InstrumentFluxCommand}. */
    private static String instrumentOf(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--instrument") && i + 1 < args.length) {
                return args[i + 1].toLowerCase(Locale.ROOT);
            }
            if (args[i].startsWith("--instrument=")) {
                return args[i].substring("--instrument=".length()).toLowerCase(Locale.ROOT);
            }
        }
        return "csv";
    }

    /** Datasheet limits of calc flux's systematic inputs, defaults from the sensors named in its usage. */
    static FluxSystematics fluxSystematics(CliOptions o) throws UsageException {
        double v = o.number("volume-accuracy-pct", 0);
        double a = o.number("area-accuracy-pct", 0);
        double p = o.number("pressure-accuracy-kpa", DEFAULT_PRESSURE_ACCURACY_KPA);
        double t = o.number("temp-accuracy-c", DEFAULT_TEMP_ACCURACY_C);
        double g = o.number("co2-gain-accuracy-pct", DEFAULT_CO2_GAIN_ACCURACY_PCT);
        return o.build(Map.of("volumeRel", "volume-accuracy-pct", "areaRel", "area-accuracy-pct",
                "pressureKpa", "pressure-accuracy-kpa", "tempC", "temp-accuracy-c", "co2GainRel",
                "co2-gain-accuracy-pct"), () -> FluxSystematics.fromLimits(v, a, p, t, g));
    }
}
