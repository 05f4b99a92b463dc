package org.fieldgate.calc.instrument;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fieldgate.calc.flux.Gas;

/**
 * LI-COR LI-7810 (CH4/CO2/H2O), LI-7815 (CO2/H2O) and LI-7820 (N2O/H2O) trace gas analyser data file ({@code .data}),
 * as the analyser writes it to USB or its web interface exports it (docs/instruments.md §LI-7810).
 *
 * <p>Source: LI-COR, "LI-7810 CH4/CO2/H2O Trace Gas Analyzer / LI-7820 N2O/H2O Trace Gas Analyzer Instruction
 * Manual", section "Data files" (not checked against a stored copy of the manual: none was reachable from the
 * search tool). The layout below is corroborated by two public readers of these files found with the search tool
 * (a Python reader skipping header rows 0-4 and the units row 6 and using DIAG, DATE, TIME, SECONDS, NANOSECONDS,
 * H2O, CO2, CH4; a flux package's notes "only SECONDS, NANOSECONDS, DIAG, CH4, CO2 and H2O columns are used",
 * "N2O and H2O" for the LI-7820); facts only, no code carried over.
 * <ul>
 *   <li>Tab separated. A header block of {@code Key:<TAB>value} lines ({@code Model:}, {@code SN:},
 *       {@code Software:}, {@code Timestamp:}, {@code Timezone:} with an IANA zone name), then one {@code DATAH} line
 *       naming the columns, one {@code DATAU} line with their units, then {@code DATA} lines, one per record (1 Hz).
 *       Column order is read from DATAH, never assumed.</li>
 *   <li>Clock: {@code SECONDS} (Unix epoch, s) + {@code NANOSECONDS} is the instant; {@code DATE}/{@code TIME} are the
 *       same instant on the analyser's local clock in the header's {@code Timezone:}. Both are checked against each
 *       other (a mismatch means the header's zone is wrong).</li>
 *   <li>Units: H2O ppm (umol mol-1; divided by 1000 here for mmol mol-1), CO2 ppm, CH4 ppb, N2O ppb. CO2, CH4 and
 *       N2O are reported as dry mole fractions (the analyser corrects water dilution and band broadening itself), so
 *       they are used as they are; H2O is the wet mole fraction.</li>
 *   <li>{@code CAVITY_P} (kPa) and {@code CAVITY_T} (degC) are the optical cell's, held near set points, not the
 *       chamber's: this reader gives no chamber P or T, a closure needs them in CLOSURES.csv.</li>
 *   <li>{@code DIAG} is a bit field, 0 = no fault; records with DIAG != 0 are kept with their value and left out of
 *       fits by the caller (counted in its output).</li>
 * </ul>
 */
public final class Li7810Data implements InstrumentFile {
    private static final Map<String, String> UNITS = Map.of("H2O", "ppm", "CO2", "ppm", "CH4", "ppb", "N2O", "ppb");

    private final String name;
    private final List<String> models;
    private final Map<Gas, String> gasColumns;

    private Li7810Data(String name, List<String> models, Map<Gas, String> gasColumns) {
        this.name = name;
        this.models = models;
        this.gasColumns = gasColumns;
    }

    /** LI-7810 (CO2, CH4) and LI-7815 (CO2 only): the gases are whichever of CO2/CH4 the DATAH line has. */
    static Li7810Data li7810() {
        Map<Gas, String> g = new LinkedHashMap<>();
        g.put(Gas.CO2, "CO2");
        g.put(Gas.CH4, "CH4");
        return new Li7810Data("li7810", List.of("LI-7810", "LI-7815"), g);
    }

