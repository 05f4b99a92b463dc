package org.fieldgate.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.fieldgate.testkit.AttachGatewayLogs;
import org.fieldgate.testkit.Cleanup;
import org.fieldgate.testkit.GatewayProcess;
import org.fieldgate.testkit.InfluxProxy;
import org.fieldgate.testkit.InfluxdProcess;
import org.fieldgate.testkit.LandedReadings;
import org.fieldgate.testkit.MosquittoProcess;
import org.fieldgate.testkit.Poll;
import org.fieldgate.testkit.PublishingStream;
import org.fieldgate.testkit.Reading;
import org.fieldgate.testkit.SenmlPacks;
import org.fieldgate.testkit.SenmlPublisher;
import org.fieldgate.testkit.StartsProcesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An InfluxDB that answers 204 and does not store a known part of what it was sent: the gateway counts 20,000
 * delivered. The reconciliation must find exactly the readings it lacks per series and hour, show them on /health, in
 * the ledger and in the export, and re-send them from the readings kept after delivery, until InfluxDB holds all.
 */
@ExtendWith(AttachGatewayLogs.class)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
@StartsProcesses
class LyingInfluxTest {
    private static final long HOUR_S = 3600;
    private static final Pattern DEVICE = Pattern.compile("[,]device=([^,\\s]+)");
    private static final Pattern CHANNEL = Pattern.compile("[,]channel=([^,\\s]+)");

    private final Cleanup cleanup = new Cleanup();
    private final ObjectMapper json = new ObjectMapper();

    @AfterEach
    void stopEverything() throws Exception {
        cleanup.close();
    }

    /** The part the lying InfluxDB loses: probe-1's co2_10cm throughout, probe-3's air_temp in the later hour. */
    private static boolean lost(String device, String channel, long timeNs, long laterHourNs) {
        return device.equals("probe-1") && channel.equals("co2_10cm")
                || device.equals("probe-3") && channel.equals("air_temp") && timeNs >= laterHourNs;
    }

    private static String hour(long timeNs) {
        return Instant.ofEpochSecond(Math.floorDiv(timeNs, HOUR_S * 1_000_000_000L) * HOUR_S).toString().substring(0, 13);
    }

