package org.fieldgate.calc.instrument;

import java.io.BufferedReader;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import org.fieldgate.calc.flux.Gas;

/**
 * LI-COR LI-8250 multiplexer observation file ({@code .82z}): a zip archive of {@code data.csv} (the time series of
 * every device in the system) and {@code metadata.json} (observation, device and flux-calculation metadata), one
 * observation (one chamber closure at one port) per archive (docs/instruments.md §LI-8250).
 *
 * <p>Source: LI-COR, LI-8250 manual, "Working with data files" and "Files" (the .82z is compressed, "when
 * uncompressed ... a data.csv file and a metadata.json file"; data.csv has the 3-line header of the summary files:
 * the source device, the variable name, the units), "Metadata dictionary" (METADATA: VOLUME_TOTAL cm3 "total volume
 * used in flux calculations", OBSERVATION s, TIMESTAMP_START; CHAMBER: AREA cm2, COLLAR_HEIGHT cm, VOLUME cm3) and
 * SoilFluxPro's "Flux variables" (per gas: DEADBAND s, STOP_TIME s, GAS, GAS_SOURCE, DILUTION_SOURCE "NONE for a dry
 * gas", T_SOURCE and TEMPERATURE), pages found with the search tool. Layout details (device names LI-8250, CHAMBER,
 * LI-7810 on the first line; DATE YYYYMMDD, TIME HHMMSS; units written {@code [umol+1mol-1]}; CHAMBER STATE 5 =
 * closed; metadata values as {@code {"VALUE": v, "UNITS": u}}) cross-checked against the R packages goFlux
 * (import.LI8250) and licoread (read_82z); facts only.
 * <ul>
 *   <li>Gases: the FLUX entries' GAS_SOURCE/GAS columns; a GAS named ..._DRY (or DILUTION_SOURCE NONE) is dry,
 *       otherwise each sample is corrected with the DILUTION_SOURCE's H2O. CO2, CH4, N2O only.</li>
 *   <li>Clock: LI-8250 DATE + TIME, the multiplexer's local clock, zone not stated: {@code --timezone} required.</li>
 *   <li>Closed: the first record with CHAMBER STATE = 5; window [DEADBAND, min(OBSERVATION, STOP_TIME)] s.</li>
 *   <li>Samples with a non-zero DIAG/DIAGNOSTIC of the chamber or of a gas's analyser are left out and counted.</li>
 * </ul>
 */
public final class Li82z implements InstrumentFile {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMddHHmmss", Locale.ROOT);
    private static final String MUX = "LI-8250";
    private static final int CLOSED = 5;

    @Override
    public String name() {
        return "li8250";
    }

    /** One FLUX entry of metadata.json that fieldgate can fit. */
    private record Flux(Gas gas, String source, String column, boolean dry, String dilution, String tSource,
                        String temperature, double deadBandS, double stopS, int line) {
    }

    /** A data.csv column: its index and the factor to the unit fieldgate uses. */
    private record Column(int index, String name, double scale) {
    }

    @Override
    public InstrumentData read(Path path, String file, ZoneId zone) throws InstrumentFileException {
        try (ZipFile zip = new ZipFile(path.toFile())) {
            String metaWhere = file + "!metadata.json";
            String dataWhere = file + "!data.csv";
            JsonTree meta;
            try (BufferedReader in = entry(zip, file, "metadata.json")) {
                meta = JsonTree.parse(in, metaWhere);
            }
            JsonTree metadata = meta.required(metaWhere, "METADATA");
            double volume = positive(metaWhere, value(metadata.required(metaWhere, "VOLUME_TOTAL")));
            double observation = positive(metaWhere, value(metadata.required(metaWhere, "OBSERVATION")));
            double area = positive(metaWhere, value(meta.required(metaWhere, "CHAMBER").required(metaWhere, "AREA")));
            List<Flux> fluxes = fluxes(metaWhere, meta.required(metaWhere, "FLUX"));
            try (BufferedReader in = entry(zip, file, "data.csv")) {
                return data(file, dataWhere, in, zone, fluxes, volume, area, observation);
            }
        } catch (NoSuchFileException | FileNotFoundException e) {
            throw new InstrumentFileException(file + ": no such file");
        } catch (ZipException e) {
            throw new InstrumentFileException(file + ": not a zip archive (" + e.getMessage() + "); an LI-8250 .82z"
                    + " is a zip of data.csv and metadata.json: truncated, or not an .82z (--instrument li8250)?");
        } catch (IOException e) {
            throw new InstrumentFileException(file + ": cannot read: " + e);
        }
    }

