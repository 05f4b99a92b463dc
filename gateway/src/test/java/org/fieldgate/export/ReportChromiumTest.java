package org.fieldgate.export;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.fieldgate.testkit.HeadlessChromium;
import org.fieldgate.testkit.StartsProcesses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The report of a realistic window, exported, signed and chained as the gateway does it, in Debian's headless
 * Chromium: the text a person sees holds the key figures, a desktop screenshot and the page printed to PDF (A4) land
 * in gateway/target/screenshots/ (and /work/staging/report-shots/ when that folder exists) for a person to look at.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
@StartsProcesses
class ReportChromiumTest {
    private static final Path SHOTS = Path.of("target", "screenshots").toAbsolutePath();
    private static final Path STAGING = Path.of("/work/staging/report-shots");

    /** The exporter's writer with the realistic tables in place of InfluxDB's, and the report and manifest as written. */
    private static Exporter.WindowWriter realistic() {
        return (w, dir, link) -> {
            Map<String, Long> rows = ReportWindows.writeTables(dir, true, "soil-plot-example");
            String key = link.writePublicKey(dir);
            String report = ReportHtml.write(dir, ReportWindows.header("soil-plot-example", rows), ".csv");
            Manifest m = Manifest.build(dir, "soil-plot-example", "fieldgate", w, List.of(), List.of(key, report), rows,
                    link, Instant.now());
            m.writeSigned(dir, link.signer());
            return m;
        };
    }

