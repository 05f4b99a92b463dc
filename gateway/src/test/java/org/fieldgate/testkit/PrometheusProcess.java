package org.fieldgate.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real Prometheus server (Debian's prometheus 2.42) on 127.0.0.1 scraping one target every second, with its TSDB in
 * a work directory. Prometheus asks for OpenMetrics first in its Accept header, so a target that answers it is parsed
 * with Prometheus's own OpenMetrics parser; {@link #target()} says whether the last scrape worked and why not.
 */
public final class PrometheusProcess implements AutoCloseable {
    private static final String BINARY = System.getProperty("fieldgate.it.prometheus", "/usr/bin/prometheus");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final int port;
    private final ChildProcess child;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private PrometheusProcess(String targetHostPort, String metricsPath) {
        ChildProcess.requireExecutable(BINARY, "Debian package 'prometheus'", "fieldgate.it.prometheus");
        dir = ChildProcess.newWorkDir("prometheus");
        port = FreePorts.next();
        Path conf = dir.resolve("prometheus.yml");
        try {
            Files.writeString(conf, String.join("\n",
                    "# written by the fieldgate acceptance-test kit",
                    "global:",
                    "  scrape_interval: 1s",
                    "  scrape_timeout: 1s",
                    "scrape_configs:",
                    "  - job_name: fieldgate",
                    "    metrics_path: " + metricsPath,
                    "    static_configs:",
                    "      - targets: ['" + targetHostPort + "']",
                    ""));
        } catch (IOException e) {
            throw new UncheckedIOException("could not write prometheus.yml in " + dir, e);
        }
        child = new ChildProcess("prometheus:" + port, List.of(BINARY, "--config.file=" + conf,
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
                "--log.level=warn"), dir.resolve("prometheus.log"), null);
    }

    /** Starts scraping {@code http://<targetHostPort><metricsPath>} and returns once the server accepts connections. */
    public static PrometheusProcess scraping(String targetHostPort, String metricsPath) {
        PrometheusProcess prometheus = new PrometheusProcess(targetHostPort, metricsPath);
        try {
            prometheus.child.startListening(prometheus.port, Duration.ofSeconds(60), () -> prometheus.child.tail(40));
        } catch (RuntimeException | Error e) {
            prometheus.close();
            throw e;
        }
        return prometheus;
    }

    /** The one target's state from /api/v1/targets: health ("up", "down", "unknown"), last error, last scrape time. */
    public Target target() {
        JsonNode targets = api("/api/v1/targets?state=active").path("data").path("activeTargets");
        if (targets.isEmpty()) {
            return new Target("unknown", "", "none yet: the scrape configuration is still loading");
        }
        if (targets.size() != 1) {
            throw new AssertionError("prometheus has " + targets.size() + " active targets: " + targets);
        }
        JsonNode t = targets.get(0);
        return new Target(t.path("health").asText(), t.path("lastError").asText(), t.path("lastScrape").asText());
    }

    /** The value of an instant query with one series, or null when it has none. */
    public Double instant(String promql) {
        JsonNode result = api("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)).path("data")
                .path("result");
        return result.isEmpty() ? null : Double.parseDouble(result.get(0).path("value").get(1).asText());
    }

    private JsonNode api(String pathAndQuery) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new AssertionError("prometheus GET " + pathAndQuery + " answered HTTP " + r.statusCode() + ": " + r.body());
            }
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException("prometheus GET " + pathAndQuery + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    public String logTail(int lines) {
        return child.tail(lines);
    }

    @Override
    public void close() {
        child.stopAndDeleteWorkDir(dir);
    }

    /** @param lastScrape RFC 3339 time of the last scrape, "0001-01-01T00:00:00Z" before the first */
    public record Target(String health, String lastError, String lastScrape) {
    }
}