    private static BufferedReader entry(ZipFile zip, String file, String name)
            throws IOException, InstrumentFileException {
        ZipEntry e = zip.getEntry(name);
        if (e == null) {
            List<String> names = new ArrayList<>();
            zip.stream().forEach(z -> names.add(z.getName()));
            throw new InstrumentFileException(file + ": no entry " + name + " in the archive (entries: " + names
                    + "); not an LI-8250 .82z (--instrument li8250)?");
        }
        return new BufferedReader(new InputStreamReader(zip.getInputStream(e), StandardCharsets.UTF_8));
    }

    /** A metadata field: {@code {"VALUE": v, "UNITS": u}} or the bare value. */
    private static JsonTree value(JsonTree node) {
        JsonTree v = node.get("VALUE");
        return v == null ? node : v;
    }

    private static String text(JsonTree entry, String key, String usual) {
        JsonTree n = entry.get(key);
        return n == null || value(n).value == null ? usual : value(n).text().strip();
    }

    private static List<Flux> fluxes(String where, JsonTree node) throws InstrumentFileException {
        List<JsonTree> entries = node.value instanceof Map ? new ArrayList<>(node.object(where).values())
                : node.array(where);
        List<Flux> fluxes = new ArrayList<>();
        Set<Gas> seen = EnumSet.noneOf(Gas.class);
        for (JsonTree f : entries) {
            String gasName = value(f.required(where, "GAS")).text().strip();
            String upper = gasName.toUpperCase(Locale.ROOT);
            Gas gas = upper.startsWith("CO2") ? Gas.CO2 : upper.startsWith("CH4") ? Gas.CH4
                    : upper.startsWith("N2O") ? Gas.N2O : null;
            if (gas == null || !seen.add(gas)) {
                continue; // H2O, isotopes, or a second analyser's same gas: the first one is fitted (docs)
            }
            String source = value(f.required(where, "GAS_SOURCE")).text().strip();
            String dilution = text(f, "DILUTION_SOURCE", "NONE");
            boolean dry = upper.endsWith("_DRY") || dilution.equalsIgnoreCase("NONE");
            JsonTree deadBandNode = value(f.required(where, "DEADBAND"));
            double deadBand = deadBandNode.number(where);
            if (deadBand < 0) {
                throw deadBandNode.error(where, deadBand + " is negative");
            }
            JsonTree stop = f.get("STOP_TIME");
            double stopS = stop == null ? Double.POSITIVE_INFINITY : value(stop).number(where);
            fluxes.add(new Flux(gas, source, gasName, dry, dilution, text(f, "T_SOURCE", "CHAMBER"),
                    text(f, "TEMPERATURE", "TA"), deadBand, stopS, f.line));
        }
        if (fluxes.isEmpty()) {
            throw node.error(where, "no flux of CO2, CH4 or N2O (GAS)");
        }
        return fluxes;
    }

