package org.fieldgate.export;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.fieldgate.forward.InfluxQuery;
import org.fieldgate.site.Calibration;
import org.fieldgate.site.ChannelConfig;
import org.fieldgate.site.ProbeConfig;
import org.fieldgate.site.SiteConfig;

/**
 * Writes one closed window into a folder: the readings and derived results as InfluxDB holds them, the completeness
 * ledger and gaps from the spool, the site files and calibration versions, and {@link Manifest manifest.json} last.
 * The same data gives the same bytes, so a re-export of an unchanged window has the same content hash.
 */
public final class WindowExport implements Exporter.WindowWriter {
    /** The derived measurements exported, each with the file it goes to and its documented columns (wire contract). */
    static final Map<String, List<String>> DERIVED = new LinkedHashMap<>();
    static final Map<String, String> DERIVED_FILES = Map.of("closure", "closures", "flux", "fluxes",
            "fixation", "fixation", "decomposition", "decomposition", "clock_correction", "clock_corrections");

    static {
        DERIVED.put("closure", List.of("site", "chamber", "outcome", "closure_id", "lid_close_ns", "lid_closed_ns",
                "observation_start_ns", "observation_end_ns", "lid_open_ns", "volume_cm3", "area_cm2", "samples",
                "expected_samples", "qc", "flags", "notes", "abort_reason", "samples_json"));
        DERIVED.put("flux", List.of("site", "chamber", "model", "flux", "se", "mdf", "flux_g_c_m2_d", "r2", "rmse", "qc",
                "flags", "closure_qc", "points", "closure_id", "reason", "flux_ci95_low", "flux_ci95_high", "se_combined",
                "systematic_rel"));
        DERIVED.put("fixation", List.of("site", "batch", "uptake_kg_per_h", "uptake_kg", "measured_s", "cumulative_kg",
                "x", "energy_kwh", "energy_kg_co2", "net_kg", "net_kg_conservative", "net_kg_ci95_low", "net_kg_ci95_high",
                "measured_h_total", "last_sample_ns", "cumulative_kg_ci95_low", "cumulative_kg_ci95_high", "x_ci95_low",
                "x_ci95_high", "coverage"));
        DERIVED.put("decomposition", List.of("site", "rs_umol_m2_s", "rh_umol_m2_s", "rh_g_c_m2_d", "soil_temp_c",
                "closures", "day_complete", "rh_g_c_m2_yr", "soc_g_c_m2", "k_per_yr", "residence_time_yr", "q10",
                "rref_umol_m2_s", "days_measured", "coverage", "partitioning", "flags", "rh_g_c_m2_yr_ci95_low",
                "rh_g_c_m2_yr_ci95_high", "k_per_yr_ci95_low", "k_per_yr_ci95_high", "q10_ci95_low", "q10_ci95_high",
                "rref_umol_m2_s_ci95_low", "rref_umol_m2_s_ci95_high"));
        DERIVED.put("clock_correction", List.of("boot_id", "cause", "offset_ns", "stamps_redated", "first_original_ns",
                "last_original_ns", "sync_monotonic_ns"));
    }

    static final List<String> READING_COLUMNS = List.of("time_utc", "time_ns", "site", "device", "channel", "unit",
            "value", "qc", "cal", "raw_value", "raw_unit");
    static final List<String> LEDGER_COLUMNS = List.of("hour_utc", "site", "device", "channel", "interval_s", "expected",
            "received", "flagged", "clock_unsynced", "delivered", "gap_readings", "missing", "gateway_up_s", "causes",
            "influx_count", "influx_missing", "resent");
    static final List<String> GAP_COLUMNS = List.of("first_utc", "first_ns", "last_ns", "site", "device", "channel",
            "readings", "cause", "source");
    static final List<String> CALIBRATION_COLUMNS = List.of("site", "id", "valid_from", "input", "coefficients", "unit",
            "reference", "supersedes", "readings_in_window");

    private final String gatewayId;
    private final String database;
    private final List<SiteConfig> sites;
    private final InfluxQuery influx;
    private final CompletenessLedger ledger;
    private final TableFile.Format format;

