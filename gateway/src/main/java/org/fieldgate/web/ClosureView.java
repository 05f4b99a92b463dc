package org.fieldgate.web;

import org.fieldgate.acquire.chamber.ClosureEvent;
import org.fieldgate.calc.flux.ExponentialFit;
import org.fieldgate.calc.flux.FluxEstimate;
import org.fieldgate.calc.flux.FluxModel;
import org.fieldgate.live.ChamberFeed;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A closure as the page draws it: its samples (dry CO2 against seconds since the lid was commanded closed, with the
 * phase each fell in), the phase boundaries, and the fitted curve evaluated here from the estimate's own parameters,
 * so the page draws exactly what the calculator fitted without knowing the models.
 */
final class ClosureView {
    /** Points of the drawn curve: smooth on a phone-wide chart, small on the wire. */
    static final int CURVE_POINTS = 48;

    private ClosureView() {
    }

    static Map<String, Object> of(ChamberFeed.Result result, long nowNs) {
        ClosureEvent e = result.closure();
        FluxEstimate est = result.estimate();
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("closureId", e.closureId());
        v.put("chamber", e.chamberId());
        v.put("outcome", e.outcome().name());
        v.put("abortReason", e.abortReason());
        v.put("lidClose", Instant.ofEpochSecond(0, e.lidCloseNs()).toString());
        v.put("lidCloseMs", e.lidCloseNs() / 1_000_000);
        v.put("ageS", round((nowNs - e.lidCloseNs()) / 1e9, 1));
        v.put("lidClosedS", sinceClose(e, e.lidClosedNs()));
        v.put("observationStartS", sinceClose(e, e.observationStartNs()));
        v.put("observationEndS", sinceClose(e, e.observationEndNs()));
        v.put("lidOpenS", sinceClose(e, e.lidOpenNs()));
        v.put("closureQc", e.qc().stream().map(Enum::name).toList());
        v.put("notes", e.notes());
        List<Object[]> samples = new ArrayList<>(e.samples().size());
        for (ClosureEvent.Sample s : e.samples()) {
            var a = s.sample();
            samples.add(new Object[] {sinceClose(e, a.timeNs()), round(a.co2Ppm() / (1 - a.h2oMmolMol() / 1000), 2),
                    String.valueOf(s.phase().name().charAt(0))});
        }
        v.put("samples", samples);
        if (est != null) {
            v.put("model", est.model().name());
            v.put("modelReason", est.modelReason());
            v.put("fluxUmolM2S", finite(est.fluxUmolM2S()));
            v.put("seUmolM2S", finite(est.seUmolM2S()));
            v.put("fluxGCM2D", finite(est.fluxGCM2D()));
            v.put("mdfUmolM2S", finite(est.mdfUmolM2S()));
            v.put("r2", finite(est.r2()));
            v.put("pointsUsed", est.pointsUsed());
            v.put("flags", est.flags().stream().map(Enum::name).toList());
            v.put("error", est.error());
            v.put("curve", curve(e, est, CURVE_POINTS));
        } else {
            v.put("model", FluxModel.NONE.name());
            v.put("error", "samples refused by the flux calculator (see the gateway log)");
            v.put("curve", List.of());
        }
        return v;
    }

    /** The per-chamber summary line: the newest flux of each chamber. */
    static Map<String, Object> summary(ChamberFeed.Result result, long nowNs) {
        ClosureEvent e = result.closure();
        FluxEstimate est = result.estimate();
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("chamber", e.chamberId());
        v.put("lidClose", Instant.ofEpochSecond(0, e.lidCloseNs()).toString());
        v.put("lidCloseMs", e.lidCloseNs() / 1_000_000);
        v.put("ageS", round((nowNs - e.lidCloseNs()) / 1e9, 1));
        v.put("outcome", e.outcome().name());
        v.put("model", est == null ? FluxModel.NONE.name() : est.model().name());
        v.put("fluxUmolM2S", est == null ? null : finite(est.fluxUmolM2S()));
        v.put("seUmolM2S", est == null ? null : finite(est.seUmolM2S()));
        v.put("r2", est == null ? null : finite(est.r2()));
        List<String> flags = new ArrayList<>(e.qc().stream().map(Enum::name).toList());
        if (est != null) {
            flags.addAll(est.flags().stream().map(Enum::name).toList());
        }
        v.put("flags", flags);
        return v;
    }

    /**
     * The chosen model over the observation window, as [s since lid close, dry CO2 ppm] pairs: the calculator fits
     * against tau = time since t0, the end of the dead band, which is the closure's observation start. Empty when
     * nothing was fitted.
     */
    static List<double[]> curve(ClosureEvent e, FluxEstimate est, int points) {
        if (est == null || !est.fitted() || !(est.observedS() > 0) || points < 2) {
            return List.of();
        }
        double t0S = (e.observationStartNs() - e.lidCloseNs()) / 1e9;
        List<double[]> out = new ArrayList<>(points);
        for (int i = 0; i < points; i++) {
            double tau = est.observedS() * i / (points - 1);
            double ppm = est.model() == FluxModel.EXPONENTIAL ? exponential(est.exponential(), tau)
                    : est.linear().intercept() + est.linear().slope() * tau;
            if (Double.isFinite(ppm)) {
                out.add(new double[] {round(t0S + tau, 3), round(ppm, 3)});
            }
        }
        return out;
    }

    /** C'(tau) = C'0 + s (1 - exp(-a tau)) / a, the straight line C'0 + s tau at a = 0 (ExponentialFit's form). */
    static double exponential(ExponentialFit.Result fit, double tau) {
        double x = fit.curvaturePerS() * tau;
        double h = Math.abs(x) < 1e-6 ? 1 - x / 2 : -Math.expm1(-x) / x;
        return fit.c0Ppm() + fit.slopePpmS() * tau * h;
    }

    private static double sinceClose(ClosureEvent e, long timeNs) {
        return round((timeNs - e.lidCloseNs()) / 1e9, 3);
    }

    /** JSON has no NaN: a missing figure is null. */
    static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    static double round(double v, int decimals) {
        double scale = Math.pow(10, decimals);
        return Math.round(v * scale) / scale;
    }
}
