package org.fieldgate.testkit;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The gateway as a real child JVM ({@code org.fieldgate.Application}) on the test classpath, configured
 * only through -D system properties. Restarts reuse the same properties, HTTP port, spool dir and MQTT client id,
 * exactly like a field unit coming back after a power cut.
 */
public final class GatewayProcess implements AutoCloseable {
    public static final String MAIN_CLASS = "org.fieldgate.Application";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final java.util.Set<GatewayProcess> OPEN = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private static final Duration START_TIMEOUT = Duration.ofSeconds(Long.getLong("fieldgate.it.gateway-start-s", 90));

    private final Path dir;
    private final Map<String, String> properties;
    private final int port;
    private final ChildProcess child;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** The kit's JVM options unless a test asks for the site's: a roomy heap for 2 shared cores. */
    static final List<String> KIT_JVM_OPTIONS = List.of("-Xmx256m", "-XX:+UseSerialGC");

    private GatewayProcess(Path dir, Map<String, String> properties, List<String> jvmOptions) {
        this.dir = dir;
        this.properties = Map.copyOf(properties);
        this.port = Integer.parseInt(properties.get("micronaut.server.port"));
        List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        // as the launchers do: an OutOfMemoryError ends the process rather than one of its threads
        command.add("-XX:+ExitOnOutOfMemoryError");
        command.add("-cp");
        command.add(childClasspath());
        properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add(MAIN_CLASS);
        child = new ChildProcess("gateway:" + port, command, dir.resolve("gateway.log"), dir.resolve("gateway.stderr.log"));
        OPEN.add(this);
    }

    /** Gateways created and not yet closed (for {@link AttachGatewayLogs}). */
    static java.util.List<GatewayProcess> open() {
        return java.util.List.copyOf(OPEN);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The options a site runs the gateway with: gateway/jvm.options, one per line, # comments. */
    public static List<String> siteJvmOptions() {
        Path file = Paths.get(System.getProperty("basedir", ".")).resolve("jvm.options");
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8).stream().map(String::trim)
                    .filter(line -> !line.isEmpty() && !line.startsWith("#")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the site JVM options " + file.toAbsolutePath(), e);
        }
    }

    /**
     * The test JVM's classpath minus test-classes: the gateway must run on its own main code and dependencies,
     * never on test resources such as a logback-test.xml or an application-test.yml.
     * Surefire may start tests from a manifest-only jar, so its own test classpath property wins when present.
     */
    static String childClasspath() {
        String cp = System.getProperty("surefire.test.class.path");
        if (cp == null || cp.isBlank()) {
            cp = System.getProperty("java.class.path");
        }
        return java.util.Arrays.stream(cp.split(File.pathSeparator))
                .filter(entry -> !entry.isBlank())
                .filter(entry -> !Paths.get(entry).getFileName().toString().equals("test-classes"))
                .collect(Collectors.joining(File.pathSeparator));
    }

    // ---- lifecycle ---------------------------------------------------------------------------

    /** Starts the JVM without waiting for it to be ready (for start-up failure tests). */
    public GatewayProcess launch() {
        child.start();
        return this;
    }

    /** Starts the JVM and waits until GET /api/status answers 200. */
    public GatewayProcess start() {
        launch();
        awaitReady();
        return this;
    }

    public void awaitReady() {
        Poll.until("gateway (PID " + child.pid() + ") to answer GET /api/status with 200 on port " + port, START_TIMEOUT, () -> {
            if (!child.isAlive()) {
                throw new AssertionError("gateway exited during start-up with code " + child.exitCode() + "\n" + logTail());
            }
            return get("/api/status").statusCode() == 200;
        }, this::logTail);
    }

    /** SIGKILL, as in a power cut: no shutdown hooks, no flush. Waits for the exit. */
    public void kill9() {
        child.kill();
    }

    /** SIGTERM and wait for a clean exit. Returns the exit code. */
    public int stop() {
        return child.stop(60);
    }

    /** Starts again with the same properties (same port, spool dir and MQTT client id) and waits until ready. */
    public GatewayProcess restart() {
        if (child.isAlive()) {
            throw new IllegalStateException("gateway still running as PID " + child.pid() + "; kill9() or stop() first");
        }
        return start();
    }

    public boolean isAlive() {
        return child.isAlive();
    }

    /** Waits for the process to exit by itself; null if it is still running after the timeout. */
    public Integer waitForExit(Duration timeout) {
        return child.waitForExit(timeout.toSeconds());
    }

    public long pid() {
        return child.pid();
    }

    // ---- HTTP -----------------------------------------------------------------------------------

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** GET /api/status, parsed; fails (with the gateway log) unless it answers 200 with the documented fields. */
    public GatewayStatus status() {
        HttpResponse<String> response = getOrFail("/api/status");
        if (response.statusCode() != 200) {
            throw failure("GET /api/status answered HTTP " + response.statusCode() + ": " + response.body());
        }
        return GatewayStatus.from(parseObject("/api/status", response.body()));
    }

