package org.fieldgate.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.fieldgate.imports.Li7810Files;
import org.fieldgate.testkit.GatewayProcess;
import org.fieldgate.testkit.InfluxdProcess;
import org.fieldgate.testkit.MosquittoProcess;
import org.fieldgate.testkit.Poll;
import org.fieldgate.testkit.StartsProcesses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.fieldgate.imports.Li7810Files.READINGS_PER_RECORD;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code fieldgate import} (its CLI as a child JVM with the gateway's settings, as the launcher runs it) into the spool
 * of a running gateway, with a real Mosquitto and InfluxDB: a file, the same file again, an overlapping one; InfluxDB
 * ends up with exactly the distinct samples' readings, the ledger counts them received and delivered, and the
 * gateway's spool depth returns to 0.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
@StartsProcesses
class ImportWhileRunningTest {
    private static final String IMPORT_CLI = "org.fieldgate.imports.ImportCli";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void importedReadingsReachInfluxDbAndTheLedgerExactlyOnce() throws Exception {
        try (MosquittoProcess broker = MosquittoProcess.started();
             InfluxdProcess influx = InfluxdProcess.started();
             GatewayProcess gateway = Site.gateway(broker, influx, "it-import").start()) {
            var diagnostics = Site.diagnostics(gateway, broker, influx);
            // two hours ago, on the whole minute: inside /api/ledger's last hours
            long firstS = (System.currentTimeMillis() / 1000 - 7200) / 60 * 60;
            Path a = Li7810Files.write(gateway.dir(), "a.data", firstS, 600, firstS + 5);
            Path b = Li7810Files.write(gateway.dir(), "b.data", firstS + 300, 600, -1);

            JsonNode first = JSON.readTree(gateway.runTool(IMPORT_CLI, Duration.ofSeconds(90), "--instrument", "li7810",
                    "--input", a.toString()).strip());
            assertEquals(600 * READINGS_PER_RECORD, first.get("added").asLong(), first.toString());
            JsonNode again = JSON.readTree(gateway.runTool(IMPORT_CLI, Duration.ofSeconds(90), "--instrument", "li7810",
                    "--input", a.toString()).strip());
            assertEquals(0, again.get("added").asLong(), again.toString());
            JsonNode overlap = JSON.readTree(gateway.runTool(IMPORT_CLI, Duration.ofSeconds(90), "--instrument", "li7810",
                    "--input", b.toString()).strip());
            assertEquals(300 * READINGS_PER_RECORD, overlap.get("added").asLong(), overlap.toString());

            long expected = 900L * READINGS_PER_RECORD;
            Poll.until("InfluxDB to hold the imported readings", Duration.ofSeconds(90),
                    () -> influx.count(Site.DB) >= expected, diagnostics);
            Site.awaitSpoolDrained(gateway, Duration.ofSeconds(60));
            assertEquals(expected, influx.count(Site.DB), influx.seriesSummary(Site.DB));
            assertEquals(900L, ((Number) influx.query(Site.DB, "SELECT count(value) FROM reading WHERE device = 'li-7810'"
                    + " AND channel = 'co2_dry' AND unit = 'ppm'").get(0).get("count")).longValue());
            assertEquals(READINGS_PER_RECORD, ((Number) influx.query(Site.DB, "SELECT count(value) FROM reading WHERE "
                    + "qc > 0").get(0).get("count")).longValue(), "the DIAG record's readings carry their flag");

            // the ledger: received and delivered per channel, summed over the hours the files cover
            Map<String, Long> received = new TreeMap<>();
            Map<String, Long> delivered = new TreeMap<>();
            Poll.until("the ledger to count them delivered", Duration.ofSeconds(30), () -> {
                received.clear();
                delivered.clear();
                for (JsonNode row : JSON.readTree(gateway.get("/api/ledger?hours=4").body()).path("rows")) {
                    if (row.path("device").asText().equals("li-7810")) {
                        received.merge(row.path("channel").asText(), row.path("received").asLong(), Long::sum);
                        delivered.merge(row.path("channel").asText(), row.path("delivered").asLong(), Long::sum);
                    }
                }
                return delivered.equals(Map.of("ch4_dry", 900L, "co2_dry", 900L, "h2o", 900L));
            }, () -> "delivered " + delivered + "\n" + diagnostics.get());
            assertEquals(Map.of("ch4_dry", 900L, "co2_dry", 900L, "h2o", 900L), received);
        }
    }
}
