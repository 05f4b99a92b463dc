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
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.fieldgate.calc.Constants;
import org.fieldgate.calc.InvalidInputException;
import org.fieldgate.calc.Uncertainty;
import org.fieldgate.calc.mineralisation.HouseAccuracy;
import org.fieldgate.calc.mineralisation.HouseOptions;
import org.fieldgate.calc.mineralisation.HouseSample;
import org.fieldgate.calc.mineralisation.MineralisationCalculator;
import org.fieldgate.calc.mineralisation.MineralisationResult;
import org.fieldgate.calc.mineralisation.MineralisationUncertainty;
import org.fieldgate.calc.mineralisation.ReplacementAdvice;
import org.fieldgate.calc.mineralisation.ShrinkingCore;

/**
 * {@code calc mineralisation}: a weathering house's log to uptake, kinetics, net removal and replacement advice, one
 * JSON object (docs/science.md §3, §7.4).
 */
final class MineralisationCommand {
    static final String USAGE = String.join("\n",
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

    private static final Map<String, String> HOUSE_COLUMNS = Map.of(
            "timeS", "time_s", "flowM3S", "flow_m3_s", "co2InPpm", "co2_in_ppm", "co2OutPpm", "co2_out_ppm",
            "tempC", "temp_c", "pressureKpa", "pressure_kpa", "powerKw", "power_kw");

    /** Above this a flow_m3_s value is more likely m3/h or l/s in the wrong column than a house's fans. */
    static final double DEFAULT_MAX_FLOW_M3_S = 100;

    private final PrintStream out;
    private final PrintStream err;
    private final CliJson json;

    MineralisationCommand(PrintStream out, PrintStream err, CliJson json) {
        this.out = out;
        this.err = err;
        this.json = json;
    }

    int run(String[] args) throws UsageException, CsvFile.InputException {
        CliOptions o = CliOptions.parse(args, Set.of("input", "rock-kg", "potential-kg-per-kg", "grid-kg-per-kwh",
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
        out.println(json.write(n));
        return flowImplausible > 0 ? PARTIAL : OK;
    }

    /**
     * Datasheet limits of the house's measurements (docs/science.md §7.4, §7.5), each read as rectangular:
     * defaults SCD30 repeatability +-10 ppm and +-(30 ppm + 3 %), two analysers; 3 % of reading for the flow (a
     * project choice: Sensirion quotes 3 % of reading for the SDP810-125Pa's dP, and a flow k sqrt(dP) has half that);
     * BME280 +-1 hPa and +-1 degC; SDM120/SDM630 class 1 (1 %) for energy.
     */
    private static HouseAccuracy houseAccuracy(CliOptions o) throws UsageException {
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
}
