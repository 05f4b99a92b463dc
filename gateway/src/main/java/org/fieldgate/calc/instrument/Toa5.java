package org.fieldgate.calc.instrument;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.fieldgate.calc.flux.Gas;

/**
 * Campbell Scientific TOA5 ("table oriented ASCII 5") data file ({@code .dat}) from a datalogger running a chamber
 * program (docs/instruments.md §TOA5).
 *
 * <p>Source: Campbell Scientific, LoggerNet manual, "Campbell Scientific file formats / TOA5"
 * (help.campbellsci.com/loggernet-manual/ln_manual/campbell_scientific_file_formats/toa5.htm, found with the search
 * tool): four header lines, each comma separated with quoted strings: (1) the environment, {@code "TOA5"}, station
 * name, logger model, serial number, OS version, program name, program signature, table name; (2) field names;
 * (3) units as the logger program declares them; (4) processing (Smp, Avg, Min, ...); then one record per line, the
 * optional {@code "TIMESTAMP"} (yyyy-mm-dd hh:mm:ss with optional fraction) and {@code RECORD} first. Not-a-number is
 * written {@code NAN}.
 *
 * <p>The field names are the logger program's, not Campbell's, so this reader finds its columns by a convention
 * stated in docs/instruments.md: gas fields named {@code CO2...}, {@code CH4...}, {@code N2O...}, {@code H2O...}
 * (case-insensitive; exactly one each) with their units checked, "dry" in a gas name meaning a dry mole fraction;
 * the chamber temperature the one field in degC not named PTemp/Panel, the pressure the one in kPa/hPa/mbar.
 * TIMESTAMP is the logger's clock, whose zone the file does not state: {@code --timezone} is required.
 */
public final class Toa5 implements InstrumentFile {
    private static final DateTimeFormatter TIMESTAMP = new DateTimeFormatterBuilder()
            .appendPattern("yyyy-MM-dd HH:mm:ss").optionalStart()
            .appendFraction(ChronoField.NANO_OF_SECOND, 1, 9, true).optionalEnd().toFormatter(Locale.ROOT);

    @Override
    public String name() {
        return "toa5";
    }

    private record Column(int index, String name, double scale, boolean dry) {
    }

    @Override
    public InstrumentData read(Path path, String file, ZoneId zone) throws InstrumentFileException {
        List<InstrumentSample> samples = new ArrayList<>();
        String model;
        Map<Gas, Column> gases = new EnumMap<>(Gas.class);
        try (BufferedReader in = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            List<String> env = splitLine(in.readLine(), file, 1);
            if (env.isEmpty() || !env.get(0).equals("TOA5")) {
                throw InstrumentFileException.at(file, 1, null, "does not start with \"TOA5\"; not a Campbell TOA5"
                        + " file (--instrument toa5)?");
            }
            model = env.size() > 2 ? "Campbell " + env.get(2) : "Campbell TOA5";
            List<String> names = header(in, file, 2, "field names");
            List<String> units = header(in, file, 3, "units");
            header(in, file, 4, "processing");
            if (units.size() != names.size()) {
                throw InstrumentFileException.at(file, 3, null, units.size() + " units for " + names.size()
                        + " field names");
            }
            int timeCol = names.indexOf("TIMESTAMP");
            if (timeCol < 0) {
                throw InstrumentFileException.at(file, 2, "TIMESTAMP", "missing: the table has no timestamp");
            }
            if (zone == null) {
                throw InstrumentFileException.at(file, 5, "TIMESTAMP", "the logger's clock zone is not in a TOA5"
                        + " file; give --timezone");
            }
            for (Gas g : Gas.values()) {
                Column c = gasColumn(file, names, units, g.name(), g);
                if (c != null) {
                    gases.put(g, c);
                }
            }
            if (gases.isEmpty()) {
                throw InstrumentFileException.at(file, 2, "CO2/CH4/N2O", "no field named CO2..., CH4... or N2O...");
            }
            Column h2o = gasColumn(file, names, units, "H2O", null);
            boolean anyWet = gases.values().stream().anyMatch(c -> !c.dry());
            if (h2o == null && anyWet) {
                throw InstrumentFileException.at(file, 2, "H2O", "no H2O field to make the wet gas fields dry (name"
                        + " dry ones ..._dry)");
            }
            Column temp = single(names, units, List.of("C", "degC", "Deg C", "°C"), 1);
            Column pressure = single(names, units, List.of("kPa"), 1);
            if (pressure == null) {
                pressure = single(names, units, List.of("hPa", "mbar"), 0.1);
            }
            String text;
            int line = 4;
            LocalDateTime previous = null;
            int previousLine = 0;
            while ((text = in.readLine()) != null) {
                line++;
                if (text.isBlank()) {
                    continue;
                }
                List<String> cells = splitLine(text, file, line);
                if (cells.size() != names.size()) {
                    throw InstrumentFileException.at(file, line, null, (cells.size() < names.size() ? "truncated: "
                            : "too many cells: ") + cells.size() + " of " + names.size() + " cells");
                }
                LocalDateTime local;
                try {
                    local = LocalDateTime.parse(cells.get(timeCol), TIMESTAMP);
                } catch (DateTimeException e) {
                    throw InstrumentFileException.at(file, line, "TIMESTAMP", "'" + cells.get(timeCol)
                            + "' is not yyyy-mm-dd hh:mm:ss");
                }
                if (previous != null && !local.isAfter(previous)) {
                    throw InstrumentFileException.at(file, line, "TIMESTAMP", cells.get(timeCol) + " is "
                            + (local.equals(previous) ? "the same as" : "before") + " line " + previousLine
                            + "'s " + previous + ": time went backwards (clock step?)");
                }
                previous = local;
                previousLine = line;
                Instant t = local.atZone(zone).toInstant();
                double w = h2o == null ? Double.NaN : value(file, line, cells, h2o);
                Map<Gas, Double> dry = new EnumMap<>(Gas.class);
                for (Map.Entry<Gas, Column> g : gases.entrySet()) {
                    double v = value(file, line, cells, g.getValue());
                    dry.put(g.getKey(), g.getValue().dry() ? v : v / (1 - w / 1000.0)); // docs/science.md §1.2
                }
                samples.add(new InstrumentSample(line, t, dry, w,
                        temp == null ? Double.NaN : value(file, line, cells, temp),
                        pressure == null ? Double.NaN : value(file, line, cells, pressure), 0));
            }
        } catch (NoSuchFileException e) {
            throw new InstrumentFileException(file + ": no such file");
        } catch (IOException e) {
            throw new InstrumentFileException(file + ": cannot read: " + e.getMessage());
        }
        if (samples.isEmpty()) {
            throw new InstrumentFileException(file + ": no records after the four header lines");
        }
        return new InstrumentData(file, model, zone, gases.keySet(), samples);
    }

