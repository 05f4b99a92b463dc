package org.fieldgate.it;

import org.fieldgate.testkit.AttachGatewayLogs;
import org.fieldgate.testkit.Cleanup;
import org.fieldgate.testkit.GatewayProcess;
import org.fieldgate.testkit.InfluxdProcess;
import org.fieldgate.testkit.LandedReadings;
import org.fieldgate.testkit.MosquittoProcess;
import org.fieldgate.testkit.Pack;
import org.fieldgate.testkit.Poll;
import org.fieldgate.testkit.Reading;
import org.fieldgate.testkit.SenmlPacks;
import org.fieldgate.testkit.SenmlPublisher;
import org.fieldgate.testkit.StartsProcesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Site and device names in the topic become InfluxDB tags, so only the wire contract's names (1-64 of
 * {@code A-Za-z0-9_.-}) may pass: each message on a topic with any other name is one dead letter, no series is made
 * for it, and the good readings published around it all land.
 */
@ExtendWith(AttachGatewayLogs.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
@StartsProcesses
class TopicNamesTest {
    private static final int GOOD_PACKS = 20;
    private static final int RECORDS = 10;
    private final Cleanup cleanup = new Cleanup();

    @AfterEach
    void stopEverything() throws Exception {
        cleanup.close();
    }

    @Test
    void eachTopicWithANameOutsideTheContractIsOneDeadLetterAndMakesNoSeries() {
        MosquittoProcess broker = cleanup.add(MosquittoProcess.started());
        InfluxdProcess influx = cleanup.add(InfluxdProcess.started());
        GatewayProcess gateway = cleanup.add(Site.gateway(broker, influx, "it-gw-topic-names").start());
        var diagnostics = Site.diagnostics(gateway, broker, influx);

        long base = SenmlPacks.anHourAgo();
        SenmlPacks good = new SenmlPacks(Site.NAME, "node", 4, RECORDS, base, 13);
        // a valid pack each, so only the topic can be wrong
        SenmlPacks twins = new SenmlPacks(Site.NAME, "twin", 1, RECORDS, base - 600, 14);
        List<String> badTopics = List.of(
                SenmlPacks.topic(Site.NAME, "a,b=c d"),
                SenmlPacks.topic(Site.NAME, "\"q'"),
                SenmlPacks.topic(Site.NAME, "d".repeat(5_000)),
                SenmlPacks.topic(Site.NAME, "evil\\"),
                SenmlPacks.topic(Site.NAME, "x".repeat(65)),
                SenmlPacks.topic(Site.NAME, "gerät-1"),
                SenmlPacks.topic("other site", "node-0"),
                SenmlPacks.topic("si,te=x", "node-1"));

        Map<Reading.Key, Reading> goodReadings = new HashMap<>();
        List<Pack> traffic = new ArrayList<>();
        for (int i = 0; i < GOOD_PACKS; i++) {
            Pack pack = good.pack(i);
            traffic.add(pack);
            pack.readings().forEach(r -> goodReadings.put(r.key(), r));
            if (i < badTopics.size()) {
                Pack twin = twins.pack(i);
                traffic.add(new Pack(badTopics.get(i), twin.payload(), twin.readings(), "bad topic " + i));
            }
        }
        try (SenmlPublisher publisher = new SenmlPublisher(broker.url(), "it-probe-topic-names").connect()) {
            traffic.forEach(publisher::publish);
            publisher.flush(Duration.ofSeconds(60));
            assertEquals(traffic.size(), publisher.acknowledgedPackCount(), "messages acknowledged; " + publisher.events());
        }

        var status = Poll.value("one dead letter per bad topic (" + badTopics.size() + ")", Duration.ofSeconds(60),
                gateway::status, s -> s.deadLetters() >= badTopics.size(), diagnostics);
        LandedReadings.awaitAtLeast(influx, Site.DB, goodReadings.size(), Duration.ofSeconds(60), diagnostics);
        status = Site.awaitSpoolDrained(gateway, Duration.ofSeconds(30));
        var landed = LandedReadings.fetch(influx, Site.DB);
        long landedCount = influx.count(Site.DB);
        int badReadings = badTopics.size() * RECORDS;
        long deadLetters = status.deadLetters();
        System.out.println("FAULT topic-names-outside-contract: sent=" + (goodReadings.size() + badReadings)
                + " landed=" + landedCount + " lost=" + (goodReadings.size() + badReadings - landedCount)
                + " counted_as_lost=" + deadLetters * RECORDS);

        assertEquals(badTopics.size(), deadLetters, "dead letters: " + status + "\n" + influx.seriesSummary(Site.DB));
        Set<String> devices = tagValues(influx, "device");
        assertEquals(new TreeSet<>(Set.of("node-0", "node-1", "node-2", "node-3")), devices,
                "no series for a bad name: " + influx.seriesSummary(Site.DB));
        assertEquals(Set.of(Site.NAME), tagValues(influx, "site"), influx.seriesSummary(Site.DB));
        assertEquals(goodReadings.size(), landedCount, "only the good readings landed");
        LandedReadings.assertExactly(Site.NAME, goodReadings, landed);
        assertEquals(0, status.quarantined(), "nothing quarantined by InfluxDB: " + status);

        List<Map<String, Object>> letters = gateway.deadLetters(100);
        assertEquals(badTopics.size(), letters.size());
        for (Map<String, Object> letter : letters) {
            String reason = String.valueOf(letter.get("reason"));
            assertTrue(reason.matches("topic's (site|device) '.*' .*is not a name: 1-64 letters, digits.*"), reason);
            assertTrue(reason.length() < 300, "reason stays short: " + reason.length());
        }
    }

    private static Set<String> tagValues(InfluxdProcess influx, String key) {
        Set<String> values = new TreeSet<>();
        influx.forEachRow(Site.DB, "SHOW TAG VALUES FROM reading WITH KEY = \"" + key + "\"",
                row -> values.add(String.valueOf(row.get("value"))));
        return values;
    }
}
