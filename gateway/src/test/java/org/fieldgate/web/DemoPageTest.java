package org.fieldgate.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.fieldgate.site.SiteConfig;
import org.fieldgate.site.SiteConfigs;
import org.fieldgate.testkit.AttachGatewayLogs;
import org.fieldgate.testkit.ExampleSites;
import org.fieldgate.testkit.FreePorts;
import org.fieldgate.testkit.GatewayProcess;
import org.fieldgate.testkit.Poll;
import org.fieldgate.testkit.SiteChannels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Acceptance 7: the demo (embedded broker, both example sites on simulated probes, a remote node over MQTT, no
 * InfluxDB) serves its live page over server-sent events, and Debian's headless Chromium renders every channel with
 * its value and sparkline, the last chamber closure with its fitted curve and flux, and the house's uptake. The chamber
 * schedule is compressed (ExampleSites) so a closure is fitted about 31 s after start. Screenshots at desktop and phone
 * size land in gateway/target/screenshots/ for a person to look at.
 */
@ExtendWith(AttachGatewayLogs.class)
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class DemoPageTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path SHOTS = Path.of("target", "screenshots").toAbsolutePath();
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A channel row: its series key, its qc, then (up to the row's end) its rendered content. */
    private static final Pattern ROW = Pattern.compile(
            "<div class=\"row\" data-series=\"([^\"]+)\" data-qc=\"(\\d+)\">(.*?)</div>");
    private static final Pattern VALUE = Pattern.compile("<span class=\"val\">(-?[0-9]+(?:\\.[0-9]+)?)<span class=\"unit\">");
    private static final Pattern FLUX = Pattern.compile("<span class=\"flux\">(-?[0-9]+\\.[0-9]{3}) ± ([0-9]+\\.[0-9]{3})</span>");
    private static final Pattern CUMULATIVE = Pattern.compile("<span class=\"v\" data-key=\"cumulative\">(-?[0-9.]+) kg</span>");

    @TempDir
    Path dir;

    @Test
    void livePageShowsChannelsClosureAndHouseOverSseInChromiumAtDesktopAndPhoneSize() throws Exception {
        assertTrue(Files.isExecutable(CHROMIUM), "Debian's chromium is needed at " + CHROMIUM
                + " (gateway/fieldgate test installs it)");
        List<Path> files = ExampleSites.compressed(dir);
        SiteConfig soil = SiteConfigs.loadOrThrow(files.get(0), dir.resolve("config/models"));
        SiteConfig house = SiteConfigs.loadOrThrow(files.get(1), dir.resolve("config/models"));
        TreeSet<String> configured = SiteChannels.configured(List.of(soil, house));
        long launchedNs = System.nanoTime();
        try (GatewayProcess demo = GatewayProcess.builder()
                .property("micronaut.environments", "demo")
                .site(soil.id())
                .mqttUrl("tcp://127.0.0.1:" + FreePorts.next())
                .property("fieldgate.mqtt.embedded", "true")
                .property("fieldgate.site-config", files.get(0) + "," + files.get(1))
                .property("fieldgate.simulator.enabled", "true")
                .property("fieldgate.simulator.interval", "1s")
                .property("fieldgate.calc.fixation-every", "10s")
                // nothing listens here: the page must work with InfluxDB absent
                .influxUrl("http://127.0.0.1:" + FreePorts.next())
                .start()) {
            sseStreamGreetsWithEverySectionThenTicks(demo);

            // the poll endpoint (the page's fallback) has the same sections; wait there for a fitted closure
            JsonNode live = Poll.value("a fitted closure and fixation figures on /api/live", Duration.ofSeconds(80),
                    Duration.ofSeconds(1), () -> JSON.readTree(demo.get("/api/live").body()),
                    j -> j.at("/closure/sites/0/last/curve").size() > 1
                            && j.at("/house/houses/0/fields/cumulative_kg").isNumber(), demo.diagnostics());
            double readyS = (System.nanoTime() - launchedNs) / 1e9;
            JsonNode closure = live.at("/closure/sites/0/last");

            String url = demo.baseUrl() + "/";
            String dom = chromium(url, "--window-size=1280,1000", "--dump-dom");
            assertTrue(dom.contains("<body data-transport=\"sse\">"), "the page should be fed by the event stream\n"
                    + head(dom));
            Map<String, String> rows = rows(dom);
            TreeSet<String> missing = new TreeSet<>(configured);
            missing.removeAll(rows.keySet());
            assertEquals(new TreeSet<>(), missing, "configured channels without a row on the page");
            for (String series : configured) {
                String row = rows.get(series);
                assertTrue(VALUE.matcher(row).find(), series + " has no numeric value: " + row);
                assertTrue(row.contains("<polyline points=\""), series + " has no sparkline: " + row);
            }
            assertTrue(rows.keySet().stream().anyMatch(k -> k.contains("/remote-soil-node/")),
                    "the remote node's channels: " + rows.keySet());
            assertTrue(dom.contains("InfluxDB not reachable"), "page should say InfluxDB is absent and readings wait");

            Matcher flux = FLUX.matcher(dom);
            assertTrue(flux.find(), "no flux ± SE on the page\n" + head(dom));
            // the page shows the flux of the closure /api/live had, or of a newer one
            assertTrue(dom.contains("<path class=\"fit\" d=\"M"), "no fitted curve drawn");
            assertTrue(count(dom, "<circle class=\"s O\"") >= 5, "observation samples drawn: "
                    + count(dom, "<circle class=\"s O\""));
            Matcher cumulative = CUMULATIVE.matcher(dom);
            assertTrue(cumulative.find(), "no cumulative uptake on the page");
            System.out.printf("live page: %d channel rows, closure %s flux %s ± %s (api: %.3f), cumulative %s kg; "
                            + "closure and fixation %.1f s after launch%n", rows.size(), closure.get("closureId").asText(),
                    flux.group(1), flux.group(2), closure.get("fluxUmolM2S").asDouble(), cumulative.group(1), readyS);

            Files.createDirectories(SHOTS);
            screenshot(url, "live-page-desktop.png", "1280,1000");
            screenshot(url, "live-page-phone.png", "390,844");
            screenshot(url, "live-page-phone-full.png", "390,2400");
        }
    }

    /** On the wire: a retry hint, the five sections at once, then a newer status within 3 s. */
    private static void sseStreamGreetsWithEverySectionThenTicks(GatewayProcess demo) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(URI.create(demo.baseUrl() + "/api/live/stream"))
                .header("Accept", "text/event-stream").timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"),
                response.headers().toString());
        List<String> names = new ArrayList<>();
        List<Long> statusTimes = new ArrayList<>();
        boolean retry = false;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
        InputStream body = response.body();
        // a stream that goes quiet must not hang the test: closing it from here ends a blocked read
        var watchdog = CompletableFuture.runAsync(() -> closeQuietly(body),
                CompletableFuture.delayedExecutor(10, TimeUnit.SECONDS));
        try (body; BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            String name = null;
            String line;
            // each second brings at least a status event, so readLine never waits long
            while (System.nanoTime() < deadline && statusTimes.size() < 3 && (line = in.readLine()) != null) {
                if (line.startsWith("retry:")) {
                    retry = true;
                } else if (line.startsWith("event:")) {
                    name = line.substring(6).trim();
                    names.add(name);
                } else if (line.startsWith("data:") && "status".equals(name)) {
                    statusTimes.add(JSON.readTree(line.substring(5)).get("nowMs").asLong());
                }
            }
        } catch (IOException closedByWatchdog) {
            names.add("(stream silent for 10 s: " + closedByWatchdog + ")");
        } finally {
            watchdog.cancel(false);
        }
        assertTrue(names.size() >= 5, names.toString());
        assertEquals(List.of("status", "latest", "spark", "closure", "house"), names.subList(0, 5), "greeting");
        assertTrue(retry, "the greeting tells the browser how soon to reconnect");
        assertEquals(3, statusTimes.size(), "status events in 8 s: " + names);
        assertTrue(statusTimes.get(1) > statusTimes.get(0) && statusTimes.get(2) > statusTimes.get(1), statusTimes.toString());
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("closing the event stream", e);
        }
    }

    private static Map<String, String> rows(String dom) {
        Map<String, String> rows = new TreeMap<>();
        Matcher m = ROW.matcher(dom);
        while (m.find()) {
            rows.put(m.group(1), m.group(3));
        }
        return rows;
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    private static String head(String dom) {
        return dom.substring(0, Math.min(3000, dom.length()));
    }

    private static void screenshot(String url, String name, String size) throws IOException, InterruptedException {
        Path shot = SHOTS.resolve(name);
        Files.deleteIfExists(shot);
        chromium(url, "--window-size=" + size, "--screenshot=" + shot);
        assertTrue(Files.isRegularFile(shot) && Files.size(shot) > 10_000, "screenshot " + shot + " missing or empty");
    }

    /** Runs Debian's Chromium headless as the house rules say, bounded in time, and returns its stdout. */
    private static String chromium(String url, String... action) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory("chromium-profile");
        List<String> command = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--disable-quic", "--hide-scrollbars", "--user-data-dir=" + profile, "--virtual-time-budget=3000"));
        command.addAll(List.of(action));
        command.add(url);
        Path stdout = profile.resolve("stdout");
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD)
                .redirectOutput(stdout.toFile()).start();
        try {
            if (!p.waitFor(40, TimeUnit.SECONDS)) {
                fail("chromium did not finish within 40 s for " + url + " " + List.of(action));
            }
            return Files.readString(stdout);
        } finally {
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
            deleteTree(profile);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
