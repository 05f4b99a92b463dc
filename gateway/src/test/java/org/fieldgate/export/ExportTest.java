package org.fieldgate.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micronaut.core.value.MapPropertyResolver;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.fieldgate.config.GatewaySettings;
import org.fieldgate.config.SettingsFactory;
import org.fieldgate.forward.InfluxForwarder;
import org.fieldgate.forward.InfluxLines;
import org.fieldgate.forward.InfluxQuery;
import org.fieldgate.reading.Reading;
import org.fieldgate.site.SiteConfig;
import org.fieldgate.store.FullPolicy;
import org.fieldgate.store.Spool;
import org.fieldgate.testkit.Cleanup;
import org.fieldgate.testkit.InfluxdProcess;
import org.fieldgate.testkit.Poll;
import org.fieldgate.testkit.StartsProcesses;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two days of the example soil plot (Asia/Tokyo) go through the real spool and forwarder into a real InfluxDB; their
 * exports verify against their manifests, a re-export of unchanged data is byte-identical, one changed byte fails
 * verification naming the file, and an engine endpoint that fails its first attempts, across a restart of the
 * exporter, ends with exactly one accepted export per window.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@StartsProcesses
class ExportTest {
    private static final String DB = "fieldgate_export";
    private static final String SITE = "soil-plot-example";
    private static final long S = 1_000_000_000L;
    private static final ZoneId TOKYO = ZoneId.of("Asia/Tokyo");
    private static final ExportWindow DAY1 = ExportWindow.days(LocalDate.of(2026, 11, 1), LocalDate.of(2026, 11, 2), TOKYO);
    private static final ExportWindow DAY2 = ExportWindow.days(LocalDate.of(2026, 11, 2), LocalDate.of(2026, 11, 3), TOKYO);
    private final Cleanup cleanup = new Cleanup();
    private final ObjectMapper json = new ObjectMapper();

    /** Shared by the tests: the spool and the outboxes (a method's own @TempDir would be gone after it). */
    private Path dir;
    private InfluxdProcess influx;
    private Spool spool;
    private SiteConfig site;

