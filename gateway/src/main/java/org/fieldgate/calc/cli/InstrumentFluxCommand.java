package org.fieldgate.calc.cli;

import static org.fieldgate.calc.cli.CalcCli.OK;
import static org.fieldgate.calc.cli.CalcCli.PARTIAL;
import static org.fieldgate.calc.cli.CliJson.put;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
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
import org.fieldgate.calc.flux.Gas;
import org.fieldgate.calc.instrument.InstrumentClosure;
import org.fieldgate.calc.instrument.InstrumentData;
import org.fieldgate.calc.instrument.InstrumentFile;
import org.fieldgate.calc.instrument.InstrumentFileException;
import org.fieldgate.calc.instrument.InstrumentSample;

/**
 * {@code calc flux --instrument NAME --input FILE --closures CLOSURES.csv}: an analyser's own file and a list of lid
 * closures, one JSON line per closure and gas (docs/instruments.md, docs/science.md §1.9).
 */
final class InstrumentFluxCommand {
    static final String USAGE = String.join("\n",
            "usage: calc flux --instrument NAME --input FILE --closures CLOSURES.csv [--timezone ZONE] [options]",
            "       calc flux --instrument li8100|li8200|li8250 --input FILE [--timezone ZONE] [options]",
            "         without --closures: one line per observation the file records, with its own geometry",
            "           (total volume, area), dead band and observation length; P, T and H2O from the file",
            "         NAME: " + String.join(", ", InstrumentFile.all().keySet()) + " (docs/instruments.md); csv is the",
            "           calculator's own format (the default, see calc flux --help)",
            "         CLOSURES.csv columns closure_id,start,end,volume_l,area_cm2,pressure_kpa,temp_c:",
            "           start/end ISO-8601; with Z or an offset they are instants, without they are read on the",
            "           instrument's clock in the file's zone (--timezone names it when the file does not);",
            "           samples with start <= t <= end are used (both inclusive), the flux is the slope at the first",
            "           sample at or after start; volume_l is the total system volume; blank pressure_kpa/temp_c =",
            "           from the file (an error when the file has none)",
            "         water: gases as dry mole fractions (the file's dry columns, else each sample's own H2O);",
            "           the flux factor's (1 - W0/1000) uses the first sample's H2O in the window",
            "         -> one JSON line per closure and gas (co2 umol m-2 s-1, ch4 and n2o nmol m-2 s-1): closure_id,",
            "            gas, unit, points, linear_flux, linear_se, exponential_flux, exponential_se,",
            "            exponential_k_per_s, model, model_reason, flux, se, r2, mdf, qc [...], flux_ci95_low,",
            "            flux_ci95_high, flux_se_combined, flux_systematic_rel, samples_diag (left out: DIAG != 0),",
            "            samples_missing (left out: gas, P or T not measured), volume_l, area_cm2, error;",
            "            from the file's own closures also closed, dead_band_s, instrument_warnings",
            "         options: --r2-threshold 0.90  --min-points 10  --precision 1 (the gas's unit: ppm or ppb)",
            "                  --ambient-ppm 420|off (CO2 only)  --ambient-tolerance-ppm 100  and calc flux's",
            "                  uncertainty options (--co2-gain-accuracy-pct is the gain of whichever gas)",
            "         exit: 0 every closure has a flux; 2 some have none; 1 bad file (one line: file:line: column);",
            "               64 bad usage");

    private static final List<String> CLOSURE_COLUMNS = List.of("closure_id", "start", "end", "volume_l", "area_cm2",
            "pressure_kpa", "temp_c");

    private final PrintStream out;
    private final PrintStream err;
    private final CliJson json;

    InstrumentFluxCommand(PrintStream out, PrintStream err, CliJson json) {
        this.out = out;
        this.err = err;
        this.json = json;
    }

    /**
     * A window to fit: a CLOSURES.csv row, or a closure the file records itself (then {@code closure} is set).
     * {@code gases} empty = every gas of the file; {@code where} names it in messages.
     */
    private record Window(String where, String id, Instant start, Instant end, ChamberGeometry geometry,
                          double pressureKpa, double tempC, Set<Gas> gases, InstrumentClosure closure) {
    }

