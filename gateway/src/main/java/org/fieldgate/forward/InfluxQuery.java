package org.fieldgate.forward;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fieldgate.config.GatewaySettings;
import org.fieldgate.config.TlsFiles;

/**
 * Reads a window back from InfluxDB's v1 {@code /query} API (for the export and the reconciler; InfluxDB's client
 * code stays in this package) (1.x, and 2.x/3.x v1 compatibility), streamed in chunks so
 * a day of 1 Hz readings never sits in memory at once. Rows come with the series' tags merged in and times in ns.
 */
public final class InfluxQuery {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final GatewaySettings.Influx influx;
    /** Built at the first query: none is made at start-up (an HttpClient loads the JDK's TLS context and CA store). */
    private HttpClient http;

    /** One result row: the series' tags, then the columns (time as a Long of ns). */
    public interface RowSink {
        void row(Map<String, Object> row) throws IOException;
    }

    public InfluxQuery(GatewaySettings.Influx influx) {
        this.influx = influx;
    }

    private synchronized HttpClient http() {
        if (http == null) {
            HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
            if (influx.caFile() != null) {
                try {
                    b.sslContext(TlsFiles.clientContext(influx.caFile(), null, null));
                } catch (IOException | GeneralSecurityException e) {
                    throw new IllegalStateException("fieldgate.influx.ca-file " + influx.caFile() + ": " + e.getMessage(), e);
                }
            }
            http = b.build();
        }
        return http;
    }

    /** GET /ping answers 204. */
    public boolean reachable() {
        try {
            HttpResponse<Void> r = http().send(HttpRequest.newBuilder(URI.create(influx.url() + "/ping"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 204;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Runs one InfluxQL statement against the configured database and hands each row to {@code sink}, in order. */
    public void forEachRow(String influxql, RowSink sink) throws IOException {
        String form = "db=" + enc(influx.database()) + "&epoch=ns&chunked=true&chunk_size=10000&q=" + enc(influxql);
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(influx.url() + "/query"))
                .timeout(Duration.ofMinutes(10))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form));
        if (influx.username() != null || influx.password() != null) {
            String user = influx.username() == null ? "" : influx.username();
            String pass = influx.password() == null ? "" : influx.password();
            request.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString((user + ":" + pass).getBytes(StandardCharsets.UTF_8)));
        }
        HttpResponse<InputStream> response;
        try {
            response = http().send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted querying InfluxDB", e);
        } catch (IOException e) {
            throw new IOException("InfluxDB " + influx.url() + " did not answer `" + influxql + "`: " + e, e);
        }
        try (InputStream body = response.body()) {
            if (response.statusCode() != 200) {
                String text = new String(body.readNBytes(500), StandardCharsets.UTF_8);
                throw new IOException("InfluxDB " + influx.url() + " answered HTTP " + response.statusCode() + " to `"
                        + influxql + "`: " + text);
            }
            readChunks(body, influxql, sink);
        }
    }

    /**
     * Reads a chunked v1 /query answer (JSON documents one after another) row by row: each row is column name ->
     * value (Long, Double, Boolean, String or null) with the series' tags; an {@code error} anywhere fails.
     */
    public static void readChunks(InputStream body, String influxql, RowSink sink) throws IOException {
        MappingIterator<JsonNode> chunks = JSON.readerFor(JsonNode.class).readValues(body);
        while (chunks.hasNextValue()) {
            JsonNode chunk = chunks.nextValue();
            failOn(chunk, influxql);
            for (JsonNode result : chunk.path("results")) {
                failOn(result, influxql);
                for (JsonNode series : result.path("series")) {
                    List<String> columns = new ArrayList<>();
                    series.path("columns").forEach(c -> columns.add(c.asText()));
                    Map<String, Object> tags = new LinkedHashMap<>();
                    series.path("tags").fields().forEachRemaining(e -> tags.put(e.getKey(), e.getValue().asText()));
                    for (JsonNode values : series.path("values")) {
                        Map<String, Object> row = new LinkedHashMap<>(tags);
                        for (int i = 0; i < columns.size(); i++) {
                            row.put(columns.get(i), scalar(values.get(i)));
                        }
                        sink.row(row);
                    }
                }
            }
        }
    }

    private static void failOn(JsonNode node, String influxql) throws IOException {
        if (node.has("error")) {
            throw new IOException("InfluxDB query `" + influxql + "` failed: " + node.get("error").asText());
        }
    }

    private static Object scalar(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isIntegralNumber()) {
            return node.longValue();
        }
        if (node.isNumber()) {
            return node.doubleValue();
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        return node.asText();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
