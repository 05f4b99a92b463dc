package org.fieldgate.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.fieldgate.site.SiteConfig;
import org.fieldgate.site.SiteConfigs;
import org.fieldgate.testkit.AttachGatewayLogs;
import org.fieldgate.testkit.ExampleSites;
import org.fieldgate.testkit.FreePorts;
import org.fieldgate.testkit.GatewayProcess;
import org.fieldgate.testkit.HeadlessChromium;
import org.fieldgate.testkit.Poll;
import org.fieldgate.testkit.SiteChannels;
import org.fieldgate.testkit.StartsProcesses;
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

/**
 * Acceptance 7: the demo (embedded broker, both example sites on simulated probes, the LoRaWAN-only example site, a
 * remote node over MQTT, no
 * InfluxDB) serves its live page over server-sent events, and Debian's headless Chromium (driven over DevTools, since
 * a page with an open event stream never finishes loading) renders every channel with its value and sparkline, the
 * last chamber closure with its fitted curve and flux, and the house's uptake, in one column on a phone, and falls back
 * to polling without EventSource. The chamber schedule is compressed (ExampleSites) so a closure is fitted about 31 s
 * after start. Screenshots at desktop and phone size land in gateway/target/screenshots/ for a person to look at.
 */
@ExtendWith(AttachGatewayLogs.class)
@Timeout(value = 150, unit = TimeUnit.SECONDS)
@StartsProcesses
class DemoPageTest {
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
        List<Path> files = ExampleSites.compressed(dir);
        SiteConfig soil = SiteConfigs.loadOrThrow(files.get(0), dir.resolve("config/models"));
        SiteConfig house = SiteConfigs.loadOrThrow(files.get(1), dir.resolve("config/models"));
        TreeSet<String> configured = SiteChannels.configured(List.of(soil, house));
        // the demo as the README runs it also has a site of LoRaWAN nodes only: no probes of the gateway's own, so
        // its acquisition entry comes without a probe list (the JSON leaves an empty list out)
        Path lorawan = Files.copy(ExampleSites.REPO.resolve("firmware-config/sites/lorawan-soil-example.yaml"),
                files.get(0).resolveSibling("lorawan-soil-example.yaml"));
        long launchedNs = System.nanoTime();
        try (GatewayProcess demo = GatewayProcess.builder()
                .property("micronaut.environments", "demo")
                .site(soil.id())
                .mqttUrl("tcp://127.0.0.1:" + FreePorts.next())
                .property("fieldgate.mqtt.embedded", "true")
                .property("fieldgate.site-config", files.get(0) + "," + files.get(1) + "," + lorawan)
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
            try (HeadlessChromium chromium = HeadlessChromium.start()) {
                chromium.viewport(1280, 1000, false);
                chromium.navigate(url);
                chromium.waitFor("the page fed by the event stream, with sparklines, a fitted closure and the house",
                        "document.body.dataset.transport === 'sse' && document.querySelector('path.fit') !== null"
                                + " && document.querySelectorAll('.row polyline').length >= " + configured.size()
                                + " && document.querySelector('[data-key=cumulative]') !== null",
                        Duration.ofSeconds(20), () -> pageState(chromium) + "\n" + demo.diagnostics().get());
                String dom = chromium.dom();
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
                String probesCard = chromium.evaluate("document.getElementById('h-probes').textContent").asText();
                assertTrue(probesCard.matches("[1-9][0-9]* (ok|· [0-9]+ missed)"), "the probes card: " + probesCard);
                Matcher flux = FLUX.matcher(dom);
                assertTrue(flux.find(), "no flux ± SE on the page\n" + head(dom));
                assertTrue(count(dom, "<circle class=\"s O\"") >= 5, "observation samples drawn: "
                        + count(dom, "<circle class=\"s O\""));
                Matcher cumulative = CUMULATIVE.matcher(dom);
                assertTrue(cumulative.find(), "no cumulative uptake on the page");
                assertTrue(columns(chromium, ".devices") >= 2, "device cards side by side on a desktop");
                chromium.screenshot(SHOTS.resolve("live-page-desktop.png"), false);

                // the completeness ledger: every configured channel with its expected and received counts
                chromium.waitFor("the completeness ledger", "document.querySelectorAll('#ledger tr').length >= "
                        + configured.size(), Duration.ofSeconds(20), () -> pageState(chromium));
                String ledger = chromium.evaluate("Array.from(document.querySelectorAll('#ledger tr')).map(r => "
                        + "Array.from(r.cells).map(c => c.textContent).join('|')).join('\\n')").asText();
                for (String series : configured) {
                    String prefix = series.replace('/', '|') + "|";
                    String line = ledger.lines().filter(l -> l.startsWith(prefix)).findFirst()
                            .orElseThrow(() -> new AssertionError(series + " not in the ledger:\n" + ledger));
                    String[] cells = line.split("\\|");
                    assertTrue(cells[3].matches("[0-9]+") && Long.parseLong(cells[3]) > 0, "expected: " + line);
                    assertTrue(cells[4].matches("[1-9][0-9]* \\([0-9]+ %\\)"), "received with its share: " + line);
                }
                chromium.evaluate("document.getElementById('ledger-box').open = true; "
                        + "document.getElementById('ledger-box').scrollIntoView(); true");
                chromium.screenshot(SHOTS.resolve("live-page-ledger.png"), false);
                System.out.printf("live page: %d channel rows, closure %s flux %s ± %s (api: %.3f), cumulative %s kg; "
                                + "closure and fixation %.1f s after launch%n", rows.size(),
                        closure.get("closureId").asText(), flux.group(1), flux.group(2),
                        closure.get("fluxUmolM2S").asDouble(), cumulative.group(1), readyS);

                // a phone: one column, larger type, nothing wider than the screen
                chromium.viewport(390, 844, true);
                assertEquals(1, columns(chromium, ".devices"), "one column on a phone");
                assertEquals("17px", chromium.evaluate("getComputedStyle(document.body).fontSize").asText());
                assertTrue(chromium.evaluate("document.documentElement.scrollWidth").asInt() <= 390,
                        "the page is wider than the phone: " + chromium.evaluate("document.documentElement.scrollWidth"));
                chromium.screenshot(SHOTS.resolve("live-page-phone.png"), false);
                chromium.screenshot(SHOTS.resolve("live-page-phone-full.png"), true);
                chromium.screenshot(SHOTS.resolve("live-page-phone-channels.png"),
                        chromium.evaluate("document.getElementById('channels').offsetTop").asDouble(), 390, 844);

                // a browser (or a proxy) without a working event stream: the page polls /api/live instead
                chromium.send("Page.enable", Map.of());
                chromium.send("Page.addScriptToEvaluateOnNewDocument", Map.of("source", "delete window.EventSource;"));
                chromium.navigate(url);
                chromium.waitFor("the page fed by polling without EventSource",
                        "document.body.dataset.transport === 'poll' && document.querySelector('path.fit') !== null"
                                + " && document.querySelectorAll('.row').length >= " + configured.size(),
                        Duration.ofSeconds(10), () -> pageState(chromium));
            }
            for (String shot : List.of("live-page-desktop.png", "live-page-phone.png", "live-page-phone-full.png",
                    "live-page-phone-channels.png")) {
                assertTrue(Files.size(SHOTS.resolve(shot)) > 10_000, shot + " looks empty");
            }
        }
    }

    /** What the page shows, for a failure message. */
    private static String pageState(HeadlessChromium chromium) {
        return chromium.evaluate("JSON.stringify({url: location.href, transport: document.body && document.body.dataset.transport,"
                + " eventSource: typeof window.EventSource, rows: document.querySelectorAll('.row').length,"
                + " fit: document.querySelectorAll('path.fit').length, banner: document.getElementById('banner').textContent})")
                .asText();
    }

    /** How many grid columns the first element matching {@code selector} has now. */
    private static int columns(HeadlessChromium chromium, String selector) {
        return chromium.evaluate("getComputedStyle(document.querySelector('" + selector
                + "')).gridTemplateColumns.split(' ').length").asInt();
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
        var watchdog = CompletableFuture.runAsync(() -> endStream(body),
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

    private static void endStream(InputStream in) {
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
}
