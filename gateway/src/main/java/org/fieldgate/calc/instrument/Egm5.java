package org.fieldgate.calc.instrument;

import java.nio.file.Path;
import java.time.DateTimeException;
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
import java.util.regex.Pattern;
import org.fieldgate.calc.flux.Gas;

/**
 * PP Systems EGM-5 portable CO2 gas analyser data file ({@code .TXT}) as it writes it to its USB drive
 * (docs/instruments.md §EGM-5).
 *
 * <p>Source: PP Systems, "EGM-5 Operation Manual" V1.04, Measure Format Settings Table, pp. 93-95 (read through the
 * search tool at easymanua.ls): record formats M1-M6, comma delimited; M3 (17 fields) = tag, Date dd/mm/yy, Time
 * hh:mm:ss, Plot No, Record No, CO2 (ppm = umol mol-1), Air Pressure (mb, atmospheric), Flow (cc/min), H2O (mb),
 * H2O sensor temperature (degC), O2 (%), System Error (error code), Aux V, PAR, Tsoil (degC), Tair (degC); M5
 * (22 fields) = M3's plus RH/Msoil and five process fields (p. 91). The file's header line and the marker and R
 * lines are from an EGM-5 file published with the goFlux R package (inst/extdata/EGM5/EGM5.TXT), whose import.EGM5
 * notes CO2 as a wet mole fraction. Facts only, no code carried over.
 * <ul>
 *   <li>Line 1: {@code Tag(M3),Date,Time,Plot_No,Rec_No,CO2,Pressure,...}; columns are found by name.</li>
 *   <li>Records: {@code M3}/{@code M5} lines are measurements. {@code R} lines repeat a measurement as the saved
 *       result of an observation (a summary: skipped). {@code Start}, {@code End}, {@code Zero} mark an observation
 *       and the analyser's zeroing (skipped; CLOSURES.csv gives the windows). M1/M2/M4/M6 lines lack date or probe
 *       fields and are an error.</li>
 *   <li>Clock: Date/Time are the analyser's local clock, zone not in the file: {@code --timezone} is required.</li>
 *   <li>CO2 is wet; H2O is a vapour pressure e in mb, so W = 1000 e / P mmol mol-1 with P the record's pressure and
 *       CO2' = CO2 / (1 - W/1000). H2O 0.0 means no H2O sensor (convention): W unknown, CO2 used as it is and the
 *       flux flagged DRY_ASSUMED (unbiased while W is constant in the closure, docs/science.md §1.2).</li>
 *   <li>Pressure mb / 10 = kPa, the atmospheric pressure the chamber is at. Tair is taken as the chamber air
 *       temperature (convention: the manual names it only "Tair: Temperature"); a file whose Tair is 0.0 on every
 *       record has no probe and gives no temperature. CLOSURES.csv values override both.</li>
 *   <li>System Error != 0: kept, left out of fits and counted.</li>
 * </ul>
 */
public final class Egm5 implements InstrumentFile {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("dd/MM/yy HH:mm:ss", Locale.ROOT);
    private static final List<String> COLUMNS = List.of("Date", "Time", "CO2", "Pressure", "H2O", "Error", "Tair");
    private static final Map<String, Integer> FIELDS = Map.of("M3", 17, "M5", 22);
    private static final Set<String> MARKERS = Set.of("Start", "End", "Zero");
    private static final Pattern RESULT = Pattern.compile("R\\d");
    private static final Pattern OTHER_FORMAT = Pattern.compile("M\\d");

    @Override
    public String name() {
        return "egm5";
    }

