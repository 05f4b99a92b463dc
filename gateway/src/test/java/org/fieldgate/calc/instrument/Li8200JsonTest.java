package org.fieldgate.calc.instrument;

import static org.fieldgate.calc.instrument.InstrumentRuns.assertWithin;
import static org.fieldgate.calc.instrument.InstrumentRuns.calc;
import static org.fieldgate.calc.instrument.InstrumentRuns.licorFlux;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntFunction;
import java.util.function.IntToDoubleFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LI-8200-01S Smart Chamber .json files written from the documented layout (docs/instruments.md §LI-8200): two ID
 * tags, one with two reps, each rep with its own header (Date, TimeZone, DeadBand, TotalVolume), labels, data (err
 * flags), summary and footer; fluxes from the file's own closures recovered to 0.5 %, bad files rejected.
 */
class Li8200JsonTest {
    private static final double TOTAL_CM3 = 4927.06; // ChamVolume 4244.1 + Offset 2 x Area 318 + IrgaVolume 46.96
    private static final double AREA_CM2 = 318;
    private static final double P_KPA = 101.5;
    private static final double T_C = 12.8;

    @TempDir
    Path dir;

    private static double h2o(int t) {
        return 12.9 + 0.005 * t;
    }

    private static String series(String name, int first, IntToDoubleFunction f) {
        StringBuilder s = new StringBuilder("\t\t\"" + name + "\":[");
        for (int t = first; t < first + 180; t++) {
            s.append(t == first ? "" : ",").append(t % 9 == 0 ? "\n\t\t\t" : "")
                    .append(String.format(Locale.ROOT, "%.6g", f.applyAsDouble(t)));
        }
        return s.append("]").toString();
    }

    private static String rep(int n, String date, int first, IntToDoubleFunction co2, IntToDoubleFunction ch4,
                              int badSample, String model) {
        return "\"REP_" + n + "\": {\n\t\"header\":{\n\t\t\"Chamber\":\"82s-1012\",\n\t\t\"Version\":\"1.18\",\n"
                + "\t\t\"InstrumentModel\":\"" + model + "\",\n\t\t\"InstrumentSerialNumber\":\"TG10-01087\",\n"
                + "\t\t\"Date\":\"" + date + "\",\n\t\t\"RepNum\":" + n + ",\n\t\t\"DeadBand\":20,\n"
                + "\t\t\"Area\":318,\n\t\t\"Offset\":2,\n\t\t\"ChamVolume\":4244.1,\n\t\t\"IrgaVolume\":46.96,\n"
                + "\t\t\"TotalVolume\":" + TOTAL_CM3 + ",\n\t\t\"TimeZone\":\"Europe/Copenhagen\"\n\t},\n"
                + "\t\"labels\":{\n\t\t\"area\":\"Area\",\n\t\t\"volume\":\"TotalVolume\",\n"
                + "\t\t\"deadband\":\"DeadBand\",\n\t\t\"etime\":\"timestamp\",\n\t\t\"pressure\":\"chamber_p\",\n"
                + "\t\t\"temperature\":\"chamber_t\",\n\t\t\"h2o\":\"h2o\"\n\t},\n\t\"data\":{\n"
                + series("timestamp", first, t -> t) + ",\n" + series("chamber_p", first, t -> P_KPA) + ",\n"
                + series("chamber_t", first, t -> T_C) + ",\n" + series("soil_t", first, t -> 9999) + ",\n"
                + series("co2", first, t -> t == badSample ? 9999 : co2.applyAsDouble(t)) + ",\n"
                + series("ch4", first, ch4) + ",\n" + series("h2o", first, Li8200JsonTest::h2o) + ",\n"
                + series("err", first, t -> t == badSample ? 1 : 0) + "\n\t},\n"
                + "\t\"summary\":{\n\t\t\"timestamp\":[0,89.5,179]\n\t},\n"
                + "\t\"footer\":{\n\t\t\"P_o\":101.5,\n\t\t\"fluxes\":[{\"name\":\"co2\",\"F_o\":1.2}]\n\t}\n}";
    }

    private static String tag(String name, String reps) {
        return "{ \"" + name + "\":\n\t{\n\t\t\"remark\": \"\",\n\t\t\"reps\":\n\t\t\t{\n" + reps + "\n\t\t\t}\n\t}\n}";
    }

