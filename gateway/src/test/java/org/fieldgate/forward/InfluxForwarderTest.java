package org.fieldgate.forward;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.fieldgate.config.GatewaySettings;
import org.fieldgate.store.FullPolicy;
import org.fieldgate.reading.Reading;
import org.fieldgate.store.Spool;
import org.fieldgate.testkit.InfluxdProcess;
import org.fieldgate.testkit.Poll;
import org.fieldgate.testkit.StartsProcesses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The forwarder against a real influxd: content errors are isolated and quarantined, the rest lands. */
@StartsProcesses
class InfluxForwarderTest {
    private static final String DB = "fieldgate_fwd";
    /** 2021-06-01T00:00:00Z: a week (shard group) of its own, where the field type conflict is planted. */
    private static final long OLD_NS = 1_622_505_600_000_000_000L;

    @Test
    void aFieldTypeConflictQuarantinesOnlyTheOffendingReadings(@TempDir Path dir) throws Exception {
        try (InfluxdProcess influx = InfluxdProcess.started()) {
            influx.createDatabase(DB);
            // Someone wrote 'value' as a string into the 2021 shard: our float points there must conflict.
            influx.writeLine(DB, "reading,site=x,device=y,channel=z,unit=ppm value=\"broken\" " + OLD_NS);

            long now = System.currentTimeMillis() * 1_000_000L;
            List<Reading> readings = new ArrayList<>();
            for (int i = 0; i < 12_000; i++) {
                readings.add(new Reading("plot-a", "probe-1", "co2", "ppm", now - 3_600_000_000_000L + i * 1_000_000L, 400 + i * 0.01, 0));
            }
            List<Reading> conflicting = List.of(
                    new Reading("plot-a", "probe-1", "co2", "ppm", OLD_NS + 1_000, 1.5, 0),
                    new Reading("plot-a", "probe-2", "co2", "ppm", OLD_NS + 2_000, 2.5, 0),
                    new Reading("plot-a", "probe-1", "temp", "Cel", OLD_NS + 3_000, 3.5, 0));
            readings.add(100, conflicting.get(0));
            readings.add(6000, conflicting.get(1));
            readings.add(readings.size() - 1, conflicting.get(2));

            try (Spool spool = new Spool(dir, 64L << 20, FullPolicy.BACKPRESSURE, InfluxLines::gap)) {
                spool.readings().commit(readings, List.of(), now);
                var settings = new GatewaySettings.Forward(5000, Duration.ofMillis(50), Duration.ofMillis(500));
                try (InfluxForwarder forwarder = new InfluxForwarder(
                        new GatewaySettings.Influx(influx.url(), DB, null, null), settings, spool, new SimpleMeterRegistry())) {
                    forwarder.start();
                    Poll.until("spool drained", Duration.ofSeconds(60), () -> spool.readings().depth() == 0,
                            () -> "depth " + spool.readings().depth() + ", last error " + forwarder.lastError());
                    assertEquals(3, forwarder.quarantined());
                    assertEquals(12_000, forwarder.delivered(), "delivered counts what InfluxDB took, not what it refused");
                }
            }
            var recent = influx.query(DB, "SELECT count(value) FROM reading WHERE time > '2022-01-01T00:00:00Z'");
            assertEquals(12_000L, ((Number) recent.get(0).get("count")).longValue(), "every non-conflicting reading lands");
            var old = influx.query(DB, "SELECT * FROM reading WHERE time < '2022-01-01T00:00:00Z'");
            assertEquals(1, old.size(), "only the planted point is in the 2021 shard: " + old);

            try (var c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("spool.db"));
                 ResultSet rs = c.createStatement().executeQuery("SELECT time_ns, value, reason FROM quarantine ORDER BY time_ns")) {
                List<Double> values = new ArrayList<>();
                while (rs.next()) {
                    values.add(rs.getDouble(2));
                    assertTrue(rs.getString(3).contains("field type conflict"), rs.getString(3));
                }
                assertEquals(List.of(1.5, 2.5, 3.5), values);
            }
        }
    }

    @Test
    void smallBatchesSettledTogetherAreEachCountedKeptAndRemovedOnce(@TempDir Path dir) throws Exception {
        try (InfluxdProcess influx = InfluxdProcess.started()) {
            influx.createDatabase(DB);
            long hourNs = 3_600_000_000_000L;
            long start = (System.currentTimeMillis() * 1_000_000L / hourNs - 3) * hourNs;
            List<Reading> readings = new ArrayList<>();
            java.util.Map<String, Long> expected = new java.util.TreeMap<>();
            for (int i = 0; i < 3_000; i++) {
                Reading r = new Reading("plot-a", "probe-" + i % 13, "co2", "ppm", start + (i % 3) * hourNs + i * 1_000_000L,
                        400 + i * 0.01, 0);
                readings.add(r);
                expected.merge(org.fieldgate.store.HourlyCountStore.hourOf(r.timeNs()) + " " + r.site() + "/"
                        + r.device() + "/" + r.channel(), 1L, Long::sum);
            }
            SimpleMeterRegistry metrics = new SimpleMeterRegistry();
            try (Spool spool = new Spool(dir, 64L << 20, FullPolicy.BACKPRESSURE, InfluxLines::gap)) {
                // batches of 7: many acknowledged while one is settled, so settles take several together
                var settings = new GatewaySettings.Forward(7, Duration.ofMillis(50), Duration.ofMillis(500));
                try (InfluxForwarder forwarder = new InfluxForwarder(
                        new GatewaySettings.Influx(influx.url(), DB, null, null), settings, spool, metrics)) {
                    forwarder.start();
                    for (int from = 0; from < readings.size(); from += 500) {
                        spool.readings().commit(readings.subList(from, from + 500), List.of(), start);
                        forwarder.wake();
                    }
                    Poll.until("spool drained", Duration.ofSeconds(120), () -> spool.readings().depth() == 0
                                    && forwarder.delivered() == readings.size(),
                            () -> "depth " + spool.readings().depth() + ", delivered " + forwarder.delivered());
                    assertEquals(readings.size(), forwarder.delivered());
                    assertEquals(readings.size(), metrics.get("fieldgate.forward.latency").summary().count(),
                            "one latency per reading");
                    java.util.Map<String, Long> counted = new java.util.TreeMap<>();
                    for (var c : spool.hourlyCounts().between(start, start + 4 * hourNs)) {
                        counted.put(c.hour() + " " + c.series(), c.delivered());
                    }
                    assertEquals(expected, counted, "delivered counts per series and hour");
                    assertEquals(readings.size(), forwarder.archive().readings(java.util.stream.IntStream.range(0, 13)
                                    .mapToObj(d -> List.of("plot-a", "probe-" + d, "co2")).toList(), start, start + 4 * hourNs)
                            .values().stream().mapToInt(List::size).sum(), "kept in delivered.db once each");
                }
            }
            var landed = influx.query(DB, "SELECT count(value) FROM reading");
            assertEquals((long) readings.size(), ((Number) landed.get(0).get("count")).longValue());
        }
    }
}
