package org.fieldgate.calc.instrument;

import static org.fieldgate.calc.instrument.InstrumentRuns.assertWithin;
import static org.fieldgate.calc.instrument.InstrumentRuns.calc;
import static org.fieldgate.calc.instrument.InstrumentRuns.licorFlux;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntToDoubleFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LI-8100A .81x files written from the manual's record layout (docs/instruments.md §LI-8100A): two observations with
 * their own geometry, dead band and length, closing records (Etime -1), a warning record, summary records and a
 * footer; fluxes from the file's own closures recovered to 0.5 %, bad files rejected with one line.
 */
class Li81xTest {
    private static final double VTOTAL_CM3 = 6431.9; // 4823.9 + 5 x 317.8 + 19 + 0, as LI-COR adds it
    private static final double AREA_CM2 = 317.8;
    private static final double P_KPA = 98.5;
    private static final double T_C = 18.0;
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    @TempDir
    Path dir;

    private static double h2o(int obs, int etime) {
        return 9 + obs + 0.02 * etime;
    }

    private static void observation(StringBuilder f, int obs, LocalDateTime closed, IntToDoubleFunction cdry,
                                     boolean warning) {
        f.append("LI-8100:\t     1b1\t      b2\t    4e80\t     236\t     170\n");
        f.append("File Name:\tplot7\nInstrument Name:\t81A-0107\nSerial Number:\t81A-0107\nSoftware:\t4.0.0b\n")
                .append("Comments:\t\nObs#:\t").append(obs).append("\nPort#:\t0\nLabel:\tplot7\n")
                .append("Observation Length:\t02:00\nPre-purge:\t00:00\nPost-purge:\t00:45\nIRGA Averaging:\t4\n")
                .append("Chamber:\t103\nTSource:\tTcham\nVirga:\t19.000\nVext:\t0.000\nVcham:\t4823.900\n")
                .append("Offset:\t5.000\nArea:\t").append(AREA_CM2).append("\nVtotal:\t").append(VTOTAL_CM3)
                .append("\nV4 Info:\t0\tM=0.530\tB=-0.060\nLabels_01:\t10\n");
        f.append("Type\tEtime\tDate\tTcham\tPressure\tH2O\tCO2\tCdry\tTbench\tAnnotation\n");
        for (int e = -10; e < 120; e++) {
            int etime = Math.max(e, -1);
            double c = e < 0 ? 900 : cdry.applyAsDouble(e); // closing: the lid stirs the air, not in the window
            double w = h2o(obs, Math.max(e, 0));
            f.append(String.format(Locale.ROOT, "1\t%d\t%s\t%.2f\t%.2f\t%.4f\t%.5f\t%.5f\t51.92%n", etime,
                    closed.plusSeconds(e).format(DATE), T_C, P_KPA, w, c * (1 - w / 1000), c));
            if (warning && e == 50) {
                f.append("-1\tWarning: flow low\n");
            }
        }
        String end = closed.plusSeconds(119).format(DATE);
        f.append("2\t0\t").append(end).append("\t18\t98.5\t9.5\t410\t414\t51.9\n");
        f.append("3\t59.5\t").append(end).append("\t18\t98.5\t10.5\t420\t424\t51.9\n");
        f.append("4\t119\t").append(end).append("\t0\t0\t2.4\t40\t41\t0.1\n");
        f.append("CrvFitStatus:\tExp\nExp_Flux:\t2.47\nLin_Flux:\t2.31\nCrv_Domain:\t100\nDead Band:\t00:20\n")
                .append("TimeClosing:\t10\n\n");
    }

    /** Obs 1 linear (0.3 ppm/s), obs 3 saturating (a = 0.008 s-1, Cx - C0 = 285 ppm), Berlin summer time. */
    static String file() {
        StringBuilder f = new StringBuilder();
        observation(f, 1, LocalDateTime.of(2024, 7, 1, 12, 0, 10), e -> 410 + 0.3 * (e - 20), true);
        observation(f, 3, LocalDateTime.of(2024, 7, 1, 12, 5, 10),
                e -> 700 + (415 - 700) * Math.exp(-0.008 * (e - 20)), false);
        return f.toString();
    }