    /** LI-7820: N2O (and H2O). */
    static Li7810Data li7820() {
        return new Li7810Data("li7820", List.of("LI-7820"), Map.of(Gas.N2O, "N2O"));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public InstrumentData read(Path path, String file, ZoneId zoneOption) throws InstrumentFileException {
        String model = null;
        ZoneId zone = zoneOption;
        Map<String, Integer> col = null;
        int headerLine = 0;
        Map<Gas, Integer> gasCol = new EnumMap<>(Gas.class);
        List<InstrumentSample> samples = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            String text;
            int line = 0;
            while ((text = in.readLine()) != null) {
                line++;
                if (text.isBlank()) {
                    continue;
                }
                String[] cells = text.split("\t", -1);
                String tag = cells[0].strip();
                if (col == null && !tag.equals("DATAH")) {
                    if (tag.equals("DATAU") || tag.equals("DATA")) {
                        throw InstrumentFileException.at(file, line, null, tag + " before the DATAH line");
                    }
                    if (!tag.endsWith(":")) {
                        throw InstrumentFileException.at(file, line, null, "'" + abbreviate(text)
                                + "' is not a 'Key:<TAB>value' header line; not an " + models.get(0)
                                + " .data file (--instrument " + name + ")?");
                    }
                    String value = cells.length > 1 ? cells[1].strip() : "";
                    if (tag.equals("Model:")) {
                        model = checkModel(file, line, value);
                    } else if (tag.equals("Timezone:")) {
                        zone = fileZone(file, line, value, zoneOption);
                    }
                    continue;
                }
                switch (tag) {
                    case "DATAH" -> {
                        if (col != null) {
                            throw InstrumentFileException.at(file, line, null, "a second DATAH line (first on line "
                                    + headerLine + ")");
                        }
                        if (model == null) {
                            throw InstrumentFileException.at(file, line, null, "no 'Model:' line before DATAH; not an "
                                    + models.get(0) + " .data file (--instrument " + name + ")?");
                        }
                        col = new HashMap<>();
                        for (int i = 1; i < cells.length; i++) {
                            col.putIfAbsent(cells[i].strip(), i);
                        }
                        headerLine = line;
                        for (String c : List.of("SECONDS", "NANOSECONDS", "DIAG", "DATE", "TIME", "H2O")) {
                            if (!col.containsKey(c)) {
                                throw InstrumentFileException.at(file, line, c, "missing from the DATAH line");
                            }
                        }
                        for (Map.Entry<Gas, String> g : gasColumns.entrySet()) {
                            if (col.containsKey(g.getValue())) {
                                gasCol.put(g.getKey(), col.get(g.getValue()));
                            }
                        }
                        if (gasCol.isEmpty()) {
                            throw InstrumentFileException.at(file, line, String.join("/", gasColumns.values()),
                                    "none of the gas columns is on the DATAH line");
                        }
                    }
                    case "DATAU" -> checkUnits(file, line, cells, col);
                    case "DATA" -> samples.add(record(file, line, cells, col, gasCol, zone,
                            samples.isEmpty() ? null : samples.get(samples.size() - 1)));
                    default -> throw InstrumentFileException.at(file, line, null, "unknown record type '"
                            + abbreviate(tag) + "' (expected DATA)");
                }
            }
        } catch (NoSuchFileException e) {
            throw new InstrumentFileException(file + ": no such file");
        } catch (IOException e) {
            throw new InstrumentFileException(file + ": cannot read: " + e.getMessage());
        }
        if (col == null) {
            throw new InstrumentFileException(file + ": no DATAH line; not an " + models.get(0)
                    + " .data file (--instrument " + name + ")?");
        }
        if (samples.isEmpty()) {
            throw new InstrumentFileException(file + ": no DATA lines after the DATAH line " + headerLine);
        }
        return new InstrumentData(file, model, zone, gasCol.keySet(), samples);
    }

    private String checkModel(String file, int line, String value) throws InstrumentFileException {
        for (String m : models) {
            if (value.startsWith(m)) {
                return m;
            }
        }
        throw InstrumentFileException.at(file, line, "Model", "'" + abbreviate(value) + "' is not "
                + String.join(" or ", models) + " (--instrument " + name + ")");
    }

