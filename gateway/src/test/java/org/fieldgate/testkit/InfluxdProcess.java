package org.fieldgate.testkit;


import java.io.IOException;
import java.io.InputStream;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A real influxd 1.6 on 127.0.0.1 with its own meta/data/wal directories. Both the HTTP port and the
 * RPC (backup) bind address get fresh ports, so several instances never collide.
 * Queries go over plain HTTP (or HTTPS with {@link #startedWithTls}) with epoch=ns so timestamps come back as exact
 * integers.
 */
public final class InfluxdProcess implements AutoCloseable {
    private static final String BINARY = System.getProperty("fieldgate.it.influxd", "/usr/bin/influxd");

    private final Path dir;
    private final int httpPort;
    private final int rpcPort;
    private final ChildProcess child;
    private final boolean https;
    private final HttpClient http;

    private InfluxdProcess() {
        this(null, null);
    }

    /** With {@code serverCert}: HTTPS only, and this kit's own queries trust {@code caFile}. */
    private InfluxdProcess(Pki.Issued serverCert, Path caFile) {
        https = serverCert != null;
        HttpClient.Builder client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        if (https) {
            try {
                client.sslContext(org.fieldgate.config.TlsFiles.clientContext(caFile, null, null));
            } catch (IOException | java.security.GeneralSecurityException e) {
                throw new IllegalStateException("test CA " + caFile + " unusable: " + e.getMessage(), e);
            }
        }
        http = client.build();
        ChildProcess.requireExecutable(BINARY, "Debian package 'influxdb' (1.6)", "fieldgate.it.influxd");
        dir = ChildProcess.newWorkDir("influxd");
        httpPort = FreePorts.next();
        rpcPort = FreePorts.next();
        Path conf = dir.resolve("influxdb.conf");
        try {
            Files.writeString(conf, String.join("\n",
                    "# written by the fieldgate acceptance-test kit",
                    "reporting-disabled = true",
                    "bind-address = \"127.0.0.1:" + rpcPort + "\"",
                    "[meta]",
                    "  dir = \"" + dir.resolve("meta") + "\"",
                    "  logging-enabled = false",
                    "[data]",
                    "  dir = \"" + dir.resolve("data") + "\"",
                    "  wal-dir = \"" + dir.resolve("wal") + "\"",
                    "  query-log-enabled = false",
                    "  trace-logging-enabled = false",
                    "[coordinator]",
                    "  log-queries-after = \"0s\"",
                    "[retention]",
                    "  enabled = false",
                    "[http]",
                    "  enabled = true",
                    "  bind-address = \"127.0.0.1:" + httpPort + "\"",
                    "  auth-enabled = false",
                    "  log-enabled = false",
                    "  write-tracing = false",
                    "  max-row-limit = 0",
                    https ? "  https-enabled = true" : "  https-enabled = false",
                    https ? "  https-certificate = \"" + serverCert.certFile() + "\"" : "",
                    https ? "  https-private-key = \"" + serverCert.keyFile() + "\"" : "",
                    "[monitor]",
                    "  store-enabled = false",
                    "[continuous_queries]",
                    "  enabled = false",
                    "[subscriber]",
                    "  enabled = false",
                    "[logging]",
                    "  level = \"warn\"",
                    ""));
        } catch (IOException e) {
            throw new UncheckedIOException("could not write influxd config in " + dir, e);
        }
        child = new ChildProcess("influxd:" + httpPort, List.of(BINARY, "run", "-config", conf.toString()),
                dir.resolve("influxd.log"), null);
    }

    /** Writes the config and picks ports but does not start: for tests where InfluxDB is down at first. */
    public static InfluxdProcess configured() {
        return new InfluxdProcess();
    }

    public static InfluxdProcess started() {
        return startedOrClosed(new InfluxdProcess());
    }

    private static InfluxdProcess startedOrClosed(InfluxdProcess influxd) {
        try {
            influxd.start();
        } catch (RuntimeException | Error e) {
            influxd.close();
            throw e;
        }
        return influxd;
    }

    /**
     * influxd serving HTTPS only, with {@code serverCert} (and its key) from a test {@link Pki}; {@link #url} is
     * https://127.0.0.1:port, and the kit's queries trust {@code caFile}.
     */
    public static InfluxdProcess startedWithTls(Pki.Issued serverCert, Path caFile) {
        return startedOrClosed(new InfluxdProcess(serverCert, caFile));
    }

    /** Starts (or restarts on the same port and data); returns once GET /ping answers 204. */
    public void start() {
        child.start();
        Poll.until("influxd to answer GET /ping with 204 on " + url(), Duration.ofSeconds(30), () -> {
            if (!child.isAlive()) {
                throw new AssertionError("influxd exited with code " + child.exitCode() + "\n" + child.tail(40));
            }
            HttpResponse<Void> ping = http.send(HttpRequest.newBuilder(URI.create(url() + "/ping"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
            return ping.statusCode() == 204;
        }, () -> child.tail(40));
    }

    /** SIGTERM and wait: influxd closes its shards and WAL cleanly. */
    public void stop() {
        child.stop(30);
    }

    public boolean isRunning() {
        return child.isAlive();
    }

    public String url() {
        return (https ? "https" : "http") + "://127.0.0.1:" + httpPort;
    }

    public long pid() {
        return child.pid();
    }

    public String logTail(int lines) {
        return child.tail(lines);
    }

    // ---- HTTP helpers ---------------------------------------------------------------------

    public void createDatabase(String db) {
        post("/query", "q=" + enc("CREATE DATABASE \"" + db + "\""), 200);
    }

    /** Writes line protocol with nanosecond timestamps. */
    public void writeLine(String db, String lineProtocol) {
        post("/write?db=" + enc(db) + "&precision=ns", lineProtocol, 204);
    }

    /** Runs one InfluxQL statement; each row is column name → value, with "time" in epoch nanoseconds (a Long). */
    public List<Map<String, Object>> query(String db, String influxql) {
        List<Map<String, Object>> rows = new ArrayList<>();
        forEachRow(db, influxql, rows::add);
        return rows;
    }

    /** Streams a (possibly huge) result chunk by chunk, so 100,000 points never sit in one JSON document. */
    public void forEachRow(String db, String influxql, Consumer<Map<String, Object>> sink) {
        String uri = url() + "/query?db=" + enc(db) + "&epoch=ns&chunked=true&chunk_size=10000&q=" + enc(influxql);
        HttpResponse<InputStream> response = send(HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(120)).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() != 200) {
            try (InputStream body = response.body()) {
                throw new AssertionError("InfluxDB query `" + influxql + "` answered HTTP " + response.statusCode()
                        + ": " + new String(body.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException("InfluxDB query `" + influxql + "` answered HTTP " + response.statusCode(), e);
            }
        }
        try (InputStream body = response.body()) {
            // the same reader the gateway's export uses
            org.fieldgate.forward.InfluxQuery.readChunks(body, influxql, sink::accept);
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("InfluxDB query")) {
                throw new AssertionError(e.getMessage(), e);
            }
            throw new UncheckedIOException("could not read InfluxDB answer to `" + influxql + "`", e);
        }
    }

    /** SELECT count(value) FROM reading; 0 when the database or measurement does not exist yet. */
    public long count(String db) {
        if (!databases().contains(db)) {
            return 0;
        }
        List<Map<String, Object>> rows = query(db, "SELECT count(value) FROM reading");
        if (rows.isEmpty()) {
            return 0;
        }
        return ((Number) rows.get(0).get("count")).longValue();
    }

    /** Points per series ("device/channel[unit]=count"), for failure messages when something unexpected landed. */
    public String seriesSummary(String db) {
        StringBuilder out = new StringBuilder();
        forEachRow(db, "SELECT count(value) FROM reading GROUP BY site, device, channel, unit", row -> {
            if (out.length() < 6000) {
                out.append(row.get("site")).append(':').append(row.get("device")).append('/').append(row.get("channel"))
                        .append('[').append(row.get("unit")).append("]=").append(row.get("count")).append(", ");
            }
        });
        return out.length() >= 6000 ? out + "…" : out.toString();
    }

    public List<String> databases() {
        List<String> names = new ArrayList<>();
        forEachRow("", "SHOW DATABASES", row -> names.add(String.valueOf(row.get("name"))));
        return names;
    }

    private void post(String path, String body, int expectedStatus) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (path.startsWith("/query")) {
            request.header("Content-Type", "application/x-www-form-urlencoded");
        }
        HttpResponse<String> response = send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != expectedStatus) {
            throw new AssertionError("InfluxDB POST " + path + " answered HTTP " + response.statusCode() + ": " + response.body());
        }
        if (path.startsWith("/query") && response.body().contains("\"error\"")) {
            throw new AssertionError("InfluxDB POST " + path + " failed: " + response.body());
        }
    }

    private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        try {
            return http.send(request, handler);
        } catch (IOException e) {
            throw new UncheckedIOException("InfluxDB at " + url() + " did not answer " + request.uri(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted talking to InfluxDB", e);
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        child.stopAndDeleteWorkDir(dir);
    }
}