    @Override
    public InstrumentData read(Path path, String file, ZoneId zone) throws InstrumentFileException {
        List<String> lines = RecordCells.lines(path, file);
        if (lines.isEmpty() || !lines.get(0).startsWith("Tag(")) {
            throw InstrumentFileException.at(file, 1, null, "'" + RecordCells.abbreviate(lines.isEmpty() ? ""
                    : lines.get(0).strip()) + "' is not an EGM-5 header line (Tag(M3),Date,Time,...); not an EGM-5"
                    + " .TXT file (--instrument egm5)?");
        }
        List<String> names = RecordCells.commaCells(lines.get(0));
        Map<String, Integer> col = new HashMap<>();
        for (int i = 0; i < names.size(); i++) {
            col.putIfAbsent(names.get(i), i);
        }
        for (String c : COLUMNS) {
            if (!col.containsKey(c)) {
                throw InstrumentFileException.at(file, 1, c, "missing from the header line");
            }
        }
        if (zone == null) {
            throw InstrumentFileException.at(file, 2, "Date/Time", "the analyser's clock zone is not in an EGM-5"
                    + " file; give --timezone");
        }
        List<InstrumentSample> samples = new ArrayList<>();
        boolean anyTair = false;
        for (int i = 1; i < lines.size(); i++) {
            String text = lines.get(i);
            int line = i + 1;
            if (text.isBlank()) {
                continue;
            }
            List<String> cells = RecordCells.commaCells(text);
            String tag = cells.get(0);
            if (MARKERS.contains(tag) || RESULT.matcher(tag).matches()) {
                continue;
            }
            Integer fields = FIELDS.get(tag);
            if (fields == null) {
                throw InstrumentFileException.at(file, line, names.get(0), OTHER_FORMAT.matcher(tag).matches()
                        ? "record format " + tag + " has no date or probe fields; set the EGM-5's measure format to"
                        + " M3 or M5" : "unknown record type '" + RecordCells.abbreviate(tag) + "'");
            }
            RecordCells.cellCount(file, line, cells.size(), fields, " for " + tag);
            for (String c : COLUMNS) {
                if (col.get(c) >= fields) {
                    throw InstrumentFileException.at(file, 1, c, "is field " + (col.get(c) + 1) + " but " + tag
                            + " records have " + fields);
                }
            }
            String stamp = cells.get(col.get("Date")) + " " + cells.get(col.get("Time"));
            LocalDateTime local;
            try {
                local = LocalDateTime.parse(stamp, STAMP);
            } catch (DateTimeException e) {
                throw InstrumentFileException.at(file, line, "Date/Time", "'" + RecordCells.abbreviate(stamp)
                        + "' is not dd/mm/yy hh:mm:ss");
            }
            Instant t = local.atZone(zone).toInstant();
            RecordCells.after(file, line, "Time", stamp, t, samples.isEmpty() ? null : samples.get(samples.size() - 1));
            double co2Ppm = number(file, line, cells, col, "CO2");
            double pressureMb = number(file, line, cells, col, "Pressure");
            double h2oMb = number(file, line, cells, col, "H2O");
            double error = number(file, line, cells, col, "Error");
            double tairC = number(file, line, cells, col, "Tair");
            anyTair |= tairC != 0;
            double w = h2oMb == 0 ? Double.NaN : 1000 * h2oMb / pressureMb; // mmol mol-1; 0 = no H2O sensor
            double dry = Double.isNaN(w) ? co2Ppm : co2Ppm / (1 - w / 1000); // docs/science.md §1.2
            samples.add(new InstrumentSample(line, t, Map.of(Gas.CO2, dry), w, tairC, pressureMb / 10,
                    (long) error));
        }
        if (samples.isEmpty()) {
            throw new InstrumentFileException(file + ": no M3 or M5 records after the header line");
        }
        if (!anyTair) {
            List<InstrumentSample> noProbe = new ArrayList<>();
            for (InstrumentSample s : samples) {
                noProbe.add(new InstrumentSample(s.line(), s.time(), s.dry(), s.h2oMmolMol(), Double.NaN,
                        s.pressureKpa(), s.diagnostic()));
            }
            samples = noProbe;
        }
        return new InstrumentData(file, "PP Systems EGM-5", zone, Set.of(Gas.CO2), samples);
    }

    private static double number(String file, int line, List<String> cells, Map<String, Integer> col, String name)
            throws InstrumentFileException {
        return RecordCells.number(file, line, name, cells.get(col.get(name)));
    }
}
