package org.fieldgate.bench;

import org.fieldgate.testkit.Pack;
import org.fieldgate.testkit.Reading;
import org.fieldgate.testkit.SenmlPacks;

import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
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

    private final OkHttpClient okHttp = new OkHttpClient.Builder().connectTimeout(5, TimeUnit.SECONDS)
            .readTimeout(60, TimeUnit.SECONDS).writeTimeout(60, TimeUnit.SECONDS).build();
    private static final MediaType TEXT = MediaType.get("text/plain; charset=utf-8");

    enum Client { JAVA_NET_HTTP, OKHTTP }

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

    /** null when InfluxDB answered 204, else what it answered. */
    private String post(URI uri, byte[] body) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 204 ? null : "HTTP " + response.statusCode() + ": " + response.body();
    }

    private String postOkHttp(URI uri, byte[] body) throws IOException {
        try (Response response = okHttp.newCall(new Request.Builder().url(uri.toString()).post(RequestBody.create(body, TEXT)).build()).execute()) {
            return response.code() == 204 ? null : "HTTP " + response.code() + ": " + response.body().string();
        }
    }

    /** Posts every body with {@code writers} threads; returns the wall time in nanoseconds. */
    long write(String db, List<byte[]> bodies, int writers, Client client) throws InterruptedException {
        URI uri = URI.create(influxUrl + "/write?db=" + db + "&precision=ns");
        AtomicInteger next = new AtomicInteger();
        AtomicReference<String> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int w = 0; w < writers; w++) {
            Thread t = new Thread(() -> {
                for (int i; failure.get() == null && (i = next.getAndIncrement()) < bodies.size(); ) {
                    try {
                        String problem = client == Client.OKHTTP ? postOkHttp(uri, bodies.get(i)) : post(uri, bodies.get(i));
                        if (problem != null) {
                            failure.compareAndSet(null, problem);
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
