package org.fieldgate.it;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.fieldgate.forward.InfluxLines;
import org.fieldgate.lorawan.Uplinks;
import org.fieldgate.store.FullPolicy;
import org.fieldgate.store.GapRecord;
import org.fieldgate.store.Spool;
import org.fieldgate.testkit.Command;
import org.fieldgate.testkit.MosquittoProcess;
import org.fieldgate.testkit.Poll;
import org.fieldgate.testkit.StartsProcesses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A third-party MQTT client, MQTT.js (the Node.js client network-server integrations and bridges are commonly written
 * with), publishes ChirpStack v4 and The Things Stack v3 uplink events into a real Mosquitto; the gateway's own
 * subscriber, committer and LoRaWAN decoder take them: exact readings, a redelivered event and a duplicate uplink
 * stored once, a frame-counter jump as a gap. MQTT.js comes from npm into gateway/target/mqttjs (as the Node-RED
 * bench does); when npm cannot install it the test fails and says so: it is not skipped.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
@StartsProcesses
class MqttJsLorawanPublisherTest {
    private static final Path MQTTJS = Path.of("target", "mqttjs").toAbsolutePath();
    private static final String EUI = "a84041000181c5e1";
    private static final int PER_UPLINK = 7;
    private static final String PUBLISH_JS = """
            // MQTT.js publishing network-server uplink events: node publish.js URL MESSAGES.json
            const mqtt = require('mqtt');
            const fs = require('fs');
            const [url, file] = process.argv.slice(2);
            const messages = JSON.parse(fs.readFileSync(file, 'utf8'));
            const client = mqtt.connect(url, {clientId: 'network-server-mqttjs-' + process.pid, clean: true,
                protocolVersion: 4, reconnectPeriod: 0});
            client.on('error', e => { console.error('mqtt.js: ' + e.message); process.exit(2); });
            client.on('connect', async () => {
              for (const [topic, payload] of messages) {
                await client.publishAsync(topic, payload, {qos: 1});
              }
              await client.endAsync();
              console.log('mqtt.js ' + require('mqtt/package.json').version + ' published ' + messages.length);
            });
            """;

    @TempDir
    Path dir;

    /** MQTT.js installed once under target/ (npm reachable), its version pinned to the 5 line. */
    private static void installMqttJs() throws Exception {
        if (!Files.exists(MQTTJS.resolve("node_modules/mqtt/package.json"))) {
            Files.createDirectories(MQTTJS);
            try {
                Command.run(List.of("npm", "install", "--prefix", MQTTJS.toString(), "--no-audit", "--no-fund",
                        "--no-save", "mqtt@5"), Map.of(), Duration.ofSeconds(180));
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("MQTT.js could not be installed from npm into " + MQTTJS + " (npm and "
                        + "registry.npmjs.org are needed for this test; it is not skipped): " + e.getMessage(), e);
            }
        }
        Files.writeString(MQTTJS.resolve("publish.js"), PUBLISH_JS, StandardCharsets.UTF_8);
    }

    private String publish(MosquittoProcess broker, String[][] messages) throws Exception {
        Path file = dir.resolve("messages-" + System.nanoTime() + ".json");
        Files.writeString(file, new ObjectMapper().writeValueAsString(messages), StandardCharsets.UTF_8);
        return Command.run(List.of("node", MQTTJS.resolve("publish.js").toString(),
                broker.url().replaceFirst("^tcp://", "mqtt://"), file.toString()), Map.of(), Duration.ofSeconds(60));
    }

    private static String cs(int fCnt, String time) {
        return Uplinks.chirpstack("lse01-plot-a-1", EUI, fCnt, time, Uplinks.lse01("25.52", "9.12", 124));
    }

    private static String tts(int fCnt, String time) {
        return Uplinks.tts("lse01-plot-b-1", fCnt, time, Uplinks.lse01("31.07", "-1.50", 2010));
    }

    @Test
    void uplinksPublishedByMqttJsLandOnce() throws Exception {
        installMqttJs();
        String csTopic = Uplinks.chirpstackTopic(EUI);
        String ttsTopic = Uplinks.ttsTopic("lse01-plot-b-1", true);
        try (MosquittoProcess broker = MosquittoProcess.started();
             Spool spool = new Spool(dir.resolve("spool"), 64L << 20, FullPolicy.BACKPRESSURE, InfluxLines::gap);
             LorawanUplinkTest.Ingest ingest = LorawanUplinkTest.Ingest.started(broker, spool)) {
            String published = publish(broker, new String[][] {
                    {csTopic, cs(20, "2026-12-05T11:00:00.25Z")},   // 7
                    {csTopic, cs(20, "2026-12-05T11:00:00.25Z")},   // the same event again: the reading keys drop it
                    {csTopic, cs(20, "2026-12-05T11:00:02Z")},      // same fCnt, another time: a duplicate uplink
                    {csTopic, cs(21, "2026-12-05T11:20:00.25Z")},   // 7
                    {ttsTopic, tts(7, "2026-12-05T11:05:00.401Z")}, // 7
                    {ttsTopic, tts(10, "2026-12-05T11:25:00.401Z")}, // 7; fCnt 8 and 9 lost: a gap of 2
            });
            assertTrue(published.contains(" published 6"), published);
            int readings = 4 * PER_UPLINK;
            Poll.until("every uplink committed", Duration.ofSeconds(30), () -> spool.readings().depth() >= readings
                    && spool.readings().duplicatesTotal() >= PER_UPLINK && ingest.committer().isDrained(),
                    () -> "depth " + spool.readings().depth() + "\n" + broker.logTail(20));
            Thread.sleep(500);
            assertEquals(readings, spool.readings().depth());
            assertEquals(PER_UPLINK, spool.readings().duplicatesTotal(), "the event published twice");
            assertEquals(1, ingest.lorawan().duplicates(), "the second uplink with fCnt 20");
            assertEquals(List.of("lse01-plot-b-1 2: LoRaWAN uplinks lost: frame counter 7 then 10"),
                    spool.gaps().recent(10).stream().map((GapRecord g) -> g.device() + " " + g.readings() + ": "
                            + g.cause()).toList());
            assertEquals(0, spool.deadLetters().total());
        }
    }
}
