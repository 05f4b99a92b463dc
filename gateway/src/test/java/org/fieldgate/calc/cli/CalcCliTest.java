package org.fieldgate.calc.cli;

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
import org.fieldgate.testkit.StartsProcesses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The offline CLI on small CSVs (docs/science.md §1-§3). */
@StartsProcesses
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
        assertEquals(CalcCli.PARTIAL, r.code(), r.err()); // closure B has no flux
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
        // docs/science.md §7.2 with the defaults (BME280 +-0.1 kPa, +-1 degC; SCD30 gain +-3 %), each / sqrt(3),
        // at the closure's first sample (101.3 kPa, 20 degC); the perfect line's se is 0, so only the systematic part
        double rel = Math.sqrt(Math.pow(0.1 / Math.sqrt(3) / 101.3, 2) + Math.pow(1 / Math.sqrt(3) / 293.15, 2)
                + Math.pow(0.03 / Math.sqrt(3), 2));
        assertEquals(rel, a.get("flux_systematic_rel").asDouble(), 1e-12);
        assertEquals(expected * (1 - 1.959964 * rel), a.get("flux_ci95_low").asDouble(), 1e-6 * expected);
        assertEquals(expected * (1 + 1.959964 * rel), a.get("flux_ci95_high").asDouble(), 1e-6 * expected);
        Run tight = run("flux", "--input", input.toString(), "--volume-cm3", "4843", "--area-cm2", "317.8",
                "--pressure-accuracy-kpa", "0", "--temp-accuracy-c", "0", "--co2-gain-accuracy-pct", "0");
        assertEquals(tight.lines().get(0).get("flux_umol_m2_s").asDouble(),
                tight.lines().get(0).get("flux_ci95_low").asDouble(), 1e-9, "no systematic part, se 0");
        assertEquals(64, run("flux", "--input", input.toString(), "--volume-cm3", "4843", "--area-cm2", "317.8",
                "--volume-accuracy-pct", "-2").code());

        JsonNode b = lines.get(1);
        assertEquals("B", b.get("closure_id").asText());
        assertEquals("none", b.get("model").asText());
        assertTrue(b.get("flux_umol_m2_s").isNull());
        assertTrue(b.get("error").asText().startsWith(input + ":143-155: closure c1/B: 0 sample(s)"), b.toString());
        assertTrue(r.err().contains("1 of 2 closure(s) have no flux"), r.err());
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
        // docs/science.md §7.3: intervals around each central value; a noise-free Q10 has none of its own
        for (String key : List.of("rh_g_c_m2_yr", "k_per_yr", "q10", "rref_umol_m2_s")) {
            double v = n.get(key).asDouble();
            assertTrue(n.get(key + "_ci95_low").asDouble() <= v && v <= n.get(key + "_ci95_high").asDouble(),
                    key + ": " + n);
        }
        assertEquals(2.0, n.get("q10_ci95_low").asDouble(), 1e-6);
        assertTrue(n.get("rh_g_c_m2_yr_ci95_low").asDouble() < annual);
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
        // power is logged to 61 min, but uptake only to 60: the last minute's energy is not deducted
        assertEquals(2.0, n.get("energy_kwh").asDouble(), 1e-9);
        assertEquals(2.0 / 60, n.get("energy_not_counted_kwh").asDouble(), 1e-9);
        assertEquals(uptake - 2.0 * 0.462 - 0.1, n.get("net_removal_kg").asDouble(), 1e-9);
        assertTrue(n.has("tau_days") && n.has("kinetic_model"));
        assertEquals(3, n.get("replacement").get("candidates").size());
        assertEquals(62, n.get("samples").asInt());
        assertEquals(61, n.get("samples_valid").asInt());
        // docs/science.md §7.4: intervals and the conservative value (5th percentile) of net removal
        double net = n.get("net_removal_kg").asDouble();
        double half = (n.get("net_removal_kg_ci95_high").asDouble() - n.get("net_removal_kg_ci95_low").asDouble()) / 2;
        assertTrue(half > 0, n.toString());
        assertEquals(net - 1.644854 / 1.959964 * half, n.get("net_removal_kg_conservative").asDouble(), 1e-6 * half);
        assertTrue(n.get("cumulative_uptake_kg_ci95_low").asDouble() < uptake
                && uptake < n.get("cumulative_uptake_kg_ci95_high").asDouble());
        assertTrue(n.get("mineralised_fraction_ci95_low").asDouble() < uptake / 500);
        assertEquals(1.0, n.get("coverage_fraction").asDouble(), 1e-12);
        // one analyser switched between inlet and outlet: its offset cancels, the interval narrows
        Run one = run("mineralisation", "--input", input.toString(), "--rock-kg", "1000", "--potential-kg-per-kg",
                "0.5", "--grid-kg-per-kwh", "0.462", "--handling-kg-co2", "0.1", "--co2-analysers", "1");
        JsonNode o = one.lines().get(0);
        assertTrue(o.get("net_removal_kg_conservative").asDouble() > n.get("net_removal_kg_conservative").asDouble());
        assertEquals(64, run("mineralisation", "--input", input.toString(), "--rock-kg", "1000",
                "--potential-kg-per-kg", "0.5", "--grid-kg-per-kwh", "0.462", "--flow-accuracy-pct", "-1").code());
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

    // ---------------------------------------------------------------- field reports (issue points 4-6)

    private static final String FLUX_HEADER = "chamber,closure_id,time_s,co2_ppm,h2o_mmol_mol,temp_c,pressure_kpa\n";

    private Run flux(Path input, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("flux", "--input", input.toString(), "--volume-cm3",
                "4843", "--area-cm2", "317.8", "--ambient-ppm", "off"));
        args.addAll(List.of(extra));
        return run(args.toArray(String[]::new));
    }

    /** The README §1 flux of a closure whose dry C' rises at slopePpmS, with W0 = h2o (4843 cm3, 317.8 cm2). */
    private static double readmeFlux(double slopePpmS, double h2oMmolMol) {
        return 10 * 4843 * 101.3 * (1 - h2oMmolMol / 1000.0) / (8.314 * 317.8 * 293.15) * slopePpmS;
    }

    @Test
    void decompositionAppliesTheRhFractionToRsOnly() throws IOException {
        // A file that already holds Rh, 1.0 umol m-2 s-1 every day of a year, with --rh-fraction 0.55:
        // before, Rh = 0.55 x Rh and k came out 45 % low ("Rh = 0.55 x Rs"); after, k is exact.
        StringBuilder rh = new StringBuilder("date,rh_umol_m2_s,temp_c\n");
        StringBuilder rs = new StringBuilder("date,rs_umol_m2_s,temp_c\n");
        java.time.LocalDate d0 = java.time.LocalDate.of(2023, 1, 1);
        for (int d = 0; d < 365; d++) {
            rh.append(d0.plusDays(d)).append(",1.0,").append(10 + d % 7).append('\n');
            rs.append(d0.plusDays(d)).append(",2.0,").append(10 + d % 7).append('\n');
        }
        double exactK = 1.0 * 1.0368 * 365.25 / 5000;
        Run r = run("decomposition", "--input", write("rh.csv", rh.toString()).toString(), "--soc-g-c-m2", "5000",
                "--rh-fraction", "0.55");
        assertEquals(0, r.code(), r.err());
        JsonNode n = r.lines().get(0);
        assertEquals(exactK, n.get("k_per_yr").asDouble(), 1e-12,
                "k " + n.get("k_per_yr").asDouble() + " vs exact " + exactK + " (" + n.get("partitioning") + ")");
        assertFalse(n.get("partitioning").asText().contains("Rs"), n.get("partitioning").asText());
        assertTrue(n.get("warning").asText().contains("--rh-fraction 0.55 not applied"), n.toString());
        assertTrue(r.err().contains("--rh-fraction 0.55 not applied"), r.err());
        // Rs with the fraction: Rh = 0.55 x 2.0 = 1.1
        Run s = run("decomposition", "--input", write("rs.csv", rs.toString()).toString(), "--soc-g-c-m2", "5000",
                "--rh-fraction", "0.55");
        assertEquals(0, s.code(), s.err());
        assertEquals(1.1 * 1.0368 * 365.25 / 5000, s.lines().get(0).get("k_per_yr").asDouble(), 1e-12);
        assertEquals("Rh = 0.55 x Rs", s.lines().get(0).get("partitioning").asText());
    }

    @Test
    void fluxRejectsAClosureWhoseClockStepsBackInsteadOfReSortingIt() throws IOException {
        // Dry C' = 410 + 0.5 t (W = 0) sampled at 1 Hz for 150 s of real time; at real t = 60 s the clock steps
        // back 30.5 s, so the logged times of the rest are t - 30.5. Re-sorted, the two halves interleave.
        StringBuilder csv = new StringBuilder(FLUX_HEADER);
        for (int t = 0; t <= 150; t++) {
            double logged = t < 60 ? t : t - 30.5;
            csv.append(String.format(Locale.ROOT, "c1,A,%s,%.4f,0,20,101.3%n", logged, 410 + 0.5 * t));
        }
        Path input = write("stepback.csv", csv.toString());
        Run r = flux(input);
        JsonNode a = r.lines().get(0);
        double truth = readmeFlux(0.5, 0);
        assertEquals(CalcCli.PARTIAL, r.code(), "exit " + r.code() + ", flux " + a.get("flux_umol_m2_s")
                + " vs true " + truth + ", qc " + a.get("qc"));
        assertTrue(a.get("flux_umol_m2_s").isNull(), a.toString());
        // line 62 holds real t = 60 (logged 29.5), line 61 the previous sample at 59 s
        String expected = input + ":62: column time_s: 29.5 s is before the previous sample's 59 s (line 61) in"
                + " closure c1/A: time went backwards";
        assertTrue(a.get("error").asText().startsWith(expected), a.get("error").asText());
        assertTrue(r.err().contains(expected), r.err());
    }

    @Test
    void fluxNamesFileAndLinesOfAClosureItCannotFitAndExitsNonZero() throws IOException {
        Path input = write("short.csv", FLUX_HEADER + "c1,A,0,410,10,20,101.3\nc1,A,1,410.5,10,20,101.3\n"
                + "c1,B,0,410,10,20,101.3\nc1,B,1,410.5,10,20,101.3\nc1,B,1,411,10,20,101.3\n");
        Run r = flux(input);
        assertEquals(CalcCli.PARTIAL, r.code(), r.out() + r.err());
        List<JsonNode> lines = r.lines();
        assertTrue(lines.get(0).get("error").asText().startsWith(input + ":2-3: closure c1/A: 0 sample(s)"),
                lines.get(0).toString());
        assertTrue(lines.get(1).get("error").asText().startsWith(
                input + ":6: column time_s: 1 s repeats the previous sample's 1 s (line 5)"), lines.get(1).toString());
        assertTrue(r.err().contains("2 of 2 closure(s) have no flux"), r.err());
    }

    @Test
    void aHeaderOnlyFileIsBadInput() throws IOException {
        Path input = write("empty.csv", FLUX_HEADER);
        Run r = flux(input);
        assertEquals(CalcCli.BAD_INPUT, r.code(), "exit " + r.code() + " out '" + r.out() + "'");
        assertTrue(r.err().contains(input + ": no data rows"), r.err());
    }

    @Test
    void aChamberWithoutAnH2oChannelNeedsAssumeDryAndIsFlagged() throws IOException {
        // A GMP252 logs no H2O: before, every sample was "missing" and the closure "has no samples", exit 0.
        StringBuilder csv = new StringBuilder(FLUX_HEADER);
        StringBuilder noColumn = new StringBuilder("chamber,closure_id,time_s,co2_ppm,temp_c,pressure_kpa\n");
        for (int t = 0; t <= 140; t++) {
            csv.append(String.format(Locale.ROOT, "c1,A,%d,%.4f,%s,20,101.3%n", t, 410 + 0.5 * t, t % 2 == 0 ? "" : "NA"));
            noColumn.append(String.format(Locale.ROOT, "c1,A,%d,%.4f,20,101.3%n", t, 410 + 0.5 * t));
        }
        Path input = write("gmp252.csv", csv.toString());
        Run without = flux(input);
        JsonNode w = without.lines().get(0);
        assertEquals(CalcCli.PARTIAL, without.code(), "exit " + without.code() + ": " + w);
        assertTrue(w.get("error").asText().contains("give --assume-dry"), w.toString());

        for (Path p : List.of(input, write("gmp252-no-h2o-column.csv", noColumn.toString()))) {
            Run dry = flux(p, "--assume-dry");
            assertEquals(CalcCli.OK, dry.code(), dry.err());
            JsonNode d = dry.lines().get(0);
            assertEquals(readmeFlux(0.5, 0), d.get("flux_umol_m2_s").asDouble(), 1e-9, d.toString());
            assertTrue(d.get("qc").toString().contains("DRY_ASSUMED"), d.toString());
            assertEquals(0, d.get("samples_missing").asInt());
        }
    }

    @Test
    void noiselessStraightClosuresGetNoCurvatureFlags() throws IOException {
        // 32 straight closures (slopes 0.05-5 ppm/s, W 0-20 mmol/mol) written with 4 decimals as a logger would.
        StringBuilder csv = new StringBuilder(FLUX_HEADER);
        int closures = 0;
        for (double slope : new double[] {0.05, 0.1, 0.2, 0.5, 1, 2, 3, 5}) {
            for (double w : new double[] {0, 5, 10, 20}) {
                closures++;
                for (int t = 0; t <= 140; t++) {
                    csv.append(String.format(Locale.ROOT, "c1,%d,%d,%.4f,%s,20,101.3%n", closures, t,
                            (410 + slope * t) * (1 - w / 1000), w));
                }
            }
        }
        Run r = flux(write("straight.csv", csv.toString()));
        assertEquals(CalcCli.OK, r.code(), r.err());
        List<String> flagged = new java.util.ArrayList<>();
        for (JsonNode n : r.lines()) {
            String qc = n.get("qc").toString();
            if (qc.contains("NEGATIVE_CURVATURE") || qc.contains("CX_BELOW_C0")
                    || !n.get("model").asText().equals("linear")) {
                flagged.add(n.get("closure_id").asText() + " " + n.get("model").asText() + " " + qc);
            }
        }
        assertEquals(List.of(), flagged, flagged.size() + " of " + closures
                + " straight closures flagged or not linear");
    }

    private static final String HOUSE_HEADER = "time_s,flow_m3_s,co2_in_ppm,co2_out_ppm,temp_c,pressure_kpa,power_kw\n";

    private Run mineralisation(Path input, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("mineralisation", "--input", input.toString(),
                "--rock-kg", "100000", "--potential-kg-per-kg", "0.5", "--grid-kg-per-kwh", "0.462"));
        args.addAll(List.of(extra));
        return run(args.toArray(String[]::new));
    }

    /** One hour at 1-minute logging, 20 degC, 101.325 kPa, 2 kW; flow and CO2 out as given per minute. */
    private Path house(String name, String flow, java.util.function.IntFunction<String> co2Out) throws IOException {
        StringBuilder csv = new StringBuilder(HOUSE_HEADER);
        for (int i = 0; i <= 60; i++) {
            csv.append(String.format(Locale.ROOT, "%d,%s,420,%s,20,101.325,2.0%n", i * 60, flow, co2Out.apply(i)));
        }
        return write(name, csv.toString());
    }

    @Test
    void mineralisationFlagsOutletAboveInlet() throws IOException {
        Run r = mineralisation(house("house.csv", "1.0", i -> i < 15 ? "430" : "320"));
        assertEquals(CalcCli.OK, r.code(), r.err());
        JsonNode n = r.lines().get(0);
        assertTrue(String.valueOf(n.get("flags")).contains("OUTLET_ABOVE_INLET"), n.toString());
        assertEquals(15, n.path("samples_outlet_above_inlet").asInt(-1), n.toString());
        assertTrue(r.err().contains("OUTLET_ABOVE_INLET: 15 of 61 valid samples"), r.err());
    }

    @Test
    void mineralisationFlowInCubicMetresPerHourIsFlaggedImplausible() throws IOException {
        // 1 m3/s logged as 3600 (m3/h) in flow_m3_s: before, 2,371 kg in one hour, exit 0, no flag.
        Run r = mineralisation(house("house.csv", "3600", i -> "320"));
        JsonNode n = r.lines().get(0);
        assertEquals(CalcCli.PARTIAL, r.code(), "exit " + r.code() + ", uptake " + n.get("cumulative_uptake_kg"));
        assertTrue(String.valueOf(n.get("flags")).contains("FLOW_IMPLAUSIBLE"), n.toString());
        assertTrue(r.err().contains("FLOW_IMPLAUSIBLE: 61 sample(s)") && r.err().contains("above 100"), r.err());
        assertEquals(CalcCli.OK, mineralisation(house("house.csv", "3600", i -> "320"), "--max-flow-m3-s",
                "5000").code());
    }

    @Test
    void mineralisationRefusesAMaxGapBelowTheLoggingInterval() throws IOException {
        // Hourly logging for two days with the default --max-gap-s 600: before, uptake 0 but 96 kWh of fans
        // deducted (net -44 kg here), exit 0.
        StringBuilder csv = new StringBuilder(HOUSE_HEADER);
        for (int h = 0; h <= 48; h++) {
            csv.append(String.format(Locale.ROOT, "%d,1.0,420,320,20,101.325,2.0%n", h * 3600));
        }
        Path input = write("hourly.csv", csv.toString());
        Run r = mineralisation(input);
        assertEquals(CalcCli.BAD_INPUT, r.code(), "exit " + r.code() + ": " + r.out());
        assertTrue(r.err().contains("--max-gap-s 600 s is shorter than the logging interval (median 3600 s"),
                r.err());
        Run ok = mineralisation(input, "--max-gap-s", "10800");
        assertEquals(CalcCli.OK, ok.code(), ok.err());
        double uptake = 101325.0 / (8.314 * 293.15) * 100e-6 * 44.01e-3 * 48 * 3600;
        assertEquals(uptake - 96 * 0.462, ok.lines().get(0).get("net_removal_kg").asDouble(), 1e-9);
    }

    @Test
    void mineralisationCountsNoFanEnergyOverUptakeGaps() throws IOException {
        // CO2 out not logged from minute 21 to 39: the 20-minute uptake gap (minutes 20-40) counts neither uptake
        // nor fan energy. Before: 2.0 kWh deducted for 40 minutes of counted uptake.
        Run r = mineralisation(house("house.csv", "1.0", i -> i > 20 && i < 40 ? "NA" : "320"));
        assertEquals(CalcCli.OK, r.code(), r.err());
        JsonNode n = r.lines().get(0);
        double perS = 101325.0 / (8.314 * 293.15) * 100e-6 * 44.01e-3;
        assertEquals(perS * 40 * 60, n.get("cumulative_uptake_kg").asDouble(), 1e-9);
        assertEquals(2.0 * 40 / 60, n.get("energy_kwh").asDouble(), 1e-9, n.toString());
        assertEquals(2.0 * 20 / 60, n.path("energy_not_counted_kwh").asDouble(), 1e-9, n.toString());
        assertEquals(perS * 40 * 60 - 2.0 * 40 / 60 * 0.462, n.get("net_removal_kg").asDouble(), 1e-9);
    }

    @Test
    void aYearIsTheJulianYearEverywhere() throws IOException {
        // The planned cycle defaulted to 365 days while the replacement cycles used 365.25.
        StringBuilder csv = new StringBuilder(HOUSE_HEADER);
        for (int d = 0; d <= 60; d++) {
            int out = 320 + 80 * d / 60; // drawdown falling as the rock reacts
            csv.append(String.format(Locale.ROOT, "%d,1.0,420,%d,20,101.325,2.0%n", d * 86400, out));
        }
        Run r = mineralisation(write("house.csv", csv.toString()), "--max-gap-s", "172800");
        JsonNode n = r.lines().get(0);
        assertEquals(365.25, n.get("cycle_days").asDouble(), n.toString());
        JsonNode oneYear = null;
        for (JsonNode c : n.get("replacement").get("candidates")) {
            if (c.get("cycle_yr").asDouble() == 1.0) {
                oneYear = c;
            }
        }
        assertEquals(oneYear.get("x_at_end").asDouble(), n.get("x_at_cycle_end").asDouble(), 1e-15);
    }

    @Test
    void everySubCommandsHelpExitsZeroAndStatesTheConventions() {
        for (String command : List.of("flux", "decomposition", "mineralisation")) {
            Run r = run(command, "--help");
            assertEquals(CalcCli.OK, r.code(), command + " --help: " + r.err());
            assertTrue(r.out().startsWith("usage: calc " + command), r.out());
            assertTrue(r.out().contains("conventions"), r.out());
        }
        String flux = run("flux", "--help").out();
        assertTrue(flux.contains("WET mole fraction") && flux.contains("--assume-dry"), flux);
        assertTrue(flux.contains("initial slope a (Cx - C'0) at t0"), flux);
        assertTrue(flux.contains("12.0 g C per mol CO2") && flux.contains("1.0368"), flux);
        assertTrue(run("decomposition", "--help").out().contains("365.25 (the Julian year"));
        assertTrue(run("mineralisation", "-h").out().contains("365.25 days (Julian year)"));
        Run all = run("--help");
        assertEquals(CalcCli.OK, all.code());
        assertTrue(all.out().contains("usage: calc flux") && all.out().contains("usage: calc mineralisation"));

        for (String[] args : List.of(new String[] {"--help"}, new String[] {"verify", "--help"},
                new String[] {"help"})) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int code = org.fieldgate.export.ExportCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            assertEquals(0, code, "export " + String.join(" ", args));
            assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("usage: export"));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, org.fieldgate.site.ConfigCheck.run(new String[] {"--help"},
                new PrintStream(out, true, StandardCharsets.UTF_8), System.err));
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("usage: config check"));

        // The launcher's own usage: help, --help and config --help exit 0 (Command.run fails on any other exit).
        Path launcher = Path.of("fieldgate").toAbsolutePath();
        assertTrue(Files.isExecutable(launcher), launcher.toString());
        for (List<String> args : List.of(List.of("help"), List.of("--help"), List.of("config", "--help"))) {
            List<String> argv = new java.util.ArrayList<>(List.of(launcher.toString()));
            argv.addAll(args);
            String text = org.fieldgate.testkit.Command.run(argv, java.util.Map.of(), java.time.Duration.ofSeconds(30));
            assertTrue(text.contains("gateway/fieldgate calc flux|decomposition|mineralisation"), text);
        }
    }
}
