package org.fieldgate.pipeline;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.fieldgate.config.GatewaySettings;
import org.fieldgate.forward.InfluxForwarder;
import org.fieldgate.forward.Reconciler;
import org.fieldgate.reading.EpochNanos;
import org.fieldgate.store.Spool;

/** The way out of the spool: the InfluxDB forwarder, and the reconciler that checks InfluxDB holds what it acknowledged. */
public final class ForwardBuilder {
    private ForwardBuilder() {
    }

    /** {@code reconciler} re-sends through {@code forwarder} what InfluxDB acknowledged but does not hold. */
    public record Forward(InfluxForwarder forwarder, Reconciler reconciler) {
    }

    public static Forward build(GatewaySettings settings, Spool spool, MeterRegistry metrics) {
        InfluxForwarder forwarder = new InfluxForwarder(settings.influx(), settings.forward(), spool, metrics);
        Reconciler reconciler = new Reconciler(forwarder, spool, EpochNanos::now);
        Gauge.builder("fieldgate.influx.reachable", forwarder, f -> f.isReachable() ? 1 : 0)
                .description("1 while InfluxDB answers, else 0").register(metrics);
        return new Forward(forwarder, reconciler);
    }
}
