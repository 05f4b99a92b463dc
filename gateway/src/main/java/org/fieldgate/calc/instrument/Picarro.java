package org.fieldgate.calc.instrument;

import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.fieldgate.calc.flux.Gas;

/**
 * Picarro G2508 (CO2/CH4/N2O/NH3/H2O) and G4301 GasScouter (CO2/CH4/H2O) cavity ring-down analyser data log
 * ({@code .dat}), as the analyser's data manager writes it (docs/instruments.md §Picarro).
 *
 * <p>Sources (Picarro's user manuals were not reachable from the search tool): analyser files published with the goFlux R
 * package (inst/extdata/G2508/2023/08/01/G2508.dat, inst/extdata/G4301/G4301.dat) and its import.G2508 /
 * import.G4301 notes; a Python reader of G2508 chamber files (index named {@code datetime_utc} from
 * {@code EPOCH_TIME}); Rella et al. 2013 (AMT 6, 837) and Reum et al. 2019 (AMT 12, 1013) for H2O reported in %.
 * Facts only, no code carried over.
 * <ul>
 *   <li>One header line of column names, then one record per line; cells separated by runs of spaces (fixed-width
 *       columns). Columns are found by name.</li>
 *   <li>Clock: {@code EPOCH_TIME} (Unix seconds, ms) is the instant. {@code DATE}/{@code TIME} are the same instant on
 *       the analyser's clock: UTC in the G4301 file, UTC+1 in the G2508 file. With {@code --timezone} every record is
 *       checked against it; without, the clock's offset is taken from the first record (whole minutes) and every
 *       record checked against that (a change of offset, e.g. summer time, needs {@code --timezone}).</li>
 *   <li>Gases: {@code CO2_dry} ppm, {@code CH4_dry} ppm, {@code N2O_dry} ppm: dry mole fractions corrected by the
 *       analyser (used as they are; CH4 and N2O x 1000 for ppb). {@code CO2}, {@code CH4}, {@code N2O} are wet and the
 *       {@code _30s/_1min/_5min} columns running means: not used. {@code H2O} is in % (x 10 = mmol mol-1): in both
 *       files CO2_dry/CO2 - 1 is about 1.6 % with H2O 0.92 and 1.54, which only % explains. (goFlux's notes say
 *       mmol/mol; its own files contradict that.)</li>
 *   <li>{@code CavityPressure} (Torr) and {@code CavityTemp} (degC) are the cavity's, held near 140 Torr and 45 degC:
 *       not the chamber's, so CLOSURES.csv must give pressure and temperature.</li>
 *   <li>{@code ALARM_STATUS} != 0: an alarm is active; the record is kept, left out of fits and counted.
 *       {@code INST_STATUS} (a bit field) and {@code species} (which spectral scheme finished on this row; every row
 *       carries every gas's latest value) are not interpreted: no source for their codes was reachable.</li>
 * </ul>
 */
public final class Picarro implements InstrumentFile {
    private static final List<String> REQUIRED = List.of("DATE", "TIME", "EPOCH_TIME", "ALARM_STATUS", "H2O");

    @Override
    public String name() {
        return "picarro";
    }