    public WindowExport(String gatewayId, String database, List<SiteConfig> sites, InfluxQuery influx,
                        CompletenessLedger ledger, String format) {
        this.gatewayId = gatewayId;
        this.database = database;
        this.sites = List.copyOf(sites);
        this.influx = influx;
        this.ledger = ledger;
        this.format = TableFile.Format.of(format);
    }

    /**
     * Writes the window into {@code dir} (created; must not hold an export already), the signer's public key, and the
     * manifest chained and signed as {@code link} says; returns the manifest.
     */
    @Override
    public Manifest write(ExportWindow window, Path dir, Manifest.ChainLink link) throws IOException {
        Files.createDirectories(dir.resolve("config"));
        Map<String, Long> rows = new TreeMap<>();
        Map<String, Long> byCalibration = new TreeMap<>();
        rows.put(file("readings"), readings(window, dir.resolve(file("readings")), byCalibration));
        for (String measurement : DERIVED.keySet()) {
            String name = file(DERIVED_FILES.get(measurement));
            rows.put(name, derived(measurement, window, dir.resolve(name)));
        }
        CompletenessLedger.Report report = ledger.report(window.fromNs(), window.toNs());
        try (TableFile t = new TableFile(dir.resolve(file("ledger")), format, LEDGER_COLUMNS)) {
            for (CompletenessLedger.Row r : report.rows()) {
                t.row(Arrays.asList(r.hour() + ":00:00Z", r.site(), r.device(), r.channel(), r.intervalS(), r.expected(),
                        r.received(), r.flagged(), r.clockUnsynced(), r.delivered(), r.gapReadings(), r.missing(),
                        r.gatewayUpS(), r.causes(), r.influxCount(), r.influxMissing(), r.resent()));
            }
            rows.put(file("ledger"), t.rows());
        }
        try (TableFile t = new TableFile(dir.resolve(file("gaps")), format, GAP_COLUMNS)) {
            for (CompletenessLedger.Gap g : report.gaps()) {
                t.row(Arrays.asList(utc(g.firstNs()), g.firstNs(), g.lastNs(), g.site(), g.device(), g.channel(),
                        g.readings(), g.cause(), g.source()));
            }
            rows.put(file("gaps"), t.rows());
        }
        rows.put(file("calibrations"), calibrations(dir.resolve(file("calibrations")), byCalibration));
        List<String> siteFiles = new ArrayList<>();
        for (SiteConfig site : sites) {
            Path source = Path.of(site.file());
            String name = "config/" + site.id() + "-" + source.getFileName();
            Files.copy(source, dir.resolve(name));
            siteFiles.add(name);
        }
        String keyFile = link.writePublicKey(dir);
        // the report reads the tables back from the folder, so every figure is what the files beside it hold
        List<ReportHtml.Site> described = new ArrayList<>();
        for (SiteConfig site : sites) {
            described.add(new ReportHtml.Site(site.id(), site.name(),
                    site.timezone() == null ? null : site.timezone().getId()));
        }
        String reportFile = ReportHtml.write(dir, new ReportHtml.Header(gatewayId, Manifest.softwareVersion(), window,
                Manifest.configSha256(dir, siteFiles), link.signer().fingerprint(),
                link.announce() == null ? null : GatewayKeys.fingerprint(link.announce()), database, described, rows,
                List.of(keyFile)), format.extension);
        Manifest manifest = Manifest.build(dir, gatewayId, database, window, siteFiles, List.of(keyFile, reportFile), rows,
                link, Instant.now());
        manifest.writeSigned(dir, link.signer());
        return manifest;
    }

    private String file(String table) {
        return table + format.extension;
    }