    @Test
    void theReadingsAnInfluxDbAcknowledgedButDidNotStoreAreFoundExactlyAndResent() throws Exception {
        // 500 s of readings across the boundary between two closed hours
        long laterHourS = (System.currentTimeMillis() / 1000 / HOUR_S - 1) * HOUR_S;
        long laterHourNs = laterHourS * 1_000_000_000L;
        MosquittoProcess broker = cleanup.add(MosquittoProcess.started());
        InfluxdProcess influx = cleanup.add(InfluxdProcess.started());
        InfluxProxy proxy = cleanup.add(InfluxProxy.to(influx.url()));
        proxy.fault(proxy.dropping(line -> line.startsWith("reading,") && lost(match(DEVICE, line),
                match(CHANNEL, line), Long.parseLong(line.substring(line.lastIndexOf(' ') + 1)), laterHourNs)));
        GatewayProcess gateway = cleanup.add(Site.gateway(broker, influx, "it-gw-lying-influx")
                .influxUrl(proxy.url())
                .property("fieldgate.forward.reconcile-every", "3s")
                .start());
        var diagnostics = Site.diagnostics(gateway, broker, influx);

        SenmlPublisher publisher = cleanup.add(new SenmlPublisher(broker.url(), "it-probe-lying-influx").connect());
        PublishingStream stream = cleanup.add(PublishingStream.start(publisher,
                new SenmlPacks(Site.NAME, "probe", 4, 100, laterHourS - 250, 9_009).packs(200), 40));
        stream.join(Duration.ofSeconds(60));
        publisher.flush(Duration.ofSeconds(30));
        Map<Reading.Key, Reading> sent = publisher.acknowledged();
        assertEquals(20_000, sent.size());
        Map<String, Long> lostBySeriesHour = new TreeMap<>();
        sent.values().stream().filter(r -> lost(r.device(), r.channel(), r.timeNs(), laterHourNs))
                .forEach(r -> lostBySeriesHour.merge(hour(r.timeNs()) + " " + Site.NAME + "/" + r.device() + "/"
                        + r.channel(), 1L, Long::sum));
        long lostTotal = lostBySeriesHour.values().stream().mapToLong(Long::longValue).sum();
        assertEquals(3, lostBySeriesHour.size(), lostBySeriesHour.toString());

        // the gateway believes everything delivered; InfluxDB lacks exactly the lost part
        Poll.until("the gateway to count every reading delivered", Duration.ofSeconds(90),
                () -> gateway.status().spoolDepth() == 0 && gateway.status().delivered() == sent.size(), diagnostics);
        assertEquals(sent.size() - lostTotal, influx.count(Site.DB), "what the lying InfluxDB holds");
        assertTrue(proxy.droppedLines() >= lostTotal, "dropped " + proxy.droppedLines() + " lines");

        // found exactly, per series and hour, on /health (DOWN while the re-sends are lost too)
        GatewayProcess.Health found = Poll.value("/health to show the readings InfluxDB lacks", Duration.ofSeconds(60),
                gateway::health, h -> lostBySeriesHour.equals(mismatches(h, "missing"))
                        && h.httpStatus() == 503 && "DOWN".equals(String.valueOf(h.indicator("reconcile").get("status"))),
                diagnostics);
        assertEquals(lostTotal, details(found).get("stillMissing").asLong(), found.toString());
        assertEquals(lostBySeriesHour, ledger(gateway, "influxMissing"), "the ledger's readings found missing");

        // InfluxDB stores again: the next reconciliation re-sends exactly what it lacks
        proxy.fault(null);
        GatewayProcess.Health repaired = Poll.value("/health to show the hours repaired", Duration.ofSeconds(60),
                gateway::health, h -> h.httpStatus() == 200 && details(h).path("stillMissing").asLong(-1) == 0
                        && lostBySeriesHour.equals(mismatches(h, "resent")), diagnostics);
        assertEquals(sent.size(), influx.count(Site.DB), "InfluxDB's count after the reconciliation");
        LandedReadings.assertExactly(Site.NAME, sent, LandedReadings.fetch(influx, Site.DB));
        assertEquals(lostTotal, details(repaired).get("missingFound").asLong(), repaired.toString());
        assertEquals(lostBySeriesHour, ledger(gateway, "influxMissing"), "the ledger after the repair");
        assertEquals(lostBySeriesHour, ledger(gateway, "resent"), "the ledger's re-sent readings");

        // the export's ledger carries the same
        Path out = gateway.dir().resolve("export");
        // an export must describe a site's configuration: the soil plot's file stands in for it (its ledger rows of
        // it-site's readings come from the spool all the same)
        gateway.runTool("org.fieldgate.export.ExportCli", Duration.ofSeconds(90), Map.of("fieldgate.site-config",
                        Path.of("../firmware-config/sites/soil-plot-example.yaml").toAbsolutePath().toString()), "--from",
                Instant.ofEpochSecond(laterHourS - HOUR_S).toString(), "--to",
                Instant.ofEpochSecond(laterHourS + HOUR_S).toString(), "--out", out.toString());
        Path ledgerCsv;
        try (var dirs = Files.list(out)) {
            ledgerCsv = dirs.filter(Files::isDirectory).findFirst().orElseThrow().resolve("ledger.csv");
        }
        List<String> lines = Files.readAllLines(ledgerCsv);
        List<String> header = csv(lines.get(0));
        Map<String, Long> exportedMissing = new TreeMap<>();
        Map<String, Long> exportedResent = new TreeMap<>();
        for (String line : lines.subList(1, lines.size())) {
            List<String> v = csv(line);
            String missing = v.get(header.indexOf("influx_missing"));
            if (!missing.isEmpty()) {
                String key = v.get(header.indexOf("hour_utc")).substring(0, 13) + " " + v.get(header.indexOf("site"))
                        + "/" + v.get(header.indexOf("device")) + "/" + v.get(header.indexOf("channel"));
                exportedMissing.put(key, Long.parseLong(missing));
                exportedResent.put(key, Long.parseLong(v.get(header.indexOf("resent"))));
            }
        }
        assertEquals(lostBySeriesHour, exportedMissing, "ledger.csv influx_missing");
        assertEquals(lostBySeriesHour, exportedResent, "ledger.csv resent");

        long landed = influx.count(Site.DB);
        System.out.println("FAULT influx-acknowledges-without-storing: sent=" + sent.size() + " landed=" + landed
                + " lost=" + (sent.size() - landed) + " counted_as_lost=0");
        System.out.println("InfluxDB acknowledged but dropped " + lostTotal + " readings " + lostBySeriesHour
                + "; reconciliation found " + details(repaired).get("missingFound").asLong() + " and re-sent "
                + details(repaired).get("resent").asLong());
    }

    /** One CSV line's fields (RFC 4180 quoting). */
    private static List<String> csv(String line) {
        List<String> fields = new java.util.ArrayList<>();
        StringBuilder f = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted && c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                f.append('"');
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == ',' && !quoted) {
                fields.add(f.toString());
                f.setLength(0);
            } else {
                f.append(c);
            }
        }
        fields.add(f.toString());
        return fields;
    }

    private static String match(Pattern p, String line) {
        Matcher m = p.matcher(line);
        return m.find() ? m.group(1) : "";
    }

    private static JsonNode details(GatewayProcess.Health h) {
        return new ObjectMapper().valueToTree(h.indicator("reconcile")).path("details");
    }

    /** "hour series" -> the mismatch field, from /health's reconcile indicator. */
    private static Map<String, Long> mismatches(GatewayProcess.Health h, String field) {
        Map<String, Long> out = new TreeMap<>();
        for (JsonNode m : details(h).path("mismatches")) {
            out.put(m.path("hour").asText() + " " + m.path("series").asText(), m.path(field).asLong());
        }
        return out;
    }

    /** "hour series" -> the row field, from /api/ledger, for the rows a reconciliation found short. */
    private Map<String, Long> ledger(GatewayProcess gateway, String field) throws Exception {
        JsonNode ledger = json.readTree(gateway.get("/api/ledger?hours=4").body());
        Map<String, Long> out = new TreeMap<>();
        for (JsonNode row : ledger.path("rows")) {
            if (!row.path("influxMissing").isNull() && !row.path("influxMissing").isMissingNode()) {
                out.put(row.path("hour").asText() + " " + row.path("site").asText() + "/" + row.path("device").asText()
                        + "/" + row.path("channel").asText(), row.path(field).asLong());
            }
        }
        return out;
    }
}