    private static List<String> header(BufferedReader in, String file, int line, String what)
            throws IOException, InstrumentFileException {
        String text = in.readLine();
        if (text == null) {
            throw InstrumentFileException.at(file, line, null, "truncated: the header's " + what + " line is missing");
        }
        return splitLine(text, file, line);
    }

    /**
     * The one field named {@code prefix...}; its unit gives the scale to the gas's unit (ppm for CO2, ppb for
     * CH4/N2O, mmol/mol for H2O).
     */
    private static Column gasColumn(String file, List<String> names, List<String> units, String prefix, Gas gas)
            throws InstrumentFileException {
        Column found = null;
        for (int i = 0; i < names.size(); i++) {
            String n = names.get(i);
            if (!n.toUpperCase(Locale.ROOT).startsWith(prefix)) {
                continue;
            }
            if (found != null) {
                throw InstrumentFileException.at(file, 2, n, "a second " + prefix + " field (the first is "
                        + found.name() + "); keep one " + prefix + " field in the chamber table");
            }
            String u = units.get(i).replace("µ", "u").toLowerCase(Locale.ROOT);
            double scale;
            if (gas == Gas.CO2) {
                scale = u.equals("ppm") || u.equals("umol/mol") ? 1 : u.equals("mmol/mol") ? 1000 : Double.NaN;
            } else if (gas != null) {
                scale = u.equals("ppb") || u.equals("nmol/mol") ? 1 : u.equals("ppm") || u.equals("umol/mol") ? 1000
                        : Double.NaN;
            } else {
                scale = u.equals("mmol/mol") || u.equals("ppt") ? 1 : u.equals("ppm") || u.equals("umol/mol")
                        ? 0.001 : Double.NaN;
            }
            if (Double.isNaN(scale)) {
                throw InstrumentFileException.at(file, 3, n, "unit '" + units.get(i) + "' is not one this reader"
                        + " knows for " + prefix + " (" + (gas == Gas.CO2 ? "ppm, umol/mol, mmol/mol"
                        : gas != null ? "ppb, nmol/mol, ppm, umol/mol" : "mmol/mol, ppt, ppm, umol/mol") + ")");
            }
            found = new Column(i, n, scale, n.toLowerCase(Locale.ROOT).contains("dry"));
        }
        return found;
    }

    /** The one field with one of these units (not the logger's panel temperature), or null when none or several. */
    private static Column single(List<String> names, List<String> units, List<String> accepted, double scale) {
        Column found = null;
        for (int i = 0; i < names.size(); i++) {
            String n = names.get(i).toLowerCase(Locale.ROOT);
            if (!accepted.contains(units.get(i)) || n.startsWith("ptemp") || n.startsWith("panel")) {
                continue;
            }
            if (found != null) {
                return null; // ambiguous: CLOSURES.csv must give the value
            }
            found = new Column(i, names.get(i), scale, false);
        }
        return found;
    }

    private static double value(String file, int line, List<String> cells, Column c) throws InstrumentFileException {
        String v = cells.get(c.index());
        if (v.equalsIgnoreCase("NAN")) {
            return Double.NaN;
        }
        try {
            double d = Double.parseDouble(v);
            if (Double.isFinite(d)) {
                return d * c.scale();
            }
        } catch (NumberFormatException e) {
            // reported below with the cell
        }
        throw InstrumentFileException.at(file, line, c.name(), "'" + v + "' is not a number");
    }

    /** Comma separated, each cell optionally in double quotes (which TOA5 puts around strings). */
    static List<String> splitLine(String text, String file, int line) throws InstrumentFileException {
        List<String> cells = new ArrayList<>();
        if (text == null) {
            return cells;
        }
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (ch == '"') {
                quoted = !quoted;
            } else if (ch == ',' && !quoted) {
                cells.add(cell.toString().strip());
                cell.setLength(0);
            } else {
                cell.append(ch);
            }
        }
        if (quoted) {
            throw InstrumentFileException.at(file, line, null, "truncated: a quote is not closed");
        }
        cells.add(cell.toString().strip());
        return cells;
    }
}
