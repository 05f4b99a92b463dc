package org.fieldgate.calc.instrument;

import java.io.IOException;
import java.io.Reader;
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
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.fieldgate.calc.flux.Gas;

/**
 * LI-COR LI-8200-01S Smart Chamber data file ({@code .json}): observations (ID tags) each with repetitions, every
 * repetition with its own header (geometry, dead band, clock), data series and LI-COR's own fit
 * (docs/instruments.md §LI-8200).
 *
 * <p>Source: LI-COR, Smart Chamber manual, "Data files" (licor.com/env/support/Smart-Chamber/topics/data-files.html,
 * found with the search tool: a file is Header, Data, Summary and Footer sections; the page's variable tables were
 * not reachable). Layout, keys and units cross-checked against a published example file and the readers of two R
 * packages (goFlux's import.LI8200 and fluxfinder's Smart Chamber notes; facts only): {@code datasets} is a list of
 * one-key objects (the ID tag) holding {@code reps} ({@code REP_1}, ...); each rep has {@code header} (Date local
 * yyyy-mm-dd hh:mm:ss = chamber closed, TimeZone IANA, DeadBand s, Area cm2, Offset cm, ChamVolume, IrgaVolume and
 * TotalVolume cm3, InstrumentModel), {@code labels} (which header key is the area, volume and dead band and which
 * series is elapsed time, pressure, temperature and H2O), {@code data} (series of equal length: timestamp s after
 * Date, chamber_p kPa, chamber_t degC, h2o mmol mol-1, co2 ppm, ch4 ppb, n2o ppb, err), {@code summary} and
 * {@code footer} (P_o, T_o, W_o and LI-COR's fluxes, which used TotalVolume: checked on the example file).
 * <ul>
 *   <li>Gases are used as they are: the LI-7810/7815/7820 report dry mole fractions. Another InstrumentModel is an
 *       error (whether its values are dry is not documented).</li>
 *   <li>{@code err} != 0 marks a sample the chamber flags: left out of fits and counted.</li>
 *   <li>Window: DeadBand &lt;= timestamp &lt;= the rep's last timestamp.</li>
 * </ul>
 */
