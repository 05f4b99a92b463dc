package org.fieldgate.web;

import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import org.fieldgate.GatewayPipeline;

import java.util.LinkedHashMap;
import java.util.Map;

/** Operator actions on the InfluxDB forwarder; behind {@link ApiTokenFilter} like every state-changing request. */
@Controller("/api/forward")
public class ForwardController {
    private final GatewayPipeline pipeline;

    public ForwardController(GatewayPipeline pipeline) {
        this.pipeline = pipeline;
    }

    /** Ends the forwarder's backoff and tries InfluxDB now, e.g. right after fixing its token or bucket. */
    @Post("/retry")
    public Map<String, Object> retry() {
        var forwarder = pipeline.forwarder();
        boolean backoffEnded = forwarder.retryNow();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("backoffEnded", backoffEnded);
        result.put("influxReachable", forwarder.isReachable());
        result.put("influxError", forwarder.lastError());
        result.put("spoolDepth", pipeline.spool().readings().depth());
        return result;
    }
}
