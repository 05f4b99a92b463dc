package org.fieldgate.it;

import org.fieldgate.testkit.AttachGatewayLogs;
import org.fieldgate.testkit.Cleanup;
import org.fieldgate.testkit.GatewayProcess;
import org.fieldgate.testkit.GatewayStatus;
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
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A long uplink outage on a unit with little disk: InfluxDB is down from the start and probes send more readings
 * than the spool may hold. The spool fills to its limit, the gateway raises the spool alarm (/health 503) and
 * applies backpressure (stops taking messages; the broker holds the rest). When InfluxDB comes up, everything
 * drains: every reading lands exactly, and the alarm clears by itself.
 */
@ExtendWith(AttachGatewayLogs.class)
@Timeout(value = 300, unit = TimeUnit.SECONDS)
@StartsProcesses
class SpoolFullTest {
    private static final long SPOOL_MAX_BYTES = 1_500_000;
    private static final int PACKS = 600;
    private static final int RECORDS_PER_PACK = 100;

    private final Cleanup cleanup = new Cleanup();

    @AfterEach
    void stopEverything() throws Exception {
        cleanup.close();
    }

    @Test
    void fullSpoolRaisesTheAlarmHoldsBackAndDrainsWhenInfluxComesBack() {
        MosquittoProcess broker = cleanup.add(MosquittoProcess.started());
        InfluxdProcess influx = cleanup.add(InfluxdProcess.configured()); // down until the very end
        GatewayProcess gateway = cleanup.add(Site.gateway(broker, influx, "it-gw-spool-full")
                .spoolMaxBytes(SPOOL_MAX_BYTES)
                .property("fieldgate.spool.full-policy", "backpressure")
                .start());
        var diagnostics = Site.diagnostics(gateway, broker, influx);

        SenmlPacks probes = new SenmlPacks(Site.NAME, "probe", 10, RECORDS_PER_PACK, SenmlPacks.anHourAgo(), 60_000);
        Map<Reading.Key, Reading> sent;
        try (SenmlPublisher publisher = new SenmlPublisher(broker.url(), "it-probe-spool-full").connect()) {
            for (Pack pack : probes.packs(PACKS)) {
                publisher.publish(pack);
            }
            publisher.flush(Duration.ofSeconds(60));
            assertEquals(PACKS, publisher.acknowledgedPackCount(), "packs acknowledged by the broker; events " + publisher.events());
            sent = publisher.acknowledged();
        }
        assertEquals(PACKS * RECORDS_PER_PACK, sent.size());

        GatewayStatus full = Poll.value("the spool to report full", Duration.ofSeconds(90), gateway::status,
                GatewayStatus::spoolFull, diagnostics);
        assertEquals(SPOOL_MAX_BYTES, full.spoolMaxBytes(), "spoolMaxBytes: " + full);

        GatewayProcess.Health alarm = Poll.value("/health to answer 503 with the spool alarm", Duration.ofSeconds(30),
                gateway::health, h -> h.httpStatus() == 503, diagnostics);
        assertEquals("DOWN", alarm.status(), "overall health " + alarm);
        assertEquals("DOWN", String.valueOf(alarm.indicator("spool").get("status")), "spool indicator " + alarm);
        assertTrue(String.valueOf(alarm.indicator("spool").get("details")).contains("alarm"),
                "the spool indicator's details should carry an \"alarm\" message: " + alarm);

        // backpressure: once full, the depth settles well short of what was sent (the broker keeps the rest)
        long settled = Poll.value("spoolDepth to stop growing (same value 2 s apart)", Duration.ofSeconds(60), Duration.ofSeconds(2),
                new java.util.concurrent.Callable<Long>() {
                    private long last = -1;

                    @Override
                    public Long call() {
                        long depth = gateway.status().spoolDepth();
                        long previous = last;
                        last = depth;
                        return depth == previous ? depth : -1L;
                    }
                }, depth -> depth >= 0, diagnostics);
        assertTrue(settled > 0 && settled < sent.size(), "spoolDepth " + settled + " should be between 0 and the "
                + sent.size() + " readings sent: the broker should hold the rest");
        GatewayStatus stillFull = gateway.status();
        assertTrue(stillFull.spoolFull() && stillFull.spoolDepth() == settled, "spool should stay full at depth " + settled + ": " + stillFull);
        assertTrue(stillFull.oldestUndeliveredAgeS() > 0, "oldest undelivered reading should have an age: " + stillFull);
        assertTrue(stillFull.spoolBytes() <= SPOOL_MAX_BYTES, "the bound holds under backpressure: " + stillFull);
        System.out.println("spool full at depth " + settled + " of " + sent.size() + " readings sent: " + stillFull);

        influx.start();
        LandedReadings.awaitAtLeast(influx, Site.DB, sent.size(), Duration.ofSeconds(180), diagnostics);
        LandedReadings.assertExactly(Site.NAME, sent, LandedReadings.fetch(influx, Site.DB));

        Poll.until("the spool alarm to clear by itself", Duration.ofSeconds(60), () -> !gateway.status().spoolFull(), diagnostics);
        GatewayProcess.Health healthy = Poll.value("/health to return to 200 UP", Duration.ofSeconds(60), gateway::health,
                h -> h.httpStatus() == 200 && "UP".equals(h.status()), diagnostics);
        assertEquals("UP", String.valueOf(healthy.indicator("spool").get("status")), "spool indicator " + healthy);
        Site.awaitSpoolDrained(gateway, Duration.ofSeconds(30));
    }
}
