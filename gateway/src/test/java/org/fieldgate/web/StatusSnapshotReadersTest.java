package org.fieldgate.web;

import io.micronaut.management.health.indicator.HealthResult;
import org.fieldgate.config.GatewaySettings;
import org.fieldgate.pipeline.PipelineStatus;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * /api/status and the /health indicators read one snapshot: each figure they share is the snapshot's, under the
 * name each has always used. Every figure differs from every other, so a figure read from the wrong place shows.
 */
class StatusSnapshotReadersTest {
    private static final PipelineStatus S = new PipelineStatus(1_763_000_000_000_000_000L, "plot-a",
            false, "Connection lost", 11, 12.5, 13, 14, true, "drop-oldest", 15,
            false, "timed out", OptionalLong.of(1_762_999_000_000_000_000L), "no reading delivered for 16 s",
            17, 18, 19, 20, 21, 22, 23, 24, "disk I/O error", "", null,
            GatewaySettings.AcquireMode.SIMULATED, null, "ab12", 25, 26);

    @Test
    void statusJsonCarriesTheSnapshotsFigures() {
        GatewayStatus g = GatewayStatus.of(S);
        assertEquals(new GatewayStatus("plot-a", false, "Connection lost", 11, 12.5, 13, 14, true, "drop-oldest", false,
                "timed out", 17, 18, 19, 20, 21, Map.of("state", "UP", "mode", "simulated", "sites", List.of()), "ab12", 25, 26),
                g);
    }

    @Test
    void theHealthIndicatorsShowTheSameFiguresAsTheStatus() {
        Map<?, ?> spool = details(new PipelineHealth.Spool(null).result(S));
        assertEquals(Map.of("depth", 11L, "oldestUndeliveredAgeS", 12.5, "usedBytes", 13L, "maxBytes", 14L,
                "fullPolicy", "drop-oldest", "dropped", 21L, "lostAcknowledged", 22L, "duplicates", 23L,
                "conflicts", 24L, "alarm", "spool commits failing: disk I/O error"), spool);
        Map<?, ?> influx = details(new PipelineHealth.Influx(null).result(S));
        assertEquals(Map.of("reachable", false, "delivered", 19L, "quarantined", 20L, "oldestUndeliveredAgeS", 12.5,
                "lastSuccessfulWrite", "2025-11-13T01:56:40Z", "error", "timed out",
                "alarm", "no reading delivered for 16 s"), influx);
        assertEquals(Map.of("connected", false, "error", "Connection lost"),
                details(new PipelineHealth.Mqtt(null).result(S)));
        assertEquals(Map.of("count", 17L), details(new PipelineHealth.DeadLetters(null).result(S)));
        assertEquals(GatewayStatus.of(S).acquisition(), details(new PipelineHealth.Acquisition(null).result(S)));
    }

    private static Map<?, ?> details(HealthResult r) {
        return (Map<?, ?>) r.getDetails();
    }
}
