package org.fieldgate.web;

import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import org.fieldgate.forward.InfluxForwarder;
import org.fieldgate.pipeline.PipelineStatus;
import org.fieldgate.pipeline.StatusSnapshots;

import java.util.LinkedHashMap;
import java.util.Map;

/** Operator actions on the InfluxDB forwarder; behind {@link ApiTokenFilter} like every state-changing request. */
@Controller("/api/forward")
public class ForwardController {
    private final InfluxForwarder forwarder;
    private final StatusSnapshots snapshots;

    public ForwardController(InfluxForwarder forwarder, StatusSnapshots snapshots) {
        this.forwarder = forwarder;
        this.snapshots = snapshots;
    }

    /** Ends the forwarder's backoff and tries InfluxDB now, e.g. right after fixing its token or bucket. */
    @Post("/retry")
    public Map<String, Object> retry() {
        boolean backoffEnded = forwarder.retryNow();
        PipelineStatus s = snapshots.take();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("backoffEnded", backoffEnded);
        result.put("influxReachable", s.influxReachable());
        result.put("influxError", s.influxError());
        result.put("spoolDepth", s.spoolDepth());
        return result;
    }
}
