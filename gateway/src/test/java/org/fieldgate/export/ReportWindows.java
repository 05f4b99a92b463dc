package org.fieldgate.export;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * A realistic day of a soil plot with four chambers and a mineralisation house, as the export tables hold it (the
 * columns WindowExport writes, in its order): a closure every 30 min per chamber with a diurnal flux, one failed
 * closure, 24 hourly fixation rows of a batch in its second month, the day's decomposition, the ledger with a probe
 * down for two hours, gap records and calibration versions. {@link Intervals} says whether the tables carry the 95 %
 * interval columns and the conservative value (docs/science.md §7) with values, empty, or not at all (an export
 * written before them).
 */
final class ReportWindows {
    static final ExportWindow DAY = new ExportWindow(Instant.parse("2026-10-31T15:00:00Z"),
            Instant.parse("2026-11-01T15:00:00Z"));
    private static final long S = 1_000_000_000L;

    private ReportWindows() {
    }

    /** Writes the tables into {@code dir}; returns file name → rows, as WindowExport passes them to the manifest. */
    /** The interval columns: with values, present but empty, absent. */
    enum Intervals { VALUES, EMPTY, ABSENT }

    static Map<String, Long> writeTables(Path dir, boolean intervals, String siteName) throws IOException {
        return writeTables(dir, intervals ? Intervals.VALUES : Intervals.ABSENT, siteName);
    }

