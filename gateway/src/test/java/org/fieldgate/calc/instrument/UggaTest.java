package org.fieldgate.calc.instrument;

import static org.fieldgate.calc.instrument.InstrumentRuns.assertWithin;
import static org.fieldgate.calc.instrument.InstrumentRuns.bad;
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
import java.util.function.DoubleUnaryOperator;
import org.fieldgate.calc.instrument.InstrumentRuns.Curve;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LGR UGGA/GGA .txt files written from the layout of the published analyser files (docs/instruments.md §LGR):
 * identification line, space-padded column names, warm-up records with Fit_Flag 2, dry and wet columns, CH4 in ppm,
 * H2O in ppm, the PGP block at the end, day-first and month-first dates, a clock with no zone in the file.
 */
class UggaTest {
    private static final double VOLUME_L = 5.1;
    private static final double AREA_CM2 = 318.0;
    private static final double P_KPA = 97.9;
    private static final double T_C = 18.4;
    private static final String ZONE = "Europe/Zurich";
    /** File second 0 = 2022-09-28 12:00:00 on the analyser's clock (Zurich, +02:00). */
    private static final LocalDateTime T0 = LocalDateTime.of(2022, 9, 28, 12, 0, 0);
    private static final Curve CO2_L = Curve.linear(421, 0.25);
    private static final Curve CH4_L = Curve.linear(2010, 0.8);
    private static final Curve CO2_E = Curve.saturating(421, 640, 0.006);
    private static final Curve CH4_E = Curve.saturating(2010, 2900, 0.004);

    @TempDir
    Path dir;

    private static double h2oPpm(double s) {
        return 12_000 + 5 * s;
    }

    private static double expected(Curve c, double closingS) {
        return licorFlux(VOLUME_L, AREA_CM2, P_KPA, T_C, h2oPpm(closingS) / 1000, c.slopeAtStart());
    }

    /**
     * 600 records about 1 s apart: warm-up (Fit_Flag 2, dry columns 0), closure L at 100-220 s, closure E at
     * 400-520 s, one Fit_Flag 2 record with nonsense inside each closure.
     */
    private static String file(boolean dryColumns, boolean monthFirst, boolean pgp) {
        DoubleUnaryOperator co2 = s -> s >= 400 ? CO2_E.within(400, 520, 421).applyAsDouble(s)
                : CO2_L.within(100, 220, 421).applyAsDouble(s);
        DoubleUnaryOperator ch4 = s -> s >= 400 ? CH4_E.within(400, 520, 2010).applyAsDouble(s)
                : CH4_L.within(100, 220, 2010).applyAsDouble(s);
        DateTimeFormatter stamp = DateTimeFormatter.ofPattern(monthFirst ? "MM/dd/yyyy HH:mm:ss.SSS"
                : "dd/MM/yyyy HH:mm:ss.SSS");
        StringBuilder f = new StringBuilder();
        if (dryColumns) {
            f.append("SN:3K430000008886 BD:May 20 2019 VC:1ab9a44 MD5:50c6fd04a1a6342295cf0664ae3c5ec3\n");
            f.append("SysTime,                      Time,      [CH4]_ppm,   [CH4]_ppm_sd,      [CO2]_ppm,   [CO2]_ppm_sd,"
                    + "      [H2O]_ppm,   [H2O]_ppm_sd,     [CH4]d_ppm,  [CH4]d_ppm_sd,     [CO2]d_ppm,  [CO2]d_ppm_sd,"
                    + "      GasP_torr,   GasP_torr_sd,         GasT_C,      GasT_C_sd,         AmbT_C,      AmbT_C_sd,"
                    + "       Fit_Flag,      MIU_VALVE,       MIU_DESC\n");
        } else {
            f.append("VC:2f90039 BD:Jan 16 2014 SN:LGR-14-0061\n");
            f.append("                     Time,      [CH4]_ppm,   [CH4]_ppm_sd,      [H2O]_ppm,   [H2O]_ppm_sd,"
                    + "      [CO2]_ppm,   [CO2]_ppm_sd,      GasP_torr,   GasP_torr_sd,         GasT_C,      GasT_C_sd,"
                    + "       Fit_Flag,      MIU_VALVE,       MIU_DESC\n");
        }
        for (int i = 0; i < 600; i++) {
            double s = 0.25 + 0.997 * i;
            LocalDateTime at = T0.plusNanos(Math.round(s * 1e9));
            boolean warmUp = i < 5;
            boolean diag = i == 150 || i == 450;
            double w = h2oPpm(s);
            double co2Dry = diag ? 9999 : co2.applyAsDouble(s);
            double ch4DryPpm = (diag ? 5 : ch4.applyAsDouble(s)) / 1000;
            String time = at.format(stamp);
            String wet = String.format(Locale.ROOT, "%14.5e, %14.5e", ch4DryPpm * (1 - w / 1e6), 0.0);
            if (dryColumns) {
                f.append(String.format(Locale.ROOT, "%s, %s, %s, %14.5e, %14.5e, %14.5e, %14.5e, %14.5e, %14.5e,"
                                + " %14.5e, %14.5e, 5.03708e+2, 0.00000e+0, 1.74998e+1, 0.00000e+0, 1.84993e+1,"
                                + " 0.00000e+0, %d, -1, Disabled%n",
                        at.plusNanos(207_000_000).format(stamp), time, wet, co2Dry * (1 - w / 1e6), 0.0, w, 0.0,
                        warmUp ? 0.0 : ch4DryPpm, 0.0, warmUp ? 0.0 : co2Dry, 0.0, warmUp || diag ? 2 : 3));
            } else {
                f.append(String.format(Locale.ROOT, "  %s, %s, %14.5e, %14.5e, %14.5e, %14.5e, 1.397771e+02,"
                                + " 0.000000e+00, 2.041187e+01, 0.000000e+00, %14d, %14d, %14s%n",
                        time, wet, w, 0.0, co2Dry * (1 - w / 1e6), 0.0, warmUp || diag ? 2 : 3, 0, "1 meters"));
            }
        }
        if (pgp) {
            f.append(Ugga.PGP_BEGIN).append("\nVersion: GnuPG v1.4.11 (GNU/Linux)\n\n")
                    .append("hQEMA8Wm6Ae9XRIyAQf/T3uW1xYQp8iN0aOm7b2d+kJ0aRf3vK1Q0s5d6y7p1uZb\n")
                    .append("e+Xb0pVLm3uRt5s9K9rQ2j8yQ0d==\n=F/Es\n").append(Ugga.PGP_END).append('\n');
        }
        return f.toString();
    }

