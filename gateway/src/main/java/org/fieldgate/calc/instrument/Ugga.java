package org.fieldgate.calc.instrument;

import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.fieldgate.calc.flux.Gas;

/**
 * LGR / ABB Ultraportable Greenhouse Gas Analyzer (UGGA, GLA132; micro-GGA GLA131) and Greenhouse Gas Analyzer (GGA)
 * data file ({@code .txt}) as the analyser writes it (docs/instruments.md §LGR).
 *
 * <p>Sources (the LGR/ABB user manual was not reachable from the search tool): two analyser files published with
 * the goFlux R package (inst/extdata/UGGA/UGGA.txt, firmware with SysTime; inst/extdata/LGR/example_LGR.txt, 2014
 * firmware), its import.UGGA notes (units ppm, Torr, degC; "[X]d_" columns dry), and a DAQFactory driver for the
 * UGGA's serial stream (a record is valid only when Fit_Flag is 3). Facts only, no code carried over.
 * <ul>
 *   <li>Line 1: identification, {@code SN:serial BD:build-date VC:version} (order varies with firmware). Line 2: the
 *       column names, comma separated and space padded. Then one record per line (1 Hz), comma separated.</li>
 *   <li>{@code Time} is the analyser's local clock, {@code dd/mm/yyyy hh:mm:ss.sss}; the file does not state the
 *       zone, so {@code --timezone} is required. (Newer firmware adds {@code SysTime}, the PC clock when the line was
 *       written; not used.)</li>
 *   <li>Gases: {@code [CO2]_ppm}, {@code [CH4]_ppm} wet and {@code [CO2]d_ppm}, {@code [CH4]d_ppm} dry mole fractions
 *       (in both files d = wet / (1 - [H2O]_ppm/1e6), dilution only), {@code [H2O]_ppm}; each with a {@code _sd}
 *       column (0 at 1 Hz). Dry columns are used where present, else the wet one corrected with its own H2O. CH4 ppm
 *       x 1000 = ppb; H2O ppm / 1000 = mmol mol-1.</li>
 *   <li>{@code GasP_torr} and {@code GasT_C} are the optical cell's (about 140 or 500 Torr), {@code AmbT_C} the
 *       analyser's: none is the chamber's, so CLOSURES.csv must give pressure and temperature.</li>
 *   <li>{@code Fit_Flag} 3 = spectral fit valid; other values (2 during warm-up, with d columns 0) are diagnostics:
 *       kept, left out of fits and counted.</li>
 *   <li>When the file is closed the analyser appends a PGP block ({@code -----BEGIN PGP MESSAGE-----} ...
 *       {@code -----END PGP MESSAGE-----}); it is skipped. A block without its END line means a truncated file.</li>
 * </ul>
 */
public final class Ugga implements InstrumentFile {
    static final String PGP_BEGIN = "-----BEGIN PGP MESSAGE-----";
    static final String PGP_END = "-----END PGP MESSAGE-----";
    /** {@code [GAS]} + optional {@code d} (dry) + {@code _unit}, optionally {@code _sd}. */
    private static final Pattern GAS_COLUMN = Pattern.compile("\\[([A-Za-z0-9]+)](d?)_([A-Za-z0-9%/]+)(_sd)?");
    private static final Pattern STAMP = Pattern.compile(
            "(\\d{1,2})/(\\d{1,2})/(\\d{4}) (\\d{1,2}):(\\d{2}):(\\d{2})(?:\\.(\\d{1,9}))?");

    @Override
    public String name() {
        return "ugga";
    }

    private record Column(int index, String name, double scale, boolean dry) {
    }

