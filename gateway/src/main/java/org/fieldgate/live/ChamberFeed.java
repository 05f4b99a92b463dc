package org.fieldgate.live;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.time.Instant;
import org.fieldgate.acquire.chamber.AnalyserSample;
import org.fieldgate.acquire.chamber.ChamberSequencer;
import org.fieldgate.acquire.chamber.ClosureEvent;
import org.fieldgate.acquire.chamber.LidActuator;
import org.fieldgate.acquire.chamber.Scheduler;
import org.fieldgate.calc.InvalidInputException;
import org.fieldgate.calc.flux.ChamberClosure;
import org.fieldgate.calc.flux.ChamberSample;
import org.fieldgate.calc.flux.FluxCalculator;
import org.fieldgate.calc.flux.FluxEstimate;
import org.fieldgate.calc.flux.FluxOptions;
import org.fieldgate.calc.flux.FluxUncertainty;
import org.fieldgate.reading.Reading;
import org.fieldgate.site.ChamberSchedule;
import org.fieldgate.site.ChamberSystem;
import org.fieldgate.site.SiteConfig;
import org.fieldgate.store.PointLine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live chamber measurement of one site: analyser readings as they are committed (local probe or remote node
 * alike) are joined with the latest air temperature, pressure and water vapour into {@link AnalyserSample}s for the
 * {@link ChamberSequencer}, which drives the lids; each closure it emits is fitted by the {@link FluxCalculator} with
 * the closure's own dead band and observation window, and the closure and its flux are committed as derived points
 * (measurements {@code closure} and {@code flux}) a few seconds after the lid opens.
 */
public final class ChamberFeed implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChamberFeed.class);
    /** How long after the lid opens the sequencer waits for samples still in transit, s. */
    static final double SAMPLE_GRACE_S = 5;

    private final SiteConfig site;
    private final ChamberSystem system;
    private final ChannelJoin join;
    private final ChamberSequencer sequencer;
    private final FluxOptions base;
    private final Consumer<List<PointLine>> out;
    private final List<Consumer<Result>> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile Result last;
    private long samplesWithoutAir;
    /** Whether the analyser reports a dry mole fraction itself (a {@code _dry} channel, e.g. the LI-7810's). */
    private final boolean dryCo2;

    /** A closure and what the calculator made of it. */
    public record Result(ClosureEvent closure, FluxEstimate estimate) {
    }

    public ChamberFeed(SiteConfig site, LidActuator lids, Scheduler scheduler, FluxOptions base,
                       Consumer<List<PointLine>> out) {
        this.site = site;
        this.system = site.chambers();
        this.join = new ChannelJoin(site.id(), system.co2(),
                java.util.Arrays.asList(system.temperature(), system.pressure(), system.h2o()));
        this.base = base;
        this.out = out;
        var analyser = site.probe(system.co2().probe());
        var co2Channel = analyser == null ? null : analyser.channel(system.co2().channel());
        this.dryCo2 = co2Channel != null && co2Channel.model().name().endsWith("_dry");
        double intervalS = analyser == null ? Double.NaN : analyser.intervalS();
        this.sequencer = new ChamberSequencer(site.id(), system, lids, scheduler, this::closed, intervalS,
                graceS(system.schedule()));
    }

    public void start() {
        sequencer.start();
        LOG.info("site {}: sequencing {} chamber(s), {} s per chamber, cycle {} s", site.id(),
                system.chambers().size(), system.schedule().slotS(), system.schedule().cycleS());
    }

    /** Committed readings (the ingest committer's listener). */
    public void accept(List<Reading> committed) {
        for (ChannelJoin.Joined j : join.accept(committed)) {
            Reading r = j.driver();
            List<Reading> o = j.others();
            if (o.get(0) == null || o.get(1) == null || (system.h2o() != null && o.get(2) == null)) {
                samplesWithoutAir++;
                if (samplesWithoutAir == 1 || samplesWithoutAir % 1000 == 0) {
                    LOG.warn("site {}: {} analyser sample(s) without a recent temperature/pressure/H2O reading "
                            + "({}, {}, {}); left out of the closures", site.id(), samplesWithoutAir,
                            system.temperature(), system.pressure(), system.h2o());
                }
                continue;
            }
            if (!r.unit().equals("ppm") && !r.unit().equals("umol/mol")) {
                continue;
            }
            AirState.Air a = AirState.air(o.get(0), o.get(1), o.get(2));
            // a dry mole fraction enters as the wet one it was corrected from, with the same W, so that the flux's
            // C' = C / (1 - W/1000) gives it back unchanged and its factor (1 - W0/1000) has the water (§1.2, §1.9)
            double co2 = dryCo2 ? r.value() * (1 - a.h2oMmolMol() / 1000) : r.value();
            sequencer.accept(new AnalyserSample(r.timeNs(), co2, a.h2oMmolMol(), a.tempC(), a.pressureKpa(),
                    r.qc() | a.qc()));
        }
    }

    private void closed(ClosureEvent e) {
        FluxEstimate est;
        FluxUncertainty u = null;
        try {
            ChamberClosure closure = e.toChamberClosure();
            est = new FluxCalculator(e.fluxOptions(base)).estimate(closure);
            if (est.fitted() && !closure.samples().isEmpty()) {
                ChamberSample first = closure.samples().get(0);
                u = FluxUncertainty.of(est, SiteAccuracy.chamber(site, e.chamberId(),
                        Instant.ofEpochSecond(0, e.lidCloseNs()).atZone(site.timezone()).toLocalDate()),
                        first.pressureKpa(), first.tempC());
            }
        } catch (InvalidInputException ex) {
            LOG.warn("closure {}: samples refused by the flux calculator: {}", e.closureId(), ex.getMessage());
            est = null;
        }
        List<PointLine> points = new ArrayList<>(2);
        points.add(LivePoints.closure(e));
        if (est != null) {
            points.add(LivePoints.flux(e, est, u, geometryCounted(e.chamberId())));
            LOG.info("closure {}: {} samples, flux {} umol m-2 s-1 ({}), R2 {}, flags {}", e.closureId(),
                    e.samples().size(), String.format("%.3f", est.fluxUmolM2S()), est.model(),
                    String.format("%.4f", est.r2()), LivePoints.names(est.flags()));
        }
        out.accept(points);
        Result r = new Result(e, est);
        last = r;
        for (Consumer<Result> l : listeners) {
            l.accept(r);
        }
    }

    /** Whether the site file states this chamber's V and S accuracies (else they count as exact). */
    private boolean geometryCounted(String chamberId) {
        return system.chambers().stream().anyMatch(c -> c.id().equals(chamberId) && c.geometryCounted());
    }

    public void onResult(Consumer<Result> listener) {
        listeners.add(listener);
    }

    public Result last() {
        return last;
    }

    public ChamberSequencer sequencer() {
        return sequencer;
    }

    /** Seconds from the first lid closing to its flux: closing, dead band, observation, then the sample grace. */
    public double firstFluxS() {
        var s = system.schedule();
        return s.closeS() + s.deadBandS() + s.observationS() + graceS(s);
    }

    /** The sample grace, within the time the lid is open (the sequencer allows no more). */
    private static double graceS(ChamberSchedule s) {
        return Math.min(SAMPLE_GRACE_S, s.openS() + s.purgeS());
    }

    public SiteConfig site() {
        return site;
    }

    @Override
    public void close() {
        sequencer.stop();
    }
}
