package org.fieldgate.web;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import org.fieldgate.forward.InfluxForwarder;
import org.fieldgate.testkit.FreePorts;
import org.fieldgate.testkit.Pki;
import org.fieldgate.testkit.Poll;
import org.fieldgate.testkit.StartsApplication;
import org.fieldgate.testkit.StartsProcesses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The HTTP API in-process: reads open, state changes need the bearer token, no token configured means no state
 * changes at all, and CORS stays off. InfluxDB is absent and the backoff is long, so the forwarder sits in a
 * backoff that only POST /api/forward/retry can end.
 */
@StartsApplication
@StartsProcesses
class ApiTokenTest {
    private static final String TOKEN = "t0ken-for-tests";
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static ApplicationContext gateway(Path dir, Path tokenFile) {
        Map<String, Object> p = new HashMap<>();
        p.put("micronaut.server.port", FreePorts.next());
        p.put("fieldgate.site", "api-test");
        p.put("fieldgate.spool.dir", dir.resolve("spool").toString());
        // nothing listens on either: the broker stays disconnected, InfluxDB unreachable
        p.put("fieldgate.mqtt.url", "tcp://127.0.0.1:" + FreePorts.next());
        p.put("fieldgate.influx.url", "http://127.0.0.1:" + FreePorts.next());
        // the first failed write starts a 30-60 s backoff
        p.put("fieldgate.forward.min-backoff", "1m");
        p.put("fieldgate.forward.max-backoff", "1h");
        if (tokenFile != null) {
            p.put("fieldgate.http.token-file", tokenFile.toString());
        }
        return ApplicationContext.run(EmbeddedServer.class, p).getApplicationContext();
    }

    private HttpResponse<String> send(ApplicationContext context, String method, String path, Map<String, String> headers)
            throws Exception {
        URI uri = context.getBean(EmbeddedServer.class).getURI().resolve(path);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.noBody());
        headers.forEach(request::header);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void retryNeedsTheTokenAndEndsTheForwardersBackoff(@TempDir Path dir) throws Exception {
        Path tokenFile = Pki.secretFile(dir.resolve("api.token"), TOKEN);
        try (ApplicationContext context = gateway(dir, tokenFile)) {
            InfluxForwarder forwarder = context.getBean(InfluxForwarder.class);
            Poll.until("the forwarder's first failed attempt", Duration.ofSeconds(20), () -> forwarder.failedWrites() == 1);

            var none = send(context, "POST", "/api/forward/retry", Map.of());
            assertEquals(401, none.statusCode(), none.body());
            assertEquals("Bearer realm=\"fieldgate\"", none.headers().firstValue("WWW-Authenticate").orElse(""));
            var wrong = send(context, "POST", "/api/forward/retry", Map.of("Authorization", "Bearer " + TOKEN + "x"));
            assertEquals(401, wrong.statusCode(), wrong.body());
            var basic = send(context, "POST", "/api/forward/retry", Map.of("Authorization", "Basic " + TOKEN));
            assertEquals(401, basic.statusCode(), basic.body());
            // management endpoints are behind the same filter
            assertEquals(401, send(context, "POST", "/refresh", Map.of()).statusCode());
            Poll.sleep(Duration.ofSeconds(2));
            assertEquals(1, forwarder.failedWrites(), "refused requests must not end the backoff");

            var right = send(context, "POST", "/api/forward/retry", Map.of("Authorization", "Bearer " + TOKEN));
            assertEquals(200, right.statusCode(), right.body());
            assertTrue(right.body().contains("\"backoffEnded\":true"), right.body());
            // the backoff has at least 28 s to run; the retry attempt must come now
            Poll.until("the retried write attempt", Duration.ofSeconds(5), () -> forwarder.failedWrites() == 2,
                    () -> "failed writes " + forwarder.failedWrites());

            var status = send(context, "GET", "/api/status", Map.of());
            assertEquals(200, status.statusCode(), "reads stay open");
            assertTrue(status.body().contains("\"site\":\"api-test\""), status.body());
        }
    }