    private Path closures() throws IOException {
        return InstrumentRuns.closures(dir,
                "L,2022-09-28T12:01:40,2022-09-28T12:03:40," + VOLUME_L + "," + AREA_CM2 + "," + P_KPA + "," + T_C,
                "E,2022-09-28T10:06:40Z,2022-09-28T10:08:40Z," + VOLUME_L + "," + AREA_CM2 + "," + P_KPA + "," + T_C);
    }

    private InstrumentRuns.Run run(String text, String... extra) throws IOException {
        Path data = InstrumentRuns.write(dir, "gga_2022-09-28_f0000.txt", text);
        List<String> args = new ArrayList<>(List.of("flux", "--instrument", "ugga", "--input", data.toString(),
                "--closures", closures().toString()));
        args.addAll(List.of(extra));
        return calc(args.toArray(String[]::new));
    }

    private static void assertClosures(InstrumentRuns.Run r) throws IOException {
        assertEquals(0, r.code(), r.err());
        assertEquals(4, r.lines().size(), r.out());
        JsonNode lc = r.line("L", "co2");
        assertEquals("linear", lc.get("model").asText(), lc.toString());
        assertEquals(119, lc.get("points").asInt(), "120 records (0.997 s apart) in [100, 220] s, one with Fit_Flag 2"
                + " left out");
        assertEquals(1, lc.get("samples_diag").asInt());
        assertWithin(expected(CO2_L, 100), lc.get("flux"), 0.005, "L co2 flux");
        JsonNode lm = r.line("L", "ch4");
        assertEquals("nmol m-2 s-1", lm.get("unit").asText());
        assertWithin(expected(CH4_L, 100), lm.get("flux"), 0.005, "L ch4 flux (ppm in the file, ppb here)");
        JsonNode ec = r.line("E", "co2");
        assertEquals("exponential", ec.get("model").asText(), ec.toString());
        assertWithin(expected(CO2_E, 400), ec.get("exponential_flux"), 0.005, "E co2 exponential_flux");
        assertWithin(0.006, ec.get("exponential_k_per_s"), 0.005, "E co2 k");
        assertWithin(expected(CH4_E, 400), r.line("E", "ch4").get("exponential_flux"), 0.005,
                "E ch4 exponential_flux");
    }

