package org.fieldgate.calc.instrument;

import static org.fieldgate.calc.instrument.InstrumentRuns.assertWithin;
import static org.fieldgate.calc.instrument.InstrumentRuns.calc;
import static org.fieldgate.calc.instrument.InstrumentRuns.licorFlux;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LI-8250 .82z archives (zip of data.csv and metadata.json) written from LI-COR's data and metadata dictionaries
 * (docs/instruments.md §LI-8250): CO2 and CH4 from an LI-7810 with the chamber's TA and the multiplexer's PA, the
 * chamber closing (STATE 1) then closed (STATE 5), an analyser DIAGNOSTIC record; fluxes from the archive's own
 * VOLUME_TOTAL, AREA, DEADBAND and OBSERVATION recovered to 0.5 %, bad archives rejected with one line.
 */
class Li82zTest {
    private static final double VOLUME_CM3 = 6103;
    private static final double AREA_CM2 = 317.8;
    private static final double P_KPA = 98.06;
    private static final double T_C = 20.3;
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyyMMdd,HHmmss");

    @TempDir
    Path dir;

    private static double h2o(int e) {
        return 22 + 0.01 * e;
    }

    static String metadata(String volumeLine) {
        return "{\n  \"CHAMBER\": {\n    \"AREA\": {\"VALUE\": 317.8, \"UNITS\": \"cm+2\"},\n"
                + "    \"COLLAR_HEIGHT\": {\"VALUE\": 5, \"UNITS\": \"cm\"},\n"
                + "    \"VOLUME\": {\"VALUE\": 4076.2, \"UNITS\": \"cm+3\"},\n    \"SERIAL_NUMBER\": \"82L-0101\"\n  },\n"
                + "  \"LI-8250\": {\"PORT\": \"1\", \"VOLUME\": {\"VALUE\": 35, \"UNITS\": \"cm+3\"}},\n"
                + "  \"METADATA\": {\n" + volumeLine
                + "    \"OBSERVATION\": {\"VALUE\": 150, \"UNITS\": \"s\"},\n"
                + "    \"TIMESTAMP_START\": {\"VALUE\": 20240725000057, \"UNITS\": \"YYYYMMDDHHMMSS\"}\n  },\n"
                + "  \"FLUX\": [\n    {\"GAS\": \"CO2_DRY\", \"GAS_SOURCE\": \"LI-7810\", \"DILUTION_SOURCE\": \"NONE\",\n"
                + "     \"T_SOURCE\": \"CHAMBER\", \"TEMPERATURE\": \"TA\", \"DEADBAND\": {\"VALUE\": 30, \"UNITS\": \"s\"}},\n"
                + "    {\"GAS\": \"CH4_DRY\", \"GAS_SOURCE\": \"LI-7810\", \"DILUTION_SOURCE\": \"NONE\",\n"
                + "     \"T_SOURCE\": \"CHAMBER\", \"TEMPERATURE\": \"TA\", \"DEADBAND\": {\"VALUE\": 30, \"UNITS\": \"s\"}},\n"
                + "    {\"GAS\": \"H2O\", \"GAS_SOURCE\": \"LI-7810\", \"DEADBAND\": {\"VALUE\": 30, \"UNITS\": \"s\"}}\n"
                + "  ]\n}\n";
    }

    static final String VOLUME = "    \"VOLUME_TOTAL\": {\"VALUE\": 6103, \"UNITS\": \"cm+3\"},\n";

    /** 10 s closing, then 160 s closed; CO2 saturating (a = 0.006, 260 ppm), CH4 linear 1.2 ppb/s from 30 s. */
    static String data(String co2Unit) {
        StringBuilder f = new StringBuilder();
        f.append("LI-8250,LI-8250,LI-8250,LI-8250,LI-7810,LI-7810,LI-7810,LI-7810,LI-7810,CHAMBER,CHAMBER,"
                + "CHAMBER,CHAMBER\n");
        f.append("DATE,TIME,T_CASE,PA,DIAGNOSTIC,H2O,CO2_DRY,CH4_DRY,T_CAVITY,TA,STATE,DIAG,SWC_1\n");
        f.append("[YYYYMMDD],[HHMMSS],[C],[kPa],[],[mmol+1mol-1],[" + co2Unit + "],[nmol+1mol-1],[C],[C],[],[],"
                + "[%]\n");
        LocalDateTime closed = LocalDateTime.of(2024, 7, 25, 0, 1, 7);
        for (int e = -10; e < 160; e++) {
            double co2 = e < 0 ? 480 : 680 + (420 - 680) * Math.exp(-0.006 * (e - 30));
            double ch4 = e < 0 ? 1900 : 2000 + 1.2 * (e - 30);
            boolean fault = e == 70;
            f.append(String.format(Locale.ROOT, "%s,32.77,%.2f,%d,%.4f,%.5f,%.4f,55.0,%.2f,%d,0,0.246%n",
                    closed.plusSeconds(e).format(DATE), P_KPA, fault ? 8 : 0, h2o(Math.max(e, 0)),
                    fault ? 9999.0 : co2, ch4, T_C, e < 0 ? 1 : 5));
        }
        return f.toString();
    }