    private static ZoneId fileZone(String file, int line, String value, ZoneId option) throws InstrumentFileException {
        return Cells.fileZone(file, line, "Timezone", value, option);
    }

    private static void checkUnits(String file, int line, String[] cells, Map<String, Integer> col)
            throws InstrumentFileException {
        for (Map.Entry<String, String> u : UNITS.entrySet()) {
            Integer i = col.get(u.getKey());
            if (i == null) {
                continue;
            }
            String unit = i < cells.length ? cells[i].strip() : "";
            if (!unit.equals(u.getValue())) {
                throw InstrumentFileException.at(file, line, u.getKey(), "unit '" + unit + "', expected '"
                        + u.getValue() + "'");
            }
        }
    }

    private static InstrumentSample record(String file, int line, String[] cells, Map<String, Integer> col,
                                           Map<Gas, Integer> gasCol, ZoneId zone, InstrumentSample previous)
            throws InstrumentFileException {
        if (col == null) {
            throw InstrumentFileException.at(file, line, null, "DATA before the DATAH line");
        }
        int expected = col.values().stream().mapToInt(Integer::intValue).max().orElse(0) + 1;
        if (cells.length < expected) {
            throw InstrumentFileException.at(file, line, null, "truncated: " + cells.length + " of " + expected
                    + " cells");
        }
        long seconds = (long) number(file, line, cells, col, "SECONDS");
        long nanos = (long) number(file, line, cells, col, "NANOSECONDS");
        Instant t = Instant.ofEpochSecond(seconds, nanos);
        if (previous != null && !t.isAfter(previous.time())) {
            throw InstrumentFileException.at(file, line, "SECONDS", seconds + "." + String.format("%09d", nanos)
                    + " is " + (t.equals(previous.time()) ? "the same as" : "before") + " line " + previous.line()
                    + "'s " + previous.time() + ": time went backwards (clock step?)");
        }
        if (zone != null) {
            LocalDateTime local;
            try {
                local = LocalDateTime.of(LocalDate.parse(cells[col.get("DATE")].strip()),
                        LocalTime.parse(cells[col.get("TIME")].strip()));
            } catch (DateTimeException e) {
                throw InstrumentFileException.at(file, line, "DATE/TIME", "'" + cells[col.get("DATE")] + " "
                        + cells[col.get("TIME")] + "' is not yyyy-mm-dd hh:mm:ss");
            }
            Instant fromLocal = local.atZone(zone).toInstant();
            if (Duration.between(fromLocal, t).abs().compareTo(Duration.ofSeconds(1)) > 0) {
                throw InstrumentFileException.at(file, line, "TIME", local + " in " + zone + " is " + fromLocal
                        + " but SECONDS says " + t + "; the clock's zone is not " + zone);
            }
        }
        long diag = (long) number(file, line, cells, col, "DIAG");
        Map<Gas, Double> dry = new EnumMap<>(Gas.class);
        for (Map.Entry<Gas, Integer> g : gasCol.entrySet()) {
            dry.put(g.getKey(), number(file, line, cells, g.getValue(), g.getKey().name()));
        }
        double h2oPpm = number(file, line, cells, col, "H2O");
        return new InstrumentSample(line, t, dry, h2oPpm / 1000.0, Double.NaN, Double.NaN, diag);
    }

    private static double number(String file, int line, String[] cells, Map<String, Integer> col, String column)
            throws InstrumentFileException {
        return number(file, line, cells, col.get(column), column);
    }

    private static double number(String file, int line, String[] cells, int i, String column)
            throws InstrumentFileException {
        String v = cells[i].strip();
        try {
            double d = Double.parseDouble(v);
            if (Double.isFinite(d)) {
                return d;
            }
        } catch (NumberFormatException e) {
            // reported below with the cell
        }
        throw InstrumentFileException.at(file, line, column, "'" + abbreviate(v) + "' is not a number");
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