    @Test
    void withoutATokenFileStateChangesAreForbiddenAndSaySoWhileReadsStayOpen(@TempDir Path dir) throws Exception {
        try (ApplicationContext context = gateway(dir, null)) {
            var retry = send(context, "POST", "/api/forward/retry", Map.of("Authorization", "Bearer anything"));
            assertEquals(403, retry.statusCode(), retry.body());
            assertTrue(retry.body().contains("fieldgate.http.token-file"), retry.body());
            for (String method : new String[]{"PUT", "DELETE", "PATCH"}) {
                assertEquals(403, send(context, method, "/api/forward/retry", Map.of()).statusCode(), method);
            }
            assertEquals(200, send(context, "GET", "/api/status", Map.of()).statusCode());
            assertEquals(200, send(context, "GET", "/api/dead-letters", Map.of()).statusCode());
        }
    }

    @Test
    void corsIsOffForPreflightAndSimpleRequests(@TempDir Path dir) throws Exception {
        try (ApplicationContext context = gateway(dir, Pki.secretFile(dir.resolve("api.token"), TOKEN))) {
            String origin = "http://attacker.example";
            var preflight = send(context, "OPTIONS", "/api/forward/retry", Map.of("Origin", origin,
                    "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "authorization"));
            var get = send(context, "GET", "/api/status", Map.of("Origin", origin));
            // Micronaut answers a foreign origin on a loopback-bound server 403 outright; bound elsewhere it would
            // answer without CORS headers. Either way no browser page from another origin may read the answer.
            for (var response : java.util.List.of(preflight, get)) {
                assertFalse(response.headers().firstValue("Access-Control-Allow-Origin").isPresent(),
                        response.request().method() + " " + response.headers().map());
                assertFalse(response.headers().firstValue("Access-Control-Allow-Headers").isPresent());
                assertFalse(response.body().contains("site"), "no status leaked: " + response.body());
            }
        }
    }

    @Test
    void managementEndpointsShowNothingWithoutTheTokenButHealthAndPrometheusStayOpen(@TempDir Path dir) throws Exception {
        try (ApplicationContext context = gateway(dir, Pki.secretFile(dir.resolve("api.token"), TOKEN))) {
            Map<String, String> bearer = Map.of("Authorization", "Bearer " + TOKEN);
            for (String path : new String[]{"/beans", "/threaddump", "/routes", "/metrics", "/info"}) {
                var none = send(context, "GET", path, Map.of());
                assertEquals(401, none.statusCode(), path + " without a token: " + none.body().substring(0, Math.min(200, none.body().length())));
                assertFalse(none.body().contains("org.fieldgate"), path + " leaked: " + none.body());
                var wrong = send(context, "GET", path, Map.of("Authorization", "Bearer " + TOKEN + "x"));
                assertEquals(401, wrong.statusCode(), path + " with a wrong token");
                var right = send(context, "GET", path, bearer);
                assertEquals(200, right.statusCode(), path + " with the token: " + right.body());
            }
            // a sub-path of a guarded endpoint is guarded too
            assertEquals(401, send(context, "GET", "/metrics/jvm.memory.used", Map.of()).statusCode());
            for (String path : new String[]{"/health", "/prometheus", "/api/status"}) {
                var open = send(context, "GET", path, Map.of());
                assertTrue(open.statusCode() == 200 || path.equals("/health") && open.statusCode() == 503,
                        path + " stays open: " + open.statusCode() + " " + open.body());
            }
        }
        try (ApplicationContext context = gateway(dir.resolve("untokened"), null)) {
            var beans = send(context, "GET", "/beans", Map.of());
            assertEquals(403, beans.statusCode(), "no token configured: " + beans.body());
            assertTrue(beans.body().contains("fieldgate.http.token-file"), beans.body());
        }
    }
}