    private static InstrumentData data(String file, String where, BufferedReader in, ZoneId zone, List<Flux> fluxes,
                                       double volume, double area, double observation)
            throws IOException, InstrumentFileException {
        List<String> devices = header(in, where, 1, "device");
        List<String> names = header(in, where, 2, "variable");
        List<String> units = header(in, where, 3, "unit");
        if (names.size() != devices.size() || units.size() != devices.size()) {
            throw InstrumentFileException.at(where, 3, null, devices.size() + " devices, " + names.size()
                    + " variables and " + units.size() + " units: the header lines do not match");
        }
        Map<String, Integer> col = new HashMap<>();
        for (int i = 0; i < names.size(); i++) {
            col.putIfAbsent(devices.get(i) + " " + names.get(i), i);
        }
        Column date = column(where, col, units, MUX, "DATE", Map.of("YYYYMMDD", 1.0, "YYYY-MM-DD", 1.0));
        Column time = column(where, col, units, MUX, "TIME", Map.of("HHMMSS", 1.0, "HH:MM:SS", 1.0));
        Column pressure = column(where, col, units, MUX, "PA", Map.of("kPa", 1.0));
        Column state = column(where, col, units, "CHAMBER", "STATE", null);
        Flux firstFlux = fluxes.get(0);
        Column temp = column(where, col, units, firstFlux.tSource(), firstFlux.temperature(), Map.of("C", 1.0));
        Map<String, Double> h2oUnits = Map.of("mmol+1mol-1", 1.0, "umol+1mol-1", 0.001);
        Map<Gas, Column> gasCol = new EnumMap<>(Gas.class);
        Map<Gas, Column> dilutionCol = new EnumMap<>(Gas.class);
        Set<String> diagDevices = new LinkedHashSet<>(List.of("CHAMBER"));
        for (Flux f : fluxes) {
            gasCol.put(f.gas(), column(where, col, units, f.source(), f.column(), f.gas() == Gas.CO2
                    ? Map.of("umol+1mol-1", 1.0, "mmol+1mol-1", 1000.0)
                    : Map.of("nmol+1mol-1", 1.0, "umol+1mol-1", 1000.0)));
            if (!f.dry()) {
                dilutionCol.put(f.gas(), column(where, col, units, f.dilution(), "H2O", h2oUnits));
            }
            diagDevices.add(f.source());
        }
        // W for the flux factor: the first gas's dilution source, else its own analyser's H2O, else none (docs)
        String wDevice = firstFlux.dry() ? firstFlux.source() : firstFlux.dilution();
        Column h2o = col.containsKey(wDevice + " H2O") ? column(where, col, units, wDevice, "H2O", h2oUnits) : null;
        List<Integer> diag = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            String n = names.get(i);
            if (diagDevices.contains(devices.get(i)) && (n.equals("DIAG") || n.equals("DIAGNOSTIC"))) {
                diag.add(i);
            }
        }
        if (zone == null) {
            throw InstrumentFileException.at(where, 4, MUX + " DATE", "the LI-8250 clock's zone is not in an .82z"
                    + " archive; give --timezone");
        }
        List<InstrumentSample> samples = new ArrayList<>();
        Instant closed = null;
        String text;
        int line = 3;
        while ((text = in.readLine()) != null) {
            line++;
            if (text.isBlank()) {
                continue;
            }
            List<String> cells = Toa5.splitLine(text, where, line);
            if (cells.size() != names.size()) {
                throw InstrumentFileException.at(where, line, null, (cells.size() < names.size() ? "truncated: "
                        : "too many cells: ") + cells.size() + " of " + names.size() + " cells");
            }
            String stamp = digits(cells.get(date.index())) + digits(cells.get(time.index()));
            Instant t;
            try {
                t = LocalDateTime.parse(stamp, STAMP).atZone(zone).toInstant();
            } catch (DateTimeException e) {
                throw InstrumentFileException.at(where, line, MUX + " DATE/TIME", "'" + cells.get(date.index()) + " "
                        + cells.get(time.index()) + "' is not YYYYMMDD HHMMSS");
            }
            if (!samples.isEmpty() && !t.isAfter(samples.get(samples.size() - 1).time())) {
                InstrumentSample previous = samples.get(samples.size() - 1);
                throw InstrumentFileException.at(where, line, MUX + " TIME", cells.get(time.index()) + " is "
                        + (t.equals(previous.time()) ? "the same as" : "before") + " line " + previous.line() + "'s "
                        + previous.time() + ": time went backwards (clock step?)");
            }
            if (closed == null && Cells.number(where, line, state.name(), cells.get(state.index())) == CLOSED) {
                closed = t;
            }
            double w = h2o == null ? Double.NaN : number(where, line, cells, h2o);
            Map<Gas, Double> dry = new LinkedHashMap<>();
            for (Map.Entry<Gas, Column> g : gasCol.entrySet()) {
                double v = number(where, line, cells, g.getValue());
                Column d = dilutionCol.get(g.getKey());
                dry.put(g.getKey(), d == null ? v : v / (1 - number(where, line, cells, d) / 1000.0)); // §1.2
            }
            long flags = 0;
            for (int i : diag) {
                flags |= (long) Cells.number(where, line, devices.get(i) + " " + names.get(i), cells.get(i));
            }
            samples.add(new InstrumentSample(line, t, dry, w, number(where, line, cells, temp),
                    number(where, line, cells, pressure), flags));
        }
        if (samples.isEmpty()) {
            throw new InstrumentFileException(where + ": no records after the three header lines");
        }
        if (closed == null) {
            throw InstrumentFileException.at(where, line, state.name(), "never " + CLOSED + " (closed): the chamber"
                    + " did not close in this observation");
        }
        String id = Path.of(file).getFileName().toString().replaceFirst("(?i)\\.82z$", "");
        Map<List<Double>, Set<Gas>> windows = new LinkedHashMap<>();
        Map<List<Double>, Integer> lines = new HashMap<>();
        for (Flux f : fluxes) {
            double end = Math.min(observation, f.stopS());
            if (end <= f.deadBandS()) {
                throw InstrumentFileException.at(file + "!metadata.json", f.line(), "DEADBAND", f.deadBandS()
                        + " s leaves no window before the observation's end " + end + " s");
            }
            List<Double> key = List.of(f.deadBandS(), end);
            windows.computeIfAbsent(key, k -> EnumSet.noneOf(Gas.class)).add(f.gas());
            lines.putIfAbsent(key, f.line());
        }
        List<InstrumentClosure> closures = new ArrayList<>();
        for (Map.Entry<List<Double>, Set<Gas>> w : windows.entrySet()) {
            closures.add(new InstrumentClosure(id, file + "!metadata.json:" + lines.get(w.getKey()), closed,
                    w.getKey().get(0), w.getKey().get(1), volume, area, w.getValue(), 0));
        }
        return new InstrumentData(file, MUX + " + " + String.join(", ", new LinkedHashSet<>(
                fluxes.stream().map(Flux::source).toList())), zone, Collections.unmodifiableSet(gasCol.keySet()),
                samples, closures);
    }

    private static List<String> header(BufferedReader in, String where, int line, String what)
            throws IOException, InstrumentFileException {
        String text = in.readLine();
        if (text == null) {
            throw InstrumentFileException.at(where, line, null, "truncated: the " + what + " header line is missing");
        }
        return Toa5.splitLine(text, where, line);
    }

    /** The column DEVICE VARIABLE with one of the accepted units (written [unit] in data.csv; null = any). */
    private static Column column(String where, Map<String, Integer> col, List<String> units, String device,
                                 String variable, Map<String, Double> accepted) throws InstrumentFileException {
        String name = device + " " + variable;
        Integer i = col.get(name);
        if (i == null) {
            throw InstrumentFileException.at(where, 2, name, "missing from data.csv (metadata.json or the system"
                    + " needs it)");
        }
        String unit = units.get(i).strip().replaceAll("^\\[|]$", "");
        Double scale = accepted == null ? Double.valueOf(1) : accepted.get(unit);
        if (scale == null) {
            throw InstrumentFileException.at(where, 3, name, "unit '" + units.get(i) + "' is not one this reader"
                    + " knows (" + String.join(", ", accepted.keySet().stream().map(u -> "[" + u + "]").toList())
                    + ")");
        }
        return new Column(i, name, scale);
    }

    private static double number(String where, int line, List<String> cells, Column c)
            throws InstrumentFileException {
        return Cells.number(where, line, c.name(), cells.get(c.index())) * c.scale();
    }

    private static double positive(String where, JsonTree node) throws InstrumentFileException {
        double d = node.number(where);
        if (d <= 0) {
            throw node.error(where, d + " is not > 0");
        }
        return d;
    }

    private static String digits(String s) {
        return s.replaceAll("[^0-9]", "");
    }
}
