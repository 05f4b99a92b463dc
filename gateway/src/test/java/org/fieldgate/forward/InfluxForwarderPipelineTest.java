package org.fieldgate.forward;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.fieldgate.config.GatewaySettings;
import org.fieldgate.reading.Reading;
import org.fieldgate.store.FullPolicy;
import org.fieldgate.store.Spool;
import org.fieldgate.testkit.Poll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two writes on the wire at once against a fake InfluxDB: the first batch's write is answered 503 after the second's
 * was answered 204. Nothing leaves the spool before the first batch's own 2xx (the spool still holds every reading
 * when the 503 goes out), both are sent again after the backoff, and every reading is delivered and counted once.
 */
class InfluxForwarderPipelineTest {
    private static final int BATCH = 1000;
    private static final int BATCHES = 5;
    private static final long T0 = 1_763_000_000_000_000_000L;

    @Test
    void aFailedWriteHoldsBackTheAnsweredOneBehindItAndBothGoAgain(@TempDir Path dir) throws Exception {
        Map<Integer, AtomicInteger> writesOfBatch = new ConcurrentHashMap<>();
        AtomicLong depthWhenFirstFailed = new AtomicLong(-1);
        AtomicInteger secondAnsweredBeforeFirstFailed = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(4));
        try (Spool spool = new Spool(dir, 64L << 20, FullPolicy.BACKPRESSURE, InfluxLines::gap)) {
            server.createContext("/", exchange -> {
                try (exchange) {
                    byte[] body = exchange.getRequestBody().readAllBytes();
                    exchange.getResponseHeaders().add("X-Influxdb-Version", "1.6.7");
                    if (!exchange.getRequestURI().getPath().equals("/write")) {
                        byte[] ok = "{\"results\":[{\"statement_id\":0}]}".getBytes(StandardCharsets.UTF_8);
                        exchange.sendResponseHeaders(exchange.getRequestURI().getPath().equals("/ping") ? 204 : 200,
                                exchange.getRequestURI().getPath().equals("/ping") ? -1 : ok.length);
                        if (!exchange.getRequestURI().getPath().equals("/ping")) {
                            exchange.getResponseBody().write(ok);
                        }
                        return;
                    }
                    String lines;
                    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
                        lines = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                    }
                    String first = lines.substring(0, lines.indexOf('\n'));
                    int batch = (int) ((Long.parseLong(first.substring(first.lastIndexOf(' ') + 1)) - T0) / 1_000_000L / BATCH);
                    int attempt = writesOfBatch.computeIfAbsent(batch, b -> new AtomicInteger()).incrementAndGet();
                    if (batch == 0 && attempt == 1) {
                        long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                        while (writesOfBatch.getOrDefault(1, new AtomicInteger()).get() == 0 && System.nanoTime() < until) {
                            sleep(10);
                        }
                        sleep(200); // the second batch's 204 is out by now
                        secondAnsweredBeforeFirstFailed.set(writesOfBatch.getOrDefault(1, new AtomicInteger()).get());
                        depthWhenFirstFailed.set(spool.readings().depth());
                        byte[] error = "{\"error\":\"timeout\"}".getBytes(StandardCharsets.UTF_8);
                        exchange.sendResponseHeaders(503, error.length);
                        exchange.getResponseBody().write(error);
                        return;
                    }
                    exchange.sendResponseHeaders(204, -1);
                }
            });
            server.start();
            List<Reading> readings = new ArrayList<>();
            for (int i = 0; i < BATCH * BATCHES; i++) {
                readings.add(new Reading("plot-a", "probe-" + i % 7, "co2", "ppm", T0 + i * 1_000_000L, 400 + i * 0.5, 0));
            }
            spool.readings().commit(readings, List.of(), T0);
            var settings = new GatewaySettings.Forward(BATCH, Duration.ofMillis(50), Duration.ofMillis(500));
            try (InfluxForwarder forwarder = new InfluxForwarder(new GatewaySettings.Influx(
                    "http://127.0.0.1:" + server.getAddress().getPort(), "db", null, null), settings, spool,
                    new SimpleMeterRegistry())) {
                forwarder.start();
                Poll.until("spool drained", Duration.ofSeconds(60), () -> spool.readings().depth() == 0,
                        () -> "depth " + spool.readings().depth() + ", last error " + forwarder.lastError());
                assertEquals(BATCH * BATCHES, forwarder.delivered(), "each reading counted once");
                assertEquals(1, forwarder.failedWrites());
            }
        } finally {
            server.stop(0);
        }
        assertEquals(BATCH * BATCHES, depthWhenFirstFailed.get(), "nothing settled before the first batch's own 2xx");
        if (InfluxForwarder.WRITES_IN_FLIGHT > 1) {
            assertEquals(1, secondAnsweredBeforeFirstFailed.get(), "the second batch was on the wire beside the first");
            assertTrue(writesOfBatch.get(1).get() >= 2, "the answered batch behind the failed one went again");
        }
        assertEquals(2, writesOfBatch.get(0).get(), "the failed batch went again once");
        for (int b = 2; b < BATCHES; b++) {
            assertTrue(writesOfBatch.get(b).get() >= 1, "batch " + b + " written");
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
