package org.fieldgate.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Debian's Chromium, headless, driven over its DevTools protocol: a page with a live event stream never finishes
 * loading, so {@code --dump-dom} with a virtual-time budget would wait for ever; here a test opens the page, waits
 * (bounded) until the DOM says what it expects, reads it, and takes screenshots at any viewport size. One browser
 * process (stopped by its PID on close) serves every viewport.
 */
public final class HeadlessChromium implements AutoCloseable {
    public static final Path BINARY = Path.of("/usr/bin/chromium");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
    /** A first run on a fresh machine builds the font cache and the profile: far slower than later runs. */
    static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    /** How long the browser and its helper processes get to exit on SIGTERM before SIGKILL. */
    private static final Duration EXIT_GRACE = Duration.ofSeconds(10);
    /** How long deleting the profile is retried while the last writes of exiting processes land. */
    private static final Duration DELETE_PATIENCE = Duration.ofSeconds(10);

    private final Process process;
    private final Path profile;
    private final WebSocket socket;
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();

    private HeadlessChromium(Process process, Path profile, WebSocket socket) {
        this.process = process;
        this.profile = profile;
        this.socket = socket;
    }

    /** Starts the browser with the house flags on a blank page and connects to that page. */
    public static HeadlessChromium start() throws IOException, InterruptedException {
        if (!Files.isExecutable(BINARY)) {
            throw new AssertionError("Debian's chromium is needed at " + BINARY + " (gateway/fieldgate test installs it)");
        }
        Path profile = Files.createTempDirectory("chromium-profile");
        ProcessBuilder builder = new ProcessBuilder(BINARY.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--disable-quic", "--hide-scrollbars", "--mute-audio", "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0", "--user-data-dir=" + profile, "about:blank")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(profile.resolve("chromium.stderr").toFile());
        inProfileTmp(builder, profile);
        Process process = builder.start();
        try {
            // Chromium writes its chosen port to DevToolsActivePort in the profile once it listens
            Path portFile = profile.resolve("DevToolsActivePort");
            String port = Poll.value("chromium (PID " + process.pid() + ") to write " + portFile, START_TIMEOUT,
                    () -> Files.isRegularFile(portFile) ? Files.readAllLines(portFile) : List.<String>of(),
                    lines -> !lines.isEmpty() && !lines.get(0).isBlank(), () -> stderrOf(profile)).get(0).trim();
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            JsonNode targets = Poll.value("chromium's page target", Duration.ofSeconds(10),
                    () -> JSON.readTree(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list"))
                            .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body()),
                    t -> pageSocket(t) != null, () -> stderrOf(profile));
            HeadlessChromium[] self = new HeadlessChromium[1];
            WebSocket socket = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                    .buildAsync(URI.create(pageSocket(targets)), new Listener(() -> self[0]))
                    .get(10, TimeUnit.SECONDS);
            self[0] = new HeadlessChromium(process, profile, socket);
            return self[0];
        } catch (RuntimeException | Error | ExecutionException | TimeoutException e) {
            String stderr = stderrOf(profile);
            stopTree(process);
            deleteProfile(profile);
            throw new AssertionError("chromium did not start: " + e + "\n" + stderr, e);
        }
    }

    /**
     * Chromium's own temporary files ({@code org.chromium.Chromium.*}) go under {@code profile}, deleted with it: in
     * {@code /tmp} they were left behind by every run.
     */
    public static void inProfileTmp(ProcessBuilder builder, Path profile) throws IOException {
        Path tmp = Files.createDirectories(profile.resolve("tmp"));
        builder.environment().put("TMPDIR", tmp.toString());
    }

    private static String pageSocket(JsonNode targets) {
        for (JsonNode t : targets) {
            if ("page".equals(t.path("type").asText())) {
                return t.path("webSocketDebuggerUrl").asText(null);
            }
        }
        return null;
    }

    private static String stderrOf(Path profile) {
        try {
            Path f = profile.resolve("chromium.stderr");
            return Files.isRegularFile(f) ? "chromium stderr:\n" + Files.readString(f) : "";
        } catch (IOException e) {
            return "chromium stderr unreadable: " + e;
        }
    }

    /** One DevTools command on the page; its result, or an AssertionError with the protocol's error. */
    public JsonNode send(String method, Map<String, Object> params) {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        pending.put(id, answer);
        try {
            Map<String, Object> message = new LinkedHashMap<>();
            message.put("id", id);
            message.put("method", method);
            message.put("params", params);
            socket.sendText(JSON.writeValueAsString(message), true).get(10, TimeUnit.SECONDS);
            JsonNode reply = answer.get(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            if (reply.has("error")) {
                throw new AssertionError(method + " " + params + ": " + reply.get("error"));
            }
            return reply.path("result");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted during " + method, e);
        } catch (IOException | ExecutionException | TimeoutException e) {
            throw new AssertionError(method + " got no answer: " + e + "\n" + stderrOf(profile), e);
        } finally {
            pending.remove(id);
        }
    }

    /** Sets the viewport (CSS pixels); {@code mobile} also makes it a touch phone's. */
    public void viewport(int width, int height, boolean mobile) {
        send("Emulation.setDeviceMetricsOverride", Map.of("width", width, "height", height, "deviceScaleFactor", 1,
                "mobile", mobile));
    }

    public void navigate(String url) {
        send("Page.navigate", Map.of("url", url));
    }

    /** Evaluates a JavaScript expression in the page and returns its value (JSON-compatible values only). */
    public JsonNode evaluate(String expression) {
        JsonNode r = send("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true));
        if (r.has("exceptionDetails")) {
            throw new AssertionError("'" + expression + "' threw: " + r.get("exceptionDetails"));
        }
        return r.path("result").path("value");
    }

    /**
     * Waits (bounded) until {@code condition}, a JavaScript expression, is true in the page; while the page is still
     * loading (no body yet) the expression may throw, which counts as "not yet".
     */
    public void waitFor(String what, String condition, Duration timeout, Supplier<String> diagnostics) {
        Poll.until(what, timeout, () -> evaluate("(() => { try { return Boolean(" + condition + "); }"
                + " catch (notYet) { return false; } })()").asBoolean(false), diagnostics);
    }

    /** The DOM as it is now, serialised. */
    public String dom() {
        return evaluate("document.documentElement.outerHTML").asText();
    }

    /** A PNG of the viewport, or of the whole page when {@code fullPage}. */
    public void screenshot(Path file, boolean fullPage) throws IOException {
        if (fullPage) {
            JsonNode size = send("Page.getLayoutMetrics", Map.of()).path("cssContentSize");
            screenshot(file, 0, size.path("width").asDouble(), size.path("height").asDouble());
        } else {
            capture(file, Map.of("format", "png"));
        }
    }

    /** A PNG of the page's full width from {@code top} down, {@code height} CSS pixels, wherever it is scrolled. */
    public void screenshot(Path file, double top, double width, double height) throws IOException {
        capture(file, Map.of("format", "png", "captureBeyondViewport", true,
                "clip", Map.of("x", 0, "y", top, "width", width, "height", height, "scale", 1)));
    }

    private void capture(Path file, Map<String, Object> params) throws IOException {
        byte[] png = Base64.getDecoder().decode(send("Page.captureScreenshot", params).path("data").asText());
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, png);
    }

    /** The browser's user-data directory (deleted by {@link #close()}). */
    public Path profile() {
        return profile;
    }

    /** The browser's PID and its helper processes' (renderer, GPU, zygotes, crashpad) as they are now. */
    public List<ProcessHandle> processTree() {
        List<ProcessHandle> tree = new java.util.ArrayList<>();
        tree.add(process.toHandle());
        tree.addAll(process.descendants().toList());
        return tree;
    }

    /**
     * Stops the browser and every helper process it started (each by its PID), waits until all have exited, then
     * deletes the profile. Neither step can fail the test that used the browser: a helper still writing into the
     * profile is waited for, and a profile that cannot be deleted is reported on stderr and left in /tmp.
     */
    @Override
    public void close() {
        socket.abort();
        stopTree(process);
        deleteProfile(profile);
    }

    /**
     * SIGTERM to the browser and its descendants (collected before the browser exits: after that they belong to
     * init and are no longer found), SIGKILL to whatever is left after {@link #EXIT_GRACE}; returns once all exited.
     */
    static void stopTree(Process process) {
        java.util.Set<ProcessHandle> tree = new java.util.LinkedHashSet<>(process.descendants().toList());
        process.destroy();
        tree.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + EXIT_GRACE.toNanos();
        while (System.nanoTime() < deadline && (process.isAlive() || tree.stream().anyMatch(ProcessHandle::isAlive))) {
            process.descendants().forEach(tree::add); // helpers started while it shut down
            Poll.sleep(Poll.DEFAULT_INTERVAL);
        }
        process.destroyForcibly();
        tree.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle p : tree) {
            p.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(t -> p).join();
        }
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Deletes the profile, retrying while files still appear in it; reports (not throws) what it could not delete. */
    static void deleteProfile(Path dir) {
        long deadline = System.nanoTime() + DELETE_PATIENCE.toNanos();
        IOException last = null;
        do {
            try {
                deleteTree(dir);
                return;
            } catch (IOException | java.io.UncheckedIOException e) {
                last = e instanceof IOException io ? io : ((java.io.UncheckedIOException) e).getCause();
                Poll.sleep(Poll.DEFAULT_INTERVAL);
            }
        } while (System.nanoTime() < deadline);
        System.err.println("chromium profile " + dir + " left behind (not a test failure): " + last);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Collects text frames into messages; answers complete the command that asked, events are ignored. */
    private static final class Listener implements WebSocket.Listener {
        private final Supplier<HeadlessChromium> owner;
        private final StringBuilder message = new StringBuilder();

        Listener(Supplier<HeadlessChromium> owner) {
            this.owner = owner;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            message.append(data);
            if (last) {
                String text = message.toString();
                message.setLength(0);
                try {
                    JsonNode node = JSON.readTree(text);
                    HeadlessChromium self = owner.get();
                    if (node.has("id") && self != null) {
                        CompletableFuture<JsonNode> answer = self.pending.get(node.get("id").asInt());
                        if (answer != null) {
                            answer.complete(node);
                        }
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException("DevTools sent a message that is not JSON", e);
                }
            }
            webSocket.request(1);
            return null;
        }
    }
}