    int run(String[] args) throws UsageException, CsvFile.InputException {
        CliOptions o = CliOptions.parse(args, Set.of("instrument", "input", "closures", "timezone", "r2-threshold",
                "min-points", "precision", "ambient-ppm", "ambient-tolerance-ppm", "volume-accuracy-pct",
                "area-accuracy-pct", "pressure-accuracy-kpa", "temp-accuracy-c", "co2-gain-accuracy-pct"));
        String name = o.required("instrument");
        InstrumentFile reader = InstrumentFile.byName(name);
        if (reader == null) {
            throw new UsageException("--instrument: unknown instrument '" + name + "'; known: csv, "
                    + String.join(", ", InstrumentFile.all().keySet()));
        }
        String input = o.required("input");
        String closuresName = o.has("closures") ? o.required("closures") : null;
        ZoneId zone = null;
        if (o.has("timezone")) {
            try {
                zone = ZoneId.of(o.required("timezone"));
            } catch (DateTimeException e) {
                throw new UsageException("--timezone: '" + o.text("timezone", "") + "' is not a time-zone name");
            }
        }
        FluxSystematics systematics = FluxCommand.fluxSystematics(o);
        double r2 = o.number("r2-threshold", 0.90);
        int minPoints = o.integer("min-points", 10);
        double precision = o.number("precision", 1);
        String ambientText = o.text("ambient-ppm", "420");
        double ambient = ambientText.equalsIgnoreCase("off") ? Double.NaN : o.number("ambient-ppm", 420);
        double ambientTolerance = o.number("ambient-tolerance-ppm", 100);

        InstrumentData data;
        try {
            data = reader.read(Path.of(input), input, zone);
        } catch (InstrumentFileException e) {
            throw new CsvFile.InputException(e.getMessage());
        }
        List<Window> windows;
        if (closuresName != null) {
            windows = windows(CsvFile.read(Path.of(closuresName), closuresName, CLOSURE_COLUMNS), data);
        } else if (data.closures().isEmpty()) {
            throw new UsageException("--closures: required for --instrument " + reader.name() + " (its files do"
                    + " not record their closures; only li8100, li8200 and li8250 files do)");
        } else {
            windows = fileWindows(data);
        }

        int failed = 0;
        int written = 0;
        for (Window w : windows) {
            List<InstrumentSample> in = new ArrayList<>();
            int diag = 0;
            for (InstrumentSample s : data.samples()) {
                if (s.time().isBefore(w.start()) || s.time().isAfter(w.end())) {
                    continue;
                }
                if (s.diagnostic() != 0) {
                    diag++; // the analyser says this record is not good: left out, counted
                    continue;
                }
                in.add(s);
            }
            double observationS = Duration.between(w.start(), w.end()).toNanos() / 1e9;
            for (Gas gas : Gas.values()) {
                if (!data.gases().contains(gas) || !(w.gases().isEmpty() || w.gases().contains(gas))) {
                    continue;
                }
                FluxOptions options;
                try {
                    options = FluxOptions.builder().deadBandS(0).observationS(observationS).r2Threshold(r2)
                            .minPoints(minPoints).analyserPrecisionPpm(precision)
                            .ambientCo2Ppm(gas == Gas.CO2 ? ambient : Double.NaN)
                            .ambientTolerancePpm(ambientTolerance).build();
                } catch (InvalidInputException e) {
                    throw new UsageException(e.field() + ": " + e.requirement() + ", got " + e.value());
                }
                boolean dryAssumed = false;
                int missing = 0;
                List<ChamberSample> samples = new ArrayList<>();
                for (InstrumentSample s : in) {
                    double h2o = s.h2oMmolMol();
                    if (Double.isNaN(h2o)) {
                        h2o = 0; // a file without H2O (its gases already dry): W0 = 0, flagged
                        dryAssumed = true;
                    }
                    double p = Double.isNaN(w.pressureKpa()) ? s.pressureKpa() : w.pressureKpa();
                    double t = Double.isNaN(w.tempC()) ? s.tempC() : w.tempC();
                    double dry = s.dry().get(gas);
                    if (Double.isNaN(dry) || Double.isNaN(p) || Double.isNaN(t)) {
                        missing++; // not measured (a logger's NAN): left out, shows as a gap
                        continue;
                    }
                    try {
                        // ChamberSample takes the wet value and divides by (1 - W/1000): give it dry x (1 - W/1000)
                        samples.add(new ChamberSample(Duration.between(w.start(), s.time()).toNanos() / 1e9,
                                dry * (1 - h2o / 1000.0), h2o, t, p));
                    } catch (InvalidInputException e) {
                        throw new CsvFile.InputException(input + ":" + s.line() + ": column " + e.field() + ": "
                                + e.value() + " " + e.requirement() + " (closure " + w.id() + ")");
                    }
                }
                FluxEstimate e = new FluxCalculator(options).estimate(
                        new ChamberClosure(w.id(), data.model(), w.geometry(), samples));
                ObjectNode n = json.createObjectNode();
                n.put("closure_id", w.id());
                n.put("gas", gas.key());
                n.put("unit", gas.fluxUnit());
                n.put("start", w.start().toString());
                n.put("end", w.end().toString());
                put(n, "volume_l", w.geometry().volumeCm3() / 1000.0);
                put(n, "area_cm2", w.geometry().areaCm2());
                if (w.closure() != null) {
                    n.put("closed", w.closure().closed().toString());
                    put(n, "dead_band_s", w.closure().deadBandS());
                    n.put("instrument_warnings", w.closure().warnings());
                }
                n.put("points", e.pointsUsed());
                n.put("samples_diag", diag);
                n.put("samples_missing", missing);
                n.put("model", e.model().name().toLowerCase(Locale.ROOT));
                n.put("model_reason", e.modelReason());
                put(n, "flux", e.fluxUmolM2S());
                put(n, "se", e.seUmolM2S());
                put(n, "r2", e.r2());
                put(n, "mdf", e.mdfUmolM2S());
                double factor = e.fluxFactorUmolM2PerPpm();
                boolean line = e.linear() != null;
                put(n, "linear_flux", line ? factor * e.linear().slope() : Double.NaN);
                put(n, "linear_se", line ? factor * e.linear().slopeSe() : Double.NaN);
                boolean exp = e.exponential() != null && e.exponential().failure() == null;
                put(n, "exponential_flux", exp ? factor * e.exponential().slopePpmS() : Double.NaN);
                put(n, "exponential_se", exp ? factor * e.exponential().slopeSePpmS() : Double.NaN);
                put(n, "exponential_k_per_s", exp ? e.exponential().curvaturePerS() : Double.NaN);
                ArrayNode qc = n.putArray("qc");
                for (FluxQc f : e.flags()) {
                    qc.add(f.name());
                }
                if (dryAssumed) {
                    qc.add(FluxQc.DRY_ASSUMED.name());
                }
                if (e.fitted()) {
                    FluxUncertainty fu = FluxUncertainty.of(e, systematics, samples.get(0).pressureKpa(),
                            samples.get(0).tempC());
                    put(n, "flux_ci95_low", fu.ci95LowUmolM2S());
                    put(n, "flux_ci95_high", fu.ci95HighUmolM2S());
                    put(n, "flux_se_combined", fu.combinedSeUmolM2S());
                    put(n, "flux_systematic_rel", fu.systematicRel());
                } else {
                    String error = w.where() + ": closure " + w.id() + " " + gas.key()
                            + ": " + e.error();
                    n.put("error", error);
                    err.println("calc flux: " + error);
                    failed++;
                }
                out.println(json.write(n));
                written++;
            }
        }
        if (failed > 0) {
            err.println("calc flux: " + failed + " of " + written + " closure/gas fit(s) have no flux");
            return PARTIAL;
        }
        return OK;
    }

