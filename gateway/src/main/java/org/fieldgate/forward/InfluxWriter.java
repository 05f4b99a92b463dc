package org.fieldgate.forward;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.fieldgate.config.GatewaySettings;
import org.fieldgate.config.TlsFiles;
import org.fieldgate.store.SpooledReading;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Writes readings to InfluxDB's v1 /write API over the JDK's HTTP client (HTTP/1.1 keep-alive), for the forwarder,
 * the reconciler and {@code quarantine replay} alike; also its ping and CREATE DATABASE. Each write is one POST of a
 * body encoded once ({@link LineEncoder}: UTF-8 line protocol, gzipped as
 * {@link #gzips(GatewaySettings.Influx)} decides) to {@code /write?db=..&precision=n
 * &consistency=one}, the request influxdb-java's client made. A refusal for content (HTTP 400) is retried once as it
 * was before anything is quarantined: a proxy or an InfluxDB restarting can answer 400 for a body it takes a moment
 * later. Only a refusal that repeats is isolated, by halving, down to the readings InfluxDB refuses every time.
 * Thread-safe: the client is shared, each caller brings its own body.
 */
final class InfluxWriter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(InfluxWriter.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** Until InfluxDB's answer has arrived: as long as the old client's read and write timeouts. */
    static final Duration WRITE_TIMEOUT = Duration.ofSeconds(30);
    static final Duration PING_TIMEOUT = Duration.ofSeconds(10);

    private final String url;
    private final Duration retryPause;
    private final HttpClient http;
    /**
     * The client's one thread for its asynchronous work (answers, body hand-offs); its default, a cached pool, ran five
     * at pipeline-bench's steady rate for two writes on the wire.
     */
    private final ExecutorService httpThread;
    private final URI writeUri;
    private final URI pingUri;
    private final URI queryUri;
    /** Basic credentials (InfluxDB 2.x/3.x v1 compatibility: the token as the password, any user name); or null. */
    private final String authorization;
    /** Whether bodies go gzipped ({@link #gzips(GatewaySettings.Influx)}). */
    private final boolean gzip;

    InfluxWriter(GatewaySettings.Influx influx, Duration retryPause) {
        this.url = influx.url().endsWith("/") ? influx.url().substring(0, influx.url().length() - 1) : influx.url();
        this.retryPause = retryPause;
        this.gzip = gzips(influx);
        this.writeUri = URI.create(url + "/write?db=" + enc(influx.database()) + "&precision=n&consistency=one");
        this.pingUri = URI.create(url + "/ping");
        this.queryUri = URI.create(url + "/query");
        boolean credentials = influx.username() != null || influx.password() != null;
        this.authorization = credentials ? basic(influx.username() == null ? "fieldgate" : influx.username(),
                influx.password() == null ? "" : influx.password()) : null;
        this.httpThread = Executors.newSingleThreadExecutor(work -> {
            Thread t = new Thread(work, "influx-http");
            t.setDaemon(true);
            return t;
        });
        this.http = HttpClient.newBuilder()
                .executor(httpThread)
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER)
                .sslContext(sslContext(influx))
                .build();
    }

    /**
     * Whether /write bodies are gzipped: {@code always}, {@code never}, or with {@code auto} unless the URL's host is a
     * loopback address (InfluxDB on this box, where compressing is CPU spent for no byte on a wire). Only literal
     * loopback hosts count ({@code localhost}, {@code *.localhost}, {@code 127.x.x.x}, {@code [::1]}): a name is not
     * resolved, since what it resolves to can change after the start.
     */
    static boolean gzips(GatewaySettings.Influx influx) {
        return switch (influx.gzip()) {
            case ALWAYS -> true;
            case NEVER -> false;
            case AUTO -> !loopbackHost(URI.create(influx.url()).getHost());
        };
    }

    private static final java.util.regex.Pattern LOOPBACK_IPV4 =
            java.util.regex.Pattern.compile("127(\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)){3}");

    /** {@code host} as a URI gives it (IPv6 in brackets) names this box's loopback interface, without a lookup. */
    static boolean loopbackHost(String host) {
        if (host == null) {
            return false;
        }
        String h = host.toLowerCase(java.util.Locale.ROOT);
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        if (h.equals("localhost") || h.endsWith(".localhost")) {
            return true;
        }
        if (h.startsWith("[") && h.endsWith("]")) {
            String v6 = h.substring(1, h.length() - 1);
            if (v6.startsWith("::ffff:")) {
                return LOOPBACK_IPV4.matcher(v6.substring(7)).matches();
            }
            // ::1 however written (0:0:0:0:0:0:0:1, ::0001); a literal IPv6 address parses without a lookup
            try {
                return v6.indexOf(':') >= 0 && java.net.InetAddress.getByName(v6).isLoopbackAddress();
            } catch (java.net.UnknownHostException e) {
                return false;
            }
        }
        return LOOPBACK_IPV4.matcher(h).matches();
    }

    /** Whether this writer's bodies are gzipped. */
    boolean gzips() {
        return gzip;
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * https:// with the site's own CA: only it is trusted (the host name is still checked). Without a CA file the JDK's
     * default context (its CA store) for https://; for http://, a context that trusts nothing, because the client
     * never makes a TLS connection there and the default one would load the JDK's CA store at start-up for nothing.
     */
    private static SSLContext sslContext(GatewaySettings.Influx influx) {
        try {
            if (influx.caFile() != null) {
                return TlsFiles.clientContext(influx.caFile(), null, null);
            }
            if (!influx.url().regionMatches(true, 0, "http://", 0, 7)) {
                return SSLContext.getDefault();
            }
            SSLContext none = SSLContext.getInstance("TLS");
            none.init(null, new TrustManager[]{new TrustNothing()}, null);
            return none;
        } catch (IOException | GeneralSecurityException e) {
            // The file passed the start-up check; it changed since.
            throw new IllegalStateException("fieldgate.influx.ca-file unusable: " + e.getMessage(), e);
        }
    }

    /** The trust of an http:// URL's client: no certificate at all. */
    private static final class TrustNothing implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("fieldgate.influx.url is http://: no TLS expected");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("fieldgate.influx.url is http://: no TLS expected");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }

    /** One POST /write of an encoded body; returns on 2xx, else throws what InfluxDB answered. */
    void write(WriteBody body) {
        answered(send(writeRequest(body), "write"));
    }

    /**
     * Starts one POST /write of {@code body} and returns at once; {@link #deliver(List, WriteBody, Write, Map)} waits
     * for it. The body must stay as it is until then. {@code ended} runs once the write has ended, answered or failed
     * (on the client's thread, or on this one when it ended at once): it must be quick and must not throw.
     */
    Write startWrite(WriteBody body, Runnable ended) {
        HttpRequest.Builder request = writeRequest(body);
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        CompletableFuture<HttpResponse<byte[]>> response = http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        response.whenComplete((answer, failure) -> ended.run());
        return new Write(response);
    }

    /** A write under way. */
    final class Write {
        private final CompletableFuture<HttpResponse<byte[]>> response;

        private Write(CompletableFuture<HttpResponse<byte[]>> response) {
            this.response = response;
        }

        /** Waits for InfluxDB's answer; returns on 2xx, else throws it. */
        void await() {
            try {
                answered(response.get());
            } catch (ExecutionException e) {
                if (e.getCause() instanceof IOException io) {
                    throw InfluxException.unreachable("InfluxDB " + url + " did not answer the write", io);
                }
                throw new IllegalStateException("the write to InfluxDB failed: " + e.getCause(), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw InfluxException.unreachable("interrupted waiting for InfluxDB's answer to the write",
                        new java.io.InterruptedIOException(e.getMessage()));
            }
        }

        /** Answered, or failed for want of an answer. */
        boolean isDone() {
            return response.isDone();
        }

        /** Waits until the write has ended, answered or not (at most its timeout); its outcome does not matter. */
        void awaitEnd() {
            try {
                response.handle((r, e) -> null).get();
            } catch (ExecutionException e) {
                throw new IllegalStateException("a handled future failed: " + e.getCause(), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private HttpRequest.Builder writeRequest(WriteBody body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(writeUri)
                .timeout(WRITE_TIMEOUT)
                .header("Content-Type", "text/plain; charset=utf-8");
        if (body.gzipped()) {
            request.header("Content-Encoding", "gzip");
        }
        return request.POST(HttpRequest.BodyPublishers.ofByteArray(body.array(), 0, body.length()));
    }

    private static void answered(HttpResponse<byte[]> response) {
        if (response.statusCode() / 100 != 2) {
            throw InfluxException.answered(response.statusCode(), new String(response.body(), StandardCharsets.UTF_8));
        }
    }

    /**
     * GET /ping: true when InfluxDB answered as InfluxDB (its {@code X-Influxdb-Version} header, what influxdb-java's
     * {@code Pong.isGood} looked at); throws when nothing answered.
     */
    boolean ping() {
        HttpResponse<byte[]> response = send(HttpRequest.newBuilder(pingUri).timeout(PING_TIMEOUT).GET(), "ping");
        return response.headers().firstValue("X-Influxdb-Version").isPresent();
    }

    /**
     * One InfluxQL statement that changes something (CREATE DATABASE), posted to /query; throws on a non-2xx answer or
     * an {@code error} in InfluxDB's result.
     */
    void execute(String influxql) {
        HttpRequest.Builder request = HttpRequest.newBuilder(queryUri)
                .timeout(WRITE_TIMEOUT)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("q=" + enc(influxql)));
        HttpResponse<byte[]> response = send(request, "`" + influxql + "`");
        String text = new String(response.body(), StandardCharsets.UTF_8);
        if (response.statusCode() / 100 != 2) {
            throw InfluxException.answered(response.statusCode(), text);
        }
        String error = resultError(text);
        if (error != null) {
            throw InfluxException.answered(response.statusCode(), "{\"error\":" + JSON.valueToTree(error) + "}");
        }
    }

    /** The first {@code error} of a /query answer's results, or null. */
    private static String resultError(String answer) {
        try {
            JsonNode root = JSON.readTree(answer);
            if (root == null) {
                return null;
            }
            if (root.hasNonNull("error")) {
                return root.get("error").asText();
            }
            for (JsonNode result : root.path("results")) {
                if (result.hasNonNull("error")) {
                    return result.get("error").asText();
                }
            }
            return null;
        } catch (IOException e) {
            return "not InfluxDB's JSON: " + InfluxException.errorText(answer);
        }
    }

    private HttpResponse<byte[]> send(HttpRequest.Builder request, String what) {
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw InfluxException.unreachable("InfluxDB " + url + " did not answer the " + what, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw InfluxException.unreachable("interrupted waiting for InfluxDB's answer to the " + what,
                    new java.io.InterruptedIOException(e.getMessage()));
        }
    }

    /** Writes {@code body}; a refusal for content is retried once, after a pause, and thrown when it repeats. */
    void writeRetryingRefusal(WriteBody body) {
        writeRetryingRefusal(body, null);
    }

    /** As {@link #writeRetryingRefusal(WriteBody)}; {@code firstTry}, when not null, is its first write, under way. */
    private void writeRetryingRefusal(WriteBody body, Write firstTry) {
        try {
            if (firstTry == null) {
                write(body);
            } else {
                firstTry.await();
            }
            return;
        } catch (InfluxException e) {
            if (!e.isContentError()) {
                throw e;
            }
            LOG.info("InfluxDB refused a write for its content ({}); retrying it once as it was", e.getMessage());
        }
        pause();
        write(body);
    }

    /** Ready-made line protocol (derived points), as {@link #writeRetryingRefusal(WriteBody)}. */
    void writeRetryingRefusal(String lines) {
        try (LineEncoder encoder = new LineEncoder(lines.length() + 16, gzip)) {
            writeRetryingRefusal(encoder.encode(lines, new WriteBody(lines.length() / 4 + 64)));
        }
    }

    /**
     * Writes {@code readings} ({@code body} is their encoded lines); the readings InfluxDB refuses for their content
     * twice in a row end up in {@code refused} with its reason, the rest is written. Other failures are thrown.
     */
    void deliver(List<SpooledReading> readings, WriteBody body, Map<SpooledReading, String> refused) {
        deliver(readings, body, null, refused);
    }

    /** {@link #deliver(List, WriteBody, Map)} of a body whose first write ({@link #startWrite}) is under way. */
    void deliver(List<SpooledReading> readings, WriteBody body, Write firstTry, Map<SpooledReading, String> refused) {
        try {
            writeRetryingRefusal(body, firstTry);
        } catch (InfluxException e) {
            if (!e.isContentError()) {
                throw e;
            }
            try (LineEncoder encoder = new LineEncoder(body.plainLength(), gzip)) {
                isolate(readings, encoder, new WriteBody(body.array().length), refused);
            }
        }
    }

    /** {@link #deliver(List, WriteBody, Map)}, the body encoded here (the reconciler, {@code quarantine replay}). */
    void deliver(List<SpooledReading> readings, Map<SpooledReading, String> refused) {
        try (LineEncoder encoder = new LineEncoder(readings.size() * 110, gzip)) {
            deliver(readings, encoder.encode(readings, new WriteBody(readings.size() * 16)), refused);
        }
    }

    /**
     * Halves a run refused twice until the refused readings are alone. No pause and retry per part: the whole run was
     * retried already, and a thousand refused readings must not cost a thousand pauses.
     */
    private void isolate(List<SpooledReading> part, LineEncoder encoder, WriteBody body,
                         Map<SpooledReading, String> refused) {
        try {
            write(encoder.encode(part, body));
        } catch (InfluxException e) {
            if (!e.isContentError()) {
                throw e;
            }
            if (part.size() == 1) {
                refused.put(part.get(0), "InfluxDB refused the point: " + e.getMessage());
                return;
            }
            int half = part.size() / 2;
            isolate(part.subList(0, half), encoder, body, refused);
            isolate(part.subList(half, part.size()), encoder, body, refused);
        }
    }

    /** The batch's line protocol, each line ended by a newline (what the encoder writes as bytes). */
    static String lineProtocol(List<SpooledReading> batch) {
        LineBuffer lines = new LineBuffer(batch.size() * 110);
        for (SpooledReading s : batch) {
            InfluxLines.appendReading(lines, s.reading());
            lines.append('\n');
        }
        return new String(lines.array(), 0, lines.length(), StandardCharsets.UTF_8);
    }

    private void pause() {
        try {
            Thread.sleep(Math.max(1, retryPause.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw InfluxException.unreachable("interrupted before retrying a refused write",
                    new java.io.InterruptedIOException(e.getMessage()));
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        // Java 17's HttpClient has no close: its connections and selector thread go when it is unreachable; its
        // executor's thread ends here (a daemon, so it never held a JVM up)
        httpThread.shutdown();
    }
}
