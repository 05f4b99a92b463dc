package org.fieldgate.it;

import org.fieldgate.testkit.AttachGatewayLogs;
import org.fieldgate.testkit.Cleanup;
import org.fieldgate.testkit.GatewayProcess;
import org.fieldgate.testkit.InfluxProxy;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * InfluxDB answers 400 for a body's content. For a moment (a proxy or InfluxDB in a bad moment, 400 ms): the write is
 * retried as it was after a pause and everything lands, nothing quarantined. Every time, for one pack's readings: exactly those are quarantined, the
 * count survives a restart, {@code quarantine list} shows them and {@code quarantine replay} lands them once the cause
 * is gone.
 */
@ExtendWith(AttachGatewayLogs.class)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
@StartsProcesses
class InfluxRefusalTest {
    private static final String QUARANTINE_CLI = "org.fieldgate.forward.QuarantineCli";
    private static final String CONFLICT = "partial write: field type conflict: input field \\\"value\\\" on measurement "
            + "\\\"reading\\\" is type float, already exists as type string dropped=1";

    private final Cleanup cleanup = new Cleanup();

    @AfterEach
    void stopEverything() throws Exception {
        cleanup.close();
    }

    @Test
    void aTransient400IsRetriedOnceAndEveryReadingLands() {
        MosquittoProcess broker = cleanup.add(MosquittoProcess.started());
        InfluxdProcess influx = cleanup.add(InfluxdProcess.started());
        InfluxProxy proxy = cleanup.add(InfluxProxy.to(influx.url()));
        // InfluxDB out of service first, so that the readings wait in the spool and go out in full batches
        proxy.fault(InfluxProxy.everyWrite(503, "service unavailable"));
        GatewayProcess gateway = cleanup.add(Site.gateway(broker, influx, "it-gw-transient-400")
                .influxUrl(proxy.url()).start());
        var diagnostics = Site.diagnostics(gateway, broker, influx);
        SenmlPublisher publisher = cleanup.add(new SenmlPublisher(broker.url(), "it-probe-transient-400").connect());
        new SenmlPacks(Site.NAME, "probe", 3, 100, SenmlPacks.anHourAgo(), 8_001).packs(30).forEach(publisher::publish);
        publisher.flush(Duration.ofSeconds(30));
        Map<Reading.Key, Reading> sent = publisher.acknowledged();
        assertEquals(3000, sent.size());
        Poll.until("every reading in the spool", Duration.ofSeconds(60), () -> gateway.status().ingested() == sent.size(),
                diagnostics);
        // then a 400 for 400 ms: shorter than the pause before the retry (min-backoff, 500 ms), longer than an
        // immediate re-send and split of a batch down to its first single reading
        proxy.fault(InfluxProxy.readingWritesFor(Duration.ofMillis(400), "unable to parse 'reading': transient proxy fault"));

        var status = Poll.value("every reading delivered or quarantined", Duration.ofSeconds(90), gateway::status,
                s -> s.spoolDepth() == 0 && s.delivered() + s.quarantined() == sent.size(), diagnostics);
        long landed = influx.count(Site.DB);
        System.out.println("FAULT influx-transient-400: sent=" + sent.size() + " landed=" + landed + " lost="
                + (sent.size() - landed) + " counted_as_lost=" + status.quarantined());
        assertEquals(0, status.quarantined(), "quarantined after a 400 that a retry clears: " + status);
        assertEquals(sent.size(), status.delivered());
        assertTrue(proxy.refusedWrites() > 0, "the proxy refused writes");
        LandedReadings.assertExactly(Site.NAME, sent, LandedReadings.fetch(influx, Site.DB));
    }

    @Test
    void aPersistent400QuarantinesExactlyTheBadPackCountedAcrossARestartAndReplayLandsIt() {
        MosquittoProcess broker = cleanup.add(MosquittoProcess.started());
        InfluxdProcess influx = cleanup.add(InfluxdProcess.started());
        InfluxProxy proxy = cleanup.add(InfluxProxy.to(influx.url()));
        proxy.fault(InfluxProxy.linesHolding("device=bad-probe", CONFLICT));
        GatewayProcess gateway = cleanup.add(Site.gateway(broker, influx, "it-gw-persistent-400")
                .influxUrl(proxy.url()).start());
        var diagnostics = Site.diagnostics(gateway, broker, influx);
        SenmlPublisher publisher = cleanup.add(new SenmlPublisher(broker.url(), "it-probe-persistent-400").connect());
        List<Pack> packs = new ArrayList<>(new SenmlPacks(Site.NAME, "probe", 2, 100, SenmlPacks.anHourAgo(), 8_002)
                .packs(20));
        Pack bad = new SenmlPacks(Site.NAME, "bad-probe", 1, 40, SenmlPacks.anHourAgo(), 8_003).pack(0);
        packs.add(7, bad);
        packs.forEach(publisher::publish);
        publisher.flush(Duration.ofSeconds(30));
        Map<Reading.Key, Reading> sent = publisher.acknowledged();
        assertEquals(2040, sent.size());

        var status = Poll.value("every reading delivered or quarantined", Duration.ofSeconds(90), gateway::status,
                s -> s.spoolDepth() == 0 && s.delivered() + s.quarantined() == sent.size(), diagnostics);
        assertEquals(40, status.quarantined(), "exactly the bad pack's readings: " + status);
        assertEquals(2000, influx.count(Site.DB));

        gateway.stop();
        gateway.restart();
        assertEquals(40, gateway.status().quarantined(), "the quarantined count after a restart");

        String list = gateway.runTool(QUARANTINE_CLI, Duration.ofSeconds(60), "list", "--limit", "1000");
        assertTrue(list.contains("quarantined now: 40; ever: 40"), list);
        long listed = list.lines().filter(l -> l.contains("\t" + Site.NAME + "/bad-probe-0/")).count();
        assertEquals(40, listed, list);
        assertTrue(list.contains("field type conflict"), list);

        proxy.fault(null); // the cause is fixed
        String replay = gateway.runTool(QUARANTINE_CLI, Duration.ofSeconds(60), "replay");
        assertTrue(replay.contains("replayed 40: landed 40, still refused 0"), replay);
        LandedReadings.assertExactly(Site.NAME, sent, LandedReadings.fetch(influx, Site.DB));
        String after = gateway.runTool(QUARANTINE_CLI, Duration.ofSeconds(60), "list");
        assertTrue(after.contains("quarantined now: 0; ever: 40"), after);
        long landed = influx.count(Site.DB);
        System.out.println("FAULT influx-persistent-400: sent=" + sent.size() + " landed=" + landed + " lost="
                + (sent.size() - landed) + " counted_as_lost=0");
        System.out.println("quarantined 40 of the bad pack before replay (counted 40 after a restart), replay landed 40");
    }
}
