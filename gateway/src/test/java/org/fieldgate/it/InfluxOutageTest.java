package org.fieldgate.it;

import org.fieldgate.testkit.AttachGatewayLogs;
import org.fieldgate.testkit.Cleanup;
import org.fieldgate.testkit.GatewayProcess;
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

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The uplink to the database goes away for 30 s while probes keep sending: the gateway spools on the unit and,
 * once InfluxDB is back, delivers every reading exactly once (by key) with its exact value.
 */
@ExtendWith(AttachGatewayLogs.class)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
@StartsProcesses
class InfluxOutageTest {
    private static final int PACKS = 300;
    private static final int RECORDS_PER_PACK = 100;
    private static final Duration OUTAGE = Duration.ofSeconds(30);

    private final Cleanup cleanup = new Cleanup();

    @AfterEach
    void stopEverything() throws Exception {
        cleanup.close();
    }

    @Test
    void everyReadingArrivesAfterA30SecondInfluxOutage() {
        MosquittoProcess broker = cleanup.add(MosquittoProcess.started());
        InfluxdProcess influx = cleanup.add(InfluxdProcess.started());
        GatewayProcess gateway = cleanup.add(Site.gateway(broker, influx, "it-gw-influx-outage").start());
        var diagnostics = Site.diagnostics(gateway, broker, influx);

        SenmlPacks probes = new SenmlPacks(Site.NAME, "probe", 6, RECORDS_PER_PACK, SenmlPacks.anHourAgo(), 30_000);
        SenmlPublisher publisher = cleanup.add(new SenmlPublisher(broker.url(), "it-probe-influx-outage").connect());
        // ~45 s of traffic at ~6.5 packs/s: it spans the whole outage on both sides
        PublishingStream stream = cleanup.add(PublishingStream.start(publisher, probes.packs(PACKS), 6.5));

        // forwarding is live before the outage: some readings already reached InfluxDB
        stream.awaitHandedOver(30, Duration.ofSeconds(30));
        Poll.until("first readings to reach InfluxDB before the outage", Duration.ofSeconds(60),
                () -> influx.count(Site.DB) > 0, diagnostics);

        influx.stop();
        long outageStarted = System.nanoTime();
        Poll.until("the gateway to notice InfluxDB is unreachable", OUTAGE,
                () -> !gateway.status().influxReachable(), diagnostics);
        Poll.until("readings to pile up in the spool during the outage", OUTAGE,
                () -> gateway.status().spoolDepth() > 0, diagnostics);
        // the outage lasts its full 30 s however quickly the gateway noticed; probes keep publishing meanwhile
        long remaining = OUTAGE.toNanos() - (System.nanoTime() - outageStarted);
        if (remaining > 0) {
            Poll.sleep(Duration.ofNanos(remaining));
        }
        influx.start();

        stream.join(Duration.ofSeconds(90));
        publisher.flush(Duration.ofSeconds(30));
        assertEquals(PACKS, publisher.acknowledgedPackCount(), "packs acknowledged by the broker; events " + publisher.events());
        Map<Reading.Key, Reading> sent = publisher.acknowledged();
        assertEquals(PACKS * RECORDS_PER_PACK, sent.size());

        LandedReadings.awaitAtLeast(influx, Site.DB, sent.size(), Duration.ofSeconds(120), diagnostics);
        LandedReadings.assertExactly(Site.NAME, sent, LandedReadings.fetch(influx, Site.DB));
        Site.awaitSpoolDrained(gateway, Duration.ofSeconds(30));
        Poll.until("the gateway to report InfluxDB reachable again", Duration.ofSeconds(30),
                () -> gateway.status().influxReachable(), diagnostics);
    }
}
