package org.fieldgate.web;

import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.HealthIndicator;
import io.micronaut.management.health.indicator.HealthResult;
import jakarta.inject.Singleton;
import io.micronaut.core.async.publisher.Publishers;
import org.fieldgate.config.GatewaySettings;
import org.fieldgate.pipeline.PipelineStatus;
import org.fieldgate.pipeline.StatusSnapshots;
import org.fieldgate.threads.PipelineThreads;
import org.reactivestreams.Publisher;

import java.time.Instant;
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

    /** One stage's indicator: read from a status snapshot like /api/status, so the two never disagree. */
    abstract static class StageHealth implements HealthIndicator {
        private final StatusSnapshots snapshots;

        StageHealth(StatusSnapshots snapshots) {
            this.snapshots = snapshots;
        }

        abstract HealthResult result(PipelineStatus s);

        @Override
        public Publisher<HealthResult> getResult() {
            return Publishers.just(result(snapshots.take()));
        }
    }

    @Singleton
    public static class Mqtt extends StageHealth {
        public Mqtt(StatusSnapshots snapshots) {
            super(snapshots);
        }

        @Override
        HealthResult result(PipelineStatus s) {
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
        public Spool(StatusSnapshots snapshots) {
            super(snapshots);
        }

        @Override
        HealthResult result(PipelineStatus s) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("depth", s.spoolDepth());
            d.put("oldestUndeliveredAgeS", s.oldestUndeliveredAgeS());
            d.put("usedBytes", s.spoolBytes());
            d.put("maxBytes", s.spoolMaxBytes());
            d.put("fullPolicy", s.spoolFullPolicy());
            d.put("dropped", s.dropped());
            d.put("lostAcknowledged", s.lostAcknowledged());
            d.put("duplicates", s.duplicates());
            d.put("conflicts", s.conflicts());
            String commitError = s.commitError();
            String damage = s.spoolDamage();
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
        private final PipelineThreads threads;

        public Threads(PipelineThreads threads) {
            this.threads = threads;
        }

        @Override
        public Publisher<HealthResult> getResult() {
            var problem = threads.problem();
            Map<String, Object> d = new LinkedHashMap<>();
            problem.ifPresent(p -> d.put("alarm", p));
            return Publishers.just(HealthResult.builder("pipelineThreads", problem.isEmpty() ? HealthStatus.UP : HealthStatus.DOWN)
                    .details(d).build());
        }
    }

    @Singleton
    public static class Influx extends StageHealth {
        public Influx(StatusSnapshots snapshots) {
            super(snapshots);
        }

        @Override
        HealthResult result(PipelineStatus s) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("reachable", s.influxReachable());
            d.put("delivered", s.delivered());
            d.put("quarantined", s.quarantined());
            d.put("oldestUndeliveredAgeS", s.oldestUndeliveredAgeS());
            d.put("lastSuccessfulWrite", s.lastSuccessfulWriteNs().stream()
                    .mapToObj(t -> Instant.ofEpochSecond(0, t).toString()).findFirst().orElse("none since start"));
            if (!s.influxReachable()) {
                d.put("error", s.influxError());
            }
            String stalled = s.deliveryStalled();
            if (stalled != null) {
                d.put("alarm", stalled);
            }
            return HealthResult.builder("influx", stalled == null ? HealthStatus.UP : HealthStatus.DOWN).details(d).build();
        }
    }

    /** The last reconciliation of InfluxDB's counts against the ledger's delivered ones. */
    @Singleton
    public static class Reconcile extends StageHealth {
        private final GatewaySettings settings;

        public Reconcile(StatusSnapshots snapshots, GatewaySettings settings) {
            super(snapshots);
            this.settings = settings;
        }

        @Override
        HealthResult result(PipelineStatus s) {
            var last = s.lastReconcile();
            Map<String, Object> d = new LinkedHashMap<>();
            if (last == null) {
                d.put("lastRun", "not yet (every " + settings.forward().reconcileEvery() + ")");
                return HealthResult.builder("reconcile", HealthStatus.UP).details(d).build();
            }
            d.put("lastRun", Instant.ofEpochSecond(0, last.checkedNs()).toString());
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

        public Acquisition(StatusSnapshots snapshots) {
            super(snapshots);
        }

        @Override
        HealthResult result(PipelineStatus s) {
            Map<String, Object> d = AcquisitionView.of(s.acquireMode(), s.acquisition());
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
        public DeadLetters(StatusSnapshots snapshots) {
            super(snapshots);
        }

        @Override
        HealthResult result(PipelineStatus s) {
            return HealthResult.builder("deadLetters", HealthStatus.UP).details(Map.of("count", s.deadLetters())).build();
        }
    }
}
