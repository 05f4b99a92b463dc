package org.fieldgate.forward;

import com.sun.net.httpserver.HttpServer;
import org.fieldgate.config.GatewaySettings;
import org.fieldgate.reading.Reading;
import org.fieldgate.store.SpooledReading;
import org.influxdb.InfluxDB;
import org.influxdb.InfluxDBFactory;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * InfluxWriter (java.net.http) sends what influxdb-java's client sent for a ping and a gzipped write: the same method,
 * request line, Content-Type, Content-Encoding, Authorization and body (unzipped), with and without credentials; and
 * InfluxDB's answers are classified as the forwarder needs them.
 */
class InfluxWriterConnectTest {
    private static final String LINES = "reading,site=s,device=d,channel=co2_10cm,unit=ppm value=412.5,qc=0i 1700000000500000000\n"
            + "reading,site=s,device=d,channel=t,unit=Cel value=-3.25,qc=2i 1700000001000000000\n";

    @Test
    void sameRequestsAsInfluxdbJavasClient() throws IOException {
        for (String[] credentials : new String[][] {{null, null}, {"fieldgate", "token with spaces&=?:"}, {"admin", ""}}) {
            List<String> viaInfluxdbJava = requests(url -> {
                InfluxDB client = credentials[0] == null ? InfluxDBFactory.connect(url)
                        : InfluxDBFactory.connect(url, credentials[0], credentials[1]);
                try {
                    client.setLogLevel(InfluxDB.LogLevel.NONE);
                    client.enableGzip();
                    client.ping();
                    client.write("bench", null, InfluxDB.ConsistencyLevel.ONE, TimeUnit.NANOSECONDS, LINES);
                } finally {
                    client.close();
                }
            });
            List<String> viaWriter = requests(url -> {
                InfluxWriter writer = new InfluxWriter(new GatewaySettings.Influx(url, "bench", credentials[0], credentials[1]),
                        Duration.ofMillis(1));
                assertTrue(writer.ping());
                try (LineEncoder encoder = new LineEncoder(16, true)) {
                    writer.write(encoder.encode(LINES, new WriteBody(16)));
                }
            });
            assertEquals(viaInfluxdbJava, viaWriter, "user " + credentials[0]);
            assertEquals(2, viaWriter.size(), viaWriter.toString()); // ping and write both reached the server
        }
    }

    @Test
    void aTokenWithoutAUserNameGoesAsFieldgatesPassword() throws IOException {
        List<String> seen = requests(url -> new InfluxWriter(new GatewaySettings.Influx(url, "db", null, "tok"),
                Duration.ofMillis(1)).ping());
        assertEquals(1, seen.size());
        assertTrue(seen.get(0).contains("authorization=" + InfluxWriter.basic("fieldgate", "tok")), seen.toString());
    }

    @Test
    void answersAreClassifiedAsTheForwarderActsOnThem() throws IOException {
        assertEquals(InfluxException.Kind.CONTENT, writeAnswered(400,
                "{\"error\":\"partial write: field type conflict: input field \\\"value\\\" is type integer\"}").kind());
        assertEquals(InfluxException.Kind.CONTENT, writeAnswered(400, "{\"error\":\"unable to parse 'x': bad timestamp\"}").kind());
        InfluxException notFound = writeAnswered(404, "{\"error\":\"database not found: \\\"bench\\\"\"}");
        assertEquals(InfluxException.Kind.DATABASE_NOT_FOUND, notFound.kind());
        assertEquals("database not found: \"bench\"", notFound.getMessage());
        assertEquals(InfluxException.Kind.AUTHORIZATION, writeAnswered(401, "{\"error\":\"authorization failed\"}").kind());
        assertEquals(InfluxException.Kind.AUTHORIZATION, writeAnswered(401, "{\"code\":\"unauthorized\",\"message\":\"unauthorized access\"}").kind());
        assertEquals(InfluxException.Kind.AUTHORIZATION, writeAnswered(403, "").kind());
        InfluxException proxy = writeAnswered(502, "<html>bad gateway</html>");
        assertEquals(InfluxException.Kind.SERVER, proxy.kind());
        assertEquals("<html>bad gateway</html>", proxy.getMessage());
        assertEquals(InfluxException.Kind.SERVER, writeAnswered(503, "").kind());
        assertEquals("HTTP 503", writeAnswered(503, "").getMessage());
        // a 400 without a content error's words (a proxy's) is not the readings' fault: backoff, not quarantine
        assertEquals(InfluxException.Kind.SERVER, writeAnswered(400, "{\"error\":\"request too large\"}").kind());
    }

