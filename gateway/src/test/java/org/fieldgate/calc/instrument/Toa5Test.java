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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Campbell TOA5 chamber table written from the LoggerNet manual's TOA5 layout (docs/instruments.md §TOA5): wet
 * CO2 corrected per sample with its own H2O, CH4 logged in ppm, a panel temperature that is not the chamber's, a
 * NAN record, chamber P and T from the file.
 */
class Toa5Test {
    private static final double VOLUME_L = 6.2;
    private static final double AREA_CM2 = 314.2;
    private static final double P_KPA = 99.2;
    private static final double T_C = 21.3;
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        return InstrumentRuns.write(dir, name, text);
    }

    private static double h2oMmolMol(int i) {
        return 12 + 0.02 * i;
    }

    /** 2 s records from 2024-03-30 23:50:00 logger time: closure L at 60-240 s, closure E at 400-580 s. */
    private static String file() {
        StringBuilder f = new StringBuilder();
        f.append("\"TOA5\",\"Plot7\",\"CR1000X\",\"12345\",\"CR1000X.Std.06.01\",\"CPU:chamber.CR1X\",\"4062\","
                + "\"Chamber\"\n");
        f.append("\"TIMESTAMP\",\"RECORD\",\"BattV_Min\",\"PTemp_C\",\"CO2_Avg\",\"H2O_Avg\",\"CH4_Avg\","
                + "\"Tcham_Avg\",\"Pcham_Avg\"\n");
        f.append("\"TS\",\"RN\",\"Volts\",\"Deg C\",\"ppm\",\"mmol/mol\",\"ppm\",\"Deg C\",\"kPa\"\n");
        f.append("\"\",\"\",\"Min\",\"Smp\",\"Avg\",\"Avg\",\"Avg\",\"Avg\",\"Avg\"\n");
        LocalDateTime start = LocalDateTime.of(2024, 3, 30, 23, 50, 0);
        for (int i = 0; i <= 700; i += 2) {
            double co2 = i >= 60 && i <= 240 ? 415 + 0.3 * (i - 60)
                    : i >= 400 && i <= 580 ? 700 + (415 - 700) * Math.exp(-0.005 * (i - 400)) : 415;
            double ch4 = i >= 400 && i <= 580 ? 1.95 + (2.6 - 1.95) * (1 - Math.exp(-0.004 * (i - 400))) : 1.95;
            double w = h2oMmolMol(i);
            String wet = i == 100 ? "NAN" : String.format(Locale.ROOT, "%.6f", co2 * (1 - w / 1000));
            f.append(String.format(Locale.ROOT, "\"%s\",%d,12.6,%.2f,%s,%.4f,%.7f,%.2f,%.2f%n",
                    start.plusSeconds(i).format(STAMP) + (i % 4 == 0 ? "" : ".0"), i / 2,
                    25 + i * 0.01, wet, w, ch4 * (1 - w / 1000), T_C, P_KPA));
        }
        return f.toString();
    }

    private Path closures() throws IOException {
        return write("closures.csv", "closure_id,start,end,volume_l,area_cm2,pressure_kpa,temp_c\n"
                + "L,2024-03-30T23:51:00,2024-03-30T23:54:00," + VOLUME_L + "," + AREA_CM2 + ",,\n"
                + "E,2024-03-30T22:56:40Z,2024-03-30T22:59:40Z," + VOLUME_L + "," + AREA_CM2 + ",,\n");
    }

    @Test
    void recoversClosuresWithTheFilesPressureAndTemperature() throws IOException {
        Path data = write("CR1000X_Chamber.dat", file());
        InstrumentRuns.Run r = calc("flux", "--instrument", "toa5", "--input", data.toString(), "--closures",
                closures().toString(), "--timezone", "Etc/GMT-1");
        assertEquals(0, r.code(), r.err());
        assertEquals(4, r.lines().size(), r.out());
        JsonNode l = r.line("L", "co2");
        assertEquals(90, l.get("points").asInt(), "91 records in [60, 240] s, one NAN");
        assertEquals(1, l.get("samples_missing").asInt());
        assertEquals("linear", l.get("model").asText(), l.toString());
        assertWithin(licorFlux(VOLUME_L, AREA_CM2, P_KPA, T_C, h2oMmolMol(60), 0.3), l.get("flux"), 0.005,
                "L co2 flux");
        JsonNode e = r.line("E", "co2");
        assertEquals("exponential", e.get("model").asText(), e.toString());
        assertWithin(licorFlux(VOLUME_L, AREA_CM2, P_KPA, T_C, h2oMmolMol(400), 0.005 * (700 - 415)),
                e.get("exponential_flux"), 0.005, "E co2 exponential_flux");
        JsonNode m = r.line("E", "ch4");
        assertEquals("nmol m-2 s-1", m.get("unit").asText());
        assertWithin(licorFlux(VOLUME_L, AREA_CM2, P_KPA, T_C, h2oMmolMol(400), 0.004 * (2600 - 1950)),
                m.get("exponential_flux"), 0.005, "E ch4 exponential_flux (ppm in the file, ppb here)");
    }

    private InstrumentRuns.Run bad(String name, String text, String... extra) throws IOException {
        Path data = write(name, text);
        List<String> args = new ArrayList<>(List.of("flux", "--instrument", "toa5", "--input", data.toString(),
                "--closures", closures().toString()));
        args.addAll(List.of(extra));
        InstrumentRuns.Run r = calc(args.toArray(String[]::new));
        assertEquals(1, r.code(), r.err());
        assertEquals("", r.out());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        return r;
    }

    @Test
    void badFilesNameFileLineAndColumn() throws IOException {
        String good = file();
        List<String> lines = new ArrayList<>(good.lines().toList());
        String tz = "--timezone";

        assertTrue(bad("a.dat", good).err().contains("a.dat:5: column TIMESTAMP: the logger's clock zone is not in"
                + " a TOA5 file; give --timezone"));
        InstrumentRuns.Run licor = bad("b.dat", "Model:\tLI-7810\nDATAH\tSECONDS\n", tz, "UTC");
        assertTrue(licor.err().contains("b.dat:1: does not start with \"TOA5\""), licor.err());
        InstrumentRuns.Run cut = bad("c.dat", good.substring(0, good.length() - 30), tz, "UTC");
        assertTrue(cut.err().contains("c.dat:355: truncated: "), cut.err());

        List<String> units = new ArrayList<>(lines);
        units.set(2, units.get(2).replace("\"ppm\",\"mmol/mol\"", "\"mg/m^3\",\"mmol/mol\""));
        InstrumentRuns.Run unit = bad("d.dat", String.join("\n", units), tz, "UTC");
        assertTrue(unit.err().contains("d.dat:3: column CO2_Avg: unit 'mg/m^3' is not one this reader knows"),
                unit.err());

        List<String> names = new ArrayList<>(lines);
        names.set(1, names.get(1).replace("CO2_Avg", "Cdiox").replace("CH4_Avg", "Meth"));
        InstrumentRuns.Run none = bad("e.dat", String.join("\n", names), tz, "UTC");
        assertTrue(none.err().contains("e.dat:2: column CO2/CH4/N2O: no field named"), none.err());

        List<String> back = new ArrayList<>(lines);
        back.set(320, back.get(320).replace("2024-03-31 00:", "2024-03-30 23:"));
        InstrumentRuns.Run backwards = bad("f.dat", String.join("\n", back), tz, "UTC");
        assertTrue(backwards.err().contains("f.dat:321: column TIMESTAMP: 2024-03-30 23:"), backwards.err());
        assertTrue(backwards.err().contains("is before line 320's"), backwards.err());
    }
}
