package org.fieldgate.calc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The offline CLI on small CSVs (science README §1-3). */
class CalcCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {
        List<JsonNode> lines() throws IOException {
            List<JsonNode> nodes = new java.util.ArrayList<>();
            for (String line : out.strip().split("\n")) {
                nodes.add(JSON.readTree(line));
            }
            return nodes;
        }
    }

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = CalcCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text, StandardCharsets.UTF_8);
        return p;
    }

    /** Closure A: dry C' = 410 + 0.5 t for 0..140 s (W = 10); closure B: lid opened after 12 s. */
    private Path closures() throws IOException {
        StringBuilder csv = new StringBuilder("chamber,closure_id,time_s,co2_ppm,h2o_mmol_mol,temp_c,pressure_kpa\n");
        for (int t = 0; t <= 140; t++) {
            double wet = (410 + 0.5 * t) * (1 - 10 / 1000.0);
            csv.append(String.format(Locale.ROOT, "c1,A,%d,%.10f,10,20,101.3%n", t, wet));
        }
        for (int t = 0; t <= 12; t++) {
            csv.append(String.format(Locale.ROOT, "c1,B,%d,%.1f,10,20,101.3%n", t, 410 + 0.5 * t));
        }
        return write("closures.csv", csv.toString());
    }

    @Test
    void fluxWritesOneJsonLinePerClosureAndReportsTheUnfittableOne() throws IOException {
        Path input = closures();
        Run r = run("flux", "--input", input.toString(), "--volume-cm3", "4843", "--area-cm2", "317.8",
                "--deadband-s", "20", "--observation-s", "120");
        assertEquals(0, r.code(), r.err());
        List<JsonNode> lines = r.lines();
        assertEquals(2, lines.size());

        JsonNode a = lines.get(0);
        assertEquals("A", a.get("closure_id").asText());
        assertEquals("c1", a.get("chamber").asText());
        assertEquals("linear", a.get("model").asText());
        double expected = 10 * 4843 * 101.3 * (1 - 10 / 1000.0) / (8.314 * 317.8 * 293.15) * 0.5;
        assertEquals(expected, a.get("flux_umol_m2_s").asDouble(), 1e-9 * expected);
        assertEquals(expected * 1.0368, a.get("flux_g_c_m2_d").asDouble(), 1e-9 * expected);
        assertEquals(1.0, a.get("r2").asDouble(), 1e-9);
        assertTrue(a.has("rmse") && a.has("se") && a.has("mdf") && a.get("qc").isArray());
        assertTrue(a.get("model_reason").asText().startsWith("linear"));
        assertFalse(a.has("error"));

        JsonNode b = lines.get(1);
        assertEquals("B", b.get("closure_id").asText());
        assertEquals("none", b.get("model").asText());
        assertTrue(b.get("flux_umol_m2_s").isNull());
        assertTrue(b.get("error").asText().contains("0 sample(s)"), b.toString());
        assertTrue(b.get("qc").toString().contains("TOO_FEW_POINTS"));
    }

    @Test
    void aBadNumberNamesFileLineAndColumn() throws IOException {
        Path input = write("closures.csv", String.join("\n",
                "chamber,closure_id,time_s,co2_ppm,h2o_mmol_mol,temp_c,pressure_kpa",
                "c1,A,0,410,10,20,101.3",
                "c1,A,1,abc,10,20,101.3", ""));
        Run r = run("flux", "--input", input.toString(), "--volume-cm3", "4843", "--area-cm2", "317.8");
        assertEquals(1, r.code());
        assertTrue(r.err().contains(input + ":3: column co2_ppm: 'abc' is not a number"), r.err());
        assertEquals("", r.out());
    }

    @Test
    void anOutOfRangeValueNamesFileLineAndColumn() throws IOException {
        Path input = write("closures.csv", String.join("\n",
                "chamber,closure_id,time_s,co2_ppm,h2o_mmol_mol,temp_c,pressure_kpa",
                "c1,A,0,410,10,20,1013", ""));
        Run r = run("flux", "--input", input.toString(), "--volume-cm3", "4843", "--area-cm2", "317.8");
        assertEquals(1, r.code());
        assertTrue(r.err().contains(":2: column pressure_kpa: '1013' must be between 10.0 and 200.0"), r.err());
    }

    @Test
    void aMissingColumnIsBadInput() throws IOException {
        Path input = write("closures.csv", "chamber,closure_id,time_s,co2_ppm\nc1,A,0,410\n");
        Run r = run("flux", "--input", input.toString(), "--volume-cm3", "4843", "--area-cm2", "317.8");
        assertEquals(1, r.code());
        assertTrue(r.err().contains(":1: missing column h2o_mmol_mol"), r.err());
    }

    @Test
    void badUsageExitsWith64() throws IOException {
        Path input = closures();
        assertEquals(64, run().code());
        assertEquals(64, run("fluxes").code());
        Run noVolume = run("flux", "--input", input.toString(), "--area-cm2", "317.8");
        assertEquals(64, noVolume.code());
        assertTrue(noVolume.err().contains("--volume-cm3 is required"), noVolume.err());
        Run negative = run("flux", "--input", input.toString(), "--volume-cm3", "-5", "--area-cm2", "317.8");
        assertEquals(64, negative.code());
        assertTrue(negative.err().contains("--volume-cm3: must be > 0, got -5.0"), negative.err());
        assertEquals(64, run("flux", "--input", input.toString(), "--volume-cm3", "4843", "--area-cm2", "317.8",
                "--bogus", "1").code());
        assertEquals(64, run("flux", "--input").code());
        assertEquals(0, run("--help").code());
    }

    @Test
    void aMissingFileIsBadInput() {
        Run r = run("flux", "--input", dir.resolve("nope.csv").toString(), "--volume-cm3", "4843", "--area-cm2", "1");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("nope.csv: no such file"), r.err());
    }

    @Test
    void decompositionReportsRateQ10AndGaps() throws IOException {
        StringBuilder csv = new StringBuilder("date,rs_umol_m2_s,temp_c\n");
        java.time.LocalDate d0 = java.time.LocalDate.of(2023, 1, 1);
        for (int d = 0; d < 365; d++) {
            if (d == 50) {
                continue;
            }
            double t = 12 - 10 * Math.cos(2 * Math.PI * d / 365.0);
            double rs = 2.0 * Math.pow(2.0, (t - 10) / 10);
            csv.append(String.format(Locale.ROOT, "%s,%.12f,%.12f%n", d0.plusDays(d), rs, t));
        }
        Path input = write("daily.csv", csv.toString());
        Run r = run("decomposition", "--input", input.toString(), "--soc-g-c-m2", "5000", "--rh-fraction", "0.5");
        assertEquals(0, r.code(), r.err());
        JsonNode n = r.lines().get(0);
        assertEquals(2.0, n.get("q10").asDouble(), 1e-6);
        assertEquals(1.0, n.get("rref_umol_m2_s").asDouble(), 1e-6); // 0.5 x 2.0 at 10 degC
        assertEquals(1, n.get("days_missing").asInt());
        assertEquals("2023-02-20", n.get("missing_ranges").get(0).asText());
        double annual = n.get("rh_g_c_m2_yr").asDouble();
        assertEquals(annual / 5000, n.get("k_per_yr").asDouble(), 1e-12);
        assertEquals(5000 / annual, n.get("residence_time_yr").asDouble(), 1e-9);
        assertTrue(n.has("lt_e0_k") && n.has("lt_rref_umol_m2_s") && n.has("lt_r2_log"));
    }

    @Test
    void decompositionBadDateNamesLineAndColumn() throws IOException {
        Path input = write("daily.csv", "date,rh_umol_m2_s,temp_c\n2023-01-01,1.0,10\n2023-13-01,1.0,10\n");
        Run r = run("decomposition", "--input", input.toString(), "--soc-g-c-m2", "5000");
        assertEquals(1, r.code());
        assertTrue(r.err().contains(":3: column date: '2023-13-01' is not a date"), r.err());
    }

    @Test
    void mineralisationReportsUptakeEnergyAndAdvice() throws IOException {
        StringBuilder csv = new StringBuilder("time_s,flow_m3_s,co2_in_ppm,co2_out_ppm,temp_c,pressure_kpa,power_kw\n");
        for (int i = 0; i <= 60; i++) {
            csv.append(String.format(Locale.ROOT, "%d,1.0,420,320,20,101.325,2.0%n", i * 60));
        }
        csv.append("3660,1.0,420,NA,20,101.325,2.0\n");
        Path input = write("house.csv", csv.toString());
        Run r = run("mineralisation", "--input", input.toString(), "--rock-kg", "1000", "--potential-kg-per-kg",
                "0.5", "--grid-kg-per-kwh", "0.462", "--handling-kg-co2", "0.1");
        assertEquals(0, r.code(), r.err());
        JsonNode n = r.lines().get(0);
        double uptake = 101325.0 / (8.314 * 293.15) * 100e-6 * 44.01e-3 * 3600; // one hour: 0.6587 kg
        assertEquals(uptake, n.get("cumulative_uptake_kg").asDouble(), 1e-9);
        assertEquals(uptake / 500, n.get("mineralised_fraction").asDouble(), 1e-12);
        assertEquals(2.0 * 61 / 60, n.get("energy_kwh").asDouble(), 1e-9); // power logged to 61 min
        assertEquals(uptake - 2.0 * 61 / 60 * 0.462 - 0.1, n.get("net_removal_kg").asDouble(), 1e-9);
        assertTrue(n.has("tau_days") && n.has("kinetic_model"));
        assertEquals(3, n.get("replacement").get("candidates").size());
        assertEquals(62, n.get("samples").asInt());
        assertEquals(61, n.get("samples_valid").asInt());
    }

    @Test
    void mineralisationBadCellNamesLineAndColumn() throws IOException {
        Path input = write("house.csv", "time_s,flow_m3_s,co2_in_ppm,co2_out_ppm,temp_c,pressure_kpa,power_kw\n"
                + "0,1.0,420,320,20,101.325,2\n60,-1.0,420,320,20,101.325,2\n");
        Run r = run("mineralisation", "--input", input.toString(), "--rock-kg", "1000", "--potential-kg-per-kg",
                "0.5", "--grid-kg-per-kwh", "0.462");
        assertEquals(1, r.code());
        assertTrue(r.err().contains(":3: column flow_m3_s: '-1.0' must be between"), r.err());
    }
}
