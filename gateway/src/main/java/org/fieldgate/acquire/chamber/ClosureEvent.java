package org.fieldgate.acquire.chamber;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.fieldgate.calc.flux.ChamberClosure;
import org.fieldgate.calc.flux.ChamberGeometry;
import org.fieldgate.calc.flux.ChamberSample;
import org.fieldgate.calc.flux.FluxOptions;
import org.fieldgate.calc.flux.Gas;

/**
 * One chamber closure as the sequencer ran it, published when the lid opens (or the closure is aborted), so the
 * flux calculator can work closure by closure. All times are ns since the epoch, from the sequencer's scheduler.
 *
 * @param closureId          {@code <site>/<chamber>/<lid close time, ISO-8601 UTC>}: stable (derived only from what
 *                           happened) and unique per chamber (a lid cannot close twice at the same instant)
 * @param site               the site
 * @param chamberId          the chamber
 * @param geometry           headspace volume incl. collar offset x area, and soil area
 * @param outcome            {@link Outcome#COMPLETE}, or {@link Outcome#ABORTED} with {@code abortReason}
 * @param abortReason        why it was aborted, or null
 * @param lidCloseNs         when the lid was commanded closed
 * @param lidClosedNs        end of the closing movement = start of the dead band (close time + close-s)
 * @param observationStartNs end of the dead band = t0 of the fit
 * @param observationEndNs   end of the observation window (the lid is commanded open then)
 * @param lidOpenNs          when the lid was commanded open (for an abort: when opening was attempted)
 * @param samples            the analyser samples from lid close to lid open, by time, each with its phase
 * @param expectedObservationSamples floor(observation-s / analyser interval), or -1 when the interval is unknown
 * @param qc                 acquisition QC flags
 * @param notes              human-readable QC notes (one per flag at least, with numbers)
 */