    @Test
    void fluxesFromTheFilesOwnClosures() throws IOException {
        Path data = InstrumentRuns.write(dir, "plot7.81x", file());
        InstrumentRuns.Run r = calc("flux", "--instrument", "li8100", "--input", data.toString(), "--timezone",
                "Europe/Berlin");
        assertEquals(0, r.code(), r.err());
        assertEquals(2, r.lines().size(), r.out());
        JsonNode l = r.line("1", "co2");
        assertEquals("2024-07-01T10:00:10Z", l.get("closed").asText(), "12:00:10 Berlin summer time");
        assertEquals("2024-07-01T10:00:30Z", l.get("start").asText(), "closed + Dead Band 00:20");
        assertEquals(100, l.get("points").asInt(), "Etime 20..119");
        assertEquals(1, l.get("instrument_warnings").asInt());
        assertEquals(6.4319, l.get("volume_l").asDouble(), 1e-9);
        assertEquals("linear", l.get("model").asText(), l.toString());
        assertWithin(licorFlux(VTOTAL_CM3 / 1000, AREA_CM2, P_KPA, T_C, h2o(1, 20), 0.3), l.get("flux"), 0.005,
                "obs 1 flux");
        JsonNode e = r.line("3", "co2");
        assertEquals("exponential", e.get("model").asText(), e.toString());
        assertEquals(0, e.get("instrument_warnings").asInt());
        assertWithin(licorFlux(VTOTAL_CM3 / 1000, AREA_CM2, P_KPA, T_C, h2o(3, 20), 0.008 * 285),
                e.get("exponential_flux"), 0.005, "obs 3 exponential_flux");
    }

    @Test
    void closuresCsvStillOverrides() throws IOException {
        Path data = InstrumentRuns.write(dir, "plot7.81x", file());
        Path closures = InstrumentRuns.write(dir, "c.csv", "closure_id,start,end,volume_l,area_cm2,pressure_kpa,"
                + "temp_c\nmine,2024-07-01T12:00:40,2024-07-01T12:02:09,3.2,317.8,,\n");
        InstrumentRuns.Run r = calc("flux", "--instrument", "li8100", "--input", data.toString(), "--closures",
                closures.toString(), "--timezone", "Europe/Berlin");
        assertEquals(0, r.code(), r.err());
        JsonNode l = r.line("mine", "co2");
        assertEquals(90, l.get("points").asInt());
        assertWithin(licorFlux(3.2, AREA_CM2, P_KPA, T_C, h2o(1, 30), 0.3), l.get("flux"), 0.005, "override");
    }

    private String bad(String name, String text, String... extra) throws IOException {
        Path data = InstrumentRuns.write(dir, name, text);
        List<String> args = new ArrayList<>(List.of("flux", "--instrument", "li8100", "--input", data.toString()));
        args.addAll(List.of(extra));
        return InstrumentRuns.bad(args.toArray(String[]::new));
    }

    private static void has(String err, String text) {
        assertTrue(err.contains(text), err);
    }

    @Test
    void badFilesNameFileLineAndColumn() throws IOException {
        String good = file();
        List<String> lines = new ArrayList<>(good.lines().toList());
        String[] tz = {"--timezone", "Europe/Berlin"};
        has(bad("a.81x", good), "a.81x:25: column Date: the LI-8100A clock's zone is not in an .81x file");
        has(bad("b.81x", "Model:\tLI-7810\nDATAH\tSECONDS\n", tz), "b.81x:1: 'Model:\tLI-7810' before the first"
                + " 'LI-8100' header line; not an LI-8100A .81x file");
        has(bad("c.81x", good.substring(0, good.indexOf("1\t100\t2024-07-01 12:06:50") + 20), tz),
                "truncated: 3 of 10 cells");
        List<String> unknown = new ArrayList<>(lines);
        unknown.set(23, unknown.get(23).replace("\tCdry\t", "\tCO2dry\t"));
        has(bad("d.81x", String.join("\n", unknown), tz), "d.81x:24: column Cdry: missing from the labels line");
        List<String> extra = new ArrayList<>(lines);
        extra.set(60, extra.get(60) + "\t1\t2");
        has(bad("e.81x", String.join("\n", extra), tz), "e.81x:61: too many cells: 11 for 10 labels");
        List<String> back = new ArrayList<>(lines);
        back.set(100, back.get(100).replace("12:01:", "11:01:"));
        has(bad("f.81x", String.join("\n", back), tz), "f.81x:101: column Date: 2024-07-01 11:01:");
        has(bad("f2.81x", String.join("\n", back), tz), "time went backwards");
        List<String> noVolume = new ArrayList<>(lines);
        noVolume.removeIf(s -> s.startsWith("Vtotal:"));
        has(bad("g.81x", String.join("\n", noVolume), tz), "g.81x:1: column Vtotal: missing from observation 1");
        List<String> noDeadBand = new ArrayList<>(good.substring(0, good.lastIndexOf("Dead Band:")).lines().toList());
        has(bad("h.81x", String.join("\n", noDeadBand), tz), "column Dead Band: missing from observation 3");
    }
}
