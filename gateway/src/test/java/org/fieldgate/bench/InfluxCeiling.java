package org.fieldgate.bench;

import org.fieldgate.testkit.Pack;
import org.fieldgate.testkit.Reading;
import org.fieldgate.testkit.SenmlPacks;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * (a): the InfluxDB server's own write ceiling, from the cheapest client this benchmark can be: line-protocol bodies
 * of {@code batch} points encoded before the clock starts, posted by {@code writers} threads over one keep-alive
 * HTTP/1.1 client (java.net.http), no gzip (on one box compressing costs the server and the client more than the
 * loopback saves). The readings are SenmlPacks' (the same devices, channels, units and value ranges as (c)).
 */
final class InfluxCeiling {
    private final String influxUrl;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    InfluxCeiling(String influxUrl) {
        this.influxUrl = influxUrl;
    }

    /** Line-protocol bodies of {@code batch} points each, {@code readings} points in all, for one site tag. */
    static List<byte[]> bodies(String site, int devices, int readings, int batch, long seed) {
        SenmlPacks packs = new SenmlPacks(site, "dev", devices, 100, SenmlPacks.anHourAgo(), seed);
        List<byte[]> bodies = new ArrayList<>();
        StringBuilder body = new StringBuilder(batch * 110);
        int inBody = 0;
        int done = 0;
        for (int i = 0; done < readings; i++) {
            Pack pack = packs.pack(i);
            for (Reading r : pack.readings()) {
                if (done == readings) {
                    break;
                }
                LineProtocol.append(body, site, r.device(), r.channel(), r.unit(), r.value(), 0, r.timeNs());
                done++;
                if (++inBody == batch) {
                    bodies.add(LineProtocol.bytes(body));
                    body.setLength(0);
                    inBody = 0;
                }
            }
        }
        if (inBody > 0) {
            bodies.add(LineProtocol.bytes(body));
        }
        return bodies;
    }

    /** Posts every body with {@code writers} threads; returns the wall time in nanoseconds. */
    long write(String db, List<byte[]> bodies, int writers) throws InterruptedException {
        URI uri = URI.create(influxUrl + "/write?db=" + db + "&precision=ns");
        AtomicInteger next = new AtomicInteger();
        AtomicReference<String> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int w = 0; w < writers; w++) {
            Thread t = new Thread(() -> {
                for (int i; failure.get() == null && (i = next.getAndIncrement()) < bodies.size(); ) {
                    try {
                        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                                .POST(HttpRequest.BodyPublishers.ofByteArray(bodies.get(i))).build(), HttpResponse.BodyHandlers.ofString());
                        if (response.statusCode() != 204) {
                            failure.compareAndSet(null, "HTTP " + response.statusCode() + ": " + response.body());
                        }
                    } catch (IOException e) {
                        failure.compareAndSet(null, e.toString());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        failure.compareAndSet(null, "interrupted");
                    }
                }
            }, "ceiling-writer-" + w);
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        long wall = System.nanoTime() - t0;
        if (failure.get() != null) {
            throw new IllegalStateException("(a) write to " + db + " failed: " + failure.get());
        }
        return wall;
    }
}
