package org.fieldgate.pipeline;

import org.fieldgate.forward.InfluxLines;
import org.fieldgate.live.LivePoints;
import org.fieldgate.store.PointLine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Measurement {@code gateway}: the figures of /api/status every {@value #EVERY_S} s, through the spool like any
 * result, so a dashboard sees the gateway's own health after an outage too.
 */
public final class HealthPoints implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HealthPoints.class);
    static final int EVERY_S = 30;

    private final StatusSnapshots status;
    private final Consumer<List<PointLine>> derived;
    private final ScheduledExecutorService timer;

    public HealthPoints(StatusSnapshots status, Consumer<List<PointLine>> derived) {
        this.status = status;
        this.derived = derived;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "gateway-health-points");
            t.setDaemon(true);
            return t;
        });
    }

    public void start() {
        timer.scheduleAtFixedRate(() -> {
            try {
                derived.accept(List.of(point(status.take())));
            } catch (RuntimeException e) {
                LOG.warn("gateway health point not stored: {}", e.getMessage());
            }
        }, EVERY_S, EVERY_S, TimeUnit.SECONDS);
    }

    static PointLine point(PipelineStatus s) {
        return InfluxLines.derived("gateway", s.nowNs(), Map.of("site", s.site()),
                LivePoints.fieldsOf("spool_depth", s.spoolDepth(), "spool_bytes", s.spoolBytes(),
                        "spool_full", s.spoolFull(), "points_waiting", s.pointsWaiting(),
                        "oldest_undelivered_s", s.oldestUndeliveredAgeS(), "dead_letters_total", s.deadLetters(),
                        "dropped_total", s.dropped(), "ingested_total", s.ingested(),
                        "delivered_total", s.delivered(), "quarantined_total", s.quarantined(),
                        "mqtt_connected", s.brokerConnected(), "influx_reachable", s.influxReachable()));
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