    /** GET /health: HTTP code, raw body and parsed JSON (empty map when the body is not a JSON object). */
    public Health health() {
        HttpResponse<String> response = getOrFail("/health");
        Map<String, Object> json;
        try {
            json = JSON.readValue(response.body(), new TypeReference<Map<String, Object>>() { });
        } catch (IOException e) {
            json = Map.of();
        }
        return new Health(response.statusCode(), response.body(), json);
    }

    /** GET /api/dead-letters?limit=N, newest first. */
    public List<Map<String, Object>> deadLetters(int limit) {
        HttpResponse<String> response = getOrFail("/api/dead-letters?limit=" + limit);
        if (response.statusCode() != 200) {
            throw failure("GET /api/dead-letters answered HTTP " + response.statusCode() + ": " + response.body());
        }
        try {
            return JSON.readValue(response.body(), new TypeReference<List<Map<String, Object>>>() { });
        } catch (IOException e) {
            throw failure("GET /api/dead-letters did not answer a JSON array: " + abbreviate(response.body()), e);
        }
    }

    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(baseUrl() + path)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> getOrFail(String path) {
        try {
            return get(path);
        } catch (IOException e) {
            throw failure("GET " + path + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure("interrupted during GET " + path, e);
        }
    }

    private Map<String, Object> parseObject(String path, String body) {
        try {
            return JSON.readValue(body, new TypeReference<LinkedHashMap<String, Object>>() { });
        } catch (IOException e) {
            throw failure("GET " + path + " did not answer a JSON object: " + abbreviate(body), e);
        }
    }

    // ---- diagnostics -----------------------------------------------------------------------------

    /** The last 60 lines of the gateway's stdout and stderr. */
    public String logTail() {
        return child.tail(60);
    }

    /**
     * For {@link Poll}: the gateway's current status (if it answers), log tail and where a thread dump was saved,
     * to attach to a timeout. The dump's MQTT threads are quoted: a stuck reconnect shows up there.
     */
    public Supplier<String> diagnostics() {
        return () -> "gateway status: " + statusText() + "\n" + threadDumpSummary() + logTail();
    }

    /** Saves {@code jcmd <pid> Thread.print} next to the gateway log; returns the path and the MQTT threads' stacks. */
    public String threadDumpSummary() {
        if (!child.isAlive()) {
            return "";
        }
        Path file = dir.resolve("thread-dump-" + System.currentTimeMillis() + ".txt");
        String jcmd = Paths.get(System.getProperty("java.home"), "bin", "jcmd").toString();
        try {
            Process dump = new ProcessBuilder(jcmd, Long.toString(child.pid()), "Thread.print")
                    .redirectErrorStream(true).redirectOutput(file.toFile()).start();
            if (!dump.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                dump.destroyForcibly();
                return "(jcmd Thread.print did not finish in 20 s)\n";
            }
            StringBuilder mqtt = new StringBuilder("---- gateway thread dump saved to " + file + "; MQTT threads:\n");
            boolean inMqttThread = false;
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.startsWith("\"")) {
                    inMqttThread = line.contains("MQTT") || line.contains("paho") || line.contains("ingest") || line.contains("commit");
                }
                if (inMqttThread && mqtt.length() < 12_000) {
                    mqtt.append(line).append('\n');
                }
            }
            return mqtt.toString();
        } catch (IOException e) {
            return "(could not take a thread dump: " + e + ")\n";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "(interrupted taking a thread dump)\n";
        }
    }

    /** The raw /api/status body, or why there is none; for failure messages only. */
    public String statusText() {
        if (!child.isAlive()) {
            return "(gateway not running, last exit code " + child.exitCode() + ")";
        }
        try {
            HttpResponse<String> response = get("/api/status");
            return "HTTP " + response.statusCode() + " " + abbreviate(response.body());
        } catch (IOException e) {
            return "(GET /api/status failed: " + e + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "(interrupted)";
        }
    }

    public AssertionError failure(String message) {
        return new AssertionError(message + "\n" + logTail());
    }

    public AssertionError failure(String message, Throwable cause) {
        AssertionError error = failure(message);
        error.initCause(cause);
        return error;
    }

    /** How many lines of the gateway's stdout log (all runs) contain {@code text}, e.g. "MQTT connected to". */
    public long logLinesContaining(String text) {
        Path file = dir.resolve("gateway.log");
        try (var lines = Files.exists(file) ? Files.lines(file, StandardCharsets.UTF_8) : java.util.stream.Stream.<String>empty()) {
            return lines.filter(line -> line.contains(text)).count();
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the gateway log " + file, e);
        }
    }

    /** The lines the gateway wrote to stderr (all runs). */
    public List<String> stderrLines() {
        try {
            Path file = dir.resolve("gateway.stderr.log");
            return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the gateway stderr log", e);
        }
    }

    public Map<String, String> properties() {
        return properties;
    }

    /**
     * Runs one of the gateway's command-line tools ({@code mainClass}, e.g. the export or quarantine CLI) as a child JVM
     * with this gateway's settings, as {@code gateway/fieldgate <tool>} would on the unit; returns its stdout and stderr.
     * Fails when it exits non-zero or outlives {@code timeout}.
     */
    public String runTool(String mainClass, Duration timeout, String... args) {
        return runTool(mainClass, timeout, Map.of(), args);
    }

    /** {@link #runTool(String, Duration, String...)} with more properties than the gateway's own (e.g. a site file). */
    public String runTool(String mainClass, Duration timeout, Map<String, String> moreProperties, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx128m");
        command.add("-XX:+UseSerialGC");
        command.add("-cp");
        command.add(childClasspath());
        properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
        moreProperties.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add(mainClass);
        command.addAll(List.of(args));
        return Command.run(command, Map.of(), timeout);
    }

    public Path dir() {
        return dir;
    }

    private static String abbreviate(String s) {
        return s.length() > 2000 ? s.substring(0, 2000) + "…" : s;
    }

    @Override
    public void close() {
        OPEN.remove(this);
        try {
            if (child.isAlive()) {
                child.stop(60);
            }
        } finally {
            ChildProcess.deleteWorkDir(dir);
        }
    }

    /** GET /health as seen by an operator's monitoring. */
    public record Health(int httpStatus, String body, Map<String, Object> json) {
        /** Overall "status" field (UP/DOWN), or null when absent. */
        public String status() {
            Object status = json.get("status");
            return status == null ? null : status.toString();
        }

        /** The named indicator's sub-object from "details" (Micronaut's health layout), or an empty map. */
        @SuppressWarnings("unchecked")
        public Map<String, Object> indicator(String name) {
            Object details = json.get("details");
            if (details instanceof Map<?, ?> map && map.get(name) instanceof Map<?, ?> indicator) {
                return (Map<String, Object>) indicator;
            }
            return Map.of();
        }

        @Override
        public String toString() {
            return "HTTP " + httpStatus + " " + body;
        }
    }

    public static final class Builder {
        private final Map<String, String> properties = new LinkedHashMap<>();
        private List<String> jvmOptions = KIT_JVM_OPTIONS;
        private Path dir;

        private Builder() {
            properties.put("fieldgate.site", "it-site");
            properties.put("fieldgate.mqtt.embedded", "false");
            properties.put("fieldgate.influx.database", "fieldgate_it");
            properties.put("fieldgate.simulator.enabled", "false");
            properties.put("fieldgate.forward.max-backoff", "5s");
            properties.put("micronaut.server.host", "127.0.0.1");
        }

        public Builder site(String site) {
            return property("fieldgate.site", site);
        }

        public Builder mqttUrl(String url) {
            return property("fieldgate.mqtt.url", url);
        }

        /** Stable per test: the broker keeps this persistent session's queue across gateway restarts. */
        public Builder clientId(String clientId) {
            return property("fieldgate.mqtt.client-id", clientId);
        }

        public Builder influxUrl(String url) {
            return property("fieldgate.influx.url", url);
        }

        public Builder database(String database) {
            return property("fieldgate.influx.database", database);
        }

        public Builder spoolMaxBytes(long bytes) {
            return property("fieldgate.spool.max-bytes", Long.toString(bytes));
        }

        public Builder property(String key, String value) {
            properties.put(key, value);
            return this;
        }

        /** Runs the JVM with these options instead of the kit's, e.g. {@link #siteJvmOptions()}. */
        public Builder jvmOptions(List<String> options) {
            jvmOptions = List.copyOf(options);
            return this;
        }

        private GatewayProcess build() {
            dir = ChildProcess.newWorkDir("gateway");
            properties.putIfAbsent("micronaut.server.port", Integer.toString(FreePorts.next()));
            properties.putIfAbsent("fieldgate.spool.dir", dir.resolve("spool").toString());
            properties.putIfAbsent("fieldgate.mqtt.client-id", "it-gateway-" + properties.get("micronaut.server.port"));
            return new GatewayProcess(dir, properties, jvmOptions);
        }

        /** Builds and starts, waiting until ready. */
        public GatewayProcess start() {
            GatewayProcess gateway = build();
            try {
                return gateway.start();
            } catch (RuntimeException | Error e) {
                gateway.close();
                throw e;
            }
        }

        /** Builds and launches without waiting for readiness. */
        public GatewayProcess launch() {
            return build().launch();
        }
    }
}