    @Override
    public InstrumentData read(Path path, String file, ZoneId zoneOption) throws InstrumentFileException {
        List<String> lines = RecordCells.lines(path, file);
        List<String> names = lines.isEmpty() ? List.of() : split(lines.get(0));
        if (names.isEmpty() || !names.get(0).equals("DATE")) {
            throw InstrumentFileException.at(file, 1, null, "'" + RecordCells.abbreviate(lines.isEmpty() ? ""
                    : lines.get(0).strip()) + "' is not a Picarro header line (DATE TIME ... EPOCH_TIME ...); not a"
                    + " Picarro .dat file (--instrument picarro)?");
        }
        Map<String, Integer> col = new HashMap<>();
        for (int i = 0; i < names.size(); i++) {
            col.putIfAbsent(names.get(i), i);
        }
        for (String c : REQUIRED) {
            if (!col.containsKey(c)) {
                throw InstrumentFileException.at(file, 1, c, "missing from the header line");
            }
        }
        Map<Gas, Integer> gasCol = new EnumMap<>(Gas.class);
        for (Gas g : Gas.values()) {
            Integer i = col.get(g.name() + "_dry");
            if (i != null) {
                gasCol.put(g, i);
            }
        }
        if (gasCol.isEmpty()) {
            throw InstrumentFileException.at(file, 1, "CO2_dry/CH4_dry/N2O_dry", "none of the dry gas columns is on"
                    + " the header line");
        }
        String model = gasCol.containsKey(Gas.N2O) ? "Picarro G2508" : "Picarro G4301";

        ZoneId zone = zoneOption;
        int zoneLine = 0;
        List<InstrumentSample> samples = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            String text = lines.get(i);
            int line = i + 1;
            if (text.isBlank()) {
                continue;
            }
            List<String> cells = split(text);
            RecordCells.cellCount(file, line, cells.size(), names.size(), "");
            double epoch = RecordCells.number(file, line, "EPOCH_TIME", cells.get(col.get("EPOCH_TIME")));
            Instant t = Instant.ofEpochMilli(Math.round(epoch * 1000));
            RecordCells.after(file, line, "EPOCH_TIME", cells.get(col.get("EPOCH_TIME")), t,
                    samples.isEmpty() ? null : samples.get(samples.size() - 1));
            LocalDateTime local = local(file, line, cells.get(col.get("DATE")), cells.get(col.get("TIME")));
            if (zone == null) {
                // the clock's offset from the first record, to the minute
                long minutes = Math.round(Duration.between(t, local.toInstant(ZoneOffset.UTC)).toMillis() / 60_000.0);
                try {
                    zone = ZoneOffset.ofTotalSeconds((int) (minutes * 60));
                    zoneLine = line;
                } catch (DateTimeException e) {
                    throw InstrumentFileException.at(file, line, "TIME", local + " is " + minutes + " min from"
                            + " EPOCH_TIME " + t + ": not a clock offset");
                }
            }
            Instant fromLocal = local.atZone(zone).toInstant();
            if (Duration.between(fromLocal, t).abs().compareTo(Duration.ofSeconds(1)) > 0) {
                throw InstrumentFileException.at(file, line, "TIME", local + " in " + zone + " is " + fromLocal
                        + " but EPOCH_TIME says " + t + "; the clock's zone is not " + zone
                        + (zoneOption == null ? " (taken from line " + zoneLine + "; give --timezone for a clock that changes"
                        + " offset)" : ""));
            }
            double alarm = RecordCells.number(file, line, "ALARM_STATUS", cells.get(col.get("ALARM_STATUS")));
            double h2oPercent = RecordCells.number(file, line, "H2O", cells.get(col.get("H2O")));
            Map<Gas, Double> dry = new EnumMap<>(Gas.class);
            for (Map.Entry<Gas, Integer> g : gasCol.entrySet()) {
                String name = g.getKey().name() + "_dry";
                double ppm = RecordCells.number(file, line, name, cells.get(g.getValue()));
                dry.put(g.getKey(), g.getKey() == Gas.CO2 ? ppm : ppm * 1000); // ppb for CH4 and N2O
            }
            samples.add(new InstrumentSample(line, t, dry, h2oPercent * 10, Double.NaN, Double.NaN,
                    (long) alarm));
        }
        if (samples.isEmpty()) {
            throw new InstrumentFileException(file + ": no records after the header line");
        }
        return new InstrumentData(file, model, zone, gasCol.keySet(), samples);
    }

    private static LocalDateTime local(String file, int line, String date, String time)
            throws InstrumentFileException {
        try {
            return LocalDateTime.of(LocalDate.parse(date), LocalTime.parse(time));
        } catch (DateTimeException e) {
            throw InstrumentFileException.at(file, line, "DATE/TIME", "'" + date + " " + RecordCells.abbreviate(time)
                    + "' is not yyyy-mm-dd hh:mm:ss.sss");
        }
    }

    private static List<String> split(String text) {
        String s = text.strip();
        return s.isEmpty() ? List.of() : List.of(s.split("\\s+"));
    }
}
