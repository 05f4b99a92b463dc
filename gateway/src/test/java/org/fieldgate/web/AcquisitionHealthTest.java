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
import org.fieldgate.testkit.StartsProcesses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue point 1: a gateway whose every probe fails to open (the example sites in hardware mode on a machine without
 * their I2C buses, serial ports and GPIO chip) is DOWN on /health (503) with each probe's last error, /api/status
 * carries the acquisition per site and probe, and the live page raises a probe alarm (banner, card, alarm rows) in
 * Debian's headless Chromium. Before: /health was 200 UP and /api/status had no acquisition.
 */
@ExtendWith(AttachGatewayLogs.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@StartsProcesses
class AcquisitionHealthTest {
    private static final Path SHOTS = Path.of("target", "screenshots").toAbsolutePath();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void gatewayWhoseProbesAllFailToOpenIsDownWithEachProbesLastErrorAndThePageShowsTheAlarm() throws Exception {
        List<Path> files = ExampleSites.compressed(dir);
        SiteConfig soil = SiteConfigs.loadOrThrow(files.get(0), dir.resolve("config/models"));
        SiteConfig house = SiteConfigs.loadOrThrow(files.get(1), dir.resolve("config/models"));
        TreeSet<String> configured = new TreeSet<>();
        for (SiteConfig s : List.of(soil, house)) {
            s.probes().stream().filter(p -> !p.channels().isEmpty()).forEach(p -> configured.add(s.id() + "/" + p.id()));
        }
        try (GatewayProcess gateway = GatewayProcess.builder()
                .site(soil.id())
                .mqttUrl("tcp://127.0.0.1:" + FreePorts.next())
                .property("fieldgate.mqtt.embedded", "true")
                .property("fieldgate.site-config", files.get(0) + "," + files.get(1))
                .property("fieldgate.acquire.mode", "hardware")
                .influxUrl("http://127.0.0.1:" + FreePorts.next())
                .start()) {
            GatewayProcess.Health health = Poll.value("/health to answer 503 with the acquisition DOWN",
                    Duration.ofSeconds(40), Duration.ofMillis(500), gateway::health,
                    h -> h.httpStatus() == 503 && "DOWN".equals(String.valueOf(h.indicator("acquisition").get("status"))),
                    gateway.diagnostics());
            JsonNode acquisition = JSON.readTree(health.body()).at("/details/acquisition/details");
            TreeSet<String> down = new TreeSet<>();
            for (JsonNode site : acquisition.path("sites")) {
                assertEquals("DOWN", site.path("state").asText(), site.toString());
                for (JsonNode p : site.path("probes")) {
                    assertEquals("DOWN", p.path("state").asText(), p.toString());
                    assertFalse(p.path("lastError").asText("").isBlank(), "each probe's last error: " + p);
                    assertTrue(p.path("lastGoodSample").isMissingNode() || p.path("lastGoodSample").isNull(),
                            "no good sample ever (null fields are left out): " + p);
                    down.add(site.path("site").asText() + "/" + p.path("probe").asText());
                }
            }
            assertEquals(configured, down, "every configured probe DOWN on /health");
            JsonNode status = JSON.readTree(gateway.get("/api/status").body()).path("acquisition");
            assertEquals("DOWN", status.path("state").asText(), status.toString());
            assertEquals("hardware", status.path("mode").asText(), status.toString());
            assertEquals(2, status.path("sites").size(), status.toString());
            JsonNode first = status.at("/sites/0/probes/0");
            System.out.printf("acquisition health: /health %d %s, %d probe(s) DOWN; first: %s%n", health.httpStatus(),
                    health.status(), down.size(), first);

            try (HeadlessChromium chromium = HeadlessChromium.start()) {
                chromium.viewport(1280, 1000, false);
                chromium.navigate(gateway.baseUrl() + "/");
                chromium.waitFor("the probe alarm on the page",
                        "document.getElementById('banner').dataset.alarm === 'probes'"
                                + " && document.querySelectorAll('.device[data-alarm]').length >= " + configured.size(),
                        Duration.ofSeconds(20), gateway.diagnostics());
                String banner = chromium.evaluate("document.getElementById('banner').className + ' | '"
                        + " + document.getElementById('banner').textContent").asText();
                assertTrue(banner.startsWith("banner bad | Probe alarm (acquisition DOWN): "), banner);
                assertTrue(banner.contains(first.path("lastError").asText()), "the last error on the banner: " + banner);
                String card = chromium.evaluate("document.getElementById('h-probes').className + ' | '"
                        + " + document.getElementById('h-probes').textContent").asText();
                assertEquals("v badc | " + configured.size() + " of " + configured.size() + " down", card);
                String row = chromium.evaluate("document.querySelector('.device[data-alarm] .probe-alarm')"
                        + ".textContent").asText();
                assertTrue(row.startsWith("ALARM: probe DOWN"), row);
                assertEquals(configured.size(), chromium.evaluate(
                        "document.querySelectorAll('#probes tr[data-state=DOWN]').length").asInt());
                chromium.screenshot(SHOTS.resolve("live-page-probe-alarm.png"), false);
            }
        }
    }
}