    @Override
    public InstrumentData read(Path path, String file, ZoneId zone) throws InstrumentFileException {
        List<String> lines = RecordCells.lines(path, file);
        if (lines.isEmpty() || !lines.get(0).contains("SN:")) {
            throw InstrumentFileException.at(file, 1, null, "'" + RecordCells.abbreviate(lines.isEmpty() ? ""
                    : lines.get(0).strip()) + "' is not an LGR identification line (SN:... BD:... VC:...); not an"
                    + " LGR UGGA/GGA .txt file (--instrument ugga)?");
        }
        String model = "LGR UGGA/GGA " + serial(lines.get(0));
        if (lines.size() < 2) {
            throw InstrumentFileException.at(file, 2, null, "truncated: the column-name line is missing");
        }
        List<String> names = RecordCells.commaCells(lines.get(1));
        Map<String, Integer> col = new HashMap<>();
        for (int i = 0; i < names.size(); i++) {
            col.putIfAbsent(names.get(i), i);
        }
        for (String c : List.of("Time", "[H2O]_ppm", "Fit_Flag")) {
            if (!col.containsKey(c)) {
                throw InstrumentFileException.at(file, 2, c, "missing from the column names");
            }
        }
        Map<Gas, Column> gases = gasColumns(file, names);
        if (gases.isEmpty()) {
            throw InstrumentFileException.at(file, 2, "[CO2]d_ppm/[CH4]d_ppm", "no CO2, CH4 or N2O column");
        }
        int timeCol = col.get("Time");
        int h2oCol = col.get("[H2O]_ppm");
        int fitCol = col.get("Fit_Flag");
        if (zone == null) {
            throw InstrumentFileException.at(file, 3, "Time", "the analyser's clock zone is not in an LGR file;"
                    + " give --timezone");
        }

        // Records end at the PGP block; everything in it is skipped, nothing may follow it.
        int end = lines.size();
        for (int i = 2; i < lines.size(); i++) {
            if (lines.get(i).strip().equals(PGP_BEGIN)) {
                end = i;
                int close = -1;
                for (int j = i + 1; j < lines.size() && close < 0; j++) {
                    close = lines.get(j).strip().equals(PGP_END) ? j : -1;
                }
                if (close < 0) {
                    throw InstrumentFileException.at(file, i + 1, null, "truncated: the signature block has no '"
                            + PGP_END + "' line");
                }
                for (int j = close + 1; j < lines.size(); j++) {
                    if (!lines.get(j).isBlank()) {
                        throw InstrumentFileException.at(file, j + 1, null, "text after the signature block");
                    }
                }
                break;
            }
        }
        boolean monthFirst = monthFirst(file, lines, end, timeCol);

        List<InstrumentSample> samples = new ArrayList<>();
        for (int i = 2; i < end; i++) {
            String text = lines.get(i);
            int line = i + 1;
            if (text.isBlank()) {
                continue;
            }
            List<String> cells = RecordCells.commaCells(text);
            RecordCells.cellCount(file, line, cells.size(), names.size(), "");
            LocalDateTime local = stamp(file, line, cells.get(timeCol), monthFirst);
            Instant t = local.atZone(zone).toInstant();
            InstrumentSample previous = samples.isEmpty() ? null : samples.get(samples.size() - 1);
            RecordCells.after(file, line, "Time", cells.get(timeCol), t, previous);
            double w = RecordCells.number(file, line, "[H2O]_ppm", cells.get(h2oCol)) / 1000.0;
            double fit = RecordCells.number(file, line, "Fit_Flag", cells.get(fitCol));
            Map<Gas, Double> dry = new EnumMap<>(Gas.class);
            for (Map.Entry<Gas, Column> g : gases.entrySet()) {
                Column c = g.getValue();
                double v = RecordCells.number(file, line, c.name(), cells.get(c.index())) * c.scale();
                dry.put(g.getKey(), c.dry() ? v : v / (1 - w / 1000.0)); // docs/science.md §1.2
            }
            samples.add(new InstrumentSample(line, t, dry, w, Double.NaN, Double.NaN, fit == 3 ? 0 : 1));
        }
        if (samples.isEmpty()) {
            throw new InstrumentFileException(file + ": no records after the column-name line");
        }
        return new InstrumentData(file, model, zone, gases.keySet(), samples);
    }

    private static String serial(String first) {
        for (String token : first.strip().split("\\s+")) {
            if (token.startsWith("SN:")) {
                return token;
            }
        }
        return "";
    }

