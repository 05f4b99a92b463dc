package org.fieldgate.it;

import org.fieldgate.testkit.AttachGatewayLogs;
import org.fieldgate.testkit.Cleanup;
import org.fieldgate.testkit.GatewayProcess;
import org.fieldgate.testkit.GatewayStatus;
import org.fieldgate.testkit.InfluxdProcess;
import org.fieldgate.testkit.LandedReadings;
import org.fieldgate.testkit.MosquittoProcess;
import org.fieldgate.testkit.Pki;
import org.fieldgate.testkit.Poll;
import org.fieldgate.testkit.Reading;
import org.fieldgate.testkit.SenmlPacks;
import org.fieldgate.testkit.SenmlPublisher;
import org.fieldgate.testkit.StartsProcesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * InfluxDB over HTTPS (a hosted InfluxDB, or one behind a site's own CA), against a real influxd serving TLS with a
 * certificate made at test time: with {@code fieldgate.influx.ca-file} naming that CA every reading lands exactly
 * once; with another CA the gateway never trusts the server, keeps every reading in its spool, and /health says why
 * and which setting to check.
 */
@ExtendWith(AttachGatewayLogs.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
@StartsProcesses
class InfluxTlsTest {
    private static final int PACKS = 40;
    private static final int RECORDS_PER_PACK = 50;

    private final Cleanup cleanup = new Cleanup();

    @AfterEach
    void stopEverything() throws Exception {
        cleanup.close();
    }

    @Test
    void readingsLandOverHttpsWithTheSiteCaAndWaitInTheSpoolWithAnotherCa(@TempDir Path dir) {
        Pki pki = Pki.create(dir, "site");
        Pki.Issued server = pki.server("influxd", "127.0.0.1");
        MosquittoProcess broker = cleanup.add(MosquittoProcess.started());
        InfluxdProcess influx = cleanup.add(InfluxdProcess.startedWithTls(server, pki.caFile()));
        assertTrue(influx.url().startsWith("https://"), influx.url());

        GatewayProcess gateway = cleanup.add(Site.gateway(broker, influx, "it-gw-influx-tls")
                .property("fieldgate.influx.ca-file", pki.caFile().toString()).start());
        var diagnostics = Site.diagnostics(gateway, broker, influx);
        // a new client id has no session at the broker yet: publish once it has subscribed
        Poll.until("the gateway to subscribe", Duration.ofSeconds(30), () -> gateway.status().brokerConnected(), diagnostics);
        SenmlPacks probes = new SenmlPacks(Site.NAME, "probe", 4, RECORDS_PER_PACK, SenmlPacks.anHourAgo(), 10_000);
        SenmlPublisher publisher = cleanup.add(new SenmlPublisher(broker.url(), "it-probe-influx-tls").connect());
        for (int i = 0; i < PACKS; i++) {
            publisher.publish(probes.pack(i));
        }
        publisher.flush(Duration.ofSeconds(30));
        Map<Reading.Key, Reading> sent = publisher.acknowledged();
        assertEquals(PACKS * RECORDS_PER_PACK, sent.size(), "readings acknowledged by the broker");
        LandedReadings.awaitAtLeast(influx, Site.DB, sent.size(), Duration.ofSeconds(60), diagnostics);
        LandedReadings.assertExactly(Site.NAME, sent, LandedReadings.fetch(influx, Site.DB));
        GatewayStatus drained = Site.awaitSpoolDrained(gateway, Duration.ofSeconds(30));
        assertEquals(sent.size(), drained.delivered(), "delivered over HTTPS");
        gateway.stop();

        // the same server, but the gateway told to trust another CA: not one write may go through
        Pki other = Pki.create(dir, "other");
        GatewayProcess untrusting = cleanup.add(Site.gateway(broker, influx, "it-gw-influx-tls-other")
                .property("fieldgate.influx.ca-file", other.caFile().toString()).start());
        Poll.until("the second gateway to subscribe", Duration.ofSeconds(30), () -> untrusting.status().brokerConnected(),
                untrusting.diagnostics());
        SenmlPublisher more = cleanup.add(new SenmlPublisher(broker.url(), "it-probe-influx-tls-2").connect());
        for (int i = PACKS; i < PACKS + 4; i++) {
            more.publish(probes.pack(i));
        }
        more.flush(Duration.ofSeconds(30));
        // an outage is not yet a failed /health (that waits for the stall limit), but the reason is in its details
        GatewayProcess.Health health = Poll.value("/health to report InfluxDB unreachable with the certificate error",
                Duration.ofSeconds(60), untrusting::health,
                h -> String.valueOf(h.indicator("influx").get("details")).contains("TLS handshake failed"),
                Site.diagnostics(untrusting, broker, influx));
        String details = String.valueOf(health.indicator("influx").get("details"));
        assertTrue(details.contains("reachable=false"), details);
        assertTrue(details.contains("unable to find valid certification path"), details);
        assertTrue(details.contains("check that fieldgate.influx.ca-file (" + other.caFile() + ")"), details);
        GatewayStatus waiting = Poll.value("the 200 new readings in the untrusting gateway's spool",
                Duration.ofSeconds(30), untrusting::status, s -> s.ingested() == 4 * RECORDS_PER_PACK,
                untrusting.diagnostics());
        assertEquals(4 * RECORDS_PER_PACK, waiting.spoolDepth(), "every reading waits in the spool");
        assertEquals(0, waiting.delivered());
        assertEquals(PACKS * RECORDS_PER_PACK, influx.count(Site.DB), "nothing written by the untrusting gateway");
    }
}
