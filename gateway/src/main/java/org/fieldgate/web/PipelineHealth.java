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
 * /health details per stage. DOWN means a reading cannot get in (broker disconnected or its receive thread no longer
 * reading, spool full, a pipeline thread dead or making no progress), cannot get out (nothing delivered for longer
 * than fieldgate.forward.down-after while readings wait that long: a ping that answers does not count), or InfluxDB
 * acknowledged readings it does not hold and the re-send has not repaired it yet. A short InfluxDB outage is normal on
 * a cellular link and is reported, not DOWN: readings wait in the spool.
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
            d.put("duplicates", pipeline.spool().readings().duplicatesTotal());
            d.put("conflicts", pipeline.spool().readings().conflictsTotal());
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

    /** DOWN when a thread that moves readings has died or stopped making progress. */
    @Singleton
    public static class Threads implements HealthIndicator {
        private final GatewayPipeline pipeline;

        public Threads(GatewayPipeline pipeline) {
            this.pipeline = pipeline;
        }

        @Override
        public Publisher<HealthResult> getResult() {
            var problem = pipeline.threads().problem();
            Map<String, Object> d = new LinkedHashMap<>();
            problem.ifPresent(p -> d.put("alarm", p));
            return Publishers.just(HealthResult.builder("pipelineThreads", problem.isEmpty() ? HealthStatus.UP : HealthStatus.DOWN)
                    .details(d).build());
        }
    }

    @Singleton
    public static class Influx extends StageHealth {
        private final GatewayPipeline pipeline;

        public Influx(StatusController status, GatewayPipeline pipeline) {
            super(status);
            this.pipeline = pipeline;
        }

        @Override
        HealthResult result(GatewayStatus s) {
            var forwarder = pipeline.forwarder();
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("reachable", s.influxReachable());
            d.put("delivered", s.delivered());
            d.put("quarantined", s.quarantined());
            d.put("oldestUndeliveredAgeS", s.oldestUndeliveredAgeS());
            d.put("lastSuccessfulWrite", forwarder.lastSuccessfulWriteNs().stream()
                    .mapToObj(t -> java.time.Instant.ofEpochSecond(0, t).toString()).findFirst().orElse("none since start"));
            if (!s.influxReachable()) {
                d.put("error", s.influxError());
            }
            String stalled = forwarder.deliveryStalled();
            if (stalled != null) {
                d.put("alarm", stalled);
            }
            return HealthResult.builder("influx", stalled == null ? HealthStatus.UP : HealthStatus.DOWN).details(d).build();
        }
    }

    /** The last reconciliation of InfluxDB's counts against the ledger's delivered ones. */
    @Singleton
    public static class Reconcile extends StageHealth {
        private final GatewayPipeline pipeline;

        public Reconcile(StatusController status, GatewayPipeline pipeline) {
            super(status);
            this.pipeline = pipeline;
        }

        @Override
        HealthResult result(GatewayStatus s) {
            var last = pipeline.reconciler().last();
            Map<String, Object> d = new LinkedHashMap<>();
            if (last == null) {
                d.put("lastRun", "not yet (every " + pipeline.settings().forward().reconcileEvery() + ")");
                return HealthResult.builder("reconcile", HealthStatus.UP).details(d).build();
            }
            d.put("lastRun", java.time.Instant.ofEpochSecond(0, last.checkedNs()).toString());
            d.put("seriesHoursChecked", last.seriesHoursChecked());
            d.put("missingFound", last.missingFound());
            d.put("resent", last.resent());
            d.put("stillMissing", last.stillMissing());
            d.put("mismatches", last.mismatches().stream().map(m -> {
                Map<String, Object> v = new LinkedHashMap<>();
                v.put("hour", m.hour());
                v.put("series", m.series());
                v.put("missing", m.missing());
                v.put("resent", m.resent());
                v.put("stillMissing", m.stillMissing());
                v.put("influxCount", m.influxCount());
                return v;
            }).toList());
            if (last.error() != null) {
                d.put("error", last.error());
            }
            if (last.stillMissing() > 0) {
                d.put("alarm", "InfluxDB acknowledged " + last.stillMissing() + " readings it does not hold");
            }
            return HealthResult.builder("reconcile", last.stillMissing() > 0 ? HealthStatus.DOWN : HealthStatus.UP)
                    .details(d).build();
        }
    }

    /**
     * The gateway's own probes: DOWN (503) when a site measures nothing (every probe failing or silent), DEGRADED when
     * some probe fails; per probe the state, last good sample and last error.
     */
    @Singleton
    public static class Acquisition extends StageHealth {
        static final HealthStatus DEGRADED = new HealthStatus("DEGRADED", "some probes fail or are silent", true, 500);

        public Acquisition(StatusController status) {
            super(status);
        }

        @Override
        HealthResult result(GatewayStatus s) {
            Map<String, Object> d = s.acquisition();
            HealthStatus state = switch (String.valueOf(d.get("state"))) {
                case "DOWN" -> HealthStatus.DOWN;
                case "DEGRADED" -> DEGRADED;
                default -> HealthStatus.UP;
            };
            return HealthResult.builder("acquisition", state).details(d).build();
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