public final class Li8200Json implements InstrumentFile {
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT);
    private static final Map<String, Gas> GASES = Map.of("co2", Gas.CO2, "ch4", Gas.CH4, "n2o", Gas.N2O);
    private static final List<String> MODELS = List.of("LI-7810", "LI-7815", "LI-7820");

    @Override
    public String name() {
        return "li8200";
    }

    @Override
    public InstrumentData read(Path path, String file, ZoneId zoneOption) throws InstrumentFileException {
        JsonTree root;
        try (Reader in = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            root = JsonTree.parse(in, file);
        } catch (NoSuchFileException e) {
            throw new InstrumentFileException(file + ": no such file");
        } catch (IOException e) {
            throw new InstrumentFileException(file + ": cannot read: " + e.getMessage());
        }
        JsonTree datasets = root.get("datasets");
        if (datasets == null || !(datasets.value instanceof List)) {
            throw InstrumentFileException.at(file, root.line, "datasets", "missing: not an LI-8200 Smart Chamber"
                    + " .json file (--instrument li8200)?");
        }
        List<InstrumentSample> samples = new ArrayList<>();
        List<InstrumentClosure> closures = new ArrayList<>();
        Set<Gas> gases = null;
        String model = null;
        ZoneId zone = zoneOption;
        for (JsonTree dataset : datasets.array(file)) {
            for (Map.Entry<String, JsonTree> tag : dataset.object(file).entrySet()) {
                JsonTree reps = tag.getValue().get("reps");
                if (reps == null) {
                    continue; // an ID tag without measurements
                }
                for (Map.Entry<String, JsonTree> rep : reps.object(file).entrySet()) {
                    JsonTree r = rep.getValue();
                    JsonTree header = r.required(file, "header");
                    String m = header.required(file, "InstrumentModel").text();
                    if (MODELS.stream().noneMatch(m::startsWith)) {
                        throw header.required(file, "InstrumentModel").error(file, "'" + Cells.abbreviate(m)
                                + "' is not one of " + MODELS + " (whether its gases are dry is not documented)");
                    }
                    model = model == null ? m : model;
                    JsonTree tz = header.get("TimeZone");
                    if (tz != null && tz.value != null) {
                        zone = Cells.fileZone(file, tz.line, tz.path, tz.text(), zoneOption);
                    } else if (zone == null) {
                        throw header.required(file, "TimeZone").error(file, "missing and no --timezone given");
                    }
                    Set<Gas> repGases = rep(file, tag.getKey() + "/" + rep.getKey(), r, header, zone, samples,
                            closures);
                    if (gases == null) {
                        gases = repGases;
                    } else if (!gases.equals(repGases)) {
                        throw r.required(file, "data").error(file, "gases " + repGases + " differ from the first"
                                + " rep's " + gases + "; split the file by analyser");
                    }
                }
            }
        }
        if (closures.isEmpty()) {
            throw InstrumentFileException.at(file, datasets.line, "datasets", "no reps with data");
        }
        return new InstrumentData(file, model, zone, gases, samples, closures);
    }

    private static Set<Gas> rep(String file, String id, JsonTree rep, JsonTree header, ZoneId zone,
                                List<InstrumentSample> samples, List<InstrumentClosure> closures)
            throws InstrumentFileException {
        JsonTree labels = rep.get("labels");
        JsonTree data = rep.required(file, "data");
        JsonTree date = header.required(file, "Date");
        Instant closed;
        try {
            closed = LocalDateTime.parse(date.text().strip(), DATE).atZone(zone).toInstant();
        } catch (DateTimeException e) {
            throw date.error(file, "'" + Cells.abbreviate(date.text()) + "' is not yyyy-mm-dd hh:mm:ss");
        }
        double area = positive(file, header.required(file, label(labels, "area", "Area")));
        double volume = positive(file, header.required(file, label(labels, "volume", "TotalVolume")));
        JsonTree deadBandNode = header.required(file, label(labels, "deadband", "DeadBand"));
        double deadBand = deadBandNode.number(file);
        if (deadBand < 0) {
            throw deadBandNode.error(file, deadBand + " is negative");
        }
        JsonTree etimeNode = data.required(file, label(labels, "etime", "timestamp"));
        List<JsonTree> etime = etimeNode.array(file);
        if (etime.isEmpty()) {
            throw etimeNode.error(file, "no samples");
        }
        List<JsonTree> p = series(file, data, label(labels, "pressure", "chamber_p"), etime.size());
        List<JsonTree> t = series(file, data, label(labels, "temperature", "chamber_t"), etime.size());
        List<JsonTree> w = series(file, data, label(labels, "h2o", "h2o"), etime.size());
        JsonTree errNode = data.get("err");
        List<JsonTree> err = errNode == null ? null : series(file, data, "err", etime.size());
        Map<Gas, List<JsonTree>> gasSeries = new EnumMap<>(Gas.class);
        for (Map.Entry<String, Gas> g : GASES.entrySet()) {
            if (data.get(g.getKey()) != null) {
                gasSeries.put(g.getValue(), series(file, data, g.getKey(), etime.size()));
            }
        }
        if (gasSeries.isEmpty()) {
            throw data.error(file, "no co2, ch4 or n2o series");
        }
        double last = 0;
        for (int i = 0; i < etime.size(); i++) {
            double s = etime.get(i).number(file);
            Instant time = closed.plus(Duration.ofNanos(Math.round(s * 1e9)));
            if (!samples.isEmpty() && !time.isAfter(samples.get(samples.size() - 1).time())) {
                InstrumentSample previous = samples.get(samples.size() - 1);
                throw etime.get(i).error(file, s + " s after " + date.text() + " is " + time + ", not after line "
                        + previous.line() + "'s " + previous.time() + ": time went backwards (clock step?)");
            }
            Map<Gas, Double> dry = new LinkedHashMap<>();
            for (Map.Entry<Gas, List<JsonTree>> g : gasSeries.entrySet()) {
                dry.put(g.getKey(), g.getValue().get(i).number(file));
            }
            long diag = err == null ? 0 : (long) err.get(i).number(file);
            samples.add(new InstrumentSample(etime.get(i).line, time, dry, w.get(i).number(file),
                    t.get(i).number(file), p.get(i).number(file), diag));
            last = s;
        }
        if (last <= deadBand) {
            throw etimeNode.error(file, "the last sample at " + last + " s is not after the dead band " + deadBand
                    + " s");
        }
        closures.add(new InstrumentClosure(id, file + ":" + header.line, closed, deadBand, last, volume, area,
                Set.of(), 0));
        return gasSeries.keySet();
    }

    /** The key {@code labels} names for a role, or the usual one when the file has no labels. */
    private static String label(JsonTree labels, String role, String usual) {
        JsonTree l = labels == null ? null : labels.get(role);
        return l == null || !(l.value instanceof String s) || s.isBlank() ? usual : s;
    }

    private static List<JsonTree> series(String file, JsonTree data, String key, int n)
            throws InstrumentFileException {
        JsonTree node = data.required(file, key);
        List<JsonTree> values = node.array(file);
        if (values.size() != n) {
            throw node.error(file, "truncated: " + values.size() + " values, the elapsed time has " + n);
        }
        return values;
    }

    private static double positive(String file, JsonTree node) throws InstrumentFileException {
        double d = node.number(file);
        if (d <= 0) {
            throw node.error(file, d + " is not > 0");
        }
        return d;
    }
}