    private Path archive(String name, String metadata, String data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            if (data != null) {
                zip.putNextEntry(new ZipEntry("data.csv"));
                zip.write(data.getBytes(StandardCharsets.UTF_8));
            }
            zip.putNextEntry(new ZipEntry("metadata.json"));
            zip.write(metadata.getBytes(StandardCharsets.UTF_8));
        }
        Path p = dir.resolve(name);
        Files.write(p, bytes.toByteArray());
        return p;
    }

    private static double expected(double slope) {
        return licorFlux(VOLUME_CM3 / 1000, AREA_CM2, P_KPA, T_C, h2o(30), slope);
    }

    @Test
    void fluxesFromTheArchivesOwnMetadata() throws IOException {
        Path a = archive("82m-0109-20240725000057.82z", metadata(VOLUME), data("umol+1mol-1"));
        InstrumentRuns.Run r = calc("flux", "--instrument", "li8250", "--input", a.toString(), "--timezone",
                "America/Chicago");
        assertEquals(0, r.code(), r.err());
        assertEquals(2, r.lines().size(), "CO2 and CH4; the H2O flux entry is not fitted: " + r.out());
        JsonNode c = r.line("82m-0109-20240725000057", "co2");
        assertEquals("2024-07-25T05:01:07Z", c.get("closed").asText(), "first STATE 5, Chicago summer time");
        assertEquals("2024-07-25T05:03:37Z", c.get("end").asText(), "closed + OBSERVATION 150 s");
        assertEquals(1, c.get("samples_diag").asInt(), "LI-7810 DIAGNOSTIC 8 at 70 s");
        assertEquals(120, c.get("points").asInt(), "30..150 s, both ends inclusive, one left out");
        assertEquals("exponential", c.get("model").asText(), c.toString());
        assertWithin(expected(0.006 * 260), c.get("exponential_flux"), 0.005, "co2");
        assertWithin(expected(1.2), r.line("82m-0109-20240725000057", "ch4").get("flux"), 0.005, "ch4");
    }

    private String bad(Path archive, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("flux", "--instrument", "li8250", "--input",
                archive.toString(), "--timezone", "UTC"));
        args.addAll(Arrays.asList(extra));
        return InstrumentRuns.bad(args.toArray(String[]::new));
    }

    private static void has(String err, String text) {
        assertTrue(err.contains(text), err);
    }

    @Test
    void badArchivesNameFileEntryLineAndColumn() throws IOException {
        String data = data("umol+1mol-1");
        has(bad(InstrumentRuns.write(dir, "a.82z", Li81xTest.file())), "a.82z: not a zip archive");
        byte[] whole = Files.readAllBytes(archive("whole.82z", metadata(VOLUME), data));
        Path cut = dir.resolve("b.82z");
        Files.write(cut, Arrays.copyOf(whole, whole.length / 2));
        has(bad(cut), "b.82z: not a zip archive");
        has(bad(archive("c.82z", metadata(VOLUME), null)), "c.82z: no entry data.csv in the archive");
        has(bad(archive("d.82z", metadata(""), data)), "d.82z!metadata.json:9: column METADATA.VOLUME_TOTAL: missing");
        has(bad(archive("e.82z", metadata(VOLUME), data("ppm"))),
                "e.82z!data.csv:3: column LI-7810 CO2_DRY: unit '[ppm]' is not one this reader knows");
        List<String> lines = new java.util.ArrayList<>(data.lines().toList());
        lines.set(60, lines.get(60).replace(",00", ",23"));
        has(bad(archive("f.82z", metadata(VOLUME), String.join("\n", lines))), "f.82z!data.csv:62: column LI-8250"
                + " TIME:");
        has(bad(archive("g.82z", metadata(VOLUME), data.replace(",5,0,", ",1,0,"))), "never 5 (closed)");
    }
}
