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
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.fieldgate.calc.flux.Gas;

/**
 * LI-COR LI-8100A automated soil CO2 flux system data file ({@code .81x}), one file holding several observations,
 * each with its own chamber geometry, dead band and observation length (docs/instruments.md §LI-8100A).
 *
 * <p>Source: LI-COR, "LI-8100A Automated Soil CO2 Flux System & LI-8150 Multiplexer Instruction Manual": §3 "About
 * LI-8100A data records" (p. 3-8: header "from LI-8100A through the labels line", record Type -1 warning, 1 raw,
 * 2 initial value, 3 mean, 4 range, then a footer), §4 "Theory of Operation" (eq. 4-12 and Table 4-1: Vtotal cm3,
 * Area cm2, Pressure kPa, Tcham degC, H2O mmol mol-1, Cdry = CO2 corrected for water dilution, ppm) and §10 (Etime is
 * -1 while the chamber closes; the observation length runs from the instant the chamber is closed and includes
 * the dead band); pages read through the search tool. Layout cross-checked against a published .81x example file
 * (the licoread R package's inst/extdata, facts only): a {@code Key:<TAB>value} header per observation (Obs#,
 * Observation Length mm:ss, Vcham, Offset, Area, Vtotal = Vcham + Offset x Area + Virga + Vext), the labels line
 * starting {@code Type<TAB>Etime<TAB>Date}, records, and a footer with LI-COR's own fit and {@code Dead Band:} mm:ss.
 * <ul>
 *   <li>CO2: {@code Cdry} (dry, ppm) is used; {@code CO2} is the wet value and is not. H2O mmol mol-1.</li>
 *   <li>Clock: {@code Date} is the instrument's local clock; the file does not name its zone, so
 *       {@code --timezone} is required. Type 1 records must strictly increase in time through the file.</li>
 *   <li>Closing: the first record with Etime &gt;= 0 is the closed chamber at Etime; window = [Dead Band,
 *       Observation Length] s after closing.</li>
 * </ul>
 */