    static Map<String, Long> writeTables(Path dir, Intervals mode, String siteName) throws IOException {
        boolean intervals = mode == Intervals.VALUES;
        boolean absent = mode == Intervals.ABSENT;
        Files.createDirectories(dir);
        Map<String, Long> rows = new TreeMap<>();
        Random random = new Random(42);
        long t0 = DAY.fromNs();

        List<Map<String, Object>> fluxes = new ArrayList<>();
        for (int c = 1; c <= 4; c++) {
            for (int k = 0; k < 48; k++) {
                long t = t0 + (k * 1800L + c * 420L) * S;
                double hourLocal = ((k * 0.5 + c * 0.12) + 9) % 24; // Asia/Tokyo
                double flux = (1.6 + 0.25 * c) * (1 + 0.35 * Math.sin((hourLocal - 9) / 24 * 2 * Math.PI))
                        + random.nextGaussian() * 0.08;
                double se = 0.03 + 0.04 * random.nextDouble();
                Map<String, Object> f = row("site", siteName, "chamber", "chamber-" + c, "model", "linear",
                        "flux", flux, "se", se, "mdf", 0.021, "flux_g_c_m2_d", flux * 1.0368, "r2", 0.995,
                        "rmse", 0.41, "qc", c == 3 && k == 20 ? 4L : 0L, "flags", c == 3 && k == 20 ? "low_r2" : "clean",
                        "closure_qc", 0L, "points", 90L, "closure_id", "c" + c + "-" + k, "reason", "linear: curvature small");
                if (c == 2 && k == 30) {
                    f = row("site", siteName, "chamber", "chamber-2", "model", "none", "qc", 64L, "flags", "too_few_points",
                            "closure_qc", 2L, "points", 4L, "closure_id", "c2-30", "reason", "aborted: lid fault");
                } else if (intervals) {
                    double half = 1.96 * Math.hypot(se, 0.025 * flux);
                    f.put("flux_ci95_low", flux - half);
                    f.put("flux_ci95_high", flux + half);
                    f.put("se_combined", half / 1.96);
                    f.put("systematic_rel", 0.025);
                }
                f.put("time_ns", t);
                fluxes.add(f);
            }
        }
        fluxes.sort((a, b) -> Long.compare((Long) a.get("time_ns"), (Long) b.get("time_ns")));
        rows.put("fluxes.csv", table(dir.resolve("fluxes.csv"), derivedColumns("flux", absent, intervals
                ? List.of("flux_ci95_low", "flux_ci95_high", "se_combined", "systematic_rel") : List.of()), fluxes));

        List<Map<String, Object>> fixation = new ArrayList<>();
        double cumulative = 412.0;
        double energy = 180.0;
        for (int h = 0; h < 24; h++) {
            double uptake = 0.62 + 0.1 * Math.sin(h / 24.0 * 2 * Math.PI) + random.nextGaussian() * 0.02;
            cumulative += uptake;
            energy += 0.9;
            double x = cumulative / 2000.0;
            double energyKg = energy * 0.45;
            double net = cumulative - energyKg - 30.0;
            Map<String, Object> f = row("site", "mineralisation-house-example", "batch", "batch-2025-01",
                    "uptake_kg_per_h", uptake, "uptake_kg", uptake, "measured_s", h == 7 ? 1800.0 : 3600.0,
                    "cumulative_kg", cumulative, "x", x, "energy_kwh", energy, "energy_kg_co2", energyKg, "net_kg", net,
                    "measured_h_total", 720.0 + h, "last_sample_ns", t0 + (h + 1) * 3600 * S - S);
            if (intervals) {
                double u = cumulative * 0.06;
                f.put("cumulative_kg_ci95_low", cumulative - u);
                f.put("cumulative_kg_ci95_high", cumulative + u);
                f.put("x_ci95_low", (cumulative - u) / 2000.0);
                f.put("x_ci95_high", (cumulative + u) / 2000.0);
                f.put("net_kg_ci95_low", net - u * 1.05);
                f.put("net_kg_ci95_high", net + u * 1.05);
                f.put("net_kg_conservative", net - u * 0.88);
                f.put("coverage", 0.979);
                f.put("x_fit", x * 0.995);
            }
            f.put("time_ns", t0 + h * 3600 * S);
            fixation.add(f);
        }
        rows.put("fixation.csv", table(dir.resolve("fixation.csv"), derivedColumns("fixation", absent, intervals
                ? List.of("cumulative_kg_ci95_low", "cumulative_kg_ci95_high", "x_ci95_low", "x_ci95_high",
                "net_kg_ci95_low", "net_kg_ci95_high", "net_kg_conservative", "coverage", "x_fit") : List.of()), fixation));

        Map<String, Object> d = row("site", siteName, "rs_umol_m2_s", 2.31, "rh_umol_m2_s", 1.52,
                "rh_g_c_m2_d", 1.576, "soil_temp_c", 13.4, "closures", 191L, "day_complete", true,
                "rh_g_c_m2_yr", 612.5, "soc_g_c_m2", 5200.0, "k_per_yr", 0.1178, "residence_time_yr", 8.49,
                "q10", 2.14, "rref_umol_m2_s", 1.21, "days_measured", 34L, "coverage", 0.94,
                "partitioning", "trenched plot ratio", "flags", "", "time_ns", t0);
        if (intervals) {
            d.putAll(row("rh_g_c_m2_yr_ci95_low", 548.0, "rh_g_c_m2_yr_ci95_high", 681.0, "k_per_yr_ci95_low", 0.1049,
                    "k_per_yr_ci95_high", 0.1311, "q10_ci95_low", 1.82, "q10_ci95_high", 2.51, "rref_umol_m2_s_ci95_low",
                    1.08, "rref_umol_m2_s_ci95_high", 1.35));
        }
        rows.put("decomposition.csv", table(dir.resolve("decomposition.csv"), derivedColumns("decomposition", absent, intervals
                ? List.of("rh_g_c_m2_yr_ci95_low", "rh_g_c_m2_yr_ci95_high", "k_per_yr_ci95_low", "k_per_yr_ci95_high",
                "q10_ci95_low", "q10_ci95_high", "rref_umol_m2_s_ci95_low", "rref_umol_m2_s_ci95_high") : List.of()),
                List.of(d)));

        List<Map<String, Object>> ledger = new ArrayList<>();
        String[][] channels = {{"analyser", "co2", "2"}, {"analyser", "h2o", "2"}, {"soil-co2-10cm", "co2_10cm", "60"},
                {"soil-co2-30cm", "co2_30cm", "60"}, {"soil-water-10cm", "vwc_10cm", "300"}, {"air", "air_temp", "2"},
                // a name longer than the completeness chart's label column (cut there, in full in the table)
                {"soil-water-north-transect-profile-station-07", "volumetric_water_content_30cm", "300"}};
        for (int h = 0; h < 24; h++) {
            for (String[] ch : channels) {
                long expected = 3600 / Long.parseLong(ch[2]);
                boolean down = ch[0].equals("soil-co2-30cm") && (h == 5 || h == 6);
                long received = down ? 0 : expected - (ch[0].equals("analyser") && h == 12 ? 37 : 0);
                long gap = down ? expected : 0;
                ledger.add(row("hour_utc", Instant.ofEpochSecond(DAY.from().getEpochSecond() + h * 3600L).toString(), "site", siteName, "device", ch[0], "channel", ch[1],
                        "interval_s", Double.parseDouble(ch[2]), "expected", expected, "received", received,
                        "flagged", ch[1].equals("co2") && h == 3 ? 12L : 0L, "clock_unsynced", 0L, "delivered", received,
                        "gap_readings", gap, "missing", expected - received - gap, "gateway_up_s", 3600L,
                        "causes", down ? "timeout: no answer (" + gap + ")" : expected - received > 0 ? "unknown ("
                                + (expected - received) + ")" : null));
            }
            ledger.add(row("hour_utc", Instant.ofEpochSecond(DAY.from().getEpochSecond() + h * 3600L).toString(),
                    "site", siteName, "device", "remote-node", "channel", "soil_moisture", "received", 12L,
                    "delivered", 12L, "flagged", 0L, "clock_unsynced", 0L, "gap_readings", 0L, "gateway_up_s", 3600L));
        }
        rows.put("ledger.csv", table(dir.resolve("ledger.csv"), WindowExport.LEDGER_COLUMNS, ledger));

        rows.put("gaps.csv", table(dir.resolve("gaps.csv"), WindowExport.GAP_COLUMNS, List.of(
                row("first_utc", "2026-10-31T20:00:00Z", "first_ns", t0 + 5 * 3600 * S, "last_ns", t0 + 7 * 3600 * S - 60 * S,
                        "site", siteName, "device", "soil-co2-30cm", "channel", "co2_30cm", "readings", 120L,
                        "cause", "timeout: no answer", "source", "gap record 17"),
                row("first_utc", "2026-11-01T03:00:00Z", "first_ns", t0 + 12 * 3600 * S, "last_ns", t0 + 13 * 3600 * S,
                        "site", siteName, "device", "analyser", "channel", "co2", "readings", 37L, "cause", "unknown",
                        "source", "ledger"))));

        rows.put("calibrations.csv", table(dir.resolve("calibrations.csv"), WindowExport.CALIBRATION_COLUMNS, List.of(
                row("site", siteName, "id", "analyser-2025-03", "valid_from", "2025-03-01", "input", "scaled",
                        "coefficients", "-4.2 1.0061", "unit", "ppm", "reference", "Linde span gas 1000 ppm, cert 4471",
                        "readings_in_window", 43163L),
                row("site", siteName, "id", "teros-mineral-2025-03", "valid_from", "2025-03-01", "input", "raw",
                        "coefficients", "-0.0567 0.000394", "unit", "m3/m3", "reference", "METER mineral soil equation",
                        "readings_in_window", 0L),
                row("site", siteName, "id", "teros-site-2025-06", "valid_from", "2025-06-10", "input", "raw",
                        "coefficients", "-0.061 0.000401", "unit", "m3/m3", "reference", "gravimetric cores June 2025",
                        "supersedes", "teros-mineral-2025-03", "readings_in_window", 288L),
                row("site", siteName, "id", "model:gmp252", "input", "model",
                        "reference", "the sensor model file's scaling", "readings_in_window", 1440L))));

        rows.put("closures.csv", table(dir.resolve("closures.csv"), derivedColumns("closure", false, List.of()), List.of()));
        rows.put("readings.csv", table(dir.resolve("readings.csv"), WindowExport.READING_COLUMNS, List.of()));
        return rows;
    }