public record ClosureEvent(String closureId, String site, String chamberId, ChamberGeometry geometry, Outcome outcome,
                           String abortReason, long lidCloseNs, long lidClosedNs, long observationStartNs,
                           long observationEndNs, long lidOpenNs, List<Sample> samples,
                           int expectedObservationSamples, EnumSet<ClosureQc> qc, List<String> notes) {

    public enum Outcome { COMPLETE, ABORTED }

    /** A sample and the phase it fell in. */
    public record Sample(ChamberPhase phase, AnalyserSample sample) {
    }

    public ClosureEvent {
        samples = List.copyOf(samples);
        qc = qc.isEmpty() ? EnumSet.noneOf(ClosureQc.class) : EnumSet.copyOf(qc);
        notes = List.copyOf(notes);
    }

    @Override
    public EnumSet<ClosureQc> qc() {
        return qc.isEmpty() ? EnumSet.noneOf(ClosureQc.class) : EnumSet.copyOf(qc);
    }

    public boolean complete() {
        return outcome == Outcome.COMPLETE;
    }

    /** Samples of one phase. */
    public List<AnalyserSample> samples(ChamberPhase phase) {
        List<AnalyserSample> out = new ArrayList<>();
        for (Sample s : samples) {
            if (s.phase() == phase) {
                out.add(s.sample());
            }
        }
        return out;
    }

    /** Samples with the lid closed (dead band and observation): what the calculator gets. */
    public List<AnalyserSample> closedSamples() {
        List<AnalyserSample> out = new ArrayList<>();
        for (Sample s : samples) {
            if (s.phase() == ChamberPhase.DEAD_BAND || s.phase() == ChamberPhase.OBSERVATION) {
                out.add(s.sample());
            }
        }
        return out;
    }

    /**
     * The calculator's closure: the lid-closed samples (dead band and observation; not the closing movement, whose
     * samples are still ambient-mixed), with times in s from the first of them. Use it with
     * {@link #fluxOptions(FluxOptions)} so the calculator's window is exactly this closure's observation window.
     * Throws the calculator's {@code InvalidInputException} for a sample outside its plausible ranges (e.g. pressure
     * in Pa rather than kPa). An aborted closure converts to a closure without samples, which the calculator
     * reports as not fitted.
     */
    public ChamberClosure toChamberClosure() {
        return toChamberClosure(Gas.CO2);
    }

    /**
     * As {@link #toChamberClosure()} for {@code gas}: the lid-closed samples that carry it, its mole fraction (in the
     * gas's unit, wet as {@link AnalyserSample.Trace} says) in place of CO2, times in s from the first of them. The
     * calculator is linear in the mole fraction's unit, so its flux comes out in {@link Gas#fluxUnit()}. Use it with
     * {@link #fluxOptions(FluxOptions, Gas)}.
     */
    public ChamberClosure toChamberClosure(Gas gas) {
        List<AnalyserSample> closed = complete() ? closedSamples(gas) : List.of();
        List<ChamberSample> out = new ArrayList<>(closed.size());
        long origin = closed.isEmpty() ? 0 : closed.get(0).timeNs();
        for (AnalyserSample s : closed) {
            out.add(new ChamberSample((s.timeNs() - origin) / 1e9, s.gas(gas).value(), s.h2oMmolMol(), s.tempC(),
                    s.pressureKpa()));
        }
        return new ChamberClosure(closureId, chamberId, geometry, out);
    }

    /**
     * {@code base} with the dead band and observation set from this closure: the calculator measures its dead band
     * from the first sample, so the dead band is (observation start - first lid-closed sample) and the observation
     * is (observation end - observation start). Everything else (thresholds) is kept.
     */
    public FluxOptions fluxOptions(FluxOptions base) {
        return fluxOptions(base, Gas.CO2);
    }

    /** As {@link #fluxOptions(FluxOptions)}, the dead band counted from the first lid-closed sample with {@code gas}. */
    public FluxOptions fluxOptions(FluxOptions base, Gas gas) {
        List<AnalyserSample> closed = closedSamples(gas);
        long first = closed.isEmpty() ? lidClosedNs : closed.get(0).timeNs();
        double deadBandS = Math.max(0, (observationStartNs - first) / 1e9);
        return base.toBuilder().deadBandS(deadBandS).observationS((observationEndNs - observationStartNs) / 1e9)
                .build();
    }

    /**
     * The acquisition flags for {@code gas}'s flux: this closure's {@link #qc()} (lids, stops, the CO2 analyser's
     * samples), and for a trace gas also what its own readings say: {@link ClosureQc#SAMPLE_QC} when one carries QC
     * bits, {@link ClosureQc#NO_SAMPLES} or {@link ClosureQc#MISSING_SAMPLES} by the sequencer's rule when its
     * readings are missing from the observation window.
     */
    public EnumSet<ClosureQc> qc(Gas gas) {
        EnumSet<ClosureQc> out = qc();
        if (gas == Gas.CO2 || !complete()) {
            return out;
        }
        int obs = 0;
        for (Sample s : samples) {
            AnalyserSample.Trace v = s.sample().gas(gas);
            if (v != null && v.qc() != 0) {
                out.add(ClosureQc.SAMPLE_QC);
            }
            if (v != null && s.phase() == ChamberPhase.OBSERVATION) {
                obs++;
            }
        }
        if (obs == 0) {
            out.add(ClosureQc.NO_SAMPLES);
        } else if (expectedObservationSamples > 0 && obs < expectedObservationSamples - 1) {
            out.add(ClosureQc.MISSING_SAMPLES);
        }
        return out;
    }

    /** Lid-closed samples that carry {@code gas} (CO2: all of them). */
    private List<AnalyserSample> closedSamples(Gas gas) {
        List<AnalyserSample> out = new ArrayList<>();
        for (AnalyserSample s : closedSamples()) {
            if (s.gas(gas) != null) {
                out.add(s);
            }
        }
        return out;
    }
}