    private static List<Window> windows(CsvFile csv, InstrumentData data) throws CsvFile.InputException {
        List<Window> windows = new ArrayList<>();
        boolean hasP = data.samples().stream().anyMatch(s -> !Double.isNaN(s.pressureKpa()));
        boolean hasT = data.samples().stream().anyMatch(s -> !Double.isNaN(s.tempC()));
        for (CsvFile.Row row : csv.rows()) {
            String id = csv.requiredText(row, "closure_id");
            Instant start = instant(csv, row, "start", data);
            Instant end = instant(csv, row, "end", data);
            if (!end.isAfter(start)) {
                throw csv.error(row, "end", "'" + csv.text(row, "end") + "' is not after start '"
                        + csv.text(row, "start") + "'");
            }
            double volumeL = csv.requiredNumber(row, "volume_l");
            double area = csv.requiredNumber(row, "area_cm2");
            ChamberGeometry g;
            try {
                g = new ChamberGeometry(volumeL * 1000.0, area);
            } catch (InvalidInputException e) {
                throw csv.rejected(row, e.field().equals("areaCm2") ? "area_cm2" : "volume_l", e);
            }
            double p = csv.number(row, "pressure_kpa");
            double t = csv.number(row, "temp_c");
            if (Double.isNaN(p) && !hasP) {
                throw csv.error(row, "pressure_kpa", "is blank and " + data.file() + " (" + data.model()
                        + ") records no chamber pressure; give it here");
            }
            if (Double.isNaN(t) && !hasT) {
                throw csv.error(row, "temp_c", "is blank and " + data.file() + " (" + data.model()
                        + ") records no chamber temperature; give it here");
            }
            windows.add(new Window(csv.name() + ":" + row.line(), id, start, end, g, p, t, Set.of(), null));
        }
        if (windows.isEmpty()) {
            throw new CsvFile.InputException(csv.name() + ": no closures (the file has only a header)");
        }
        return windows;
    }