    /** The header WindowExport would pass for {@code siteName} (a made-up key fingerprint and config hash). */
    static ReportHtml.Header header(String siteName, Map<String, Long> rows) {
        return new ReportHtml.Header(siteName, "0.9.0-test", DAY,
                "5a1f3c2e9b7d4e6f8a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f",
                "3f9c0d6ab1e24f7788c5d0e1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d", null, "fieldgate",
                List.of(new ReportHtml.Site(siteName, "Example soil plot (4 automated chambers)", "Asia/Tokyo"),
                        new ReportHtml.Site("mineralisation-house-example", "Example mineralisation house", "Asia/Tokyo")),
                rows, List.of(GatewayKeys.PUBLIC));
    }

    /** WindowExport's columns, less the uncertainty ones when {@code absent}, then {@code extra} not among them. */
    private static List<String> derivedColumns(String measurement, boolean absent, List<String> extra) {
        List<String> columns = new ArrayList<>(List.of("time_utc", "time_ns"));
        for (String c : WindowExport.DERIVED.get(measurement)) {
            if (!absent || !(c.contains("_ci95_") || c.endsWith("_conservative") || c.equals("se_combined")
                    || c.equals("systematic_rel"))) {
                columns.add(c);
            }
        }
        for (String e : extra) {
            if (!columns.contains(e)) {
                columns.add(e);
            }
        }
        return columns;
    }

    private static long table(Path file, List<String> columns, List<Map<String, Object>> rows) throws IOException {
        try (TableFile t = new TableFile(file, TableFile.Format.CSV, columns)) {
            for (Map<String, Object> r : rows) {
                List<Object> values = new ArrayList<>();
                for (String c : columns) {
                    if (c.equals("time_utc") && r.containsKey("time_ns")) {
                        values.add(WindowExport.utc((Long) r.get("time_ns")));
                    } else {
                        values.add(r.get(c));
                    }
                }
                t.row(values);
            }
            return t.rows();
        }
    }

    static Map<String, Object> row(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
