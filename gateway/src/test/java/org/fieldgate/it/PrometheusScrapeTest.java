package org.fieldgate.it;

import org.fieldgate.testkit.AttachGatewayLogs;
import org.fieldgate.testkit.Cleanup;
import org.fieldgate.testkit.GatewayProcess;
import org.fieldgate.testkit.InfluxdProcess;
import org.fieldgate.testkit.MosquittoProcess;
import org.fieldgate.testkit.Poll;
import org.fieldgate.testkit.PrometheusProcess;
import org.fieldgate.testkit.SenmlPacks;
import org.fieldgate.testkit.SenmlPublisher;
import org.fieldgate.testkit.StartsProcesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GET /prometheus as Prometheus scrapes it, checked by Prometheus's own linter ({@code promtool check metrics}, Debian's
 * prometheus package) in the classic text format and in OpenMetrics, then scraped by a real Prometheus server, and the age of the oldest undelivered reading as
 * a gauge that rises while InfluxDB is down and falls back to 0 once the spool drains.
 */
@ExtendWith(AttachGatewayLogs.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
@StartsProcesses
class PrometheusScrapeTest {
    static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0";
    static final String AGE_GAUGE = "fieldgate_spool_oldest_undelivered_age_seconds";

    private final Cleanup cleanup = new Cleanup();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @AfterEach
    void stopEverything() throws Exception {
        cleanup.close();
    }

    @Test
    void promtoolPassesBothFormatsAndTheOldestUndeliveredAgeRisesWhileInfluxIsDown() throws Exception {
        MosquittoProcess broker = cleanup.add(MosquittoProcess.started());
        InfluxdProcess influx = cleanup.add(InfluxdProcess.started());
        GatewayProcess gateway = cleanup.add(Site.gateway(broker, influx, "it-gw-prometheus").start());
        Supplier<String> diagnostics = Site.diagnostics(gateway, broker, influx);

        // serve the HTTP server's own timer too: one request before the scrapes
        gateway.get("/api/status");
        HttpResponse<String> text = scrape(gateway, "text/plain");
        String textType = text.headers().firstValue("Content-Type").orElse("");
        String textLint = promtool(text.body());
        HttpResponse<String> open = scrape(gateway, OPENMETRICS);
        String openType = open.headers().firstValue("Content-Type").orElse("");
        String openLint = promtoolOnOpenMetrics(open.body());
        System.out.println("PROMETHEUS text: HTTP " + text.statusCode() + ", content type '" + textType + "', promtool "
                + (textLint.isEmpty() ? "clean" : textLint.lines().count() + " problems") + "; openmetrics: HTTP "
                + open.statusCode() + ", content type '" + openType + "', ends with # EOF " + open.body().endsWith("# EOF\n")
                + ", promtool " + (openLint.isEmpty() ? "clean" : openLint.lines().count() + " problems"));
        assertEquals(200, text.statusCode());
        assertEquals(200, open.statusCode());
        assertTrue(textType.startsWith("text/plain; version=0.0.4"), "content type " + textType);
        assertEquals("", textLint, "promtool check metrics on the text format");
        assertTrue(openType.startsWith("application/openmetrics-text; version=1.0.0"), "content type " + openType);
        assertTrue(open.body().endsWith("# EOF\n"), "an OpenMetrics exposition ends with # EOF");
        assertEquals("", openLint, "promtool check metrics on OpenMetrics");
        assertEquals(0.0, gauge(gateway, AGE_GAUGE), AGE_GAUGE + " with nothing waiting");
        // and Prometheus itself, which asks for OpenMetrics first, scrapes it without a parse error
        try (PrometheusProcess prometheus = PrometheusProcess.scraping(gateway.baseUrl().substring("http://".length()),
                "/prometheus")) {
            PrometheusProcess.Target target = Poll.value("Prometheus to scrape the gateway", Duration.ofSeconds(60),
                    prometheus::target, t -> !t.health().equals("unknown"), () -> prometheus.logTail(20));
            Double stored = Poll.value("Prometheus to store " + AGE_GAUGE, Duration.ofSeconds(30),
                    () -> prometheus.instant(AGE_GAUGE), v -> v != null, () -> prometheus.logTail(20));
            System.out.println("PROMETHEUS server scrape: health " + target.health() + ", last error '" + target.lastError()
                    + "', " + AGE_GAUGE + " stored as " + stored);
            assertEquals("", target.lastError(), "Prometheus's scrape error");
            assertEquals("up", target.health());
        }

        influx.stop();
        Poll.until("the gateway to notice InfluxDB is down", Duration.ofSeconds(30),
                () -> !gateway.status().influxReachable(), diagnostics);
        SenmlPacks probes = new SenmlPacks(Site.NAME, "probe", 2, 10, SenmlPacks.anHourAgo(), 8);
        try (SenmlPublisher publisher = new SenmlPublisher(broker.url(), "it-probe-prometheus").connect()) {
            probes.packs(4).forEach(publisher::publish);
            publisher.flush(Duration.ofSeconds(30));
        }
        double first = Poll.value(AGE_GAUGE + " above 0 while InfluxDB is down", Duration.ofSeconds(30),
                () -> gauge(gateway, AGE_GAUGE), age -> age > 0, diagnostics);
        double later = Poll.value(AGE_GAUGE + " to rise by 2 s more", Duration.ofSeconds(30),
                () -> gauge(gateway, AGE_GAUGE), age -> age >= first + 2, diagnostics);
        influx.start();
        Site.awaitSpoolDrained(gateway, Duration.ofSeconds(60));
        double drained = gauge(gateway, AGE_GAUGE);
        System.out.println("PROMETHEUS " + AGE_GAUGE + ": " + first + " s, then " + later + " s while InfluxDB was down; "
                + drained + " s once drained");
        assertEquals(0.0, drained, AGE_GAUGE + " once the spool drained");
    }

    private HttpResponse<String> scrape(GatewayProcess gateway, String accept) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/prometheus")).header("Accept", accept)
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The one sample of an unlabelled gauge in the text format; fails when it is absent. */
    private double gauge(GatewayProcess gateway, String name) {
        try {
            String body = scrape(gateway, "text/plain").body();
            return body.lines().filter(l -> l.startsWith(name + " ")).mapToDouble(l -> Double.parseDouble(l.substring(name.length() + 1)))
                    .findFirst().orElseThrow(() -> new AssertionError("no sample of " + name + " in /prometheus:\n" + body));
        } catch (IOException e) {
            throw new AssertionError("GET /prometheus failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /**
     * {@code promtool check metrics} on an OpenMetrics exposition, less the one complaint that comes from promtool 2.42
     * reading it with its text-format parser: an OpenMetrics counter family {@code x} has HELP and TYPE under {@code x}
     * and its sample as {@code x_total}, which that parser sees as a sample without HELP. Such a complaint is dropped
     * only when the family does have a TYPE counter and a non-empty HELP line. Also checks every family has HELP text.
     */
    static String promtoolOnOpenMetrics(String exposition) throws IOException, InterruptedException {
        StringBuilder problems = new StringBuilder();
        var families = exposition.lines().filter(l -> l.startsWith("# TYPE ")).map(l -> l.split(" ")[2]).toList();
        for (String family : families) {
            boolean helped = exposition.lines().anyMatch(l -> l.startsWith("# HELP " + family + " ")
                    && !l.substring(("# HELP " + family + " ").length()).isBlank());
            if (!helped) {
                problems.append(family).append(" has no HELP text\n");
            }
        }
        String lint = promtool(exposition);
        for (String line : lint.lines().toList()) {
            var complaint = java.util.regex.Pattern.compile("(exit 3: )?(\\S+)_total no help text").matcher(line);
            boolean parserMismatch = complaint.matches() && exposition.contains("# TYPE " + complaint.group(2) + " counter\n")
                    && families.contains(complaint.group(2));
            if (!parserMismatch) {
                problems.append(line).append('\n');
            }
        }
        return problems.toString().strip();
    }

    /** {@code promtool check metrics} on the exposition: "" when it passes, else its complaints. */
    static String promtool(String exposition) throws IOException, InterruptedException {
        Path input = Files.createTempFile("fieldgate-scrape", ".txt");
        try {
            Files.writeString(input, exposition, StandardCharsets.UTF_8);
            Process p = new ProcessBuilder("promtool", "check", "metrics").redirectInput(input.toFile())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("promtool check metrics did not finish in 30 s");
            }
            if (p.exitValue() == 0) {
                return out.strip();
            }
            var line = java.util.regex.Pattern.compile("in line (\\d+)").matcher(out);
            String quoted = line.find() ? "\n  line " + line.group(1) + ": "
                    + exposition.lines().skip(Long.parseLong(line.group(1)) - 1).findFirst().orElse("") : "";
            return "exit " + p.exitValue() + ": " + out.strip() + quoted;
        } finally {
            Files.delete(input);
        }
    }
}