    @Test
    void nothingListeningIsUnreachableAndPingIsFalseWithoutInfluxdbsHeader() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        InfluxWriter closed = new InfluxWriter(new GatewaySettings.Influx("http://127.0.0.1:" + port, "db", null, null),
                Duration.ofMillis(1));
        assertEquals(InfluxException.Kind.UNREACHABLE, assertThrows(InfluxException.class, closed::ping).kind());
        assertEquals(InfluxException.Kind.UNREACHABLE, assertThrows(InfluxException.class,
                () -> closed.execute("CREATE DATABASE \"db\"")).kind());
        List<String> seen = new ArrayList<>();
        serve(seen, 204, "", false, url -> assertFalse(new InfluxWriter(new GatewaySettings.Influx(url, "db", null, null),
                Duration.ofMillis(1)).ping()));
    }

    @Test
    void createDatabaseIsPostedAndAResultErrorThrows() throws IOException {
        List<String> seen = new ArrayList<>();
        serve(seen, 200, "{\"results\":[{\"statement_id\":0}]}", true,
                url -> new InfluxWriter(new GatewaySettings.Influx(url, "db", null, null), Duration.ofMillis(1))
                        .execute("CREATE DATABASE \"db\""));
        assertEquals(List.of("POST /query encoding=null authorization=null type=application/x-www-form-urlencoded "
                + "body=q=CREATE+DATABASE+%22db%22"), seen);
        serve(new ArrayList<>(), 200, "{\"results\":[{\"statement_id\":0,\"error\":\"create database not allowed\"}]}", true,
                url -> assertEquals(InfluxException.Kind.SERVER, assertThrows(InfluxException.class,
                        () -> new InfluxWriter(new GatewaySettings.Influx(url, "db", null, null), Duration.ofMillis(1))
                                .execute("CREATE DATABASE \"db\"")).kind()));
    }

    /**
     * Readings refused for their content twice are halved down to the one InfluxDB refuses; the rest lands. With each
     * gzip policy: every body of the isolation gzipped or plain as the policy says (auto: plain to 127.0.0.1).
     */
    @Test
    void aRefusedReadingIsIsolatedWithInfluxdbsReason() throws IOException {
        for (GatewaySettings.Gzip gzip : GatewaySettings.Gzip.values()) {
            aRefusedReadingIsIsolated(gzip);
        }
    }

    private void aRefusedReadingIsIsolated(GatewaySettings.Gzip gzip) throws IOException {
        List<String> encodings = new ArrayList<>();
        List<SpooledReading> readings = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            readings.add(new SpooledReading(i + 1, new Reading("s", "d", i == 4 ? "bad" : "c" + i, "u", 1000 + i, i, 0), 0));
        }
        List<String> landed = new ArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            String encoding = exchange.getRequestHeaders().getFirst("Content-Encoding");
            byte[] bytes = exchange.getRequestBody().readAllBytes();
            String body = new String("gzip".equals(encoding) ? gunzip(bytes) : bytes, StandardCharsets.UTF_8);
            synchronized (encodings) {
                encodings.add(String.valueOf(encoding));
            }
            if (body.contains("channel=bad")) {
                byte[] answer = "{\"error\":\"partial write: field type conflict: bad\"}".getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(400, answer.length);
                exchange.getResponseBody().write(answer);
            } else {
                synchronized (landed) {
                    landed.add(body);
                }
                exchange.sendResponseHeaders(204, -1);
            }
            exchange.close();
        });
        server.start();
        try {
            InfluxWriter writer = new InfluxWriter(new GatewaySettings.Influx("http://127.0.0.1:" + server.getAddress().getPort(),
                    "db", null, null, null, gzip), Duration.ofMillis(1));
            Map<SpooledReading, String> refused = new IdentityHashMap<>();
            writer.deliver(readings, refused);
            assertEquals(Map.of(readings.get(4), "InfluxDB refused the point: partial write: field type conflict: bad"), refused);
            List<SpooledReading> good = new ArrayList<>(readings);
            good.remove(4);
            assertEquals(InfluxWriter.lineProtocol(good), String.join("", landed));
            String expected = gzip == GatewaySettings.Gzip.ALWAYS ? "gzip" : "null";
            assertTrue(encodings.size() > 2 && encodings.stream().allMatch(expected::equals), gzip.label + ": " + encodings);
        } finally {
            server.stop(0);
        }
    }

    private static InfluxException writeAnswered(int status, String body) throws IOException {
        InfluxException[] thrown = new InfluxException[1];
        serve(new ArrayList<>(), status, body, true, url -> {
            InfluxWriter writer = new InfluxWriter(new GatewaySettings.Influx(url, "db", null, null), Duration.ofMillis(1));
            try (LineEncoder encoder = new LineEncoder(16, true)) {
                thrown[0] = assertThrows(InfluxException.class, () -> writer.write(encoder.encode(LINES, new WriteBody(16))));
            }
        });
        assertEquals(status, thrown[0].status());
        return thrown[0];
    }

    private interface Client {
        void run(String url) throws IOException;
    }

    private static List<String> requests(Client client) throws IOException {
        List<String> seen = new ArrayList<>();
        serve(seen, 204, "", true, client);
        return seen;
    }

    /** Each request as method, URI, Content-Encoding, Authorization, Content-Type and the body unzipped. */
    private static void serve(List<String> seen, int status, String answer, boolean influxHeader, Client client) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String encoding = exchange.getRequestHeaders().getFirst("Content-Encoding");
            if ("gzip".equals(encoding)) {
                body = gunzip(body);
            }
            synchronized (seen) {
                seen.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " encoding=" + encoding
                        + " authorization=" + exchange.getRequestHeaders().getFirst("Authorization")
                        + " type=" + exchange.getRequestHeaders().getFirst("Content-Type")
                        + " body=" + new String(body, StandardCharsets.UTF_8));
            }
            if (influxHeader) {
                exchange.getResponseHeaders().add("X-Influxdb-Version", "1.6.7");
            }
            byte[] out = answer.getBytes(StandardCharsets.UTF_8);
            boolean ping = exchange.getRequestURI().getPath().equals("/ping");
            int code = ping ? 204 : status;
            exchange.sendResponseHeaders(code, code == 204 || out.length == 0 ? -1 : out.length);
            if (code != 204 && out.length > 0) {
                exchange.getResponseBody().write(out);
            }
            exchange.close();
        });
        server.start();
        try {
            client.run("http://127.0.0.1:" + server.getAddress().getPort());
        } finally {
            server.stop(0);
        }
    }

    private static byte[] gunzip(byte[] body) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
            return in.readAllBytes();
        }
    }
}