public final class Li81x implements InstrumentFile {
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT);
    private static final List<String> REQUIRED = List.of("Type", "Etime", "Date", "Tcham", "Pressure", "H2O", "Cdry");

    @Override
    public String name() {
        return "li8100";
    }

    /** One observation while it is read. */
    private static final class Observation {
        final int line;
        final Map<String, String> header = new HashMap<>();
        final Map<String, Integer> headerLine = new HashMap<>();
        Map<String, Integer> col;
        int labelsCells;
        Instant closed;
        int warnings;
        int records;
        boolean summaries;

        Observation(int line) {
            this.line = line;
        }
    }

    @Override
    public InstrumentData read(Path path, String file, ZoneId zone) throws InstrumentFileException {
        List<InstrumentSample> samples = new ArrayList<>();
        List<InstrumentClosure> closures = new ArrayList<>();
        String model = null;
        try (BufferedReader in = Files.newBufferedReader(path, StandardCharsets.ISO_8859_1)) {
            Observation obs = null;
            String text;
            int line = 0;
            while ((text = in.readLine()) != null) {
                line++;
                if (text.isBlank()) {
                    continue;
                }
                String[] cells = text.split("\t", -1);
                String first = cells[0].strip();
                if (first.startsWith("LI-8100")) {
                    if (obs != null) {
                        closures.add(close(file, obs));
                    }
                    model = first.replace(":", "");
                    obs = new Observation(line);
                    continue;
                }
                if (obs == null) {
                    throw InstrumentFileException.at(file, line, null, "'" + Cells.abbreviate(text) + "' before the"
                            + " first 'LI-8100' header line; not an LI-8100A .81x file (--instrument li8100)?");
                }
                if (obs.col == null) {
                    if (first.equals("Type")) {
                        obs.col = labels(file, line, cells);
                        obs.labelsCells = cells.length;
                    } else {
                        keyValue(file, line, obs, first, cells);
                    }
                    continue;
                }
                if (first.endsWith(":")) {
                    keyValue(file, line, obs, first, cells); // the footer (LI-COR's fit, Dead Band)
                    continue;
                }
                record(file, line, cells, obs, zone, samples);
            }
            if (obs == null) {
                throw new InstrumentFileException(file + ": empty, not an LI-8100A .81x file");
            }
            closures.add(close(file, obs));
        } catch (NoSuchFileException e) {
            throw new InstrumentFileException(file + ": no such file");
        } catch (IOException e) {
            throw new InstrumentFileException(file + ": cannot read: " + e.getMessage());
        }
        return new InstrumentData(file, model, zone, Set.of(Gas.CO2), samples, closures);
    }

    private static void keyValue(String file, int line, Observation obs, String first, String[] cells)
            throws InstrumentFileException {
        if (!first.endsWith(":")) {
            throw InstrumentFileException.at(file, line, null, "'" + Cells.abbreviate(String.join(" ", cells))
                    + "' is not a 'Key:<TAB>value' line of observation " + obs.line
                    + (obs.col == null ? " (the labels line starting 'Type' is missing?)" : ""));
        }
        String key = first.substring(0, first.length() - 1).strip();
        obs.header.put(key, cells.length > 1 ? cells[1].strip() : "");
        obs.headerLine.put(key, line);
    }

    private static Map<String, Integer> labels(String file, int line, String[] cells) throws InstrumentFileException {
        Map<String, Integer> col = new HashMap<>();
        for (int i = 0; i < cells.length; i++) {
            String name = cells[i].strip();
            if (!name.isEmpty() && col.putIfAbsent(name, i) != null) {
                throw InstrumentFileException.at(file, line, name, "named twice on the labels line");
            }
        }
        for (String c : REQUIRED) {
            if (!col.containsKey(c)) {
                throw InstrumentFileException.at(file, line, c, "missing from the labels line");
            }
        }
        return col;
    }

    private static void record(String file, int line, String[] cells, Observation obs, ZoneId zone,
                               List<InstrumentSample> samples) throws InstrumentFileException {
        if (cells.length > obs.labelsCells) {
            throw InstrumentFileException.at(file, line, null, "too many cells: " + cells.length + " for "
                    + obs.labelsCells + " labels (a column the labels line does not name)");
        }
        String type = cells.length > obs.col.get("Type") ? cells[obs.col.get("Type")].strip() : "";
        int needed = REQUIRED.stream().mapToInt(obs.col::get).max().orElse(0) + 1;
        if (cells.length < needed && !type.equals("-1")) { // a warning record carries its message, not the columns
            throw InstrumentFileException.at(file, line, null, "truncated: " + cells.length + " of "
                    + obs.labelsCells + " cells");
        }
        switch (type) {
            case "-1" -> {
                obs.warnings++; // the instrument's warning record: counted, no sample
                return;
            }
            case "2", "3", "4" -> {
                obs.summaries = true; // LI-COR's initial/mean/range of the observation: not samples
                return;
            }
            case "1" -> {
                // a raw record, below
            }
            default -> throw InstrumentFileException.at(file, line, "Type", "'" + Cells.abbreviate(type)
                    + "' is not a record type (-1, 1, 2, 3, 4)");
        }
        if (obs.summaries) {
            throw InstrumentFileException.at(file, line, "Type", "a raw record after the observation's summary"
                    + " records (observation " + obs.line + ")");
        }
        String dateText = cells[obs.col.get("Date")].strip();
        if (zone == null) {
            throw InstrumentFileException.at(file, line, "Date", "the LI-8100A clock's zone is not in an .81x"
                    + " file; give --timezone");
        }
        Instant t;
        try {
            t = LocalDateTime.parse(dateText, DATE).atZone(zone).toInstant();
        } catch (DateTimeException e) {
            throw InstrumentFileException.at(file, line, "Date", "'" + Cells.abbreviate(dateText)
                    + "' is not yyyy-mm-dd hh:mm:ss");
        }
        if (!samples.isEmpty()) {
            InstrumentSample previous = samples.get(samples.size() - 1);
            if (!t.isAfter(previous.time())) {
                throw InstrumentFileException.at(file, line, "Date", dateText + " is "
                        + (t.equals(previous.time()) ? "the same as" : "before") + " line " + previous.line()
                        + "'s " + previous.time() + ": time went backwards (clock step?)");
            }
        }
        double etime = Cells.number(file, line, "Etime", cells[obs.col.get("Etime")]);
        if (etime >= 0) {
            if (obs.closed == null) {
                obs.closed = t.minusSeconds(Math.round(etime));
            } else if (Math.abs(Duration.between(obs.closed, t).getSeconds() - etime) > 1) {
                throw InstrumentFileException.at(file, line, "Etime", Math.round(etime) + " s but Date is "
                        + Duration.between(obs.closed, t).getSeconds() + " s after the chamber closed: the clock"
                        + " and the elapsed time disagree");
            }
        }
        double co2 = Cells.number(file, line, "Cdry", cells[obs.col.get("Cdry")]);
        double h2o = Cells.number(file, line, "H2O", cells[obs.col.get("H2O")]);
        double tC = Cells.number(file, line, "Tcham", cells[obs.col.get("Tcham")]);
        double pKpa = Cells.number(file, line, "Pressure", cells[obs.col.get("Pressure")]);
        obs.records++;
        samples.add(new InstrumentSample(line, t, Map.of(Gas.CO2, co2), h2o, tC, pKpa, 0));
    }

    private static InstrumentClosure close(String file, Observation obs) throws InstrumentFileException {
        if (obs.col == null) {
            throw InstrumentFileException.at(file, obs.line, null, "truncated: observation without a labels line"
                    + " ('Type<TAB>Etime<TAB>Date...')");
        }
        if (obs.closed == null) {
            throw InstrumentFileException.at(file, obs.line, "Etime", "observation " + obs.header.getOrDefault("Obs#",
                    "?") + " has no record with Etime >= 0: the chamber never closed (" + obs.records
                    + " raw records)");
        }
        double volume = positive(file, obs, "Vtotal");
        double area = positive(file, obs, "Area");
        double deadBand = minutesSeconds(file, obs, "Dead Band");
        double length = minutesSeconds(file, obs, "Observation Length");
        if (length <= deadBand) {
            throw InstrumentFileException.at(file, obs.headerLine.get("Observation Length"), "Observation Length",
                    length + " s is not longer than the dead band " + deadBand + " s");
        }
        String id = obs.header.getOrDefault("Obs#", "").isEmpty() ? "line" + obs.line : obs.header.get("Obs#");
        return new InstrumentClosure(id, file + ":" + obs.line, obs.closed, deadBand, length, volume, area, Set.of(),
                obs.warnings);
    }

    private static String value(String file, Observation obs, String key) throws InstrumentFileException {
        String v = obs.header.get(key);
        if (v == null || v.isEmpty()) {
            throw InstrumentFileException.at(file, obs.line, key, "missing from observation "
                    + obs.header.getOrDefault("Obs#", "at line " + obs.line) + " (its geometry and timing are"
                    + " needed for its flux; truncated file?)");
        }
        return v;
    }

    private static double positive(String file, Observation obs, String key) throws InstrumentFileException {
        double d = Cells.number(file, obs.headerLine.getOrDefault(key, obs.line), key, value(file, obs, key));
        if (d <= 0) {
            throw InstrumentFileException.at(file, obs.headerLine.get(key), key, d + " is not > 0");
        }
        return d;
    }

    /** "mm:ss" (or "hh:mm:ss") as the LI-8100A writes durations, in seconds. */
    private static double minutesSeconds(String file, Observation obs, String key) throws InstrumentFileException {
        String v = value(file, obs, key);
        int line = obs.headerLine.get(key);
        double s = 0;
        for (String part : v.split(":", -1)) {
            s = s * 60 + Cells.number(file, line, key, part);
        }
        if (s < 0 || v.split(":").length > 3) {
            throw InstrumentFileException.at(file, line, key, "'" + Cells.abbreviate(v) + "' is not mm:ss");
        }
        return s;
    }
}
