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
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Backpressure that lasts: the spool is full and InfluxDB down for several MQTT keep-alive intervals, with the
 * broker's in-flight window (100, the kit's mosquitto) wider than what ingest holds. The gateway must stop
 * acknowledging without starving the MQTT client: the connection stays up the whole time (one connection, no
 * reconnect), so no message is committed on one connection and redelivered on the next, and every reading is
 * spooled exactly once and lands exactly once.
 */
@ExtendWith(AttachGatewayLogs.class)
@Timeout(value = 300, unit = TimeUnit.SECONDS)
@StartsProcesses
class BackpressureKeepAliveTest {
    private static final long SPOOL_MAX_BYTES = 600_000;
    private static final int PACKS = 250;
    private static final int RECORDS_PER_PACK = 100;
    /** Short, so that several intervals pass quickly; -Dfieldgate.it.keep-alive-s=30 runs it at the default. */
    private static final long KEEP_ALIVE_S = Long.getLong("fieldgate.it.keep-alive-s", 3);

    private final Cleanup cleanup = new Cleanup();

    @AfterEach
    void stopEverything() throws Exception {
        cleanup.close();
    }

    @Test
    void aFullSpoolHoldsMessagesBackWithoutDroppingTheConnection() {
        MosquittoProcess broker = cleanup.add(MosquittoProcess.started());
        InfluxdProcess influx = cleanup.add(InfluxdProcess.configured()); // down until the spool has been full a while
        GatewayProcess gateway = cleanup.add(Site.gateway(broker, influx, "it-gw-keepalive")
                .spoolMaxBytes(SPOOL_MAX_BYTES)
                .property("fieldgate.spool.full-policy", "backpressure")
                .property("fieldgate.mqtt.keep-alive", KEEP_ALIVE_S + "s")
                // a small group: before the fix its queue (64 messages) was narrower than the broker's window
                .property("fieldgate.ingest.commit-batch-messages", "20")
                .start());
        var diagnostics = Site.diagnostics(gateway, broker, influx);

        SenmlPacks probes = new SenmlPacks(Site.NAME, "probe", 10, RECORDS_PER_PACK, SenmlPacks.anHourAgo(), 60_000);
        Map<Reading.Key, Reading> sent;
        try (SenmlPublisher publisher = new SenmlPublisher(broker.url(), "it-probe-keepalive").connect()) {
            for (Pack pack : probes.packs(PACKS)) {
                publisher.publish(pack);
            }
            publisher.flush(Duration.ofSeconds(60));
            assertEquals(PACKS, publisher.acknowledgedPackCount(), "packs acknowledged by the broker; events " + publisher.events());
            sent = publisher.acknowledged();
        }
        Poll.until("the spool to report full", Duration.ofSeconds(90), () -> gateway.status().spoolFull(), diagnostics);

        // The scenario itself, not a wait for something: backpressure for more than two keep-alive intervals
        // (Paho gives up on a broker after one interval without the PINGRESP it asked for).
        Duration held = Duration.ofSeconds(4 * KEEP_ALIVE_S + 3);
        Poll.sleep(held);
        long connectionsWhileFull = gateway.logLinesContaining("MQTT connected to");
        long lostWhileFull = gateway.logLinesContaining("lost (");

        influx.start();
        LandedReadings.awaitAtLeast(influx, Site.DB, sent.size(), Duration.ofSeconds(180), diagnostics);
        var landed = LandedReadings.fetch(influx, Site.DB);
        Site.awaitSpoolDrained(gateway, Duration.ofSeconds(60));
        long spooled = gateway.status().ingested();
        long connections = gateway.logLinesContaining("MQTT connected to");
        System.out.println("backpressure held " + held.toSeconds() + " s at keep-alive " + KEEP_ALIVE_S + " s: connections "
                + connectionsWhileFull + " while full (" + lostWhileFull + " lost), " + connections + " in all; readings sent "
                + sent.size() + ", spooled " + spooled + ", landed " + landed.size());
        System.out.println("FAULT backpressure-keepalive: sent=" + sent.size() + " landed=" + landed.size() + " lost="
                + (sent.size() - landed.size()) + " counted_as_lost=0");

        assertEquals(1, connections, "MQTT connections made (1 = never dropped under backpressure); lost while full: "
                + lostWhileFull);
        assertEquals(sent.size(), spooled, "readings committed to the spool: each exactly once");
        LandedReadings.assertExactly(Site.NAME, sent, landed);
    }
}