    @Test
    void theReportRendersOfflineWithItsFiguresAndPrintsToSeveralA4Pages(@TempDir Path dir) throws Exception {
        Path outbox = dir.resolve("outbox");
        Exporter exporter = SignedChainTest.exporter(outbox, dir.resolve("keys"), new HashMap<>());
        Exporter realisticExporter = new Exporter(new org.fieldgate.config.GatewaySettings.Export(null, outbox, null,
                null, Duration.ofDays(1), "csv", Duration.ofMillis(10), Duration.ofMillis(100), dir.resolve("keys")),
                realistic(), w -> null, java.time.ZoneOffset.UTC, java.time.Clock.systemUTC());
        assertEquals(Exporter.Outcome.WRITTEN, realisticExporter.export(ReportWindows.DAY, outbox));
        exporter.close();
        Path window = outbox.resolve(ReportWindows.DAY.id());
        assertEquals(List.of(), Manifest.verify(window), "report.html is listed and verifies like every file");
        assertTrue(Files.readString(window.resolve(Manifest.FILE)).contains("\"name\" : \"report.html\""));
        Path report = window.resolve(ReportHtml.FILE);

        String text;
        try (HeadlessChromium chromium = HeadlessChromium.start()) {
            chromium.viewport(1280, 900, false);
            chromium.navigate(report.toUri().toString());
            chromium.waitFor("the report to render", "document.readyState === 'complete'"
                    + " && document.querySelectorAll('svg').length > 5", Duration.ofSeconds(30), () -> "");
            text = chromium.evaluate("document.body.innerText").asText();
            // the charts have a size on screen (an SVG that failed to parse would be 0 high)
            double chartHeight = chromium.evaluate("document.querySelector('#fluxes figure.chart svg')"
                    + ".getBoundingClientRect().height").asDouble();
            assertTrue(chartHeight > 150, "flux chart height " + chartHeight);
            assertEquals(0, chromium.evaluate("performance.getEntriesByType('resource').length").asInt(),
                    "the report loads nothing else");
            chromium.screenshot(SHOTS.resolve("report-desktop.png"), false);
            chromium.screenshot(SHOTS.resolve("report-desktop-full.png"), true);
            // the parts a reader looks at closely, at full resolution
            for (String part : List.of("fluxes", "decomposition", "house")) {
                double top = chromium.evaluate("document.getElementById('" + part + "').getBoundingClientRect().top"
                        + " + window.scrollY").asDouble();
                double height = chromium.evaluate("document.getElementById('" + part + "').getBoundingClientRect()"
                        + ".height").asDouble();
                chromium.screenshot(SHOTS.resolve("report-" + part + ".png"), top, 1280, Math.min(height, 1400));
            }
            // the print stylesheet at A4's width (210 mm less the margins, 96 px per inch)
            chromium.send("Emulation.setEmulatedMedia", Map.of("media", "print"));
            chromium.viewport(704, 1000, false);
            chromium.screenshot(SHOTS.resolve("report-print.png"), true);
        }
        for (String figure : List.of("Export report", "20261031T1500Z_20261101T1500Z", "soil-plot-example",
                "3f9c0d6ab1e24f7788c5d0e1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d", "0.9.0-test",
                "Completeness per channel", "91.7 %", "Chamber fluxes", "chamber-4", "0.1178 (0.1049 – 0.1311)",
                "2.14 (1.82 – 2.51)", "612.5 (548 – 681)", "batch-2025-01", "conservative", "97.9 %",
                "analyser-2025-03", "Source: fluxes.csv, columns site, chamber, time_ns, flux, se, flux_ci95_low")) {
            assertTrue(text.contains(figure), "the rendered text lacks '" + figure + "':\n" + text);
        }

        Path pdf = SHOTS.resolve("report.pdf");
        Files.createDirectories(SHOTS);
        Files.deleteIfExists(pdf);
        printToPdf(report, pdf, dir.resolve("pdf-profile"));
        byte[] bytes = Files.readAllBytes(pdf);
        String head = new String(bytes, 0, 5, StandardCharsets.ISO_8859_1);
        assertEquals("%PDF-", head);
        int pages = count(new String(bytes, StandardCharsets.ISO_8859_1), "/Type\\s*/Page[^s]");
        System.out.printf("report.pdf: %d bytes, %d pages%n", bytes.length, pages);
        assertTrue(pages >= 4, "one page per section at least: " + pages + " pages, " + bytes.length + " bytes");
        assertTrue(bytes.length > 30_000, bytes.length + " bytes");

        if (Files.isDirectory(STAGING)) {
            for (String f : List.of("report-desktop.png", "report-desktop-full.png", "report-fluxes.png",
                    "report-decomposition.png", "report-house.png", "report-print.png", "report.pdf")) {
                Files.copy(SHOTS.resolve(f), STAGING.resolve(f), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            Files.copy(report, STAGING.resolve("report.html"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** {@code chromium --headless --print-to-pdf}: the browser's own print path, A4 from the page's @page rule. */
    private static void printToPdf(Path html, Path pdf, Path profile) throws Exception {
        Files.createDirectories(profile);
        ProcessBuilder builder = new ProcessBuilder(HeadlessChromium.BINARY.toString(), "--headless", "--no-sandbox",
                "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run",
                "--user-data-dir=" + profile, "--no-pdf-header-footer", "--print-to-pdf=" + pdf, html.toUri().toString())
                .redirectErrorStream(true).redirectOutput(profile.resolve("chromium.log").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        HeadlessChromium.inProfileTmp(builder, profile);
        Process p = builder.start();
        List<ProcessHandle> tree = new java.util.ArrayList<>();
        try {
            boolean done = p.waitFor(90, TimeUnit.SECONDS);
            tree.addAll(p.descendants().toList());
            assertTrue(done, "chromium --print-to-pdf did not finish in 90 s:\n" + Files.readString(profile.resolve("chromium.log")));
            assertEquals(0, p.exitValue(), Files.readString(profile.resolve("chromium.log")));
        } finally {
            tree.addAll(p.descendants().toList());
            p.destroyForcibly();
            tree.forEach(ProcessHandle::destroyForcibly);
        }
        assertTrue(Files.isRegularFile(pdf), "no PDF at " + pdf + ":\n" + Files.readString(profile.resolve("chromium.log")));
    }

    private static int count(String s, String regex) {
        Matcher m = Pattern.compile(regex).matcher(s);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}
