package org.fieldgate.pipeline;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.fieldgate.config.GatewaySettings;
import org.fieldgate.forward.InfluxLines;
import org.fieldgate.reading.EpochNanos;
import org.fieldgate.store.DeadLetterStore;
import org.fieldgate.store.DerivedPointStore;
import org.fieldgate.store.ReadingStore;
import org.fieldgate.store.Spool;
import org.fieldgate.store.SpoolSpace;

/** The spool every reading and derived point is committed to before it is acknowledged, and its gauges. */
public final class SpoolBuilder {
    private SpoolBuilder() {
    }

    public static Spool build(GatewaySettings settings, MeterRegistry metrics) {
        var s = settings.spool();
        Spool spool = new Spool(s.dir(), s.maxBytes(), s.fullPolicy(), InfluxLines::gap);
        Gauge.builder("fieldgate.spool.depth", spool.readings(), ReadingStore::depth).description("readings waiting in the spool")
                .register(metrics);
        Gauge.builder("fieldgate.spool.oldest.undelivered.age", spool.readings(),
                        sp -> sp.oldestUndeliveredAgeS(EpochNanos.now())).baseUnit("seconds")
                .description("time since the oldest reading still waiting in the spool was received; 0 when none waits")
                .register(metrics);
        Gauge.builder("fieldgate.spool.used.bytes", spool.space(), SpoolSpace::usedBytes)
                .description("bytes the spool file uses, of fieldgate.spool.max-bytes").register(metrics);
        Gauge.builder("fieldgate.spool.full", spool.space(), sp -> sp.isFull() ? 1 : 0)
                .description("1 while the spool is full and its full-policy applies, else 0").register(metrics);
        // a gauge, not a counter: the count lives in the spool and survives restarts
        Gauge.builder("fieldgate.spool.dead.letters", spool.deadLetters(), DeadLetterStore::total)
                .description("dead letters kept in the spool since it was created").register(metrics);
        Gauge.builder("fieldgate.spool.points", spool.points(), DerivedPointStore::depth)
                .description("derived points (fluxes, rates, gaps) waiting in the spool").register(metrics);
        return spool;
    }
}
