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
 * EGM-5 .TXT files written from the manual's M5 record format and the published file's header, marker and R lines
 * (docs/instruments.md §EGM-5): wet CO2 with H2O as vapour pressure in mb, pressure in mb, Tair, System Error codes,
 * local dd/mm/yy clock.
 */
class Egm5Test {
    private static final double VOLUME_L = 1.171;
    private static final double AREA_CM2 = 78.5;
    private static final double P_MB = 985.0;
    private static final double TAIR_C = 21.3;
    private static final String ZONE = "Europe/Paris";
    private static final LocalDateTime T0 = LocalDateTime.of(2024, 6, 5, 10, 0, 0);
    private static final Curve CO2_L = Curve.linear(420, 1.5);
    private static final Curve CO2_E = Curve.saturating(420, 900, 0.005);
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("dd/MM/yy");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    @TempDir
    Path dir;

    private static double h2oMb(int s) {
        return 15.0 + 0.01 * s;
    }

    /** Expected flux with P and T from the file (mb / 10 = kPa) and W0 = 1000 e / P. */
    private static double expected(Curve c, int closingS, boolean h2oSensor) {
        return licorFlux(VOLUME_L, AREA_CM2, P_MB / 10, TAIR_C, h2oSensor ? 1000 * h2oMb(closingS) / P_MB : 0,
                c.slopeAtStart());
    }

    /**
     * 1 Hz M5 records for 600 s: an R5 result line and two Zero lines before the first Start, closure L at 100-220 s
     * (one record with System Error 21 inside), an R5 + End + Start after 300 s, closure E at 400-520 s.
     */
    private static String file(boolean h2oSensor, boolean probe) {
        DoubleUnaryOperator co2 = s -> s >= 400 ? CO2_E.within(400, 520, 420).applyAsDouble(s)
                : CO2_L.within(100, 220, 420).applyAsDouble(s);
        StringBuilder f = new StringBuilder("Tag(M3),Date,Time,Plot_No,Rec_No,CO2,Pressure,Flow,H2O,Tsen,O2,Error,"
                + "Aux_V,PAR,Tsoil,Tair,Msoil,x1,x2,x3,x4,x5\n\n");
        f.append("R5,05/06/24,09:58:10,     1,   584,   415,  985.0, 300, 0.0, 0.0, 0.0,  0, 0.0000,     0,23.5,22.3,"
                + " 0.0, 13,    95,  96.72,  8.185,   553\nZero\nZero\nStart\n");
        String last = "";
        for (int s = 0; s <= 600; s++) {
            LocalDateTime at = T0.plusSeconds(s);
            boolean error = s == 150;
            double e = h2oSensor ? h2oMb(s) : 0;
            double wet = error ? 9999 : co2.applyAsDouble(s) * (1 - e / P_MB);
            last = String.format(Locale.ROOT, "%s,%s,%s,     6,%6d,%8.1f,%7.1f, 300,%5.1f,%5.1f, 0.0,%3d, 0.0000,"
                            + "     0,23.3,%4.1f,35.5, 20,%6d,%6d, 0.0000, 0.0000%n", "M5", at.format(DATE),
                    at.format(TIME), 828 + s, wet, P_MB, e, e == 0 ? 0.0 : 24.0, error ? 21 : 0, probe ? TAIR_C : 0.0,
                    0, s + 1);
            f.append(last);
            if (s == 300) {
                f.append(last.replaceFirst("M5", "R5")).append("End\nStart\n");
            }
        }
        return f.append(last.replaceFirst("M5", "R5")).append("End\n").toString();
    }

    private Path closures(String pressure, String temp) throws IOException {
        return InstrumentRuns.closures(dir,
                "L,2024-06-05T10:01:40,2024-06-05T10:03:40," + VOLUME_L + "," + AREA_CM2 + "," + pressure + "," + temp,
                "E,2024-06-05T08:06:40Z,2024-06-05T08:08:40Z," + VOLUME_L + "," + AREA_CM2 + "," + pressure + ","
                        + temp);
    }

    private String[] args(Path data, Path closures, String... extra) {
        List<String> a = new ArrayList<>(List.of("flux", "--instrument", "egm5", "--input", data.toString(),
                "--closures", closures.toString()));
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }

    @Test
    void recoversClosuresWithTheFilesPressureTemperatureAndWater() throws IOException {
        Path data = InstrumentRuns.write(dir, "EGM5_0605.TXT", file(true, true));
        InstrumentRuns.Run r = calc(args(data, closures("", ""), "--timezone", ZONE));
        assertEquals(0, r.code(), r.err());
        assertEquals(2, r.lines().size(), r.out());
        JsonNode l = r.line("L", "co2");
        assertEquals(120, l.get("points").asInt(), "121 M5 records in [100, 220] s, one with System Error 21");
        assertEquals(1, l.get("samples_diag").asInt());
        assertEquals("linear", l.get("model").asText(), l.toString());
        assertWithin(expected(CO2_L, 100, true), l.get("flux"), 0.005, "L co2 flux");
        JsonNode e = r.line("E", "co2");
        assertEquals(121, e.get("points").asInt(), "R5, End and Start lines are not records");
        assertEquals("exponential", e.get("model").asText(), e.toString());
        assertWithin(expected(CO2_E, 400, true), e.get("exponential_flux"), 0.005, "E co2 exponential_flux");
    }

    @Test
    void withoutAnH2oSensorTheWetCo2IsUsedAndFlaggedAndWithoutAProbeTheTemperatureMustBeGiven() throws IOException {
        Path data = InstrumentRuns.write(dir, "EGM5_dry.TXT", file(false, false));
        String noTemp = bad(args(data, closures("", ""), "--timezone", ZONE));
        assertTrue(noTemp.contains("closures.csv:2: column temp_c: is blank and " + data + " (PP Systems EGM-5)"
                + " records no chamber temperature"), noTemp);
        InstrumentRuns.Run r = calc(args(data, closures("", String.valueOf(TAIR_C)), "--timezone", ZONE));
        assertEquals(0, r.code(), r.err());
        JsonNode l = r.line("L", "co2");
        assertTrue(l.get("qc").toString().contains("DRY_ASSUMED"), l.toString());
        assertWithin(expected(CO2_L, 100, false), l.get("flux"), 0.005, "L co2 flux");
    }

    @Test
    void badFilesNameFileLineAndColumn() throws IOException {
        String good = file(true, true);
        List<String> lines = new ArrayList<>(good.lines().toList());
        Path closures = closures("", "");
        java.util.function.Function<String, String> badFile = text -> {
            try {
                return bad(args(InstrumentRuns.write(dir, "b.TXT", text), closures, "--timezone", ZONE));
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        };
        Path data = InstrumentRuns.write(dir, "a.TXT", good);
        assertTrue(bad(args(data, closures)).endsWith("a.TXT:2: column Date/Time: the analyser's clock zone is not"
                + " in an EGM-5 file; give --timezone"));

        String licor = badFile.apply("Model:\tLI-7810\nDATAH\tSECONDS\n");
        assertTrue(licor.contains("b.TXT:1: 'Model:\tLI-7810' is not an EGM-5 header line"), licor);

        List<String> m2 = new ArrayList<>(lines);
        m2.set(20, "M2, 1094, 1004.2, 327, 0.0, 00.0, 20.41, 00");
        String format = badFile.apply(String.join("\n", m2));
        assertTrue(format.contains("b.TXT:21: column Tag(M3): record format M2 has no date or probe fields"), format);

        List<String> cut = new ArrayList<>(lines.subList(0, 200));
        cut.set(199, cut.get(199).substring(0, 60));
        String truncated = badFile.apply(String.join("\n", cut));
        assertTrue(truncated.contains("b.TXT:200: truncated: 9 of 22 cells for M5"), truncated);

        List<String> back = new ArrayList<>(lines);
        back.set(250, back.get(250).replace("10:04:", "10:01:"));
        String backwards = badFile.apply(String.join("\n", back));
        assertTrue(backwards.contains("b.TXT:251: column Time: 05/06/24 10:01:") && backwards.contains(
                "is before line 250's"), backwards);

        List<String> note = new ArrayList<>(lines);
        note.set(100, "Lid open");
        assertTrue(badFile.apply(String.join("\n", note)).contains("b.TXT:101: column Tag(M3): unknown record type"
                + " 'Lid open'"));
    }
}
