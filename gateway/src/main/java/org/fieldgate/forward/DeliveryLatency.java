package org.fieldgate.forward;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import org.fieldgate.store.SpooledReading;

import java.util.List;

/**
 * {@code fieldgate.forward.latency} (Prometheus {@code fieldgate_forward_latency_seconds}): acquisition time to InfluxDB
 * acknowledgement, per reading, with its p50 and p99.
 *
 * <p>A summary in seconds, not a Micrometer Timer: the Prometheus registry's Timer adds its sum up in a long of
 * nanoseconds, which wraps past 9.2e9 s, about ten days at 10,000 readings/s of one second each, or one backlog of
 * 120,000 day-old readings delivered after an outage, and {@code _sum} then went negative. The summary adds seconds in
 * a double (micrometer-registry-prometheus 1.15: {@code PrometheusDistributionSummary} keeps a {@code DoubleAdder},
 * {@code PrometheusTimer} a {@code LongAdder} of nanoseconds). With base unit "seconds" its Prometheus name, samples
 * and quantiles are those the Timer had.
 */
public final class DeliveryLatency {
    private static final double NS_PER_S = 1e9;
    private final DistributionSummary seconds;

    public DeliveryLatency(MeterRegistry metrics) {
        this.seconds = DistributionSummary.builder("fieldgate.forward.latency")
                .description("acquisition time to InfluxDB acknowledgement, per reading")
                .baseUnit("seconds")
                .publishPercentiles(0.5, 0.99).register(metrics);
    }

    /**
     * One reading acquired at {@code readingNs} and acknowledged at {@code ackNs} (epoch nanoseconds); one stamped
     * after its acknowledgement (the clock was set back in between) counts as 0.
     */
    public void record(long ackNs, long readingNs) {
        seconds.record(Math.max(0, ackNs - readingNs) / NS_PER_S);
    }

    /** Each of {@code landed}, acknowledged together at {@code ackNs}, as {@link #record(long, long)} records one. */
    public void record(long ackNs, List<SpooledReading> landed) {
        for (SpooledReading s : landed) {
            record(ackNs, s.reading().timeNs());
        }
    }
}