    /** A1: REP_1 linear (0.4 ppm/s CO2, 1.5 ppb/s CH4), REP_2 saturating; B2: REP_1 linear, a flagged sample. */
    static String file(String model, IntFunction<String> dateOfB) {
        IntToDoubleFunction line = t -> 420 + 0.4 * (t - 20);
        IntToDoubleFunction ch4 = t -> 2000 + 1.5 * (t - 20);
        IntToDoubleFunction curve = t -> 650 + (425 - 650) * Math.exp(-0.01 * (t - 20));
        return "{ \"name\": \"Farum\",\n\"remark\": \"\",\n\"date\":1719828000,\n\"datasets\":  [ \n"
                + tag("A1", rep(1, "2024-07-01 12:00:00", 0, line, ch4, -1, model) + ",\n"
                + rep(2, "2024-07-01 12:04:00", 1, curve, ch4, -1, model)) + "\n, \n"
                + tag("B2", rep(1, dateOfB.apply(0), 0, line, ch4, 50, model)) + "\n]\n}\n";
    }

    static String file() {
        return file("LI-7810", i -> "2024-07-01 12:10:00");
    }

    private static double expected(double slope, int t0) {
        return licorFlux(TOTAL_CM3 / 1000, AREA_CM2, P_KPA, T_C, h2o(t0), slope);
    }

    @Test
    void fluxesFromEachRepsOwnHeader() throws IOException {
        Path data = InstrumentRuns.write(dir, "Farum.json", file());
        InstrumentRuns.Run r = calc("flux", "--instrument", "li8200", "--input", data.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(6, r.lines().size(), r.out());
        JsonNode a = r.line("A1/REP_1", "co2");
        assertEquals("2024-07-01T10:00:00Z", a.get("closed").asText(), "Copenhagen summer time, from TimeZone");
        assertEquals(160, a.get("points").asInt(), "timestamp 20..179");
        assertWithin(expected(0.4, 20), a.get("flux"), 0.005, "A1/1 co2");
        assertWithin(expected(1.5, 20), r.line("A1/REP_1", "ch4").get("flux"), 0.005, "A1/1 ch4");
        JsonNode e = r.line("A1/REP_2", "co2");
        assertEquals("exponential", e.get("model").asText(), e.toString());
        assertWithin(expected(0.01 * 225, 20), e.get("exponential_flux"), 0.005, "A1/2 co2");
        JsonNode b = r.line("B2/REP_1", "co2");
        assertEquals(1, b.get("samples_diag").asInt(), "err = 1 at 50 s left out");
        assertEquals(159, b.get("points").asInt());
        assertWithin(expected(0.4, 20), b.get("flux"), 0.005, "B2/1 co2");
    }

    private String bad(String name, String text, String... extra) throws IOException {
        Path data = InstrumentRuns.write(dir, name, text);
        List<String> args = new ArrayList<>(List.of("flux", "--instrument", "li8200", "--input", data.toString()));
        args.addAll(List.of(extra));
        return InstrumentRuns.bad(args.toArray(String[]::new));
    }

    private static void has(String err, String text) {
        assertTrue(err.contains(text), err);
    }

    @Test
    void badFilesNameFileLineAndColumn() throws IOException {
        String good = file();
        has(bad("a.json", Li81xTest.file()), "a.json:1: not JSON");
        has(bad("b.json", good.substring(0, good.length() / 2)), "b.json:");
        has(bad("b2.json", good.substring(0, good.length() / 2)), "truncated: the JSON document ends inside");
        has(bad("c.json", file("LI-870", i -> "2024-07-01 12:10:00")),
                "c.json:14: column datasets[0].A1.reps.REP_1.header.InstrumentModel: 'LI-870' is not one of");
        has(bad("d.json", file("LI-7810", i -> "2024-07-01 12:01:00")), "time went backwards");
        String noVolume = good.replaceFirst("\t\t\"TotalVolume\":4927.06,\n", "");
        has(bad("e.json", noVolume), "e.json:11: column datasets[0].A1.reps.REP_1.header.TotalVolume: missing");
        has(bad("f.json", good, "--timezone", "UTC"), "column datasets[0].A1.reps.REP_1.header.TimeZone: the file's"
                + " clock is in Europe/Copenhagen but --timezone says UTC");
        String shortSeries = good.replaceFirst("(\"h2o\":\\[\\s*)12.9000,", "$1");
        has(bad("g.json", shortSeries), "column datasets[0].A1.reps.REP_1.data.h2o: truncated: 179 values");
        has(bad("h.json", "{\"name\": \"x\"}\n"), "h.json:1: column datasets: missing: not an LI-8200");
    }
}
