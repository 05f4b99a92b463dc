package org.fieldgate.calc.instrument;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.fieldgate.calc.instrument.InstrumentRuns.assertWithin;
import static org.fieldgate.calc.instrument.InstrumentRuns.calc;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LI-7810/LI-7820 .data files written from the manual's layout (docs/instruments.md §LI-7810) through
 * {@code calc flux --instrument}: closed-form closures recovered to 0.5 %, and bad files rejected with one line.
 */
class Li7810DataTest {
        private static final ZoneId HELSINKI = ZoneId.of("Europe/Helsinki");
    /** 2024-07-01 09:00:00 UTC = 12:00:00 in Helsinki (EEST, +03:00). */
    private static final long T0 = 1_719_824_400L;
    private static final String DATAH = "DATAH\tSECONDS\tNANOSECONDS\tNDX\tDIAG\tREMARK\tDATE\tTIME\tH2O\tCO2\tCH4"
            + "\tCAVITY_P\tCAVITY_T\tLASER_PHASE_P\tLASER_T\tRESIDUAL\tRING_DOWN_TIME\tTHERMAL_ENCLOSURE_T\tPHASE_ERROR"
            + "\tLASER_T_SHIFT\tINPUT_VOLTAGE\tCHK";
    private static final String DATAU = "DATAU\ts\tns\t\t\t\tdate\ttime\tppm\tppm\tppb\tkPa\tC\tkPa\tC\t\tus\tC\t\tC"
            + "\tV\t";

