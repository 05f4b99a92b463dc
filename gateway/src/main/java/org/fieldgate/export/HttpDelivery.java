package org.fieldgate.export;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * POSTs one export folder to the engine as a zip ({@code application/zip}, the folder's files at the top), with
 * {@code Idempotency-Key: <window id>:<content sha256>} so the engine can keep one export per key however often a
 * lost answer makes the gateway send it again, and the bearer token when one is configured.
 */
final class HttpDelivery {
    private final URI endpoint;
    private final String token;
    /** Built at the first delivery: none at start-up (an HttpClient loads the JDK's TLS context and CA store). */
    private HttpClient http;

    /** The engine's answer. */
    record Answer(int status, String body) {
        boolean acknowledged() {
            return status >= 200 && status < 300;
        }
    }

    HttpDelivery(URI endpoint, String token) {
        this.endpoint = endpoint;
        this.token = token;
    }

    private synchronized HttpClient http() {
        if (http == null) {
            http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(15)).build();
        }
        return http;
    }

    /** @throws IOException when no answer came (refused, reset, timed out) */
    Answer post(Path exportDir, Manifest manifest, Path scratch) throws IOException {
        Path zip = scratch.resolve(manifest.windowId() + ".zip");
        try {
            zipTo(exportDir, zip);
            HttpRequest.Builder request = HttpRequest.newBuilder(endpoint)
                    .timeout(Duration.ofMinutes(10))
                    .header("Content-Type", "application/zip")
                    .header("Idempotency-Key", manifest.idempotencyKey())
                    .header("X-Fieldgate-Window", manifest.windowId())
                    .header("X-Fieldgate-Content-Sha256", manifest.contentSha256())
                    .POST(HttpRequest.BodyPublishers.ofFile(zip));
            if (token != null) {
                request.header("Authorization", "Bearer " + token);
            }
            HttpResponse<String> response = http().send(request.build(), HttpResponse.BodyHandlers.ofString());
            String body = response.body() == null ? "" : response.body();
            return new Answer(response.statusCode(), body.length() > 300 ? body.substring(0, 300) : body);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted posting " + manifest.windowId(), e);
        } finally {
            Files.deleteIfExists(zip);
        }
    }

    /** Files in name order, so the same folder gives the same archive. */
    static void zipTo(Path dir, Path zip) throws IOException {
        List<Path> files;
        try (Stream<Path> all = Files.walk(dir)) {
            files = all.filter(Files::isRegularFile).sorted().toList();
        }
        try (OutputStream out = Files.newOutputStream(zip); ZipOutputStream z = new ZipOutputStream(out)) {
            for (Path f : files) {
                ZipEntry e = new ZipEntry(dir.relativize(f).toString().replace('\\', '/'));
                e.setTime(Files.getLastModifiedTime(f).toMillis());
                z.putNextEntry(e);
                Files.copy(f, z);
                z.closeEntry();
            }
        }
    }
}
