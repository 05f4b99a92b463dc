package org.fieldgate.export;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** report.html from a window's tables: the numbers, escaping, equal bytes for equal input, absent columns. */
class ReportHtmlTest {
    private static final String SITE = "soil-plot-example";

    private static String report(Path dir, boolean intervals, String site) throws Exception {
        Map<String, Long> rows = ReportWindows.writeTables(dir, intervals, site);
        ReportHtml.write(dir, ReportWindows.header(site, rows), ".csv");
        return Files.readString(dir.resolve(ReportHtml.FILE), StandardCharsets.UTF_8);
    }

    @Test
    void theReportShowsTheHeaderCompletenessFluxesDecompositionAndTheHouseWithIntervals(@TempDir Path dir)
            throws Exception {
        String html = report(dir, true, SITE);
        // the facts of the window
        assertTrue(html.contains("20261031T1500Z_20261101T1500Z"), "window id");
        assertTrue(html.contains("2026-10-31 15:00Z to 2026-11-01 15:00Z"), "window in UTC");
        assertTrue(html.contains("3f9c0d6ab1e24f7788c5d0e1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d"), "key fingerprint");
        assertTrue(html.contains("5a1f3c2e9b7d4e6f8a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f"), "config hash");
        assertTrue(html.contains("0.9.0-test"), "software version");
        assertTrue(html.contains("Example soil plot (4 automated chambers) (Asia/Tokyo)"), "site name and zone");
        // completeness: the probe down two hours is 1320 of 1440 = 91.7 %; the remote node has no expected count
        assertTrue(html.contains("<tr><td>soil-plot-example / soil-co2-30cm / co2_30cm</td><td class=\"n\">60.0</td>"
                + "<td class=\"n\">24</td><td class=\"n\">1440</td><td class=\"n\">1320</td><td class=\"n\">120</td><td class=\"n\">0</td>"
                + "<td class=\"n\">0</td><td class=\"n\">91.7 %</td></tr>"), html);
        assertTrue(html.contains("expected not configured (remote node)"));
        // one site: the chart's labels leave it out and its caption names it; a label wider than the label column
        // (294 px / 7.9 px = 37 characters) keeps its end after an ellipsis, with the full name as tooltip and in the table
        assertTrue(html.contains("<figcaption>Site soil-plot-example: device / channel</figcaption>"), html);
        assertTrue(html.contains(">soil-co2-30cm / co2_30cm</text>"), html);
        String longKey = "soil-plot-example / soil-water-north-transect-profile-station-07 / volumetric_water_content_30cm";
        String shown = "\u2026" + longKey.substring(longKey.length() - 36);
        assertEquals(37, shown.length());
        assertTrue(html.contains("<title>" + longKey + "</title>" + shown + "</text>"), html);
        assertTrue(html.contains("<tr><td>" + longKey + "</td>"), "the full name in the table");
        assertEquals("short", ReportHtml.fitLeft("short", 37));
        assertEquals("\u2026" + "xyz", ReportHtml.fitLeft("abcdefxyz", 4));
        assertTrue(html.contains("<td>timeout: no answer</td><td class=\"n\">1</td><td class=\"n\">120</td>"));
        // fluxes: four chambers, one closure without a flux, one flagged, 95 % bars drawn
        for (int c = 1; c <= 4; c++) {
            assertTrue(html.contains("<figcaption>soil-plot-example / chamber-" + c + "</figcaption>"), "chamber " + c);
        }
        assertTrue(html.contains("<tr><td>soil-plot-example / chamber-2</td><td class=\"n\">48</td><td class=\"n\">47</td>"
                + "<td class=\"n\">47</td>"), "48 closures, 47 fitted, 47 with an interval");
        assertEquals(48 * 4 - 1 + 4 + 4 + 3, count(html, "<line class=\"ci\""),
                "one 95 % bar per fitted flux, 4 flux legends, k/Q10/Rref/Rh, 3 house legends");
        assertEquals(1 + 4, count(html, "<circle class=\"pt flagged\""), "one flagged flux and the 4 legend marks");
        // decomposition with its intervals
        assertTrue(html.contains("0.1178 (0.1049 – 0.1311)"), "k");
        assertTrue(html.contains("2.14 (1.82 – 2.51)"), "Q10");
        assertTrue(html.contains("1.21 (1.08 – 1.35)"), "Rref");
        assertTrue(html.contains("612.5 (548 – 681)"), "annual Rh");
        // the house: the last hour's figures, the conservative value, bands and the conservative line
        assertTrue(html.contains("mineralisation-house-example / batch batch-2025-01"));
        assertTrue(html.contains("<td class=\"n strong\">"), "conservative value column");
        assertTrue(html.contains("97.9 %"), "coverage");
        assertEquals(3, count(html, "<polygon class=\"band\""), "uptake, X and net removal bands");
        assertEquals(1, count(html, "<polyline class=\"cons\""));
        assertEquals(1, count(html, "<polyline class=\"fit\""));
        // every figure names its file and columns
        assertTrue(html.contains("Source: <a href=\"fluxes.csv\"><code>fluxes.csv</code></a>, columns <code>site</code>,"
                + " <code>chamber</code>, <code>time_ns</code>, <code>flux</code>, <code>se</code>,"
                + " <code>flux_ci95_low</code>, <code>flux_ci95_high</code>, <code>qc</code>"), html);
        assertTrue(html.contains("columns <code>site</code>, <code>batch</code>, <code>time_ns</code>, <code>net_kg</code>,"
                + " <code>net_kg_ci95_low</code>, <code>net_kg_ci95_high</code>, <code>net_kg_conservative</code>"));
        // the calibration superseded before the window is not in force, its successor is
        assertTrue(html.contains("<td>teros-mineral-2025-03</td><td>2025-03-01</td><td>raw</td><td>-0.0567 0.000394</td>"
                + "<td>m3/m3</td><td>METER mineral soil equation</td><td></td><td class=\"n\">0</td><td>no</td>"), html);
        assertTrue(html.contains("<td>gravimetric cores June 2025</td><td>teros-mineral-2025-03</td>"
                + "<td class=\"n\">288</td><td>yes</td>"));
        // self-contained: nothing loaded from anywhere, no script
        assertFalse(html.toLowerCase().contains("<script"), "no script");
        assertFalse(Pattern.compile("(src|href)=\"(https?:)?//").matcher(html).find(), "no external resource");
        assertFalse(html.contains("url("), "no CSS resource");
        assertTrue(html.contains("@page { size: A4"));
    }