    // Closure geometry and air (CLOSURES.csv); expected F = 10 V P0 (1 - W0/1000) / (R S (T0 + 273.15)) x dC'/dt,
    // LI-COR's soil flux equation (docs/science.md §1.3), R = 8.314 as LI-COR.
    private static final double VOLUME_L = 4.8;
    private static final double AREA_CM2 = 317.8;
    private static final double P_KPA = 98.7;
    private static final double T_C = 17.5;

    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        return InstrumentRuns.write(dir, name, text);
    }

    /** W of a sample at t s into the file: rises through the closures, so W0 must be the window's first. */
    private static double h2oPpm(double t) {
        return 15_000 + 5 * t;
    }

    private static double expected(double slopePerS, double w0Ppm) {
        return InstrumentRuns.licorFlux(VOLUME_L, AREA_CM2, P_KPA, T_C, w0Ppm / 1000, slopePerS);
    }

    private static String header(String model, String zone) {
        return "Model:\t" + model + "\nSN:\tTG10-01234\nSoftware:\t2.3.5\nTimestamp:\t2024-07-01 12:00:00\n"
                + (zone == null ? "" : "Timezone:\t" + zone + "\n");
    }

    /**
     * 600 s of 1 Hz records from 12:00:00 Helsinki: ambient, closure L (100-220 s, CO2 and CH4 linear), ambient,
     * closure E (400-520 s, saturating exponentials), with one DIAG = 16 record inside each closure carrying nonsense.
     */
    private static String li7810File(String zone) {
        StringBuilder f = new StringBuilder(header("LI-7810 CH4/CO2/H2O Trace Gas Analyzer", zone));
        f.append(DATAH).append('\n').append(DATAU).append('\n');
        DoubleUnaryOperator co2 = t -> t >= 100 && t <= 220 ? 421 + 0.25 * (t - 100)
                : t >= 400 && t <= 520 ? 640 + (421 - 640) * Math.exp(-0.006 * (t - 400)) : 421;
        DoubleUnaryOperator ch4 = t -> t >= 100 && t <= 220 ? 2010 + 0.8 * (t - 100)
                : t >= 400 && t <= 520 ? 2900 + (2010 - 2900) * Math.exp(-0.004 * (t - 400)) : 2010;
        DateTimeFormatter date = DateTimeFormatter.ofPattern("yyyy-MM-dd");
        DateTimeFormatter time = DateTimeFormatter.ofPattern("HH:mm:ss");
        for (int i = 0; i < 600; i++) {
            boolean bad = i == 150 || i == 450;
            LocalDateTime local = LocalDateTime.ofInstant(Instant.ofEpochSecond(T0 + i), HELSINKI);
            f.append(String.format(Locale.ROOT,
                    "DATA\t%d\t%d\t%d\t%d\t%s\t%s\t%s\t%.3f\t%.5f\t%.4f\t13.45\t55.01\t13.5\t18.2\t0.9\t12.1\t45.0\t0.0\t"
                            + "-0.01\t24.1\t%s%n",
                    T0 + i, 0, 1000 + i, bad ? 16 : 0, i == 100 ? "lid closed" : "", local.format(date),
                    local.format(time), h2oPpm(i), bad ? 9999.0 : co2.applyAsDouble(i),
                    bad ? -5.0 : ch4.applyAsDouble(i), "8B"));
        }
        return f.toString();
    }

    /** L in the instrument's local clock (no offset), E as UTC instants. */
    private Path closuresCsv() throws IOException {
        return write("closures.csv", "closure_id,start,end,volume_l,area_cm2,pressure_kpa,temp_c\n"
                + "L,2024-07-01T12:01:40,2024-07-01 12:03:40," + VOLUME_L + "," + AREA_CM2 + "," + P_KPA + "," + T_C + "\n"
                + "E,2024-07-01T09:06:40Z,2024-07-01T12:08:40+03:00," + VOLUME_L + "," + AREA_CM2 + "," + P_KPA + ","
                + T_C + "\n");
    }

    @Test
    void recoversLinearAndExponentialClosuresOfCo2AndCh4() throws IOException {
        Path data = write("TG10-01234-2024-07-01T120000.data", li7810File("Europe/Helsinki"));
        InstrumentRuns.Run r = calc("flux", "--instrument", "li7810", "--input", data.toString(), "--closures",
                closuresCsv().toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(4, r.lines().size(), r.out());

        JsonNode lc = r.line("L", "co2");
        assertEquals("umol m-2 s-1", lc.get("unit").asText());
        assertEquals("linear", lc.get("model").asText(), lc.toString());
        assertEquals(120, lc.get("points").asInt(), "121 records in [start, end], one with DIAG 16 left out");
        assertEquals(1, lc.get("samples_diag").asInt());
        assertWithin(expected(0.25, h2oPpm(100)), lc.get("linear_flux"), 0.005, "L co2 linear_flux");
        assertWithin(expected(0.25, h2oPpm(100)), lc.get("flux"), 0.005, "L co2 flux");
        JsonNode lm = r.line("L", "ch4");
        assertEquals("nmol m-2 s-1", lm.get("unit").asText());
        assertWithin(expected(0.8, h2oPpm(100)), lm.get("linear_flux"), 0.005, "L ch4 linear_flux");

        // dC'/dt at start = k (Cx - C0): the Hutchinson-Mosier form as HMR/gasfluxes fit it
        JsonNode ec = r.line("E", "co2");
        assertEquals("exponential", ec.get("model").asText(), ec.toString());
        assertWithin(expected(0.006 * (640 - 421), h2oPpm(400)), ec.get("exponential_flux"), 0.005,
                "E co2 exponential_flux");
        assertWithin(0.006, ec.get("exponential_k_per_s"), 0.005, "E co2 k");
        assertWithin(expected(0.006 * (640 - 421), h2oPpm(400)), ec.get("flux"), 0.005, "E co2 flux");
        JsonNode em = r.line("E", "ch4");
        assertEquals("exponential", em.get("model").asText(), em.toString());
        assertWithin(expected(0.004 * (2900 - 2010), h2oPpm(400)), em.get("exponential_flux"), 0.005,
                "E ch4 exponential_flux");
        for (JsonNode n : r.lines()) {
            for (String key : List.of("linear_se", "exponential_se", "flux_ci95_low", "flux_ci95_high", "qc")) {
                assertTrue(n.has(key), key + " in " + n);
            }
        }
    }

    @Test
    void timezoneOptionNamesTheClockOfAFileWithoutOne() throws IOException {
        Path data = write("nozone.data", li7810File(null));
        InstrumentRuns.Run without = calc("flux", "--instrument", "li7810", "--input", data.toString(), "--closures",
                closuresCsv().toString());
        assertEquals(1, without.code(), without.err());
        assertTrue(without.err().contains("closures.csv:2: column start:") && without.err().contains("--timezone"),
                without.err());
        InstrumentRuns.Run with = calc("flux", "--instrument", "li7810", "--input", data.toString(), "--closures",
                closuresCsv().toString(), "--timezone", "Europe/Helsinki");
        assertEquals(0, with.code(), with.err());
        assertWithin(expected(0.25, h2oPpm(100)), with.line("L", "co2").get("flux"), 0.005, "L co2 flux");
        // the wrong zone: DATE/TIME do not match SECONDS
        InstrumentRuns.Run wrong = calc("flux", "--instrument", "li7810", "--input", data.toString(), "--closures",
                closuresCsv().toString(), "--timezone", "UTC");
        assertEquals(1, wrong.code());
        assertTrue(wrong.err().startsWith("calc flux: " + data + ":7: column TIME: 2024-07-01T12:00 in UTC"),
                wrong.err());
    }

    @Test
    void li7820GivesN2oInNanomoles() throws IOException {
        StringBuilder f = new StringBuilder(header("LI-7820 N2O/H2O Trace Gas Analyzer", "UTC"));
        f.append("DATAH\tSECONDS\tNANOSECONDS\tNDX\tDIAG\tREMARK\tDATE\tTIME\tH2O\tN2O\tCAVITY_P\tCAVITY_T\tCHK\n");
        f.append("DATAU\ts\tns\t\t\t\tdate\ttime\tppm\tppb\tkPa\tC\t\n");
        for (int i = 0; i <= 180; i++) {
            LocalDateTime local = LocalDateTime.ofInstant(Instant.ofEpochSecond(T0 + i, 500_000_000), ZoneId.of("UTC"));
            double n2o = 380 + (336 - 380) * Math.exp(-0.005 * i);
            f.append(String.format(Locale.ROOT, "DATA\t%d\t500000000\t%d\t0\t\t%s\t%s\t%.3f\t%.5f\t13.4\t55.0\t8B%n",
                    T0 + i, i, local.toLocalDate(), local.toLocalTime().withNano(0), h2oPpm(i), n2o));
        }
        Path data = write("n2o.data", f.toString());
        Path closures = write("n2o.csv", "closure_id,start,end,volume_l,area_cm2,pressure_kpa,temp_c\n"
                + "N,2024-07-01T09:00:00.5Z,2024-07-01T09:03:00.5Z," + VOLUME_L + "," + AREA_CM2 + "," + P_KPA + ","
                + T_C + "\n");
        InstrumentRuns.Run r = calc("flux", "--instrument", "li7820", "--input", data.toString(), "--closures", closures.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(1, r.lines().size(), r.out());
        JsonNode n = r.line("N", "n2o");
        assertEquals("nmol m-2 s-1", n.get("unit").asText());
        assertEquals(181, n.get("points").asInt());
        assertWithin(expected(0.005 * (380 - 336), h2oPpm(0)), n.get("exponential_flux"), 0.005, "N n2o flux");
    }

    /** One line on stderr naming file, line and column; exit 1; nothing on stdout. */
    private InstrumentRuns.Run bad(String name, String text, String instrument) throws IOException {
        Path data = write(name, text);
        InstrumentRuns.Run r = calc("flux", "--instrument", instrument, "--input", data.toString(), "--closures",
                closuresCsv().toString());
        assertEquals(1, r.code(), r.err());
        assertEquals("", r.out());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        return r;
    }

    @Test
    void badFilesNameFileLineAndColumn() throws IOException {
        String good = li7810File("Europe/Helsinki");
        List<String> lines = new ArrayList<>(good.lines().toList());

        InstrumentRuns.Run wrongModel = bad("a.data", good, "li7820");
        assertTrue(wrongModel.err().contains("a.data:1: column Model: 'LI-7810 CH4/CO2/H2O Trace Gas Analyzer' is"
                + " not LI-7820 (--instrument li7820)"), wrongModel.err());

        InstrumentRuns.Run toa5 = bad("b.data", "\"TOA5\",\"site\",\"CR1000X\",\"1234\",\"OS\",\"prog\",\"1\",\"chamber\"\n",
                "li7810");
        assertTrue(toa5.err().contains("b.data:1: '\"TOA5\""), toa5.err());

        String truncated = good.substring(0, good.length() - 40);
        InstrumentRuns.Run cut = bad("c.data", truncated, "li7810");
        assertTrue(cut.err().contains("c.data:607: truncated: "), cut.err());

        List<String> noCo2 = new ArrayList<>(lines);
        noCo2.set(5, DATAH.replace("\tCO2\tCH4", "\tCO2_DRY\tCH4_DRY"));
        InstrumentRuns.Run unknown = bad("d.data", String.join("\n", noCo2), "li7810");
        assertTrue(unknown.err().contains("d.data:6: column CO2/CH4: none of the gas columns is on the DATAH line"),
                unknown.err());

        List<String> mgM3 = new ArrayList<>(lines);
        mgM3.set(6, DATAU.replace("ppm\tppm\tppb", "ppm\tmg/m3\tppb"));
        InstrumentRuns.Run unit = bad("e.data", String.join("\n", mgM3), "li7810");
        assertTrue(unit.err().contains("e.data:7: column CO2: unit 'mg/m3', expected 'ppm'"), unit.err());

        List<String> back = new ArrayList<>(lines);
        back.set(300, back.get(300).replace(Long.toString(T0 + 293), Long.toString(T0 + 200)));
        InstrumentRuns.Run backwards = bad("f.data", String.join("\n", back), "li7810");
        assertTrue(backwards.err().contains("f.data:301: column SECONDS: " + (T0 + 200) + ".000000000 is before"
                + " line 300's"), backwards.err());

        List<String> letters = new ArrayList<>(lines);
        letters.set(200, letters.get(200).replace("\t0\t\t", "\tok\t\t"));
        InstrumentRuns.Run diag = bad("g.data", String.join("\n", letters), "li7810");
        assertTrue(diag.err().contains("g.data:201: column DIAG: 'ok' is not a number"), diag.err());
    }
}
