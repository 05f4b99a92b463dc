package org.fieldgate.it;

import org.fieldgate.testkit.AttachGatewayLogs;
import org.fieldgate.testkit.Cleanup;
import org.fieldgate.testkit.GatewayProcess;
import org.fieldgate.testkit.GatewayStatus;
import org.fieldgate.testkit.InfluxdProcess;
import org.fieldgate.testkit.LandedReadings;
import org.fieldgate.testkit.MosquittoProcess;
import org.fieldgate.testkit.Pack;
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
 * A busy day on site: 100,000 readings (1,000 packs × 100 records from 10 probes, 10 channels each) go from an
 * independent MQTT client through real Mosquitto and the gateway into real InfluxDB, and every one lands exactly.
 */
@ExtendWith(AttachGatewayLogs.class)
@Timeout(value = 300, unit = TimeUnit.SECONDS)
@StartsProcesses
class HundredThousandReadingsTest {
    private static final int PACKS = 1_000;
    private static final int RECORDS_PER_PACK = 100;

    private final Cleanup cleanup = new Cleanup();

    @AfterEach
    void stopEverything() throws Exception {
        cleanup.close();
    }

    @Test
    void hundredThousandReadingsLandWithExactValues() {
        MosquittoProcess broker = cleanup.add(MosquittoProcess.started());
        InfluxdProcess influx = cleanup.add(InfluxdProcess.started());
        GatewayProcess gateway = cleanup.add(Site.gateway(broker, influx, "it-gw-throughput").start());

        SenmlPacks probes = new SenmlPacks(Site.NAME, "probe", 10, RECORDS_PER_PACK, SenmlPacks.anHourAgo(), 100_000);
        try (SenmlPublisher publisher = new SenmlPublisher(broker.url(), "it-probe-throughput").connect()) {
            for (Pack pack : probes.packs(PACKS)) {
                publisher.publish(pack); // as fast as the broker's PUBACKs allow
            }
            publisher.flush(Duration.ofSeconds(60));
            // the broker was up throughout: every pack must have been acknowledged, or the count below means nothing
            assertEquals(PACKS, publisher.acknowledgedPackCount(), "packs acknowledged by the broker; events " + publisher.events());
            Map<Reading.Key, Reading> sent = publisher.acknowledged();
            assertEquals(PACKS * RECORDS_PER_PACK, sent.size(), "distinct readings sent");

            LandedReadings.awaitAtLeast(influx, Site.DB, sent.size(), Duration.ofSeconds(200), Site.diagnostics(gateway, broker, influx));
            LandedReadings.assertExactly(Site.NAME, sent, LandedReadings.fetch(influx, Site.DB));

            GatewayStatus status = Site.awaitSpoolDrained(gateway, Duration.ofSeconds(30));
            assertEquals(0, status.deadLetters(), "dead letters for well-formed packs: " + status);
            assertEquals(sent.size(), status.ingested(), "readings ingested since start: " + status);
            assertEquals(sent.size(), status.delivered(), "readings delivered since start: " + status);
        }
    }
}