    /**
     * One column per gas: the dry {@code [G]d_ppm} (or ppb) if present, else the wet {@code [G]_ppm}. A gas or H2O
     * column in a unit this reader does not know is an error, so a file in other units is never misread.
     */
    private static Map<Gas, Column> gasColumns(String file, List<String> names) throws InstrumentFileException {
        Map<Gas, Column> found = new EnumMap<>(Gas.class);
        for (int i = 0; i < names.size(); i++) {
            Matcher m = GAS_COLUMN.matcher(names.get(i));
            if (!m.matches()) {
                continue;
            }
            String species = m.group(1).toUpperCase(Locale.ROOT);
            String unit = m.group(3);
            if (!unit.equals("ppm") && !(unit.equals("ppb") && !species.equals("H2O"))) {
                throw InstrumentFileException.at(file, 2, names.get(i), "unit '" + unit + "' is not one this reader"
                        + " knows (ppm" + (species.equals("H2O") ? "" : ", ppb") + ")");
            }
            if (m.group(4) != null || species.equals("H2O")) {
                continue; // standard deviations; H2O is read by name
            }
            Gas gas;
            try {
                gas = Gas.valueOf(species);
            } catch (IllegalArgumentException e) {
                continue; // a species the calculators do not fit (e.g. CO, NH3)
            }
            boolean dry = !m.group(2).isEmpty();
            // CO2 in ppm; CH4 and N2O in ppb (Gas#moleFractionUnit)
            double scale = gas == Gas.CO2 ? (unit.equals("ppm") ? 1 : 0.001) : (unit.equals("ppm") ? 1000 : 1);
            Column c = new Column(i, names.get(i), scale, dry);
            Column had = found.get(gas);
            if (had == null || (dry && !had.dry())) {
                found.put(gas, c);
            }
        }
        return found;
    }

    /**
     * dd/mm/yyyy in both published files; a file whose second field exceeds 12 is mm/dd/yyyy. A file with both kinds
     * is an error; a file that cannot tell (all fields <= 12) is read day first (the convention of both files).
     */
    private static boolean monthFirst(String file, List<String> lines, int end, int timeCol)
            throws InstrumentFileException {
        int dayFirstLine = 0;
        int monthFirstLine = 0;
        for (int i = 2; i < end; i++) {
            List<String> cells = RecordCells.commaCells(lines.get(i));
            if (cells.size() <= timeCol) {
                continue; // reported as truncated when read
            }
            Matcher m = STAMP.matcher(cells.get(timeCol));
            if (!m.matches()) {
                continue; // reported when read
            }
            if (Integer.parseInt(m.group(1)) > 12 && dayFirstLine == 0) {
                dayFirstLine = i + 1;
            }
            if (Integer.parseInt(m.group(2)) > 12 && monthFirstLine == 0) {
                monthFirstLine = i + 1;
            }
        }
        if (dayFirstLine > 0 && monthFirstLine > 0) {
            throw InstrumentFileException.at(file, Math.max(dayFirstLine, monthFirstLine), "Time", "dates are day"
                    + " first on line " + dayFirstLine + " and month first on line " + monthFirstLine);
        }
        return monthFirstLine > 0;
    }

    private static LocalDateTime stamp(String file, int line, String cell, boolean monthFirst)
            throws InstrumentFileException {
        Matcher m = STAMP.matcher(cell);
        try {
            if (m.matches()) {
                int a = Integer.parseInt(m.group(1));
                int b = Integer.parseInt(m.group(2));
                String fraction = m.group(7) == null ? "0" : (m.group(7) + "000000000").substring(0, 9);
                return LocalDateTime.of(LocalDate.of(Integer.parseInt(m.group(3)), monthFirst ? a : b,
                        monthFirst ? b : a), LocalTime.of(Integer.parseInt(m.group(4)), Integer.parseInt(m.group(5)),
                        Integer.parseInt(m.group(6)), Integer.parseInt(fraction)));
            }
        } catch (DateTimeException e) {
            // reported below with the cell
        }
        throw InstrumentFileException.at(file, line, "Time", "'" + RecordCells.abbreviate(cell) + "' is not "
                + (monthFirst ? "mm/dd/yyyy" : "dd/mm/yyyy") + " hh:mm:ss.sss");
    }
}
