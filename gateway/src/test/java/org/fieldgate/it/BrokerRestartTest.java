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
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The site broker is restarted (SIGTERM, same port and data directory) while probes are publishing. The broker
 * persists the gateway's session queue; the gateway reconnects by itself; the probe reconnects and carries on.
 * Every reading whose pack the broker acknowledged reaches InfluxDB, exact, and nothing unsent does.
 */
@ExtendWith(AttachGatewayLogs.class)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
@StartsProcesses
class BrokerRestartTest {
    private static final int PACKS = 300;
    private static final int RECORDS_PER_PACK = 100;

    private final Cleanup cleanup = new Cleanup();

    @AfterEach
    void stopEverything() throws Exception {
        cleanup.close();
    }

    @Test
    void everyAcknowledgedReadingArrivesAcrossABrokerRestart() {
        MosquittoProcess broker = cleanup.add(MosquittoProcess.started());
        InfluxdProcess influx = cleanup.add(InfluxdProcess.started());
        GatewayProcess gateway = cleanup.add(Site.gateway(broker, influx, "it-gw-broker-restart").start());
        var diagnostics = Site.diagnostics(gateway, broker, influx);

        SenmlPacks probes = new SenmlPacks(Site.NAME, "probe", 5, RECORDS_PER_PACK, SenmlPacks.anHourAgo(), 30_001);
        SenmlPublisher publisher = cleanup.add(new SenmlPublisher(broker.url(), "it-probe-broker-restart").connect());
        PublishingStream stream = cleanup.add(PublishingStream.start(publisher, probes.packs(PACKS), 10));

        stream.awaitHandedOver(100, Duration.ofSeconds(60));
        Poll.until("the gateway to ingest readings before the broker restart", Duration.ofSeconds(60),
                () -> gateway.status().ingested() > 0, diagnostics);
        broker.stop();
        Poll.until("the gateway to notice the broker is gone", Duration.ofSeconds(60),
                () -> !gateway.status().brokerConnected(), diagnostics);
        broker.start();
        Poll.until("the gateway to reconnect to the restarted broker", Duration.ofSeconds(60),
                () -> gateway.status().brokerConnected(), diagnostics);

        stream.join(Duration.ofSeconds(120));
        // packs whose PUBACK was lost in the restart are sent again; until acknowledged they only "may" land
        publisher.republishFailed(Duration.ofSeconds(60));
        assertTrue(publisher.connects() >= 2, "the probe should have reconnected after the restart; events " + publisher.events());
        Map<Reading.Key, Reading> acknowledged = publisher.acknowledged();
        Map<Reading.Key, Reading> sent = publisher.attempted();
        assertEquals(PACKS * RECORDS_PER_PACK, sent.size(), "distinct readings sent");
        assertEquals(sent.size(), acknowledged.size(), "after re-sending, the broker acknowledged every pack; events "
                + publisher.events());

        LandedReadings.awaitAtLeast(influx, Site.DB, acknowledged.size(), Duration.ofSeconds(120), diagnostics);
        LandedReadings.assertBetween(Site.NAME, acknowledged, sent, LandedReadings.fetch(influx, Site.DB));
        Site.awaitSpoolDrained(gateway, Duration.ofSeconds(30));
        System.out.println("broker restart: probe connects " + publisher.connects() + ", deliveries failed and re-sent "
                + publisher.failedAttempts() + "; events " + publisher.events());
    }
}