    /**
     * The closures the file records itself, each with its own geometry, dead band and observation window; P and T
     * from the file's samples (docs/science.md §1.9).
     */
    private static List<Window> fileWindows(InstrumentData data) throws CsvFile.InputException {
        List<Window> windows = new ArrayList<>();
        for (InstrumentClosure c : data.closures()) {
            ChamberGeometry g;
            try {
                g = new ChamberGeometry(c.volumeCm3(), c.areaCm2());
            } catch (InvalidInputException e) {
                throw new CsvFile.InputException(c.where() + ": column " + e.field() + ": " + e.value() + " "
                        + e.requirement() + " (observation " + c.id() + ")");
            }
            windows.add(new Window(c.where(), c.id(), c.start(), c.end(), g, Double.NaN, Double.NaN, c.gases(), c));
        }
        return windows;
    }

    /** With Z or an offset an instant; without, a reading of the instrument's clock in its zone. */
    private static Instant instant(CsvFile csv, CsvFile.Row row, String column, InstrumentData data)
            throws CsvFile.InputException {
        String v = csv.requiredText(row, column).replace(' ', 'T');
        try {
            return OffsetDateTime.parse(v).toInstant();
        } catch (DateTimeException e) {
            // no offset: the instrument's clock
        }
        LocalDateTime local;
        try {
            local = LocalDateTime.parse(v);
        } catch (DateTimeException e) {
            throw csv.error(row, column, "'" + csv.text(row, column) + "' is not an ISO-8601 date-time"
                    + " (e.g. 2024-05-01T10:00:00Z, 2024-05-01T12:00:00+02:00 or 2024-05-01T12:00:00)");
        }
        if (data.clockZone() == null) {
            throw csv.error(row, column, "'" + csv.text(row, column) + "' has no offset and " + data.file()
                    + " does not name its clock's zone; give --timezone or write the time with Z or an offset");
        }
        return local.atZone(data.clockZone()).toInstant();
    }
}
