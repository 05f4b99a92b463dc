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
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * InfluxDB answers its pings but every write fails (HTTP 500): /health must follow the deliveries, not the pings. Past
 * fieldgate.forward.down-after it turns DOWN, naming how long the oldest reading has waited and when the last write
 * succeeded; once writes go through again it is UP and every reading has landed.
 */
@ExtendWith(AttachGatewayLogs.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
@StartsProcesses
class InfluxWritesFailingTest {
    private static final int DOWN_AFTER_S = 5;

    private final Cleanup cleanup = new Cleanup();

    @AfterEach
    void stopEverything() throws Exception {
        cleanup.close();
    }

    @Test
    void healthTurnsDownWhenWritesFailWhilePingsAnswerAndUpAfterRecovery() {
        MosquittoProcess broker = cleanup.add(MosquittoProcess.started());
        InfluxdProcess influx = cleanup.add(InfluxdProcess.started());
        InfluxProxy proxy = cleanup.add(InfluxProxy.to(influx.url()));
        GatewayProcess gateway = cleanup.add(Site.gateway(broker, influx, "it-gw-writes-failing")
                .influxUrl(proxy.url())
                .property("fieldgate.forward.down-after", DOWN_AFTER_S + "s")
                .start());
        var diagnostics = Site.diagnostics(gateway, broker, influx);
        SenmlPublisher publisher = cleanup.add(new SenmlPublisher(broker.url(), "it-probe-writes-failing").connect());
        List<Pack> packs = new SenmlPacks(Site.NAME, "probe", 2, 100, SenmlPacks.anHourAgo(), 5_005).packs(20);

        // healthy: the first half lands
        packs.subList(0, 10).forEach(publisher::publish);
        publisher.flush(Duration.ofSeconds(30));
        LandedReadings.awaitAtLeast(influx, Site.DB, 1000, Duration.ofSeconds(60), diagnostics);
        assertEquals(200, gateway.health().httpStatus(), gateway.health().toString());

        // every write fails from now on; pings still answer
        Instant faultFrom = Instant.now();
        proxy.fault(InfluxProxy.everyWrite(500, "engine: cache-max-memory-size exceeded"));
        packs.subList(10, 20).forEach(publisher::publish);
        publisher.flush(Duration.ofSeconds(30));
        GatewayProcess.Health down = Poll.value("/health to turn DOWN with every write failing", Duration.ofSeconds(60),
                gateway::health, h -> h.httpStatus() == 503 && "DOWN".equals(String.valueOf(h.indicator("influx").get("status"))),
                diagnostics);
        @SuppressWarnings("unchecked")
        Map<String, Object> details = (Map<String, Object>) down.indicator("influx").get("details");
        double oldestS = ((Number) details.get("oldestUndeliveredAgeS")).doubleValue();
        assertTrue(oldestS > DOWN_AFTER_S, "oldest undelivered age " + oldestS + " s: " + down);
        Instant lastWrite = Instant.parse((String) details.get("lastSuccessfulWrite"));
        assertTrue(!lastWrite.isAfter(faultFrom), "last successful write " + lastWrite + " is before the fault at "
                + faultFrom + ": " + down);
        assertTrue(String.valueOf(details.get("alarm")).contains("no reading delivered"), down.toString());
        assertTrue(proxy.refusedWrites() > 0);

        // writes go through again
        proxy.fault(null);
        Map<Reading.Key, Reading> sent = publisher.acknowledged();
        assertEquals(2000, sent.size());
        LandedReadings.awaitAtLeast(influx, Site.DB, sent.size(), Duration.ofSeconds(60), diagnostics);
        LandedReadings.assertExactly(Site.NAME, sent, LandedReadings.fetch(influx, Site.DB));
        GatewayProcess.Health up = Poll.value("/health to be UP again after recovery", Duration.ofSeconds(60),
                gateway::health, h -> h.httpStatus() == 200, diagnostics);
        assertEquals("UP", String.valueOf(up.indicator("influx").get("status")), up.toString());
        long landed = influx.count(Site.DB);
        System.out.println("FAULT influx-writes-failing-pings-answering: sent=" + sent.size() + " landed=" + landed
                + " lost=" + (sent.size() - landed) + " counted_as_lost=0");
        System.out.println("health DOWN after the fault with oldest undelivered " + oldestS + " s, last write "
                + lastWrite + "; UP after recovery");
    }
}