    @BeforeAll
    void seedTwoDaysThroughTheSpoolIntoInfluxDb(@TempDir Path shared) throws Exception {
        dir = shared;
        influx = cleanup.add(InfluxdProcess.started());
        site = CompletenessLedgerTest.soilSite();
        spool = new Spool(dir.resolve("spool"), 64L << 20, FullPolicy.BACKPRESSURE, InfluxLines::gap);
        // the gateway ran before the exported days: their ledger expects readings (none before commissioning)
        spool.accumulators().recordOnce(CompletenessLedger.COMMISSIONED, DAY1.fromNs() - 86_400 * S);
        long t0 = DAY1.fromNs();
        List<Reading> readings = new ArrayList<>();
        for (int k = 0; k < 300; k++) {
            readings.add(new Reading(SITE, "analyser", "co2", "ppm", t0 + k * 2 * S, 600 + k * 0.25, 0, "analyser-2025-03"));
        }
        for (int k = 0; k < 60; k++) {
            readings.add(new Reading(SITE, "soil-co2-10cm", "co2_10cm", "ppm", t0 + k * 60 * S, 900 + k, k == 7 ? 2 : 0,
                    "soil-co2-10cm-2025-03"));
            readings.add(new Reading(SITE, "soil-co2-10cm", "temp_10cm", "Cel", t0 + k * 60 * S, 11.5, 0, "model:gmp252"));
        }
        for (int k = 0; k < 12; k++) {
            readings.add(new Reading(SITE, "remote-node", "soil_moisture", "%", t0 + k * 300 * S, 30.5, 0));
        }
        // the edges: the last ns before day 1 belongs to neither export, day 1's end is day 2's first instant
        readings.add(new Reading(SITE, "remote-node", "soil_moisture", "%", t0 - 1, 1, 0));
        readings.add(new Reading(SITE, "remote-node", "soil_moisture", "%", DAY1.toNs(), 2, 0));
        for (int k = 0; k < 10; k++) {
            readings.add(new Reading(SITE, "soil-co2-10cm", "co2_10cm", "ppm", DAY2.fromNs() + 3600 * S + k * 60 * S,
                    950, 0, "soil-co2-10cm-2025-03"));
        }
        spool.readings().commit(readings, List.of(), t0);
        spool.points().commit(List.of(
                InfluxLines.derived("closure", t0 + 600 * S, Map.of("site", SITE, "chamber", "chamber-1", "outcome",
                        "complete"), fields("closure_id", "c1", "samples", 60L, "notes", "lid, then \"purge\"")),
                InfluxLines.derived("flux", t0 + 600 * S, Map.of("site", SITE, "chamber", "chamber-1", "model", "linear"),
                        fields("flux", 2.41, "se", 0.05, "r2", 0.998, "qc", 0L, "flags", "clean", "closure_id", "c1")),
                InfluxLines.derived("fixation", DAY2.fromNs() + 7200 * S, Map.of("site", SITE, "batch", "b1"),
                        fields("uptake_kg_per_h", 0.4, "cumulative_kg", 12.5))));
        spool.gaps().record(SITE, "soil-co2-10cm", "co2_10cm", t0 + 3600 * S, t0 + 3720 * S, 3, "timeout: no answer");
        try (InfluxForwarder forwarder = new InfluxForwarder(new GatewaySettings.Influx(influx.url(), DB, null, null),
                new GatewaySettings.Forward(5000, Duration.ofMillis(50), Duration.ofMillis(500)), spool,
                new SimpleMeterRegistry())) {
            forwarder.start();
            Poll.until("the spool to drain into InfluxDB", Duration.ofSeconds(30),
                    () -> spool.readings().depth() == 0 && spool.points().depth() == 0);
        }
    }

    @AfterAll
    void stop() throws Exception {
        if (spool != null) {
            spool.close();
        }
        cleanup.close();
    }

