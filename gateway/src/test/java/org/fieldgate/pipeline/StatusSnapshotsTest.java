package org.fieldgate.pipeline;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.fieldgate.config.GatewaySettings;
import org.fieldgate.forward.InfluxForwarder;
import org.fieldgate.forward.InfluxLines;
import org.fieldgate.forward.Reconciler;
import org.fieldgate.live.LatestReadings;
import org.fieldgate.reading.Reading;
import org.fieldgate.reading.EpochNanos;
import org.fieldgate.senml.SenmlDecoder;
import org.fieldgate.store.FullPolicy;
import org.fieldgate.store.PointLine;
import org.fieldgate.store.Spool;
import org.fieldgate.testkit.FreePorts;
import org.fieldgate.testkit.Poll;
import org.fieldgate.transport.IngestCommitter;
import org.fieldgate.transport.MqttIngest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The status snapshot over real stages (nothing started but the committer; broker and InfluxDB absent): one clock
 * read per snapshot, every figure from the stage that owns it, and the ages and the stalled-delivery judgement all
 * measured from that one instant; the gateway health point carries exactly the snapshot's figures.
 */
class StatusSnapshotsTest {
    private static final String TOPIC = "fieldgate/plot-a/probe-1/senml";

    @Test
    void aSnapshotReadsTheClockOnceAndItsFiguresAreTheStagesOwn(@TempDir Path dir) throws Exception {
        var metrics = new SimpleMeterRegistry();
        var decoder = new SenmlDecoder(262_144, 10_000, 1_420_070_400L, 86_400_000_000_000L);
        try (Spool spool = new Spool(dir.resolve("spool"), 64L << 20, FullPolicy.BACKPRESSURE, InfluxLines::gap);
             IngestCommitter committer = new IngestCommitter(decoder, spool.readings(), 200, metrics);
             MqttIngest mqtt = new MqttIngest(new GatewaySettings.Mqtt("tcp://127.0.0.1:" + FreePorts.next(), false,
                     "snapshot-test", null, null), committer);
             InfluxForwarder forwarder = new InfluxForwarder(new GatewaySettings.Influx(
                     "http://127.0.0.1:" + FreePorts.next(), "fieldgate", null, null),
                     new GatewaySettings.Forward(100, Duration.ofSeconds(1), Duration.ofSeconds(2)), spool, metrics);
             Reconciler reconciler = new Reconciler(forwarder, spool, EpochNanos::now)) {
            committer.start();
            AtomicInteger acked = new AtomicInteger();
            long baseS = EpochNanos.now() / 1_000_000_000L - 60;
            byte[] pack = ("[{\"bn\":\"probe-1/\",\"bt\":" + baseS + ",\"n\":\"co2_10cm\",\"u\":\"ppm\",\"v\":412},"
                    + "{\"n\":\"t_10cm\",\"u\":\"Cel\",\"v\":11.5}]").getBytes(StandardCharsets.UTF_8);
            committer.accept(new IngestCommitter.Incoming(TOPIC, pack, acked::incrementAndGet));
            Poll.until("the pack committed", Duration.ofSeconds(10), () -> acked.get() == 1, () -> "not acknowledged");
            spool.points().commit(List.of(new PointLine(0, "flux", EpochNanos.now(), "flux,site=plot-a f=1 1")));

            // 20 minutes after the oldest reading arrived: past the default down-after of 15 minutes
            long receivedNs = spool.readings().oldestReceivedNs().orElseThrow();
            long nowNs = receivedNs + Duration.ofMinutes(20).toNanos();
            AtomicInteger clockReads = new AtomicInteger();
            // three series offered to a live view that keeps two: the least recently updated is evicted
            var latest = new LatestReadings(2);
            latest.update(List.of(new Reading("plot-a", "p", "a", "ppm", 1, 1, 0),
                    new Reading("plot-a", "p", "b", "ppm", 1, 1, 0), new Reading("plot-a", "p", "c", "ppm", 1, 1, 0)));
            var snapshots = new StatusSnapshots("plot-a", GatewaySettings.AcquireMode.OFF, spool, committer, mqtt,
                    forwarder, reconciler, null, latest, () -> {
                clockReads.incrementAndGet();
                return nowNs;
            });
            PipelineStatus s = snapshots.take();

            assertEquals(1, clockReads.get(), "one clock read per snapshot");
            assertEquals(nowNs, s.nowNs());
            assertEquals("plot-a", s.site());
            assertEquals(2, s.spoolDepth(), s.toString());
            assertEquals(2, s.ingested(), s.toString());
            assertEquals(1, s.pointsWaiting(), s.toString());
            assertEquals(1200.0, s.oldestUndeliveredAgeS(), 1e-9, s.toString());
            assertEquals(spool.space().usedBytes(), s.spoolBytes());
            assertEquals(64L << 20, s.spoolMaxBytes());
            assertEquals("backpressure", s.spoolFullPolicy());
            assertFalse(s.spoolFull());
            assertFalse(s.brokerConnected(), "never started");
            assertEquals(0, s.delivered());
            assertEquals(0, s.deadLetters());
            assertEquals(0, s.dropped());
            assertEquals("", s.commitError());
            assertEquals("", s.spoolDamage());
            assertTrue(s.lastSuccessfulWriteNs().isEmpty());
            assertNull(s.lastReconcile(), "not run yet");
            assertNull(s.acquisition(), "acquisition off");
            assertEquals(2, s.liveSeries(), s.toString());
            assertEquals(1, s.liveSeriesEvicted(), s.toString());
            // the forwarder judges the stall on the snapshot's age and instant, not on a second reading of its own
            assertNotNull(s.deliveryStalled(), s.toString());
            assertTrue(s.deliveryStalled().contains("the oldest of 2 waiting was received 1200 s ago"),
                    s.deliveryStalled());

            PointLine health = HealthPoints.point(s);
            assertEquals("gateway", health.measurement());
            assertEquals(nowNs, health.timeNs());
            Map<String, String> fields = fields(health.line());
            assertEquals(Map.ofEntries(Map.entry("spool_depth", "2i"), Map.entry("spool_bytes", s.spoolBytes() + "i"),
                    Map.entry("spool_full", "false"), Map.entry("points_waiting", "1i"),
                    Map.entry("oldest_undelivered_s", "1200.0"), Map.entry("dead_letters_total", "0i"),
                    Map.entry("dropped_total", "0i"), Map.entry("ingested_total", "2i"),
                    Map.entry("delivered_total", "0i"), Map.entry("quarantined_total", "0i"),
                    Map.entry("mqtt_connected", "false"), Map.entry("influx_reachable", String.valueOf(s.influxReachable()))),
                    fields, health.line());
            assertTrue(health.line().startsWith("gateway,site=plot-a "), health.line());
        }
    }

    /** The field set of one line-protocol line (no spaces or commas inside these values). */
    private static Map<String, String> fields(String line) {
        String[] parts = line.split(" ");
        Map<String, String> out = new TreeMap<>();
        for (String kv : parts[1].split(",")) {
            int eq = kv.indexOf('=');
            out.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        return out;
    }
}
