package org.fieldgate.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import org.fieldgate.export.GatewayKeys;
import org.fieldgate.testkit.FreePorts;
import org.fieldgate.testkit.Poll;
import org.fieldgate.testkit.StartsApplication;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * /api/status, /health and the live page's status section in-process: the JSON keys, in order, and the figures they
 * share. Tests, the README and dashboards read these names, so a refactoring must keep them byte for byte.
 */
@StartsApplication
class StatusApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void statusHealthAndLivePageKeepTheirKeysAndAgreeOnTheFigures(@TempDir Path dir) throws Exception {
        Map<String, Object> p = new HashMap<>();
        p.put("micronaut.server.port", FreePorts.next());
        p.put("fieldgate.site", "status-test");
        p.put("fieldgate.spool.dir", dir.resolve("spool").toString());
        // nothing listens on either: the broker stays disconnected, InfluxDB unreachable
        p.put("fieldgate.mqtt.url", "tcp://127.0.0.1:" + FreePorts.next());
        p.put("fieldgate.influx.url", "http://127.0.0.1:" + FreePorts.next());
        try (ApplicationContext context = ApplicationContext.run(EmbeddedServer.class, p).getApplicationContext()) {
            JsonNode status = Poll.value("/api/status with the broker's and InfluxDB's errors", Duration.ofSeconds(20),
                    () -> get(context, "/api/status"), s -> !s.path("brokerError").asText().isEmpty()
                            && !s.path("influxError").asText().isEmpty(), () -> "");
            assertEquals("{\"site\":\"status-test\",\"brokerConnected\":false,"
                            + "\"brokerError\":\"Unable to connect to server (Connection refused)\",\"spoolDepth\":0,"
                            + "\"oldestUndeliveredAgeS\":0.0,\"spoolBytes\":N,\"spoolMaxBytes\":536870912,\"spoolFull\":false,"
                            + "\"spoolFullPolicy\":\"backpressure\",\"influxReachable\":false,"
                            + "\"influxError\":\"Connection refused\",\"deadLetters\":0,\"ingested\":0,\"delivered\":0,"
                            + "\"quarantined\":0,\"dropped\":0,\"acquisition\":{\"state\":\"UP\",\"mode\":\"hardware\"},"
                            + "\"exportKeySha256\":\"K\",\"liveSeries\":0,\"liveSeriesEvicted\":0}",
                    status.toString().replaceFirst("\"spoolBytes\":\\d+", "\"spoolBytes\":N")
                            .replaceFirst("\"exportKeySha256\":\"[0-9a-f]{64}\"", "\"exportKeySha256\":\"K\""), "/api/status");
            assertTrue(status.path("spoolBytes").asLong() > 0, status.toString());
            // the key made at the first start, beside the spool
            assertEquals(GatewayKeys.fingerprint(GatewayKeys.readPublic(dir.resolve("keys").resolve(GatewayKeys.PUBLIC))),
                    status.path("exportKeySha256").asText());

            JsonNode health = get(context, "/health").path("details");
            assertEquals(List.of("reachable", "delivered", "quarantined", "oldestUndeliveredAgeS", "lastSuccessfulWrite",
                    "error"), keys(health.at("/influx/details")), health.toString());
            assertEquals(List.of("depth", "oldestUndeliveredAgeS", "usedBytes", "maxBytes", "fullPolicy", "dropped",
                    "lostAcknowledged", "duplicates", "conflicts"), keys(health.at("/spool/details")), health.toString());
            assertEquals(List.of("connected", "error"), keys(health.at("/mqtt/details")), health.toString());
            assertEquals(List.of("count"), keys(health.at("/deadLetters/details")), health.toString());
            assertEquals(List.of("state", "mode"), keys(health.at("/acquisition/details")), health.toString());
            assertEquals(List.of("lastRun"), keys(health.at("/reconcile/details")), health.toString());
            assertEquals("UP", health.at("/pipelineThreads/status").asText(), health.toString());
            // the same figures as /api/status, under the health indicators' names
            JsonNode spool = health.at("/spool/details");
            assertEquals(status.path("spoolBytes"), spool.path("usedBytes"), health.toString());
            assertEquals(status.path("spoolMaxBytes"), spool.path("maxBytes"), health.toString());
            assertEquals(status.path("spoolFullPolicy"), spool.path("fullPolicy"), health.toString());
            assertEquals(status.path("brokerError"), health.at("/mqtt/details/error"), health.toString());
            assertEquals(status.path("influxError"), health.at("/influx/details/error"), health.toString());
            assertEquals(status.path("acquisition"), health.at("/acquisition/details"), health.toString());

            JsonNode live = get(context, "/api/live").path("status");
            assertEquals(List.of("nowMs", "gateway", "acquireMode", "pageClients", "pageClientsDropped"), keys(live),
                    live.toString());
            assertEquals(status, live.path("gateway"), "the live page shows /api/status");
            assertEquals("hardware", live.path("acquireMode").asText());
        }
    }

    private JsonNode get(ApplicationContext context, String path) {
        URI uri = context.getBean(EmbeddedServer.class).getURI().resolve(path);
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(path, e);
        }
    }

    private static List<String> keys(JsonNode node) {
        List<String> out = new ArrayList<>();
        node.fieldNames().forEachRemaining(out::add);
        return out;
    }
}
