package org.fieldgate.forward;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The latency figures on /prometheus stay right when their sum passes what a long count of nanoseconds holds
 * (9.2e9 s): a day's backlog of 120,000 readings delivered after an outage, or about ten days of 10,000 readings/s
 * at one second each. A Timer kept that sum in nanoseconds and showed it negative (-1.995e9 s in the benchmark).
 */
class DeliveryLatencyTest {
    private static final long NS = 1_000_000_000L;
    private static final long ACK_NS = 1_796_000_000L * NS;

    @Test
    void sumOfLatenciesPastTheNanosecondLongRangeIsExact() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        DeliveryLatency latency = new DeliveryLatency(registry);
        int readings = 120_000;
        long ageS = 86_400;
        for (int i = 0; i < readings; i++) {
            latency.record(ACK_NS, ACK_NS - ageS * NS);
        }
        String text = registry.scrape();
        assertEquals(readings, value(text, "fieldgate_forward_latency_seconds_count").orElseThrow(), 0.0, text);
        double sum = value(text, "fieldgate_forward_latency_seconds_sum").orElseThrow();
        assertEquals((double) readings * ageS, sum, readings * ageS * 1e-9, "sum of latencies, s");
        assertEquals(ageS, value(text, "fieldgate_forward_latency_seconds_max").orElseThrow(), 0.0);
    }

    @Test
    void readingStampedAfterItsAcknowledgementCountsAsNoLatency() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        DeliveryLatency latency = new DeliveryLatency(registry);
        latency.record(ACK_NS, ACK_NS + 3 * NS); // a clock set back between acquisition and delivery
        latency.record(ACK_NS, ACK_NS - NS / 4);
        String text = registry.scrape();
        assertEquals(2, value(text, "fieldgate_forward_latency_seconds_count").orElseThrow(), 0.0, text);
        assertEquals(0.25, value(text, "fieldgate_forward_latency_seconds_sum").orElseThrow(), 1e-12, text);
    }

    @Test
    void aBatchRecordedAtOnceGivesTheFiguresOfItsReadingsRecordedOneByOne() {
        PrometheusMeterRegistry one = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        PrometheusMeterRegistry batch = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        DeliveryLatency byReading = new DeliveryLatency(one);
        DeliveryLatency byBatch = new DeliveryLatency(batch);
        java.util.Random random = new java.util.Random(3);
        java.util.List<org.fieldgate.store.SpooledReading> landed = new java.util.ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            long timeNs = ACK_NS - random.nextInt(120_000) * 1_000_000L + (i % 97 == 0 ? 5 * NS : 0);
            landed.add(new org.fieldgate.store.SpooledReading(i + 1, new org.fieldgate.reading.Reading("plot-a",
                    "probe-" + i % 7, "co2", "ppm", timeNs, 400, 0), ACK_NS - NS));
            byReading.record(ACK_NS, timeNs);
        }
        byBatch.record(ACK_NS, landed);
        String expected = one.scrape();
        String text = batch.scrape();
        for (String name : new String[]{"fieldgate_forward_latency_seconds_count", "fieldgate_forward_latency_seconds_sum",
                "fieldgate_forward_latency_seconds_max"}) {
            assertEquals(value(expected, name).orElseThrow(), value(text, name).orElseThrow(), 1e-9, name);
        }
        assertEquals(expected.lines().filter(l -> l.contains("quantile")).toList(),
                text.lines().filter(l -> l.contains("quantile")).toList());
    }

    /** The value of the sample line named {@code name} (no labels) in Prometheus text. */
    private static Optional<Double> value(String text, String name) {
        return text.lines().filter(l -> l.startsWith(name + " ")).findFirst()
                .map(l -> Double.parseDouble(l.substring(name.length() + 1).trim()));
    }
}
