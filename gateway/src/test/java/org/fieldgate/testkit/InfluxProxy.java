package org.fieldgate.testkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;

/**
 * An HTTP proxy on 127.0.0.1 in front of a real influxd that misbehaves on /write as a test tells it to: refuse every
 * write, refuse each body once, refuse bodies holding a marker, or drop some lines and still answer 204 (an InfluxDB
 * that acknowledges without storing). Everything else (/ping, /query) passes through unchanged. Bodies the gateway
 * gzips are unpacked, so faults see line protocol; without a fault a body goes on as it came (gzipped or plain).
 */
public final class InfluxProxy implements AutoCloseable {
    /** What the proxy does with one /write body (line protocol). */
    public interface WriteFault {
        /** The answer to give instead of InfluxDB's, or null to forward {@link #forwarded} to it. */
        Refusal refusal(String body);

        /** The body to forward (all of it by default). */
        default String forwarded(String body) {
            return body;
        }
    }

    /** An HTTP answer made up by the proxy. */
    public record Refusal(int status, String json) {
    }

    private final String target;
    private final HttpServer server;
    private final ExecutorService threads = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "influx-proxy");
        t.setDaemon(true);
        return t;
    });
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private volatile WriteFault fault;
    private final AtomicLong refusedWrites = new AtomicLong();
    private final AtomicLong droppedLines = new AtomicLong();
    /** Each /write's Content-Encoding as it came, "identity" when it had none. */
    private final List<String> writeEncodings = new java.util.ArrayList<>();

    private InfluxProxy(String target) {
        this.target = target;
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", FreePorts.next()), 16);
        } catch (IOException e) {
            throw new UncheckedIOException("could not open the InfluxDB proxy's port", e);
        }
        server.createContext("/", this::handle);
        server.setExecutor(threads);
        server.start();
    }

    /** A proxy that passes everything through to {@code influxUrl} until {@link #fault} says otherwise. */
    public static InfluxProxy to(String influxUrl) {
        return new InfluxProxy(influxUrl);
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Misbehave from now on; null: pass everything through. */
    public void fault(WriteFault fault) {
        this.fault = fault;
    }

    /** Writes answered by the proxy instead of InfluxDB. */
    public long refusedWrites() {
        return refusedWrites.get();
    }

    /** The Content-Encoding of each /write so far ("identity": none), in order of arrival. */
    public List<String> writeEncodings() {
        synchronized (writeEncodings) {
            return List.copyOf(writeEncodings);
        }
    }

    /** Lines acknowledged with 204 but never forwarded. */
    public long droppedLines() {
        return droppedLines.get();
    }

    /** Every write answered with {@code status} and InfluxDB's error JSON {@code error}. */
    public static WriteFault everyWrite(int status, String error) {
        return body -> new Refusal(status, errorJson(error));
    }

    /**
     * Every write of readings (measurement {@code reading}) is refused with 400 and {@code error} for {@code window} from
     * the first that comes, then all pass: an InfluxDB (or a proxy before it) in a bad moment, as when a shard is being
     * created. Derived points pass, so the moment starts with a batch of readings.
     */
    public static WriteFault readingWritesFor(Duration window, String error) {
        AtomicLong firstNs = new AtomicLong(Long.MIN_VALUE);
        return body -> {
            if (!body.startsWith("reading,")) {
                return null;
            }
            firstNs.compareAndSet(Long.MIN_VALUE, System.nanoTime());
            return System.nanoTime() - firstNs.get() < window.toNanos() ? new Refusal(400, errorJson(error)) : null;
        };
    }

    /** Every body with a line holding {@code marker} is refused with 400 and {@code error}. */
    public static WriteFault linesHolding(String marker, String error) {
        return body -> body.contains(marker) ? new Refusal(400, errorJson(error)) : null;
    }

    /** The lines {@code lost} selects are not forwarded; InfluxDB's 204 for the rest answers the whole body. */
    public WriteFault dropping(Predicate<String> lost) {
        return new WriteFault() {
            @Override
            public Refusal refusal(String body) {
                return null;
            }

            @Override
            public String forwarded(String body) {
                StringBuilder kept = new StringBuilder(body.length());
                for (String line : body.split("\n")) {
                    if (line.isEmpty()) {
                        continue;
                    }
                    if (lost.test(line)) {
                        droppedLines.incrementAndGet();
                    } else {
                        kept.append(line).append('\n');
                    }
                }
                return kept.toString();
            }
        };
    }

    private static String errorJson(String error) {
        return "{\"error\":\"" + error.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}";
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String encoding = exchange.getRequestHeaders().getFirst("Content-Encoding");
            if (exchange.getRequestURI().getPath().equals("/write")) {
                synchronized (writeEncodings) {
                    writeEncodings.add(encoding == null ? "identity" : encoding);
                }
            }
            WriteFault f = fault;
            // without a fault the body goes on as it came, gzipped or not, so InfluxDB decodes what the gateway sent
            boolean asItCame = f == null;
            if ("gzip".equalsIgnoreCase(encoding) && !asItCame) {
                try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
                    body = in.readAllBytes();
                }
            }
            String path = exchange.getRequestURI().getPath();
            if (f != null && path.equals("/write")) {
                String text = new String(body, StandardCharsets.UTF_8);
                Refusal refusal = f.refusal(text);
                if (refusal != null) {
                    refusedWrites.incrementAndGet();
                    answer(exchange, refusal.status(), "application/json", refusal.json().getBytes(StandardCharsets.UTF_8));
                    return;
                }
                body = f.forwarded(text).getBytes(StandardCharsets.UTF_8);
            }
            String query = exchange.getRequestURI().getRawQuery();
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(target + path + (query == null ? "" : "?" + query)))
                    .timeout(Duration.ofSeconds(60))
                    .method(exchange.getRequestMethod(), body.length == 0 && exchange.getRequestMethod().equals("GET")
                            ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
            for (String header : asItCame ? List.of("Content-Type", "Authorization", "Content-Encoding")
                    : List.of("Content-Type", "Authorization")) {
                String value = exchange.getRequestHeaders().getFirst(header);
                if (value != null) {
                    request.header(header, value);
                }
            }
            HttpResponse<byte[]> response;
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted forwarding to " + target, e);
            }
            response.headers().map().forEach((name, values) -> {
                String n = name.toLowerCase(java.util.Locale.ROOT);
                if (!n.equals("content-length") && !n.equals("transfer-encoding") && !n.equals("connection")
                        && !n.startsWith(":")) {
                    exchange.getResponseHeaders().put(name, values);
                }
            });
            answer(exchange, response.statusCode(), null, response.body());
        }
    }

    private static void answer(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        if (contentType != null) {
            exchange.getResponseHeaders().set("Content-Type", contentType);
        }
        boolean empty = body.length == 0 || status == 204;
        exchange.sendResponseHeaders(status, empty ? -1 : body.length);
        if (!empty) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