    @Test
    void recoversClosuresFromTheDryColumnsAndSkipsThePgpBlock() throws IOException {
        assertClosures(run(file(true, false, true), "--timezone", ZONE));
    }

    @Test
    void wetOnlyFileIsMadeDryWithEachRecordsH2oAndMonthFirstDatesAreRecognised() throws IOException {
        // 2014 firmware: no SysTime, no [X]d_ppm columns, no PGP block (file not closed); dates 09/28/2022
        assertClosures(run(file(false, true, false), "--timezone", ZONE));
    }

    @Test
    void theClockZoneComesFromTimezone() throws IOException {
        String without = bad("flux", "--instrument", "ugga", "--input",
                InstrumentRuns.write(dir, "a.txt", file(true, false, true)).toString(), "--closures",
                closures().toString());
        assertTrue(without.endsWith("a.txt:3: column Time: the analyser's clock zone is not in an LGR file; give"
                + " --timezone"), without);
        // read on a UTC clock the records move two hours later: L (on the analyser's clock) still matches, E (given
        // as instants) finds nothing
        InstrumentRuns.Run utc = run(file(true, false, true), "--timezone", "UTC");
        assertEquals(2, utc.code(), utc.err());
        assertTrue(utc.err().contains("closures.csv:3: closure E co2: the closure has no samples"), utc.err());
        assertWithin(expected(CO2_L, 100), utc.line("L", "co2").get("flux"), 0.005, "L co2 flux");
    }

    @Test
    void badFilesNameFileLineAndColumn() throws IOException {
        String good = file(true, false, true);
        List<String> lines = new ArrayList<>(good.lines().toList());
        String closures = closures().toString();
        java.util.function.Function<String, String> badFile = text -> {
            try {
                Path p = InstrumentRuns.write(dir, "b.txt", text);
                return bad("flux", "--instrument", "ugga", "--input", p.toString(), "--closures", closures,
                        "--timezone", ZONE);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        };

        String picarro = badFile.apply("DATE                      TIME                      EPOCH_TIME\n");
        assertTrue(picarro.contains("b.txt:1: 'DATE                      TIME") && picarro.contains("not an LGR"
                + " UGGA/GGA .txt file (--instrument ugga)?"), picarro);

        List<String> cut = new ArrayList<>(lines.subList(0, 400));
        cut.set(399, cut.get(399).substring(0, 100));
        String truncated = badFile.apply(String.join("\n", cut));
        assertTrue(truncated.contains("b.txt:400: truncated: 6 of 21 cells"), truncated);

        List<String> unit = new ArrayList<>(lines);
        unit.set(1, unit.get(1).replace("[CO2]d_ppm, ", "[CO2]d_mgm3,").replace("[CO2]d_ppm_sd", "[CO2]d_mgm3_sd"));
        String unknown = badFile.apply(String.join("\n", unit));
        assertTrue(unknown.contains("b.txt:2: column [CO2]d_mgm3: unit 'mgm3' is not one this reader knows"),
                unknown);

        List<String> noFit = new ArrayList<>(lines);
        noFit.set(1, noFit.get(1).replace("Fit_Flag", "Fit_Stat"));
        assertTrue(badFile.apply(String.join("\n", noFit)).contains("b.txt:2: column Fit_Flag: missing"));

        List<String> back = new ArrayList<>(lines);
        back.set(300, back.get(300).replace("28/09/2022 12:04:", "28/09/2022 12:02:"));
        String backwards = badFile.apply(String.join("\n", back));
        assertTrue(backwards.contains("b.txt:301: column Time: 28/09/2022 12:02:") && backwards.contains(
                "is before line 300's"), backwards);

        String open = badFile.apply(good.substring(0, good.indexOf(Ugga.PGP_END)));
        assertTrue(open.contains("b.txt:603: truncated: the signature block has no '-----END PGP MESSAGE-----'"
                + " line"), open);

        List<String> mixed = new ArrayList<>(lines);
        mixed.set(20, mixed.get(20).replace("28/09/2022 12:00:1", "09/13/2022 12:00:1"));
        String both = badFile.apply(String.join("\n", mixed));
        assertTrue(both.contains("b.txt:21: column Time: dates are day first on line 3 and month first on line 21"),
                both);
    }
}
