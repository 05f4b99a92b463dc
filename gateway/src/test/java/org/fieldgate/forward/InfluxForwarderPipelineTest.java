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
        HttpServer server = fakeInflux();
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
                    if ("gzip".equals(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
                        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
                            lines = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                        }
                    } else {
                        lines = new String(body, StandardCharsets.UTF_8); // auto: plain to 127.0.0.1
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

    /**
     * While a write is out and nothing is prepared, the writer sleeps until a batch is prepared or the write ends: it
     * takes no CPU meanwhile (it looked every 2 ms before, about 750 wake-ups over this test's 1.5 s hold), and a full
     * batch spooled during the hold still joins the held write on the wire (no wake-up lost).
     */
    @Test
    void aWriterWaitingOnAnAnswerSleepsUntilABatchIsPreparedOrTheWriteEnds(@TempDir Path dir) throws Exception {
        assertEquals(InfluxForwarder.WRITES_IN_FLIGHT > 1, secondWriteDuringAHeldOne(dir, BATCH),
                "a full batch joins the held write on the wire");
    }

    /**
     * A partial batch (a steady trickle, not a backlog) waits for the held write's answer instead of joining it: at a
     * steady rate the readings that arrive meanwhile then go in fewer, larger writes.
     */
    @Test
    void aPartialBatchWaitsForTheAnswerToTheWriteOut(@TempDir Path dir) throws Exception {
        assertEquals(false, secondWriteDuringAHeldOne(dir, BATCH / 10), "the partial batch joined the held write");
    }

    /**
     * One batch whose write the fake InfluxDB holds; during the hold the writer's CPU is measured, then
     * {@code readingsDuringHold} more readings are spooled. Returns whether their write arrived while the first was
     * still held (waiting up to 3 s for it); every reading is delivered once either way.
     */
    private static boolean secondWriteDuringAHeldOne(Path dir, int readingsDuringHold) throws Exception {
        java.util.concurrent.CountDownLatch firstArrived = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch secondArrived = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        AtomicInteger writes = new AtomicInteger();
        HttpServer server = fakeInflux();
        try (Spool spool = new Spool(dir, 64L << 20, FullPolicy.BACKPRESSURE, InfluxLines::gap)) {
            server.createContext("/", exchange -> {
                try (exchange) {
                    exchange.getRequestBody().readAllBytes();
                    exchange.getResponseHeaders().add("X-Influxdb-Version", "1.6.7");
                    String path = exchange.getRequestURI().getPath();
                    if (path.equals("/query")) {
                        byte[] ok = "{\"results\":[{\"statement_id\":0}]}".getBytes(StandardCharsets.UTF_8);
                        exchange.sendResponseHeaders(200, ok.length);
                        exchange.getResponseBody().write(ok);
                        return;
                    }
                    if (path.equals("/write")) {
                        int n = writes.incrementAndGet();
                        if (n == 1) {
                            firstArrived.countDown();
                            if (!release.await(30, java.util.concurrent.TimeUnit.SECONDS)) {
                                throw new IOException("the test never released the first write");
                            }
                        } else if (n == 2) {
                            secondArrived.countDown();
                        }
                    }
                    exchange.sendResponseHeaders(204, -1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException(e);
                }
            });
            server.start();
            spool.readings().commit(readings(0, BATCH), List.of(), T0);
            var settings = new GatewaySettings.Forward(BATCH, Duration.ofMillis(50), Duration.ofMillis(500));
            try (InfluxForwarder forwarder = new InfluxForwarder(new GatewaySettings.Influx(
                    "http://127.0.0.1:" + server.getAddress().getPort(), "db", null, null), settings, spool,
                    new SimpleMeterRegistry())) {
                forwarder.start();
                assertTrue(firstArrived.await(30, java.util.concurrent.TimeUnit.SECONDS), "the first write arrived");
                Thread writer = forwarder.threads().stream().filter(t -> t.getName().equals("influx-forwarder"))
                        .findFirst().orElseThrow();
                java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
                long cpuBeforeNs = threads.getThreadCpuTime(writer.getId());
                sleep(1500);
                long holdCpuNs = threads.getThreadCpuTime(writer.getId()) - cpuBeforeNs;
                assertTrue(holdCpuNs < 2_000_000, "the writer used " + holdCpuNs / 1000 + " µs of CPU waiting 1.5 s on"
                        + " an answer with nothing prepared (it should sleep)");
                spool.readings().commit(readings(BATCH, readingsDuringHold), List.of(), T0);
                forwarder.wake();
                boolean joined = secondArrived.await(3, java.util.concurrent.TimeUnit.SECONDS);
                release.countDown();
                Poll.until("spool drained", Duration.ofSeconds(60), () -> spool.readings().depth() == 0,
                        () -> "depth " + spool.readings().depth() + ", last error " + forwarder.lastError());
                assertEquals(BATCH + readingsDuringHold, forwarder.delivered(), "each reading counted once");
                assertEquals(0, forwarder.failedWrites());
                assertEquals(2, writes.get(), "one write per batch");
                return joined;
            } finally {
                release.countDown();
            }
        } finally {
            server.stop(0);
        }
    }

    /** A fake InfluxDB on a free loopback port, answering several requests at once; its handler set by the test. */
    private static HttpServer fakeInflux() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(4));
        return server;
    }

    private static List<Reading> readings(int from, int count) {
        List<Reading> readings = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            readings.add(new Reading("plot-a", "probe-" + i % 7, "co2", "ppm", T0 + i * 1_000_000L, 400 + i * 0.5, 0));
        }
        return readings;
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
