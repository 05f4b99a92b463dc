package org.fieldgate;

import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;
import org.fieldgate.export.CompletenessLedger;
import org.fieldgate.forward.InfluxForwarder;
import org.fieldgate.live.LatestReadings;
import org.fieldgate.live.LiveCalculations;
import org.fieldgate.pipeline.Acquisition;
import org.fieldgate.pipeline.SiteFiles;
import org.fieldgate.pipeline.StatusSnapshots;
import org.fieldgate.store.Spool;
import org.fieldgate.threads.PipelineThreads;

/**
 * What the web layer and the systemd watchdog read of the running pipeline, as beans each of them asks for by type.
 * The pipeline alone starts and stops these (in its order), so none of them has a destroy method here.
 */
@Factory
public class PipelineBeans {
    @Singleton
    StatusSnapshots status(GatewayPipeline pipeline) {
        return pipeline.status();
    }

    @Singleton
    PipelineThreads threads(GatewayPipeline pipeline) {
        return pipeline.threads();
    }

    @Singleton
    LatestReadings latest(GatewayPipeline pipeline) {
        return pipeline.latest();
    }

    @Singleton
    SiteFiles sites(GatewayPipeline pipeline) {
        return pipeline.sites();
    }

    @Singleton
    Spool spool(GatewayPipeline pipeline) {
        return pipeline.spool();
    }

    @Singleton
    InfluxForwarder forwarder(GatewayPipeline pipeline) {
        return pipeline.forwarder();
    }

    @Singleton
    CompletenessLedger ledger(GatewayPipeline pipeline) {
        return pipeline.export().ledger();
    }

    @Singleton
    Acquisition acquisition(GatewayPipeline pipeline) {
        return pipeline.acquisition();
    }

    @Singleton
    LiveCalculations live(GatewayPipeline pipeline) {
        return pipeline.live();
    }
}
