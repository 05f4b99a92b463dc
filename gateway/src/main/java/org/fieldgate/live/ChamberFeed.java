package org.fieldgate.live;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
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
import org.fieldgate.calc.flux.Gas;
import org.fieldgate.reading.Reading;
import org.fieldgate.site.ChamberSchedule;
import org.fieldgate.site.ChamberSystem;
import org.fieldgate.site.ChannelRef;
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
    /** The site's trace gases (analyser.ch4, analyser.n2o), in the join's order after T, P and H2O. */
    private final List<TraceChannel> traces = new ArrayList<>();

    /**
     * A trace gas's channel: dry when its name ends in {@code _dry}; a reading counts for a sample only when it is
     * less than one interval of its probe older than the CO2 reading (the same record of one analyser: the same time),
     * so a missing reading is missing rather than replaced by the one before.
     */
    private record TraceChannel(Gas gas, ChannelRef ref, boolean dry, long maxAgeNs) {
    }

    /**
     * A closure and what the calculator made of it.
     *
     * @param estimate   the CO2 flux (null when the calculator refused the samples)
     * @param traceGases the site's trace gases' fluxes, in {@link Gas#fluxUnit()} (nmol m-2 s-1) though the
     *                   estimate's fields say umol; a gas whose samples the calculator refused is absent
     */
    public record Result(ClosureEvent closure, FluxEstimate estimate, Map<Gas, FluxEstimate> traceGases) {
        public Result {
            traceGases = Map.copyOf(traceGases);
        }

        /** A CO2-only result. */
        public Result(ClosureEvent closure, FluxEstimate estimate) {
            this(closure, estimate, Map.of());
        }
    }

    public ChamberFeed(SiteConfig site, LidActuator lids, Scheduler scheduler, FluxOptions base,
                       Consumer<List<PointLine>> out) {
        this.site = site;
        this.system = site.chambers();
        this.base = base;
        this.out = out;
        var analyser = site.probe(system.co2().probe());
        this.dryCo2 = dry(site, system.co2());
        system.traceGases().forEach((gas, ref) -> {
            var probe = site.probe(ref.probe());
            traces.add(new TraceChannel(gas, ref, dry(site, ref),
                    probe == null ? 0 : Math.round(probe.intervalS() * 1e9)));
        });
        // the trace gases are not waited for: a CH4 analyser gone quiet must not hold back the CO2 samples
        this.join = new ChannelJoin(site.id(), system.co2(),
                java.util.Arrays.asList(system.temperature(), system.pressure(), system.h2o()),
                traces.stream().map(TraceChannel::ref).toList());
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
            double co2 = wet(dryCo2, r.value(), a);
            Map<Gas, AnalyserSample.Trace> gases = new EnumMap<>(Gas.class);
            for (int i = 0; i < traces.size(); i++) {
                TraceChannel tc = traces.get(i);
                Reading g = o.get(3 + i);
                long age = g == null ? -1 : r.timeNs() - g.timeNs();
                double ppb = g == null || (age > 0 && age >= tc.maxAgeNs()) ? Double.NaN : switch (g.unit()) {
                    case "ppb" -> g.value();
                    case "ppm" -> g.value() * 1000;
                    default -> Double.NaN; // the site file check allows ppb and ppm only
                };
                if (Double.isFinite(ppb)) {
                    gases.put(tc.gas(), new AnalyserSample.Trace(wet(tc.dry(), ppb, a), g.qc() | a.qc()));
                }
            }
            sequencer.accept(new AnalyserSample(r.timeNs(), co2, a.h2oMmolMol(), a.tempC(), a.pressureKpa(),
                    r.qc() | a.qc(), gases));
        }
    }

    /**
     * A mole fraction as the calculator takes it: a dry one enters as the wet one it was corrected from, with the
     * same W, so that the flux's C' = C / (1 - W/1000) gives it back unchanged and its factor (1 - W0/1000) has the
     * water (docs/science.md §1.2, §1.9).
     */
    private static double wet(boolean dry, double value, AirState.Air a) {
        return dry ? value * (1 - a.h2oMmolMol() / 1000) : value;
    }

    /** Whether {@code ref} is a dry mole fraction (a {@code _dry} channel, e.g. the LI-7810's). */
    private static boolean dry(SiteConfig site, ChannelRef ref) {
        var probe = site.probe(ref.probe());
        var channel = probe == null ? null : probe.channel(ref.channel());
        return channel != null && channel.model().name().endsWith("_dry");
    }

    private void closed(ClosureEvent e) {
        Fit co2 = fit(e, Gas.CO2, system.co2());
        FluxEstimate est = co2 == null ? null : co2.estimate();
        List<PointLine> points = new ArrayList<>(2 + traces.size());
        points.add(LivePoints.closure(e));
        if (est != null) {
            points.add(LivePoints.flux(e, est, co2.uncertainty(), geometryCounted(e.chamberId())));
            LOG.info("closure {}: {} samples, flux {} umol m-2 s-1 ({}), R2 {}, flags {}", e.closureId(),
                    e.samples().size(), String.format("%.3f", est.fluxUmolM2S()), est.model(),
                    String.format("%.4f", est.r2()), LivePoints.names(est.flags()));
        }
        Map<Gas, FluxEstimate> gases = new EnumMap<>(Gas.class);
        for (TraceChannel tc : traces) {
            Fit f = fit(e, tc.gas(), tc.ref());
            if (f != null) {
                gases.put(tc.gas(), f.estimate());
                points.add(LivePoints.gasFlux(e, tc.gas(), f.estimate(), f.uncertainty(),
                        geometryCounted(e.chamberId())));
                LOG.info("closure {}: {} flux {} {} ({}, {} points), R2 {}, flags {}", e.closureId(), tc.gas().key(),
                        String.format("%.3f", f.estimate().fluxUmolM2S()), tc.gas().fluxUnit(), f.estimate().model(),
                        f.estimate().pointsUsed(), String.format("%.4f", f.estimate().r2()),
                        LivePoints.names(f.estimate().flags()));
            }
        }
        out.accept(points);
        Result r = new Result(e, est, gases);
        last = r;
        for (Consumer<Result> l : listeners) {
            l.accept(r);
        }
    }

    /** A gas's flux over a closure and its 95 % interval (null: not fitted). */
    private record Fit(FluxEstimate estimate, FluxUncertainty uncertainty) {
    }

    /**
     * {@code gas}'s flux over the closure's observation window, the same equations for each gas (docs/science.md
     * §1.9): the ambient CO2 check only for CO2; the analyser precision and drop tolerance of {@code base} in the
     * gas's unit (ppb for CH4 and N2O, as calc flux --instrument); the interval's gain from {@code channel}'s
     * accuracy. Null (and a warning) when the calculator refuses the samples.
     */
    private Fit fit(ClosureEvent e, Gas gas, ChannelRef channel) {
        try {
            ChamberClosure closure = e.toChamberClosure(gas);
            FluxOptions options = e.fluxOptions(base, gas);
            if (gas != Gas.CO2) {
                options = options.toBuilder().ambientCo2Ppm(Double.NaN).build();
            }
            FluxEstimate est = new FluxCalculator(options).estimate(closure);
            FluxUncertainty u = null;
            if (est.fitted() && !closure.samples().isEmpty()) {
                ChamberSample first = closure.samples().get(0);
                u = FluxUncertainty.of(est, SiteAccuracy.chamber(site, e.chamberId(),
                        Instant.ofEpochSecond(0, e.lidCloseNs()).atZone(site.timezone()).toLocalDate(), channel),
                        first.pressureKpa(), first.tempC());
            }
            return new Fit(est, u);
        } catch (InvalidInputException ex) {
            LOG.warn("closure {}: {}samples refused by the flux calculator: {}", e.closureId(),
                    gas == Gas.CO2 ? "" : gas.key() + " ", ex.getMessage());
            return null;
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