    private static Map<String, Object> fields(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private GatewaySettings settings(Path outbox, String endpoint, Path tokenFile) {
        Map<String, Object> p = new HashMap<>(Map.of(
                "fieldgate.site", SITE,
                "fieldgate.influx.url", influx.url(),
                "fieldgate.influx.database", DB,
                "fieldgate.spool.dir", dir.resolve("spool").toString(),
                "fieldgate.export.outbox", outbox.toString(),
                "fieldgate.export.schedule", "off",
                "fieldgate.export.min-backoff", "20ms",
                "fieldgate.export.max-backoff", "200ms"));
        if (endpoint != null) {
            p.put("fieldgate.export.endpoint", endpoint);
        }
        if (tokenFile != null) {
            p.put("fieldgate.export.token-file", tokenFile.toString());
        }
        return SettingsFactory.read(new MapPropertyResolver(p));
    }

    private ExportStage stage(Path outbox, String endpoint) {
        return new ExportStage(settings(outbox, endpoint, null), List.of(site), spool, Clock.systemUTC());
    }

    private static List<String> lines(Path file) throws IOException {
        return Files.readAllLines(file, StandardCharsets.UTF_8);
    }

    @Test
    void anExportOfADemoWindowVerifiesAgainstItsManifestAndARerunIsIdempotent() throws Exception {
        Path outbox = dir.resolve("outbox-a");
        try (ExportStage stage = stage(outbox, null)) {
            assertNull(stage.closure().notClosedBecause(DAY1), "past, InfluxDB up, spool empty");
            assertEquals(Exporter.Outcome.WRITTEN, stage.exporter().export(DAY1, outbox));
            Path export = outbox.resolve(DAY1.id());
            assertEquals("20261031T1500Z_20261101T1500Z", DAY1.id());
            assertEquals(List.of(), Manifest.verify(export));

            Manifest m = Manifest.read(export);
            Map<String, Long> rows = m.rowCounts();
            assertEquals(300 + 120 + 12, rows.get("readings.csv"), "no edge reading of the day before or after");
            assertEquals(1, rows.get("fluxes.csv"));
            assertEquals(1, rows.get("closures.csv"));
            assertEquals(0, rows.get("fixation.csv"), "day 2's");
            // docs/science.md §7.4: the conservative value sits next to the central one in the results table
            assertTrue(lines(export.resolve("fixation.csv")).get(0).contains(
                    ",net_kg,net_kg_conservative,net_kg_ci95_low,net_kg_ci95_high,"), lines(export.resolve("fixation.csv")).get(0));
            assertEquals(24 * site.channelCount() + 1, rows.get("ledger.csv"), "every configured channel's hours and the remote one's hour");
            assertEquals(6, rows.get("calibrations.csv"), "the site's five and the model scaling the temperature used");
            assertEquals("soil-plot-example", json.readTree(export.resolve("manifest.json").toFile()).path("gateway_id").asText());
            // report.html is listed like every file and shows the window's flux, drawn from fluxes.csv beside it
            assertTrue(json.readTree(export.resolve("manifest.json").toFile()).path("files").findValuesAsText("name")
                    .contains(ReportHtml.FILE));
            String report = Files.readString(export.resolve(ReportHtml.FILE));
            assertTrue(report.contains("<td class=\"n\">2.41</td>") && report.contains(DAY1.id())
                    && report.contains(m.keySha256()), report);

            // converted, raw (the calibration inverted) and QC side by side
            List<String> readings = lines(export.resolve("readings.csv"));
            assertEquals(String.join(",", WindowExport.READING_COLUMNS), readings.get(0));
            assertTrue(readings.contains("2026-10-31T15:00:02Z," + (DAY1.fromNs() + 2 * S) + ",soil-plot-example,analyser,"
                    + "co2,ppm,600.25,0,analyser-2025-03," + (600.25 + 4.2) / 1.0061 + ",ppm"), readings.get(1));
            assertTrue(readings.contains("2026-10-31T15:07:00Z," + (DAY1.fromNs() + 420 * S) + ",soil-plot-example,"
                    + "soil-co2-10cm,co2_10cm,ppm,907.0,2,soil-co2-10cm-2025-03," + (907.0 - 2.5) / 0.9987 + ",ppm"));
            assertTrue(readings.contains("2026-10-31T15:05:00Z," + (DAY1.fromNs() + 300 * S)
                    + ",soil-plot-example,remote-node,soil_moisture,%,30.5,0,,,"));
            // the ledger row of the hour the probe ran, and the gap record with its cause
            assertTrue(lines(export.resolve("ledger.csv")).contains("2026-10-31T16:00:00Z,soil-plot-example,soil-co2-10cm,"
                    + "co2_10cm,60.0,60,0,0,0,0,3,57,0,timeout: no answer (3); gateway down (up 0 s of 3600 s) (57),,,"),
                    String.join("\n", lines(export.resolve("ledger.csv")).subList(0, 30)));
            assertTrue(lines(export.resolve("ledger.csv")).contains("2026-10-31T15:00:00Z,soil-plot-example,"
                    + "soil-co2-10cm,co2_10cm,60.0,60,60,1,0,60,0,0,0,,,,"));
            assertTrue(lines(export.resolve("gaps.csv")).stream().anyMatch(l -> l.contains(",3,timeout: no answer,gap record")));
            assertTrue(Files.readString(export.resolve("closures.csv")).contains(",\"lid, then \"\"purge\"\"\","),
                    Files.readString(export.resolve("closures.csv")));
            assertTrue(Files.readString(export.resolve("config/soil-plot-example-soil-plot-example.yaml"))
                    .contains("id: soil-plot-example"));

            // a re-run of the same window leaves the folder as it was, its signature too
            byte[] manifestBefore = Files.readAllBytes(export.resolve("manifest.json"));
            byte[] signatureBefore = Files.readAllBytes(export.resolve(Manifest.SIG));
            assertEquals(Exporter.Outcome.UNCHANGED, stage.exporter().export(DAY1, outbox));
            assertArrayEquals(manifestBefore, Files.readAllBytes(export.resolve("manifest.json")));
            assertArrayEquals(signatureBefore, Files.readAllBytes(export.resolve(Manifest.SIG)));

            // and an export elsewhere has the same files and content hash; only generated_at differs
            Path elsewhere = dir.resolve("elsewhere");
            assertEquals(Exporter.Outcome.WRITTEN, stage.exporter().export(DAY1, elsewhere));
            Manifest again = Manifest.read(elsewhere.resolve(DAY1.id()));
            assertEquals(m.contentSha256(), again.contentSha256());
            for (String name : listed(export)) {
                assertArrayEquals(Files.readAllBytes(export.resolve(name)),
                        Files.readAllBytes(elsewhere.resolve(DAY1.id()).resolve(name)), name);
            }
        }
    }

    private static List<String> listed(Path export) throws IOException {
        try (Stream<Path> all = Files.walk(export)) {
            return all.filter(Files::isRegularFile).map(p -> export.relativize(p).toString())
                    // the manifest differs in generated_at, so its signature does too
                    .filter(n -> !n.equals(Manifest.FILE) && !n.equals(Manifest.SIG)).sorted().toList();
        }
    }

    @Test
    void oneChangedByteFailsVerificationNamingTheFile() throws Exception {
        Path outbox = dir.resolve("outbox-b");
        try (ExportStage stage = stage(outbox, null)) {
            stage.exporter().export(DAY1, outbox);
        }
        Path export = outbox.resolve(DAY1.id());
        Path csv = export.resolve("fluxes.csv");
        byte[] bytes = Files.readAllBytes(csv);
        int at = new String(bytes, StandardCharsets.ISO_8859_1).indexOf("2.41");
        bytes[at + 2] = '5'; // 2.41 -> 2.51, same size, same rows
        Files.write(csv, bytes);
        List<String> problems = Manifest.verify(export);
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("fluxes.csv: SHA-256 "), problems.get(0));

        Files.writeString(export.resolve("extra.csv"), "a,b\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = ExportCli.run(new String[]{"verify", export.toString()}, new PrintStream(out, true),
                new PrintStream(err, true));
        assertEquals(ExportCli.FAILED, code);
        String text = err.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("fluxes.csv: SHA-256") && text.contains("extra.csv: not listed in the manifest"), text);
    }

    @Test
    void aFailingEndpointEndsWithExactlyOneAcceptedExportPerWindowAcrossARestart() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        Map<String, Integer> accepted = new ConcurrentHashMap<>();
        List<String> problems = new CopyOnWriteArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/exports", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            int n = attempts.incrementAndGet();
            if (n == 2) {
                exchange.close(); // connection dropped without an answer
                return;
            }
            if (n <= 3) {
                exchange.sendResponseHeaders(500, -1);
                exchange.close();
                return;
            }
            String window = exchange.getRequestHeaders().getFirst("X-Fieldgate-Window");
            String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
            Map<String, byte[]> files = unzip(body);
            String content = json.readTree(files.get("manifest.json")).path("content_sha256").asText();
            if (!key.equals(window + ":" + content) || !"Bearer s3cret".equals(
                    exchange.getRequestHeaders().getFirst("Authorization")) || !files.containsKey("readings.csv")) {
                problems.add("bad request " + key + " " + files.keySet());
            }
            accepted.merge(window, 1, Integer::sum);
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
        try {
            String endpoint = "http://127.0.0.1:" + server.getAddress().getPort() + "/exports";
            Path outbox = dir.resolve("outbox-c");
            Path token = Files.writeString(dir.resolve("engine.token"), "s3cret\n");
            Files.setPosixFilePermissions(token, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            GatewaySettings s = settings(outbox, endpoint, token);
            assertEquals("s3cret", s.export().token());
            try (ExportStage first = new ExportStage(s, List.of(site), spool, Clock.systemUTC())) {
                first.exporter().export(DAY1, outbox);
                first.exporter().export(DAY2, outbox);
                assertEquals(false, first.exporter().deliverPending(), "HTTP 500");
                assertEquals(false, first.exporter().deliverPending(), "connection dropped");
            }
            // the gateway restarts: the outbox says what is still to deliver
            try (ExportStage second = new ExportStage(s, List.of(site), spool, Clock.systemUTC())) {
                second.exporter().start();
                Poll.until("both windows accepted", Duration.ofSeconds(20), () -> accepted.size() == 2,
                        () -> attempts.get() + " attempts, accepted " + accepted);
                Poll.sleep(Duration.ofMillis(500));
            }
            try (ExportStage third = new ExportStage(s, List.of(site), spool, Clock.systemUTC())) {
                assertTrue(third.exporter().deliverPending(), "nothing left to send");
            }
            assertEquals(Map.of(DAY1.id(), 1, DAY2.id(), 1), accepted);
            assertEquals(5, attempts.get(), "500, dropped, 500, then one accepted POST per window");
            assertEquals(List.of(), problems);
            for (ExportWindow w : List.of(DAY1, DAY2)) {
                String ack = Files.readString(outbox.resolve(Exporter.DELIVERED).resolve(w.id() + ".json"));
                assertTrue(ack.contains(Manifest.read(outbox.resolve(w.id())).idempotencyKey()), ack);
            }
            assertNotEquals(Manifest.read(outbox.resolve(DAY1.id())).contentSha256(),
                    Manifest.read(outbox.resolve(DAY2.id())).contentSha256());
        } finally {
            server.stop(0);
        }
    }

    @Test
    void theScheduleExportsTheLastClosedWindowFirstThenCatchesUpInOrderAndWaitsForOneNotClosed() throws Exception {
        Path outbox = dir.resolve("outbox-d");
        GatewaySettings s = settings(outbox, null, null);
        WindowExport export = new WindowExport(SITE, DB, List.of(site), new InfluxQuery(s.influx()),
                new CompletenessLedger(spool, List.of(site), org.fieldgate.reading.EpochNanos::now), "csv");
        ExportWindow day3 = ExportWindow.days(LocalDate.of(2026, 11, 3), LocalDate.of(2026, 11, 4), TOKYO);
        Clock day1Over = Clock.fixed(DAY1.to().plusSeconds(7200), ZoneId.of("UTC"));
        assertTrue(new Exporter(s.export(), export, w -> null, TOKYO, day1Over).exportDue());
        assertEquals(List.of(DAY1.id()), names(outbox), "a first run exports only the last closed window");

        // two days later: day 2 goes out, day 3 still has readings waiting, so it waits
        Clock day3Over = Clock.fixed(day3.to().plusSeconds(7200), ZoneId.of("UTC"));
        Exporter.Closure day3Waits = w -> w.equals(day3) ? "3 readings wait in the spool" : null;
        assertEquals(false, new Exporter(s.export(), export, day3Waits, TOKYO, day3Over).exportDue());
        assertEquals(List.of(DAY1.id(), DAY2.id()), names(outbox));
        assertTrue(new Exporter(s.export(), export, w -> null, TOKYO, day3Over).exportDue());
        assertEquals(List.of(DAY1.id(), DAY2.id(), day3.id()), names(outbox));
        for (String id : names(outbox)) {
            assertEquals(List.of(), Manifest.verify(outbox.resolve(id)), id);
        }
    }

    private static List<String> names(Path outbox) throws IOException {
        try (Stream<Path> all = Files.list(outbox)) {
            return all.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static Map<String, byte[]> unzip(byte[] zip) throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                out.put(e.getName(), in.readAllBytes());
            }
        }
        return out;
    }
}
