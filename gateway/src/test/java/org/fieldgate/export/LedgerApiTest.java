package org.fieldgate.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.fieldgate.testkit.AttachGatewayLogs;
import org.fieldgate.testkit.Cleanup;
import org.fieldgate.testkit.FreePorts;
import org.fieldgate.testkit.GatewayProcess;
import org.fieldgate.testkit.InfluxdProcess;
import org.fieldgate.testkit.Poll;
import org.fieldgate.testkit.StartsProcesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The example soil plot on simulated probes in a real gateway: {@code /api/ledger} counts its own probes' readings as the
 * spool commits them and as InfluxDB acknowledges them, with the expected count from the site file's intervals, and
 * agrees with what InfluxDB holds.
 */
@ExtendWith(AttachGatewayLogs.class)
@Timeout(value = 150, unit = TimeUnit.SECONDS)
@StartsProcesses
class LedgerApiTest {
    private static final String DB = "fieldgate_ledger";
    private final Cleanup cleanup = new Cleanup();
    private final ObjectMapper json = new ObjectMapper();

    @AfterEach
    void stopEverything() throws Exception {
        cleanup.close();
    }

    private JsonNode ledger(GatewayProcess gateway) throws Exception {
        var response = gateway.get("/api/ledger?hours=2");
        assertEquals(200, response.statusCode(), response.body());
        return json.readTree(response.body());
    }

    /** The newest hour's row of analyser/co2 (sampled every 2 s). */
    private static JsonNode analyserRow(JsonNode ledger) {
        JsonNode found = null;
        for (JsonNode row : ledger.path("rows")) {
            if (row.path("device").asText().equals("analyser") && row.path("channel").asText().equals("co2")
                    && row.path("received").asLong() > 0) {
                found = row;
            }
        }
        return found;
    }

    @Test
    void theLedgerCountsTheGatewaysOwnReadingsFromCommitToInfluxDb() throws Exception {
        InfluxdProcess influx = cleanup.add(InfluxdProcess.started());
        GatewayProcess gateway = cleanup.add(GatewayProcess.builder()
                .site("soil-plot-example")
                .mqttUrl("tcp://127.0.0.1:" + FreePorts.next())
                .property("fieldgate.mqtt.embedded", "true")
                .influxUrl(influx.url())
                .database(DB)
                .property("fieldgate.site-config", CompletenessLedgerTest.REPO
                        .resolve("firmware-config/sites/soil-plot-example.yaml").toString())
                .property("fieldgate.acquire.mode", "simulated")
                .property("fieldgate.acquire.clock-sync", "assume-synced")
                .property("fieldgate.export.schedule", "off")
                .start());
        Poll.until("analyser readings counted as delivered", Duration.ofSeconds(60), () -> {
            JsonNode row = analyserRow(ledger(gateway));
            return row != null && row.path("delivered").asLong() >= 5;
        }, gateway.diagnostics());

        JsonNode before = analyserRow(ledger(gateway));
        long hourNs = before.path("hourNs").asLong();
        List<Map<String, Object>> counted = influx.query(DB, "SELECT count(value) FROM reading WHERE device = 'analyser' "
                + "AND channel = 'co2' AND time >= " + hourNs + " AND time < " + (hourNs + CompletenessLedger.HOUR_NS));
        long inInflux = ((Number) counted.get(0).get("count")).longValue();
        JsonNode after = analyserRow(ledger(gateway));
        assertTrue(before.path("delivered").asLong() <= inInflux && inInflux <= after.path("received").asLong(),
                before + " / InfluxDB " + inInflux + " / " + after);

        assertEquals("soil-plot-example", after.path("site").asText());
        assertEquals(2.0, after.path("intervalS").asDouble());
        long expected = after.path("expected").asLong();
        long received = after.path("received").asLong();
        assertTrue(expected >= received, after.toString());
        assertEquals(0, after.path("gapReadings").asLong(), after.toString());
        assertEquals(expected - received, after.path("missing").asLong(), after.toString());
        assertEquals(0, after.path("clockUnsynced").asLong(), "assume-synced");
        // every configured channel of the site has a row in the current hour
        long channels = 0;
        for (JsonNode row : ledger(gateway).path("rows")) {
            if (row.path("hourNs").asLong() == hourNs && !row.path("intervalS").isNull()) {
                channels++;
            }
        }
        assertEquals(19, channels, "the site file's 19 channels");
        gateway.stop();
    }
}
