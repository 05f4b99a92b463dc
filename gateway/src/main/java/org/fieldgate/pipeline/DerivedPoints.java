package org.fieldgate.pipeline;

import org.fieldgate.acquire.site.GapSink;
import org.fieldgate.forward.InfluxForwarder;
import org.fieldgate.forward.InfluxLines;
import org.fieldgate.store.PointLine;
import org.fieldgate.store.Spool;

import java.util.List;
import java.util.function.Consumer;

/** Where derived points (fluxes, rates, gaps, the gateway's own health) go: into the spool, then out by the forwarder. */
public final class DerivedPoints implements Consumer<List<PointLine>> {
    private final Spool spool;
    private final InfluxForwarder forwarder;

    public DerivedPoints(Spool spool, InfluxForwarder forwarder) {
        this.spool = spool;
        this.forwarder = forwarder;
    }

    @Override
    public void accept(List<PointLine> lines) {
        spool.points().commit(lines);
        forwarder.wake();
    }

    /** A gap is recorded in the spool (for the ledger) and sent as a point (for the dashboards). */
    public GapSink gaps() {
        return (site, device, channel, firstNs, lastNs, readings, cause) -> {
            spool.gaps().record(site, device, channel, firstNs, lastNs, readings, cause);
            accept(List.of(InfluxLines.gap(site, device, channel, firstNs, lastNs, readings, cause)));
        };
    }
}