    @Test
    void textFromDataIsEscapedSoASiteNamedScriptRendersAsText(@TempDir Path dir) throws Exception {
        String site = "<script>alert('x')</script>&\"plot\"";
        String html = report(dir, true, site);
        assertFalse(html.contains("<script>"), "a script tag from data");
        assertTrue(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;plot&quot;"), html);
        // also inside SVG titles and text
        assertTrue(html.contains("<title>Fluxes of &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;plot&quot; / chamber-1"
                + "</title>"));
        assertEquals("&lt;a href=&quot;x&quot;&gt;&amp;&#39;", ReportHtml.escape("<a href=\"x\">&'"));
    }

    @Test
    void equalTablesGiveEqualBytes(@TempDir Path dir) throws Exception {
        report(dir.resolve("a"), true, SITE);
        report(dir.resolve("b"), true, SITE);
        byte[] a = Files.readAllBytes(dir.resolve("a").resolve(ReportHtml.FILE));
        assertArrayEquals(a, Files.readAllBytes(dir.resolve("b").resolve(ReportHtml.FILE)));
        // a changed value changes the report
        Path flux = dir.resolve("b").resolve("fluxes.csv");
        Files.writeString(flux, Files.readString(flux).replaceFirst(",linear,", ",exponential,"));
        ReportHtml.write(dir.resolve("b"), ReportWindows.header(SITE, Map.of()), ".csv");
        assertFalse(java.util.Arrays.equals(a, Files.readAllBytes(dir.resolve("b").resolve(ReportHtml.FILE))));
    }

    @ParameterizedTest
    @EnumSource(value = ReportWindows.Intervals.class, names = {"ABSENT", "EMPTY"})
    void withoutIntervalsTheReportSaysSoAndDrawsNoBand(ReportWindows.Intervals mode, @TempDir Path dir) throws Exception {
        Map<String, Long> rows = ReportWindows.writeTables(dir, mode, SITE);
        assertEquals(mode == ReportWindows.Intervals.EMPTY, Files.readAllLines(dir.resolve("fluxes.csv")).get(0)
                .contains("flux_ci95_low"), "the columns are there only when EMPTY");
        ReportHtml.write(dir, ReportWindows.header(SITE, rows), ".csv");
        String html = Files.readString(dir.resolve(ReportHtml.FILE));
        assertEquals(0, count(html, "<line class=\"ci\""));
        assertEquals(0, count(html, "<polygon class=\"band\""));
        assertEquals(0, count(html, "<polyline class=\"cons\""));
        assertTrue(html.contains("no interval in this export (fluxes.csv has no values in flux_ci95_low / flux_ci95_high)"));
        assertTrue(html.contains("0.1178, no interval in this export"), "k without interval");
        assertTrue(html.contains("<td class=\"n strong\">no interval in this export</td>"), "no conservative value");
        assertTrue(html.contains("<td class=\"n\">no interval in this export</td>"), "fluxes with interval: none");
        // the central values are all there
        assertTrue(html.contains("2.14, no interval in this export"));
        assertEquals(3, count(html, "<polyline class=\"series\""), "uptake, X and net removal lines");
    }

    @Test
    void emptyTablesGiveAShortLineNotAnEmptyChart(@TempDir Path dir) throws Exception {
        Map<String, Long> rows = ReportWindows.writeTables(dir, true, SITE);
        for (String t : List.of("fluxes.csv", "fixation.csv", "decomposition.csv", "gaps.csv")) {
            String header = Files.readAllLines(dir.resolve(t)).get(0);
            Files.writeString(dir.resolve(t), header + "\n");
        }
        ReportHtml.write(dir, ReportWindows.header(SITE, rows), ".csv");
        String html = Files.readString(dir.resolve(ReportHtml.FILE));
        assertTrue(html.contains("No chamber fluxes in this window: no chamber measured. (<code>fluxes.csv</code> has no rows.)"));
        assertTrue(html.contains("No mineralisation house results in this window (no house, or no measured hour)."));
        assertTrue(html.contains("No decomposition results in this window."));
        assertTrue(html.contains("No gap records in this window."));
        assertFalse(html.contains("<figcaption>soil-plot-example / chamber-1"), "no chart of no data");
        assertEquals(1, count(html, "<svg"), "only the completeness chart");
    }

    @Test
    void jsonLinesTablesReadBackLikeCsv(@TempDir Path dir) throws Exception {
        List<String> columns = List.of("time_utc", "time_ns", "site", "flux", "note");
        try (TableFile csv = new TableFile(dir.resolve("t.csv"), TableFile.Format.CSV, columns);
             TableFile json = new TableFile(dir.resolve("t.jsonl"), TableFile.Format.JSON, columns)) {
            for (TableFile t : List.of(csv, json)) {
                t.row(java.util.Arrays.asList("2026-11-01T00:00:00Z", 1L, "a,b", 2.41, "line\n\"two\""));
                t.row(java.util.Arrays.asList("2026-11-01T00:30:00Z", 2L, "c", null, null));
            }
        }
        TableFile.Table a = TableFile.read(dir.resolve("t.csv"));
        TableFile.Table b = TableFile.read(dir.resolve("t.jsonl"));
        assertEquals(columns, a.columns());
        assertEquals(columns, b.columns());
        assertEquals(a.rows().get(0), b.rows().get(0));
        assertEquals("line\n\"two\"", a.get(a.rows().get(0), "note"));
        assertEquals(2.41, a.number(a.rows().get(0), "flux"));
        assertEquals(null, a.number(a.rows().get(1), "flux"));
        assertEquals(null, b.number(b.rows().get(1), "flux"));
        assertEquals(null, a.get(a.rows().get(0), "flux_ci95_low"), "an absent column");
    }

    @Test
    void numbersAreFormattedTheSameEverywhere() {
        assertEquals("2.41", ReportHtml.num(2.41));
        assertEquals("612.5", ReportHtml.num(612.5));
        assertEquals("0.1235", ReportHtml.num(0.123456));
        assertEquals("1235", ReportHtml.num(1234.56));
        assertEquals("1.000e-05", ReportHtml.num(1.0e-5));
        assertEquals("-3.5", ReportHtml.num(-3.5));
        assertEquals("91.7 %", ReportHtml.percent(1320.0 / 1440));
    }

    private static int count(String s, String what) {
        Matcher m = Pattern.compile(Pattern.quote(what)).matcher(s);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}
