package org.fieldgate.export;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * {@code report.html}: one window's export for a person to read, drawn from the tables beside it (read back from the
 * files, so every figure names the file and columns it shows). Self-contained (inline CSS and SVG, no script, font or
 * image from anywhere), printable on A4, and deterministic: the same files and header give the same bytes (no clock,
 * {@link Locale#ROOT} numbers, rows in file order, groups sorted), so a re-export of an unchanged window keeps its
 * manifest. Every text that comes from data is HTML-escaped.
 */
final class ReportHtml {
    static final String FILE = "report.html";
    private static final DateTimeFormatter UTC_MINUTE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm'Z'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter TICK_DAY = DateTimeFormatter.ofPattern("MM-dd", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter TICK_TIME = DateTimeFormatter.ofPattern("MM-dd HH:mm", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final String NO_INTERVAL = "no interval in this export";

    /** A site as its file describes it. */
    record Site(String id, String name, String timezone) {
    }

    /**
     * What the report says about the export beside the tables: the manifest's fields that are known before it is
     * written (not its generation time, nor the chain, which a re-chain rewrites), and the table files with their rows.
     */
    record Header(String gatewayId, String softwareVersion, ExportWindow window, String configSha256, String keySha256,
                  String nextKeySha256, String influxDatabase, List<Site> sites, Map<String, Long> tableRows,
                  List<String> otherFiles) {
    }

    private ReportHtml() {
    }

    /** Reads the window's tables from {@code dir}, writes {@link #FILE} there; returns its name. */
    static String write(Path dir, Header header, String extension) throws IOException {
        Map<String, TableFile.Table> tables = new TreeMap<>();
        for (String t : List.of("fluxes", "fixation", "decomposition", "ledger", "calibrations", "gaps")) {
            Path file = dir.resolve(t + extension);
            if (Files.isRegularFile(file)) {
                tables.put(t, TableFile.read(file));
            }
        }
        Files.write(dir.resolve(FILE), render(header, tables).getBytes(StandardCharsets.UTF_8));
        return FILE;
    }

    /** The page for {@code tables} keyed by their base name (fluxes, fixation, decomposition, ledger, ...). */
    static String render(Header h, Map<String, TableFile.Table> tables) {
        Html out = new Html();
        out.raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .raw("<title>").text("fieldgate report " + h.window().id() + " " + h.gatewayId()).raw("</title>\n")
                .raw("<style>\n").raw(CSS).raw("</style>\n</head>\n<body>\n");
        summary(out, h);
        completeness(out, tables.get("ledger"), tables.get("gaps"));
        fluxes(out, tables.get("fluxes"), h.window());
        decomposition(out, tables.get("decomposition"));
        fixation(out, tables.get("fixation"), h.window());
        calibrations(out, tables.get("calibrations"), h.window());
        out.raw("<footer><p>Written by the gateway with the export; every figure above is drawn from the file it names"
                + " beside this report, and manifest.json lists this report with its SHA-256 like every other file, so"
                + " the signature manifest.json.sig covers it.</p></footer>\n</body>\n</html>\n");
        return out.toString();
    }

    // ---- sections ----

    private static void summary(Html out, Header h) {
        out.raw("<header>\n<h1>Export report <span class=\"id\">").text(h.window().id()).raw("</span></h1>\n");
        out.raw("<dl class=\"facts\">\n");
        List<String> sites = new ArrayList<>();
        for (Site s : h.sites()) {
            sites.add(s.id() + (s.name() == null || s.name().isBlank() ? "" : " — " + s.name())
                    + (s.timezone() == null ? "" : " (" + s.timezone() + ")"));
        }
        fact(out, "Site", sites.isEmpty() ? "none configured" : String.join("; ", sites));
        fact(out, "Window", UTC_MINUTE.format(h.window().from()) + " to " + UTC_MINUTE.format(h.window().to())
                + " (from inclusive, to exclusive)");
        fact(out, "Gateway id", h.gatewayId());
        out.raw("<dt>Signing key (SHA-256 fingerprint)</dt><dd><code class=\"hash\">").text(h.keySha256())
                .raw("</code></dd>\n");
        if (h.nextKeySha256() != null) {
            out.raw("<dt>Announces key</dt><dd><code class=\"hash\">").text(h.nextKeySha256()).raw("</code></dd>\n");
        }
        fact(out, "Software version", h.softwareVersion());
        out.raw("<dt>Config hash (config_sha256)</dt><dd><code class=\"hash\">").text(h.configSha256())
                .raw("</code></dd>\n");
        fact(out, "InfluxDB database", h.influxDatabase());
        out.raw("</dl>\n<p class=\"files\">Files beside this report: ");
        List<String> names = new ArrayList<>();
        h.tableRows().forEach((name, rows) -> names.add(name));
        names.addAll(h.otherFiles());
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            out.raw(i == 0 ? "" : ", ").raw("<a href=\"").attr(name).raw("\"><code>").text(name).raw("</code></a>");
            Long rows = h.tableRows().get(name);
            if (rows != null) {
                out.text(" (" + rows + (rows == 1 ? " row)" : " rows)"));
            }
        }
        out.raw(", and <code>manifest.json</code> with its signature <code>manifest.json.sig</code>. Check them"
                + " without fieldgate: <code>openssl pkeyutl -verify -pubin -inkey gateway.pub.pem -rawin -in"
                + " manifest.json -sigfile manifest.json.sig</code> (compare the key's fingerprint with the"
                + " gateway's <code>fieldgate key show</code>).</p>\n</header>\n");
    }

    private static void fact(Html out, String term, String value) {
        out.raw("<dt>").text(term).raw("</dt><dd>").text(value == null ? "not stated" : value).raw("</dd>\n");
    }

    private static void completeness(Html out, TableFile.Table ledger, TableFile.Table gaps) {
        out.raw("<section id=\"completeness\">\n<h2>Completeness per channel</h2>\n");
        if (ledger == null || ledger.rows().isEmpty()) {
            none(out, "No ledger rows in this window: no channel is configured or counted.", ledger);
            out.raw("</section>\n");
            return;
        }
        // expected, received, missing, flagged, hours, has expected, gap-recorded
        Map<String, long[]> byChannel = new TreeMap<>();
        Map<String, String> interval = new TreeMap<>();
        for (List<String> r : ledger.rows()) {
            String key = ledger.get(r, "site") + " / " + ledger.get(r, "device") + " / " + ledger.get(r, "channel");
            long[] sums = byChannel.computeIfAbsent(key, k -> new long[7]);
            Double expected = ledger.number(r, "expected");
            sums[0] += expected == null ? 0 : Math.round(expected);
            sums[1] += count(ledger.number(r, "received"));
            sums[2] += count(ledger.number(r, "missing"));
            sums[3] += count(ledger.number(r, "flagged"));
            sums[4]++;
            sums[5] |= expected == null ? 0 : 1;
            sums[6] += count(ledger.number(r, "gap_readings"));
            if (ledger.get(r, "interval_s") != null) {
                interval.put(key, ledger.get(r, "interval_s"));
            }
        }
        List<String> keys = new ArrayList<>(byChannel.keySet());
        // one site (the usual window): the chart's labels leave it out and the caption names it once
        Set<String> sites = new TreeSet<>();
        for (List<String> r : ledger.rows()) {
            sites.add(ledger.get(r, "site"));
        }
        String sitePrefix = sites.size() == 1 ? sites.iterator().next() + " / " : null;
        int rowH = 18;
        int labelW = 300;
        int barW = 380;
        Svg svg = new Svg(labelW + barW + 70, 28 + keys.size() * rowH, "Received readings as a share of expected, per channel");
        for (int i = 0; i < keys.size(); i++) {
            long[] s = byChannel.get(keys.get(i));
            double y = 20 + i * rowH;
            String label = sitePrefix != null && keys.get(i).startsWith(sitePrefix)
                    ? keys.get(i).substring(sitePrefix.length()) : keys.get(i);
            // a label wider than its column would be cut at the chart's left edge: keep its end (the channel),
            // mark the cut with an ellipsis and give the full name as the tooltip (and in the table below)
            String shown = fitLeft(label, (int) ((labelW - 6) / LABEL_CHAR_PX));
            svg.text(labelW - 6, y + 12, "end", "label", shown, shown.equals(label) ? null : keys.get(i));
            svg.rect(labelW, y + 3, barW, rowH - 6, "track");
            if (s[5] == 1 && s[0] > 0) {
                double share = (double) s[1] / s[0];
                svg.rect(labelW, y + 3, barW * Math.min(1, share), rowH - 6, share >= 0.95 ? "ok" : share >= 0.8 ? "warn" : "bad");
                svg.text(labelW + barW + 6, y + 12, "start", "label", percent(share));
            } else {
                svg.text(labelW + 6, y + 12, "start", "label", "expected not configured (remote node)");
            }
        }
        for (int p = 0; p <= 100; p += 25) {
            double x = labelW + barW * p / 100.0;
            svg.line(x, 16, x, 20 + keys.size() * rowH, "grid");
            svg.text(x, 13, "middle", "tick", p + " %");
        }
        out.raw("<figure>\n");
        if (sitePrefix != null) {
            out.raw("<figcaption>").text("Site " + sites.iterator().next() + ": device / channel").raw("</figcaption>\n");
        }
        out.raw(svg.toString());
        source(out, ledger, "rows summed per site, device and channel over the window's hours",
                "site", "device", "channel", "expected", "received", "gap_readings", "missing", "flagged");
        out.raw("</figure>\n<table>\n<thead><tr><th>site / device / channel</th><th>interval s</th><th>hours</th>"
                + "<th>expected</th><th>received</th><th>missed (gap records)</th><th>missing (unexplained)</th>"
                + "<th>flagged</th><th>received / expected</th></tr></thead>\n<tbody>\n");
        for (String key : keys) {
            long[] s = byChannel.get(key);
            out.raw("<tr><td>").text(key).raw("</td><td class=\"n\">").text(interval.getOrDefault(key, ""))
                    .raw("</td><td class=\"n\">").text(Long.toString(s[4]))
                    .raw("</td><td class=\"n\">").text(s[5] == 1 ? Long.toString(s[0]) : "not configured")
                    .raw("</td><td class=\"n\">").text(Long.toString(s[1]))
                    .raw("</td><td class=\"n\">").text(Long.toString(s[6]))
                    .raw("</td><td class=\"n\">").text(s[5] == 1 ? Long.toString(s[2]) : "")
                    .raw("</td><td class=\"n\">").text(Long.toString(s[3]))
                    .raw("</td><td class=\"n\">").text(s[5] == 1 && s[0] > 0 ? percent((double) s[1] / s[0]) : "")
                    .raw("</td></tr>\n");
        }
        out.raw("</tbody>\n</table>\n");
        gapCauses(out, gaps);
        out.raw("</section>\n");
    }

    /**
     * Widest average glyph of the chart labels (12.5 px DejaVu Sans, digits and lower case about 0.6 em), in px; an
     * upper bound, so that a label cut to {@code width / LABEL_CHAR_PX} characters fits its column.
     */
    static final double LABEL_CHAR_PX = 7.9;

    /** {@code text}, or its last {@code maxChars - 1} characters after an ellipsis when it is longer. */
    static String fitLeft(String text, int maxChars) {
        if (text.length() <= maxChars) {
            return text;
        }
        return "\u2026" + text.substring(text.length() - (maxChars - 1));
    }

    private static long count(Double v) {
        return v == null ? 0 : Math.round(v);
    }

    private static void gapCauses(Html out, TableFile.Table gaps) {
        out.raw("<h3>Why readings are missing</h3>\n");
        if (gaps == null || gaps.rows().isEmpty()) {
            none(out, "No gap records in this window.", gaps);
            return;
        }
        Map<String, long[]> byCause = new TreeMap<>();
        for (List<String> r : gaps.rows()) {
            String key = gaps.get(r, "site") + " / " + gaps.get(r, "device") + " / " + gaps.get(r, "channel") + "\u0000"
                    + gaps.get(r, "cause");
            long[] s = byCause.computeIfAbsent(key, k -> new long[2]);
            s[0] += count(gaps.number(r, "readings"));
            s[1]++;
        }
        out.raw("<table>\n<thead><tr><th>site / device / channel</th><th>cause</th><th>gap records</th>"
                + "<th>readings missed</th></tr></thead>\n<tbody>\n");
        for (Map.Entry<String, long[]> e : byCause.entrySet()) {
            String[] parts = e.getKey().split("\u0000", 2);
            out.raw("<tr><td>").text(parts[0]).raw("</td><td>").text(parts[1]).raw("</td><td class=\"n\">")
                    .text(Long.toString(e.getValue()[1])).raw("</td><td class=\"n\">")
                    .text(Long.toString(e.getValue()[0])).raw("</td></tr>\n");
        }
        out.raw("</tbody>\n</table>\n");
        source(out, gaps, "records summed per channel and cause", "site", "device", "channel", "cause", "readings");
    }

    private static void fluxes(Html out, TableFile.Table fluxes, ExportWindow window) {
        out.raw("<section id=\"fluxes\">\n<h2>Chamber fluxes</h2>\n");
        if (fluxes == null || fluxes.rows().isEmpty()) {
            none(out, "No chamber fluxes in this window: no chamber measured.", fluxes);
            out.raw("</section>\n");
            return;
        }
        boolean hasCi = anyValue(fluxes, fluxes.rows(), "flux_ci95_low", "flux_ci95_high");
        Map<String, List<List<String>>> byChamber = group(fluxes, r -> fluxes.get(r, "site") + " / " + fluxes.get(r, "chamber"));
        out.raw("<p>Each point is one closure's flux (µmol m⁻² s⁻¹) with its standard error from the fit (thin bar"
                + " with caps)").raw(hasCi ? " and its 95 % interval including the systematic part (wide pale bar)"
                : "; " + NO_INTERVAL + " (fluxes.csv has no values in flux_ci95_low / flux_ci95_high)").raw(".</p>\n");
        out.raw("<table>\n<thead><tr><th>site / chamber</th><th>closures</th><th>fitted</th><th>with 95 % interval</th>"
                + "<th>flux median</th><th>min</th><th>max</th><th>SE median</th><th>QC flagged</th></tr></thead>\n<tbody>\n");
        for (Map.Entry<String, List<List<String>>> e : byChamber.entrySet()) {
            List<Double> values = new ArrayList<>();
            List<Double> ses = new ArrayList<>();
            int withCi = 0;
            int flagged = 0;
            for (List<String> r : e.getValue()) {
                Double f = fluxes.number(r, "flux");
                if (f != null) {
                    values.add(f);
                }
                Double se = fluxes.number(r, "se");
                if (se != null && f != null) {
                    ses.add(se);
                }
                if (fluxes.number(r, "flux_ci95_low") != null && fluxes.number(r, "flux_ci95_high") != null) {
                    withCi++;
                }
                Double qc = fluxes.number(r, "qc");
                if (qc != null && qc != 0) {
                    flagged++;
                }
            }
            out.raw("<tr><td>").text(e.getKey()).raw("</td><td class=\"n\">").text(Integer.toString(e.getValue().size()))
                    .raw("</td><td class=\"n\">").text(Integer.toString(values.size()))
                    .raw("</td><td class=\"n\">").text(hasCi ? Integer.toString(withCi) : NO_INTERVAL)
                    .raw("</td><td class=\"n\">").text(values.isEmpty() ? "" : num(median(values)))
                    .raw("</td><td class=\"n\">").text(values.isEmpty() ? "" : num(values.stream().mapToDouble(d -> d).min().getAsDouble()))
                    .raw("</td><td class=\"n\">").text(values.isEmpty() ? "" : num(values.stream().mapToDouble(d -> d).max().getAsDouble()))
                    .raw("</td><td class=\"n\">").text(ses.isEmpty() ? "" : num(median(ses)))
                    .raw("</td><td class=\"n\">").text(Integer.toString(flagged)).raw("</td></tr>\n");
        }
        out.raw("</tbody>\n</table>\n");
        for (Map.Entry<String, List<List<String>>> e : byChamber.entrySet()) {
            Chart c = new Chart(window, "flux (µmol m⁻² s⁻¹)", "Fluxes of " + e.getKey());
            int fitted = 0;
            for (List<String> r : e.getValue()) {
                Double t = fluxes.number(r, "time_ns");
                Double f = fluxes.number(r, "flux");
                if (t == null || f == null) {
                    continue;
                }
                fitted++;
                Double se = fluxes.number(r, "se");
                Double lo = fluxes.number(r, "flux_ci95_low");
                Double hi = fluxes.number(r, "flux_ci95_high");
                c.include(f);
                if (se != null) {
                    c.include(f - se);
                    c.include(f + se);
                }
                if (lo != null && hi != null) {
                    c.include(lo);
                    c.include(hi);
                }
            }
            out.raw("<figure class=\"chart\">\n<figcaption>").text(e.getKey()).raw("</figcaption>\n");
            if (fitted == 0) {
                out.raw("<p class=\"none\">No fitted flux for this chamber in this window (every closure has an empty"
                        + " flux: see <code>reason</code> in fluxes.csv).</p>\n");
            } else {
                c.prepare();
                for (List<String> r : e.getValue()) {
                    Double t = fluxes.number(r, "time_ns");
                    Double f = fluxes.number(r, "flux");
                    if (t == null || f == null) {
                        continue;
                    }
                    double x = c.x(t / 1e9);
                    Double lo = fluxes.number(r, "flux_ci95_low");
                    Double hi = fluxes.number(r, "flux_ci95_high");
                    if (lo != null && hi != null) {
                        c.svg.line(x, c.y(lo), x, c.y(hi), "ci");
                    }
                    Double se = fluxes.number(r, "se");
                    if (se != null) {
                        c.svg.line(x, c.y(f - se), x, c.y(f + se), "se");
                        c.svg.line(x - 3, c.y(f - se), x + 3, c.y(f - se), "se");
                        c.svg.line(x - 3, c.y(f + se), x + 3, c.y(f + se), "se");
                    }
                    Double qc = fluxes.number(r, "qc");
                    c.svg.circle(x, c.y(f), 2.6, qc != null && qc != 0 ? "pt flagged" : "pt");
                }
                c.legend(List.of(new String[]{"pt", "flux"}, new String[]{"se", "± SE (fit)"},
                        new String[]{hasCi ? "ci" : "", hasCi ? "95 % interval" : NO_INTERVAL},
                        new String[]{"pt flagged", "QC flagged"}));
                out.raw(c.svg.toString());
            }
            source(out, fluxes, "rows of this site and chamber; x = time_ns", "site", "chamber", "time_ns", "flux", "se",
                    hasCi ? "flux_ci95_low" : null, hasCi ? "flux_ci95_high" : null, "qc");
            out.raw("</figure>\n");
        }
        out.raw("</section>\n");
    }

    private static void decomposition(Html out, TableFile.Table d) {
        out.raw("<section id=\"decomposition\">\n<h2>Decomposition</h2>\n");
        if (d == null || d.rows().isEmpty()) {
            none(out, "No decomposition results in this window.", d);
            out.raw("</section>\n");
            return;
        }
        String[][] params = {
                {"k_per_yr", "k (yr⁻¹)"}, {"q10", "Q10"}, {"rref_umol_m2_s", "Rref (µmol m⁻² s⁻¹)"},
                {"rh_g_c_m2_yr", "annual Rh (g C m⁻² yr⁻¹)"}};
        out.raw("<p>One row per day. Intervals are 95 %; ").text(anyInterval(d, params) ? "a dash means none for that day"
                + " (they need two measured days)." : NO_INTERVAL + " (decomposition.csv has no *_ci95_low / *_ci95_high"
                + " values).").raw("</p>\n");
        out.raw("<div class=\"wide\"><table>\n<thead><tr><th>day from (UTC)</th><th>site</th><th>Rs µmol m⁻² s⁻¹</th>"
                + "<th>Rh µmol m⁻² s⁻¹</th><th>soil T °C</th>");
        for (String[] p : params) {
            out.raw("<th>").text(p[1]).raw("</th>");
        }
        out.raw("<th>days measured</th><th>coverage</th><th>partitioning</th><th>flags</th></tr></thead>\n<tbody>\n");
        for (List<String> r : d.rows()) {
            out.raw("<tr><td>").text(shortUtc(d.get(r, "time_utc"))).raw("</td><td>").text(orEmpty(d.get(r, "site")))
                    .raw("</td><td class=\"n\">").text(numCell(d, r, "rs_umol_m2_s"))
                    .raw("</td><td class=\"n\">").text(numCell(d, r, "rh_umol_m2_s"))
                    .raw("</td><td class=\"n\">").text(numCell(d, r, "soil_temp_c")).raw("</td>");
            for (String[] p : params) {
                out.raw("<td class=\"n iv\">").text(withInterval(d, r, p[0])).raw("</td>");
            }
            out.raw("<td class=\"n\">").text(numCell(d, r, "days_measured")).raw("</td><td class=\"n\">")
                    .text(d.number(r, "coverage") == null ? "" : percent(d.number(r, "coverage")))
                    .raw("</td><td>").text(orEmpty(d.get(r, "partitioning"))).raw("</td><td>")
                    .text(orEmpty(d.get(r, "flags"))).raw("</td></tr>\n");
        }
        out.raw("</tbody>\n</table></div>\n");
        // the latest day of each site: its four parameters with their intervals, each on its own scale
        Map<String, List<List<String>>> bySite = group(d, r -> d.get(r, "site"));
        for (Map.Entry<String, List<List<String>>> e : bySite.entrySet()) {
            List<String> last = e.getValue().get(e.getValue().size() - 1);
            int rowH = 44;
            Svg svg = new Svg(720, 16 + params.length * rowH, "Decomposition parameters of " + e.getKey()
                    + " with 95 % intervals");
            for (int i = 0; i < params.length; i++) {
                double y = 10 + i * rowH;
                Double v = d.number(last, params[i][0]);
                Double lo = d.number(last, params[i][0] + "_ci95_low");
                Double hi = d.number(last, params[i][0] + "_ci95_high");
                svg.text(0, y + 22, "start", "label", params[i][1]);
                if (v == null) {
                    svg.text(230, y + 22, "start", "label", "no value");
                    continue;
                }
                double min = lo == null ? v : Math.min(lo, v);
                double max = hi == null ? v : Math.max(hi, v);
                double pad = max > min ? (max - min) * 0.25 : Math.max(Math.abs(v) * 0.25, 1e-9);
                double x0 = 230;
                double w = 380;
                Function<Double, Double> sx = q -> x0 + (q - (min - pad)) / (max - min + 2 * pad) * w;
                svg.line(x0, y + 18, x0 + w, y + 18, "axis");
                if (lo != null && hi != null) {
                    svg.line(sx.apply(lo), y + 18, sx.apply(hi), y + 18, "ci");
                    svg.text(sx.apply(lo), y + 36, "middle", "tick", num(lo));
                    svg.text(sx.apply(hi), y + 36, "middle", "tick", num(hi));
                }
                svg.circle(sx.apply(v), y + 18, 4, "pt");
                svg.text(sx.apply(v), y + 9, "middle", "label", num(v));
                svg.text(x0 + w + 10, y + 22, "start", "tick", lo != null && hi != null ? "95 % interval" : NO_INTERVAL);
            }
            out.raw("<figure class=\"chart\">\n<figcaption>").text(e.getKey() + ", day from " + shortUtc(d.get(last, "time_utc")))
                    .raw("</figcaption>\n").raw(svg.toString());
            source(out, d, "the site's last row in the window", "site", "time_utc", "k_per_yr", "k_per_yr_ci95_low",
                    "k_per_yr_ci95_high", "q10", "q10_ci95_low", "q10_ci95_high", "rref_umol_m2_s",
                    "rref_umol_m2_s_ci95_low", "rref_umol_m2_s_ci95_high", "rh_g_c_m2_yr", "rh_g_c_m2_yr_ci95_low",
                    "rh_g_c_m2_yr_ci95_high");
            out.raw("</figure>\n");
        }
        out.raw("</section>\n");
    }

    private static boolean anyInterval(TableFile.Table t, String[][] params) {
        for (String[] p : params) {
            if (anyValue(t, t.rows(), p[0] + "_ci95_low", p[0] + "_ci95_high")) {
                return true;
            }
        }
        return false;
    }

    /** Whether a row of {@code rows} has a number in each of {@code columns} (absent columns: none has). */
    private static boolean anyValue(TableFile.Table t, List<List<String>> rows, String... columns) {
        for (List<String> r : rows) {
            boolean all = true;
            for (String c : columns) {
                all &= t.number(r, c) != null;
            }
            if (all) {
                return true;
            }
        }
        return false;
    }

    private static void fixation(Html out, TableFile.Table fx, ExportWindow window) {
        out.raw("<section id=\"house\">\n<h2>Mineralisation house: uptake, X(t) and net removal</h2>\n");
        if (fx == null || fx.rows().isEmpty()) {
            none(out, "No mineralisation house results in this window (no house, or no measured hour).", fx);
            out.raw("</section>\n");
            return;
        }
        Map<String, List<List<String>>> byBatch = group(fx, r -> fx.get(r, "site") + " / batch " + fx.get(r, "batch"));
        out.raw("<p>Values are the batch to date at the end of each hour. Intervals are 95 %; the conservative value"
                + " is the 5th percentile of net removal over measured hours only (missing hours are not"
                + " extrapolated; coverage says how much of the time they cover).</p>\n");
        out.raw("<table>\n<thead><tr><th>site / batch</th><th>last hour (UTC)</th><th>cumulative uptake kg CO₂</th>"
                + "<th>X</th><th>net removal kg CO₂</th><th>conservative net kg CO₂</th><th>coverage</th>"
                + "<th>fan energy kWh</th><th>energy kg CO₂</th><th>measured h</th></tr></thead>\n<tbody>\n");
        for (Map.Entry<String, List<List<String>>> e : byBatch.entrySet()) {
            List<String> last = e.getValue().get(e.getValue().size() - 1);
            out.raw("<tr><td>").text(e.getKey()).raw("</td><td>").text(shortUtc(fx.get(last, "time_utc")))
                    .raw("</td><td class=\"n iv\">").text(withInterval(fx, last, "cumulative_kg"))
                    .raw("</td><td class=\"n iv\">").text(withInterval(fx, last, "x"))
                    .raw("</td><td class=\"n iv\">").text(withInterval(fx, last, "net_kg"))
                    .raw("</td><td class=\"n strong\">").text(anyValue(fx, e.getValue(), "net_kg_conservative")
                            ? numCell(fx, last, "net_kg_conservative") : NO_INTERVAL)
                    .raw("</td><td class=\"n\">").text(fx.number(last, "coverage") == null ? ""
                            : percent(fx.number(last, "coverage")))
                    .raw("</td><td class=\"n\">").text(numCell(fx, last, "energy_kwh"))
                    .raw("</td><td class=\"n\">").text(numCell(fx, last, "energy_kg_co2"))
                    .raw("</td><td class=\"n\">").text(numCell(fx, last, "measured_h_total")).raw("</td></tr>\n");
        }
        out.raw("</tbody>\n</table>\n");
        for (Map.Entry<String, List<List<String>>> e : byBatch.entrySet()) {
            seriesChart(out, fx, e, window, "cumulative_kg", "cumulative uptake (kg CO₂)", null, null);
            seriesChart(out, fx, e, window, "x", "mineralised fraction X",
                    anyValue(fx, e.getValue(), "x_fit") ? "x_fit" : null, null);
            seriesChart(out, fx, e, window, "net_kg", "net removal (kg CO₂)", null,
                    anyValue(fx, e.getValue(), "net_kg_conservative") ? "net_kg_conservative" : null);
        }
        out.raw("</section>\n");
    }

    /** One column of a batch over time: its line, its 95 % band when the table has it, and a dashed companion. */
    private static void seriesChart(Html out, TableFile.Table t, Map.Entry<String, List<List<String>>> group,
                                    ExportWindow window, String column, String label, String fitColumn,
                                    String conservativeColumn) {
        String lowCol = column + "_ci95_low";
        String highCol = column + "_ci95_high";
        boolean hasCi = anyValue(t, group.getValue(), lowCol, highCol);
        Chart c = new Chart(window, label, label + " of " + group.getKey());
        List<double[]> points = new ArrayList<>();
        List<double[]> band = new ArrayList<>();
        List<double[]> fit = new ArrayList<>();
        List<double[]> conservative = new ArrayList<>();
        for (List<String> r : group.getValue()) {
            Double time = t.number(r, "time_ns");
            if (time == null) {
                continue;
            }
            double s = time / 1e9 + 1800; // the hour's value stands at its end, the middle of the hour is drawn
            add(points, c, s, t.number(r, column));
            Double lo = t.number(r, lowCol);
            Double hi = t.number(r, highCol);
            if (lo != null && hi != null) {
                band.add(new double[]{s, lo, hi});
                c.include(lo);
                c.include(hi);
            }
            if (fitColumn != null) {
                add(fit, c, s, t.number(r, fitColumn));
            }
            if (conservativeColumn != null) {
                add(conservative, c, s, t.number(r, conservativeColumn));
            }
        }
        out.raw("<figure class=\"chart\">\n<figcaption>").text(label + " — " + group.getKey()).raw("</figcaption>\n");
        if (points.isEmpty()) {
            out.raw("<p class=\"none\">No value of ").text(column).raw(" in this window.</p>\n");
        } else {
            c.prepare();
            if (!band.isEmpty()) {
                StringBuilder poly = new StringBuilder();
                for (double[] b : band) {
                    poly.append(poly.length() == 0 ? "" : " ").append(coord(c.x(b[0]))).append(',').append(coord(c.y(b[2])));
                }
                for (int i = band.size() - 1; i >= 0; i--) {
                    poly.append(' ').append(coord(c.x(band.get(i)[0]))).append(',').append(coord(c.y(band.get(i)[1])));
                }
                if (band.size() == 1) {
                    c.svg.line(c.x(band.get(0)[0]), c.y(band.get(0)[1]), c.x(band.get(0)[0]), c.y(band.get(0)[2]), "ci");
                } else {
                    c.svg.raw("<polygon class=\"band\" points=\"" + poly + "\"/>\n");
                }
            }
            c.polyline(fit, "fit");
            c.polyline(conservative, "cons");
            c.polyline(points, "series");
            for (double[] p : points) {
                c.svg.circle(c.x(p[0]), c.y(p[1]), 1.8, "pt");
            }
            List<String[]> legend = new ArrayList<>();
            legend.add(new String[]{"pt", column});
            legend.add(new String[]{hasCi ? "ci" : "", hasCi ? "95 % interval" : NO_INTERVAL});
            if (fitColumn != null) {
                legend.add(new String[]{"fit", "shrinking-core fit (" + fitColumn + ")"});
            }
            if (conservativeColumn != null) {
                legend.add(new String[]{"cons", "conservative (5th percentile)"});
            }
            c.legend(legend);
            out.raw(c.svg.toString());
        }
        source(out, t, "rows of this site and batch; x = time_ns (the hour's start) + 30 min", "site", "batch",
                "time_ns", column, hasCi ? lowCol : null, hasCi ? highCol : null, fitColumn, conservativeColumn);
        out.raw("</figure>\n");
    }

    private static void add(List<double[]> points, Chart c, double s, Double v) {
        if (v != null) {
            points.add(new double[]{s, v});
            c.include(v);
        }
    }

    private static void calibrations(Html out, TableFile.Table cal, ExportWindow window) {
        out.raw("<section id=\"calibrations\">\n<h2>Calibration versions</h2>\n");
        if (cal == null || cal.rows().isEmpty()) {
            none(out, "No calibration versions: the site files define none and no reading named one.", cal);
            out.raw("</section>\n");
            return;
        }
        // in force: valid before the window ends and not superseded by a version valid from its start
        Map<String, String> supersededFrom = new LinkedHashMap<>();
        for (List<String> r : cal.rows()) {
            if (cal.get(r, "supersedes") != null && cal.get(r, "valid_from") != null) {
                supersededFrom.merge(cal.get(r, "site") + "/" + cal.get(r, "supersedes"), cal.get(r, "valid_from"),
                        (a, b) -> a.compareTo(b) <= 0 ? a : b);
            }
        }
        String windowStart = window.from().atZone(ZoneOffset.UTC).toLocalDate().toString();
        String windowEnd = window.to().atZone(ZoneOffset.UTC).toLocalDate().toString();
        out.raw("<table>\n<thead><tr><th>site</th><th>id</th><th>valid from</th><th>input</th><th>coefficients"
                + " (c0 c1 …)</th><th>unit</th><th>reference</th><th>supersedes</th><th>readings in window</th>"
                + "<th>in force</th></tr></thead>\n<tbody>\n");
        for (List<String> r : cal.rows()) {
            String from = cal.get(r, "valid_from");
            String replacedFrom = supersededFrom.get(cal.get(r, "site") + "/" + cal.get(r, "id"));
            Double used = cal.number(r, "readings_in_window");
            boolean inForce = used != null && used > 0 || from != null && from.compareTo(windowEnd) <= 0
                    && (replacedFrom == null || replacedFrom.compareTo(windowStart) > 0);
            out.raw(inForce ? "<tr class=\"inforce\">" : "<tr>");
            for (String c : List.of("site", "id", "valid_from", "input", "coefficients", "unit", "reference", "supersedes")) {
                out.raw("<td>").text(orEmpty(cal.get(r, c))).raw("</td>");
            }
            out.raw("<td class=\"n\">").text(orEmpty(cal.get(r, "readings_in_window"))).raw("</td><td>")
                    .text(inForce ? "yes" : "no").raw("</td></tr>\n");
        }
        out.raw("</tbody>\n</table>\n");
        source(out, cal, "every row; in force = used by a reading in the window, or valid from a day before the"
                + " window's end and not superseded from its start", "site", "id", "valid_from", "supersedes",
                "readings_in_window");
        out.raw("</section>\n");
    }

    // ---- helpers ----

    private static void none(Html out, String text, TableFile.Table t) {
        out.raw("<p class=\"none\">").text(text);
        if (t != null) {
            out.raw(" (<code>").text(t.file()).raw("</code> has no rows.)");
        }
        out.raw("</p>\n");
    }

    /** Names the file and columns a figure came from; absent columns are left out, null ones skipped. */
    private static void source(Html out, TableFile.Table t, String rows, String... columns) {
        out.raw("<p class=\"src\">Source: <a href=\"").attr(t.file()).raw("\"><code>").text(t.file())
                .raw("</code></a>, columns ");
        boolean first = true;
        for (String c : columns) {
            if (c == null || !t.has(c)) {
                continue;
            }
            out.raw(first ? "" : ", ").raw("<code>").text(c).raw("</code>");
            first = false;
        }
        out.raw("; ").text(rows).raw(".</p>\n");
    }

    private static Map<String, List<List<String>>> group(TableFile.Table t, Function<List<String>, String> key) {
        Map<String, List<List<String>>> out = new TreeMap<>();
        for (List<String> r : t.rows()) {
            out.computeIfAbsent(key.apply(r), k -> new ArrayList<>()).add(r);
        }
        return out;
    }

    /** An ISO-8601 UTC cell as "2026-10-31 15:00Z" (seconds shown only when not zero); other text unchanged. */
    static String shortUtc(String s) {
        if (s == null) {
            return "";
        }
        return s.matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:00Z") ? s.substring(0, 16).replace('T', ' ') + "Z"
                : s.replace('T', ' ');
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    private static String numCell(TableFile.Table t, List<String> r, String column) {
        Double v = t.number(r, column);
        return v == null ? orEmpty(t.get(r, column)) : num(v);
    }

    /** "v (low – high)", "v (–)" without an interval that row, "v, no interval in this export" when no row has one. */
    private static String withInterval(TableFile.Table t, List<String> r, String column) {
        Double v = t.number(r, column);
        if (v == null) {
            return "";
        }
        if (!anyValue(t, t.rows(), column + "_ci95_low", column + "_ci95_high")) {
            return num(v) + ", " + NO_INTERVAL;
        }
        Double lo = t.number(r, column + "_ci95_low");
        Double hi = t.number(r, column + "_ci95_high");
        return lo == null || hi == null ? num(v) + " (–)" : num(v) + " (" + num(lo) + " – " + num(hi) + ")";
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    static String percent(double share) {
        return String.format(Locale.ROOT, "%.1f %%", share * 100);
    }

    /** Four significant digits, plain for 0.001 to 1e6, else scientific; the same double gives the same text. */
    static String num(double v) {
        if (!Double.isFinite(v)) {
            return "";
        }
        if (v == 0) {
            return "0";
        }
        BigDecimal b = new BigDecimal(v).round(new MathContext(4, RoundingMode.HALF_EVEN)).stripTrailingZeros();
        double a = Math.abs(v);
        if (a >= 1e6 || a < 1e-3) {
            return String.format(Locale.ROOT, "%.3e", v);
        }
        return b.toPlainString();
    }

    private static String coord(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    /** HTML text built with escaping by default. */
    static final class Html {
        private final StringBuilder sb = new StringBuilder();

        Html raw(String s) {
            sb.append(s);
            return this;
        }

        Html text(String s) {
            sb.append(escape(s));
            return this;
        }

        Html attr(String s) {
            sb.append(escape(s));
            return this;
        }

        @Override
        public String toString() {
            return sb.toString();
        }
    }

    static String escape(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** An inline SVG; coordinates one decimal, texts escaped. */
    private static final class Svg {
        private final StringBuilder sb = new StringBuilder();

        Svg(double width, double height, String title) {
            sb.append("<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" viewBox=\"0 0 ").append(coord(width))
                    .append(' ').append(coord(height)).append("\" width=\"").append(coord(width)).append("\" height=\"")
                    .append(coord(height)).append("\"><title>").append(escape(title)).append("</title>\n");
        }

        void line(double x1, double y1, double x2, double y2, String cls) {
            sb.append("<line class=\"").append(cls).append("\" x1=\"").append(coord(x1)).append("\" y1=\"")
                    .append(coord(y1)).append("\" x2=\"").append(coord(x2)).append("\" y2=\"").append(coord(y2))
                    .append("\"/>\n");
        }

        void rect(double x, double y, double w, double h, String cls) {
            sb.append("<rect class=\"").append(cls).append("\" x=\"").append(coord(x)).append("\" y=\"").append(coord(y))
                    .append("\" width=\"").append(coord(Math.max(0, w))).append("\" height=\"").append(coord(h))
                    .append("\"/>\n");
        }

        void circle(double x, double y, double r, String cls) {
            sb.append("<circle class=\"").append(cls).append("\" cx=\"").append(coord(x)).append("\" cy=\"")
                    .append(coord(y)).append("\" r=\"").append(coord(r)).append("\"/>\n");
        }

        void text(double x, double y, String anchor, String cls, String text) {
            text(x, y, anchor, cls, text, null);
        }

        /** A text with a tooltip ({@code <title>}, what a browser shows on hover), when {@code title} is given. */
        void text(double x, double y, String anchor, String cls, String text, String title) {
            sb.append("<text class=\"").append(cls).append("\" x=\"").append(coord(x)).append("\" y=\"").append(coord(y))
                    .append("\" text-anchor=\"").append(anchor).append("\">");
            if (title != null) {
                sb.append("<title>").append(escape(title)).append("</title>");
            }
            sb.append(escape(text)).append("</text>\n");
        }

        void raw(String s) {
            sb.append(s);
        }

        @Override
        public String toString() {
            return sb + "</svg>\n";
        }
    }

    /** A time chart over the window: x the window in UTC, y the values included, with axes and ticks. */
    private static final class Chart {
        static final double W = 960;
        static final double H = 260;
        static final double LEFT = 70;
        static final double RIGHT = 44;
        static final double TOP = 12;
        static final double BOTTOM = 58;
        final Svg svg;
        final double t0;
        final double t1;
        final String yLabel;
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;

        Chart(ExportWindow window, String yLabel, String title) {
            this.svg = new Svg(W, H, title);
            this.t0 = window.from().getEpochSecond();
            this.t1 = window.to().getEpochSecond();
            this.yLabel = yLabel;
        }

        void include(double v) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }

        double x(double epochS) {
            return LEFT + (epochS - t0) / (t1 - t0) * (W - LEFT - RIGHT);
        }

        double y(double v) {
            return TOP + (hi - v) / (hi - lo) * (H - TOP - BOTTOM);
        }

        /** Fixes the y range to nice ticks and draws the axes. */
        void prepare() {
            if (hi == lo) {
                double pad = hi == 0 ? 1 : Math.abs(hi) * 0.1;
                lo -= pad;
                hi += pad;
            }
            double step = niceStep((hi - lo) / 5);
            lo = Math.floor(lo / step) * step;
            hi = Math.ceil(hi / step) * step;
            for (double v = lo; v <= hi + step / 2; v += step) {
                double yy = y(v);
                svg.line(LEFT, yy, W - RIGHT, yy, Math.abs(v) < step / 1e6 ? "zero" : "grid");
                svg.text(LEFT - 6, yy + 4, "end", "tick", num(Math.abs(v) < step / 1e6 ? 0 : v));
            }
            double span = t1 - t0;
            double[] steps = {3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800, 2592000};
            double tStep = steps[steps.length - 1];
            for (double s : steps) {
                if (span / s <= 8) {
                    tStep = s;
                    break;
                }
            }
            for (double s = Math.ceil(t0 / tStep) * tStep; s <= t1; s += tStep) {
                double xx = x(s);
                svg.line(xx, TOP, xx, H - BOTTOM, "grid");
                Instant at = Instant.ofEpochSecond((long) s);
                svg.text(xx, H - BOTTOM + 14, "middle", "tick",
                        tStep >= 86400 ? TICK_DAY.format(at) : TICK_TIME.format(at));
            }
            svg.line(LEFT, TOP, LEFT, H - BOTTOM, "axis");
            svg.line(LEFT, H - BOTTOM, W - RIGHT, H - BOTTOM, "axis");
            svg.text(LEFT + (W - LEFT - RIGHT) / 2, H - BOTTOM + 30, "middle", "label", "time (UTC)");
            svg.raw("<text class=\"label\" transform=\"translate(14," + coord(TOP + (H - TOP - BOTTOM) / 2)
                    + ") rotate(-90)\" text-anchor=\"middle\">" + escape(yLabel) + "</text>\n");
        }

        void polyline(List<double[]> points, String cls) {
            if (points.size() < 2) {
                return;
            }
            StringBuilder p = new StringBuilder();
            for (double[] q : points) {
                p.append(p.length() == 0 ? "" : " ").append(coord(x(q[0]))).append(',').append(coord(y(q[1])));
            }
            svg.raw("<polyline class=\"" + cls + "\" points=\"" + p + "\"/>\n");
        }

        /** Legend entries {css class, text} along the bottom; an empty class draws text only. */
        void legend(List<String[]> entries) {
            double x = LEFT;
            double y = H - 10;
            for (String[] e : entries) {
                if (!e[0].isEmpty()) {
                    if (e[0].startsWith("pt")) {
                        svg.circle(x + 6, y - 4, 3, e[0]);
                    } else {
                        svg.line(x, y - 4, x + 14, y - 4, e[0]);
                    }
                }
                svg.text(x + 18, y, "start", "tick", e[1]);
                x += 30 + e[1].length() * 7;
            }
        }

        static double niceStep(double raw) {
            double mag = Math.pow(10, Math.floor(Math.log10(raw)));
            double f = raw / mag;
            return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
        }
    }

    private static final String CSS = """
            :root { --ink: #1d2733; --muted: #5b6770; --line: #d5dbe0; --accent: #1f6fb2; }
            * { box-sizing: border-box; }
            body { font-family: "DejaVu Sans", "Liberation Sans", Arial, Helvetica, sans-serif; color: var(--ink);
                   margin: 24px auto; max-width: 1040px; padding: 0 20px; font-size: 14px; line-height: 1.45; }
            h1 { font-size: 24px; margin: 0 0 12px; } h1 .id { font-family: "DejaVu Sans Mono", monospace; font-size: 18px; color: var(--muted); }
            h2 { font-size: 19px; border-bottom: 2px solid var(--accent); padding-bottom: 3px; margin-top: 32px; }
            h3 { font-size: 15px; margin-top: 20px; }
            dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 3px 16px; margin: 0 0 12px; }
            dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; }
            code, .hash { font-family: "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: 12px; }
            .hash { word-break: break-all; }
            a { color: var(--accent); }
            table { border-collapse: collapse; width: 100%; margin: 8px 0 12px; font-size: 12.5px; }
            th, td { border-bottom: 1px solid var(--line); padding: 3px 6px; text-align: left; vertical-align: top; }
            th { background: #eef2f5; font-weight: 600; }
            td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
            td.strong { font-weight: 700; } td.iv { white-space: normal; }
            tr.inforce td { background: #f1f8ee; }
            div.wide { overflow-x: auto; } div.wide table { font-size: 12px; }
            figure { margin: 12px 0 18px; } figure.chart { break-inside: avoid; page-break-inside: avoid; }
            figcaption { font-weight: 600; margin-bottom: 4px; }
            svg { max-width: 100%; height: auto; display: block; }
            svg text { font-family: "DejaVu Sans", Arial, sans-serif; fill: var(--ink); }
            svg .tick { font-size: 11.5px; fill: var(--muted); } svg .label { font-size: 12.5px; }
            svg .grid { stroke: #e6eaee; stroke-width: 1; } svg .zero { stroke: #9aa5ae; stroke-width: 1; }
            svg .axis { stroke: #6b7680; stroke-width: 1; }
            svg .track { fill: #eef2f5; } svg .ok { fill: #3c8d4f; } svg .warn { fill: #d9a23a; } svg .bad { fill: #c8553d; }
            svg .pt { fill: var(--accent); } svg .pt.flagged { fill: #c8553d; }
            svg .se { stroke: #1d2733; stroke-width: 1.2; }
            svg .ci { stroke: #9cc3e6; stroke-width: 6; stroke-linecap: butt; opacity: 0.8; }
            svg .band { fill: #9cc3e6; opacity: 0.55; stroke: none; }
            svg .series { fill: none; stroke: var(--accent); stroke-width: 1.6; }
            svg .fit { fill: none; stroke: #7a4fb0; stroke-width: 1.4; stroke-dasharray: 5 3; }
            svg .cons { fill: none; stroke: #c8553d; stroke-width: 1.6; stroke-dasharray: 6 3; }
            p.src { color: var(--muted); font-size: 11.5px; margin: 4px 0 0; }
            p.none { color: var(--muted); font-style: italic; }
            p.files { font-size: 12.5px; }
            footer { margin-top: 32px; color: var(--muted); font-size: 11.5px; border-top: 1px solid var(--line); }
            @page { size: A4; margin: 14mm 12mm; }
            @media print {
              body { margin: 0; max-width: none; padding: 0; font-size: 11px; }
              section { break-before: page; page-break-before: always; }
              h2 { margin-top: 0; }
              thead { display: table-header-group; }
              tr { break-inside: avoid; page-break-inside: avoid; }
              a { color: inherit; text-decoration: none; }
              table { font-size: 9.5px; } th, td { padding: 2px 4px; }
              div.wide { overflow: visible; } div.wide table { font-size: 8.5px; }
            }
            """;
}
