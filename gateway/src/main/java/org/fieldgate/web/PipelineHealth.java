package org.fieldgate.web;

import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.HealthIndicator;
import io.micronaut.management.health.indicator.HealthResult;
import jakarta.inject.Singleton;
import io.micronaut.core.async.publisher.Publishers;
import org.fieldgate.GatewayPipeline;
import org.reactivestreams.Publisher;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * /health details per stage. DOWN means a reading cannot get in: broker disconnected or spool full (the
 * alarm). InfluxDB being unreachable is normal on a cellular link and is reported, not DOWN: readings
 * wait in the spool, and "oldest undelivered" says for how long.
 */
public final class PipelineHealth {
    private PipelineHealth() {
    }

    /** One stage's indicator: computed from the same figures as /api/status, so the two never disagree. */
    abstract static class StageHealth implements HealthIndicator {
        private final StatusController status;

        StageHealth(StatusController status) {
            this.status = status;
        }

        abstract HealthResult result(GatewayStatus s);

        @Override
        public Publisher<HealthResult> getResult() {
            return Publishers.just(result(status.status()));
        }
    }

    @Singleton
    public static class Mqtt extends StageHealth {
        public Mqtt(StatusController status) {
            super(status);
        }

        @Override
        HealthResult result(GatewayStatus s) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("connected", s.brokerConnected());
            if (!s.brokerConnected()) {
                d.put("error", s.brokerError());
            }
            return HealthResult.builder("mqtt", s.brokerConnected() ? HealthStatus.UP : HealthStatus.DOWN).details(d).build();
        }
    }

    @Singleton
    public static class Spool extends StageHealth {
        private final GatewayPipeline pipeline;

        public Spool(StatusController status, GatewayPipeline pipeline) {
            super(status);
            this.pipeline = pipeline;
        }

        @Override
        HealthResult result(GatewayStatus s) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("depth", s.spoolDepth());
            d.put("oldestUndeliveredAgeS", s.oldestUndeliveredAgeS());
            d.put("usedBytes", s.spoolBytes());
            d.put("maxBytes", s.spoolMaxBytes());
            d.put("fullPolicy", s.spoolFullPolicy());
            d.put("dropped", s.dropped());
            d.put("lostAcknowledged", pipeline.spool().lostTotal());
            d.put("duplicates", pipeline.spool().duplicatesTotal());
            d.put("conflicts", pipeline.spool().conflictsTotal());
            String commitError = pipeline.committer().lastCommitError();
            String damage = pipeline.spool().damageAtStart();
            if (!damage.isEmpty()) {
                // until the next start: someone must see that acknowledged readings are gone
                d.put("alarm", damage);
            } else if (!commitError.isEmpty()) {
                d.put("alarm", "spool commits failing: " + commitError);
            } else if (s.spoolFull()) {
                d.put("alarm", "spool full: " + s.spoolBytes() + " of " + s.spoolMaxBytes() + " bytes used; "
                        + ("backpressure".equals(s.spoolFullPolicy())
                        ? "new messages are held unacknowledged and queue at the broker until InfluxDB drains the spool"
                        : "oldest readings are being dropped and recorded as gaps"));
            }
            boolean ok = !d.containsKey("alarm");
            return HealthResult.builder("spool", ok ? HealthStatus.UP : HealthStatus.DOWN).details(d).build();
        }
    }

    @Singleton
    public static class Influx extends StageHealth {
        public Influx(StatusController status) {
            super(status);
        }

        @Override
        HealthResult result(GatewayStatus s) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("reachable", s.influxReachable());
            d.put("delivered", s.delivered());
            d.put("quarantined", s.quarantined());
            if (!s.influxReachable()) {
                d.put("error", s.influxError());
            }
            return HealthResult.builder("influx", HealthStatus.UP).details(d).build();
        }
    }

    @Singleton
    public static class DeadLetters extends StageHealth {
        public DeadLetters(StatusController status) {
            super(status);
        }

        @Override
        HealthResult result(GatewayStatus s) {
            return HealthResult.builder("deadLetters", HealthStatus.UP).details(Map.of("count", s.deadLetters())).build();
        }
    }
}