    private long readings(ExportWindow w, Path file, Map<String, Long> byCalibration) throws IOException {
        Map<String, ChannelConfig> channels = new LinkedHashMap<>();
        Map<String, SiteConfig> siteOf = new LinkedHashMap<>();
        for (SiteConfig site : sites) {
            for (ProbeConfig p : site.probes()) {
                for (ChannelConfig c : p.channels()) {
                    channels.put(site.id() + "/" + p.id() + "/" + c.name(), c);
                    siteOf.put(site.id() + "/" + p.id() + "/" + c.name(), site);
                }
            }
        }
        try (TableFile t = new TableFile(file, format, READING_COLUMNS)) {
            influx.forEachRow("SELECT value, qc FROM \"reading\" WHERE time >= " + w.fromNs() + " AND time < "
                    + w.toNs() + " GROUP BY *", row -> {
                String key = row.get("site") + "/" + row.get("device") + "/" + row.get("channel");
                String cal = blankToNull(row.get("cal"));
                double value = ((Number) row.get("value")).doubleValue();
                ChannelConfig channel = channels.get(key);
                Double raw = null;
                String rawUnit = null;
                if (channel != null && cal != null) {
                    raw = RawValue.beforeCalibration(value, cal, channel, siteOf.get(key).calibrations().get(cal));
                    rawUnit = raw == null ? null : channel.model().unit();
                }
                if (cal != null) {
                    byCalibration.merge(row.get("site") + "/" + cal, 1L, Long::sum);
                }
                long timeNs = (Long) row.get("time");
                t.row(Arrays.asList(utc(timeNs), timeNs, row.get("site"), row.get("device"), row.get("channel"),
                        row.get("unit"), value, row.get("qc"), cal, raw, rawUnit));
            });
            return t.rows();
        }
    }

    private long derived(String measurement, ExportWindow w, Path file) throws IOException {
        List<Map<String, Object>> points = new ArrayList<>();
        TreeSet<String> extra = new TreeSet<>();
        List<String> documented = DERIVED.get(measurement);
        influx.forEachRow("SELECT * FROM \"" + measurement + "\" WHERE time >= " + w.fromNs() + " AND time < "
                + w.toNs(), row -> {
            points.add(row);
            for (String k : row.keySet()) {
                if (!k.equals("time") && !documented.contains(k)) {
                    extra.add(k);
                }
            }
        });
        List<String> columns = new ArrayList<>(List.of("time_utc", "time_ns"));
        columns.addAll(documented);
        columns.addAll(extra);
        try (TableFile t = new TableFile(file, format, columns)) {
            for (Map<String, Object> p : points) {
                List<Object> values = new ArrayList<>();
                long timeNs = (Long) p.get("time");
                values.add(utc(timeNs));
                values.add(timeNs);
                for (String c : columns.subList(2, columns.size())) {
                    values.add(p.get(c));
                }
                t.row(values);
            }
            return t.rows();
        }
    }

    private long calibrations(Path file, Map<String, Long> byCalibration) throws IOException {
        try (TableFile t = new TableFile(file, format, CALIBRATION_COLUMNS)) {
            TreeSet<String> listed = new TreeSet<>();
            for (SiteConfig site : sites) {
                for (Calibration c : new TreeMap<>(site.calibrations()).values()) {
                    StringBuilder coefficients = new StringBuilder();
                    for (double k : c.coefficients()) {
                        coefficients.append(coefficients.length() == 0 ? "" : " ").append(k);
                    }
                    t.row(Arrays.asList(site.id(), c.id(), c.validFrom().toString(), c.rawInput() ? "raw" : "scaled",
                            coefficients.toString(), c.unit(), c.reference(), c.supersedes(),
                            byCalibration.getOrDefault(site.id() + "/" + c.id(), 0L)));
                    listed.add(site.id() + "/" + c.id());
                }
            }
            // the sensor models' own scaling (model:<id>) and ids named by remote nodes, with their counts
            for (Map.Entry<String, Long> e : byCalibration.entrySet()) {
                if (!listed.contains(e.getKey())) {
                    String[] parts = e.getKey().split("/", 2);
                    t.row(Arrays.asList(parts[0], parts[1], null, parts[1].startsWith("model:") ? "model" : null, null,
                            null, parts[1].startsWith("model:") ? "the sensor model file's scaling" : "named by the source",
                            null, e.getValue()));
                }
            }
            return t.rows();
        }
    }

    private static String blankToNull(Object o) {
        return o == null || o.toString().isEmpty() ? null : o.toString();
    }

    static String utc(long timeNs) {
        return Instant.ofEpochSecond(Math.floorDiv(timeNs, 1_000_000_000L), Math.floorMod(timeNs, 1_000_000_000L))
                .toString();
    }
}
