package org.fieldgate.it;

import org.fieldgate.testkit.AttachGatewayLogs;
import org.fieldgate.testkit.Cleanup;
import org.fieldgate.testkit.GatewayProcess;
import org.fieldgate.testkit.InfluxdProcess;
import org.fieldgate.testkit.MosquittoProcess;
import org.fieldgate.testkit.Poll;
import org.fieldgate.testkit.SenmlPacks;
import org.fieldgate.testkit.SenmlPublisher;
import org.fieldgate.testkit.StartsProcesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A power cut, then the spool's WAL is gone (an SD card that lost its last writes): the gateway starts on a fresh spool
 * instead of failing or pretending nothing happened, and /health, the ledger's gap record and one log line say how many
 * acknowledged readings are gone.
 */
@ExtendWith(AttachGatewayLogs.class)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
@StartsProcesses
class SpoolDamageGatewayTest {
    private static final int PACKS = 40;
    private static final int RECORDS_PER_PACK = 100;

    private final Cleanup cleanup = new Cleanup();

    @AfterEach
    void stopEverything() throws Exception {
        cleanup.close();
    }

    @Test
    void aLostWalIsCountedOnHealthAndInTheLogAndTheGatewayStartsOnAFreshSpool() throws Exception {
        MosquittoProcess broker = cleanup.add(MosquittoProcess.started());
        // InfluxDB is down throughout: every acknowledged reading waits in the spool
        InfluxdProcess influx = cleanup.add(InfluxdProcess.configured());
        GatewayProcess gateway = cleanup.add(Site.gateway(broker, influx, "it-gw-spool-damage").start());
        int sent = PACKS * RECORDS_PER_PACK;
        SenmlPacks probes = new SenmlPacks(Site.NAME, "probe", 4, RECORDS_PER_PACK, SenmlPacks.anHourAgo(), 7_000);
        SenmlPublisher publisher = cleanup.add(new SenmlPublisher(broker.url(), "it-probe-spool-damage").connect());
        probes.packs(PACKS).forEach(publisher::publish);
        publisher.flush(Duration.ofSeconds(60));
        Poll.until("every reading spooled", Duration.ofSeconds(60), () -> gateway.status().spoolDepth() == sent,
                gateway.diagnostics());
        gateway.kill9();
        Path spoolDir = Path.of(gateway.properties().get("fieldgate.spool.dir"));
        Files.delete(spoolDir.resolve("spool.db-wal"));
        int logLinesBefore = logLines(gateway).size();

        gateway.restart();
        long left = gateway.status().spoolDepth();
        long gone = sent - left;
        GatewayProcess.Health health = gateway.health();
        @SuppressWarnings("unchecked")
        Map<String, Object> spool = (Map<String, Object>) health.indicator("spool").getOrDefault("details", Map.of());
        List<String> newLines = logLines(gateway).subList(logLinesBefore, logLines(gateway).size());
        List<String> reports = newLines.stream().filter(l -> l.contains("acknowledged readings lost")).toList();
        List<String> stackLines = newLines.stream().filter(l -> l.startsWith("\tat ") || l.startsWith("Caused by")).toList();
        List<Path> aside;
        try (Stream<Path> files = Files.list(spoolDir)) {
            aside = files.filter(p -> p.getFileName().toString().startsWith("damaged-")).toList();
        }
        System.out.printf("FAULT spool-damage-gateway-wal-deleted: sent=%d landed=%d lost=%d counted_as_lost=%s%n",
                sent, left, gone, spool.get("lostAcknowledged"));
        System.out.println("health: " + health);
        assertTrue(gone > 0, "the lost WAL cost readings");
        assertEquals(503, health.httpStatus(), "/health is not UP: " + health);
        assertEquals(gone, ((Number) spool.getOrDefault("lostAcknowledged", -1)).longValue(), "/health: " + health);
        assertTrue(String.valueOf(spool.get("alarm")).contains(gone + " acknowledged readings lost"), "/health: " + health);
        assertEquals(1, reports.size(), "one log line: " + reports);
        assertTrue(reports.get(0).contains(": " + gone + " acknowledged readings lost"), reports.get(0));
        assertEquals(List.of(), stackLines, "no stack trace");
        assertEquals(1, aside.size(), "damaged files moved aside");
        String ledger = gateway.get("/api/ledger?hours=2").body();
        assertTrue(ledger.contains("spool damaged") && ledger.contains("\"readings\":" + gone), "ledger: " + ledger);
    }

    private static List<String> logLines(GatewayProcess gateway) throws IOException {
        List<String> lines = new ArrayList<>();
        for (String name : new String[]{"gateway.log", "gateway.stderr.log"}) {
            Path f = gateway.dir().resolve(name);
            if (Files.exists(f)) {
                lines.addAll(Files.readAllLines(f, StandardCharsets.UTF_8));
            }
        }
        return lines;
    }
}
