package org.fieldgate.live;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import org.fieldgate.acquire.chamber.ClosureEvent;
import org.fieldgate.acquire.chamber.ClosureQc;
import org.fieldgate.acquire.time.ClockCorrection;
import org.fieldgate.calc.flux.FluxEstimate;
import org.fieldgate.calc.flux.FluxQc;
import org.fieldgate.calc.flux.FluxUncertainty;
import org.fieldgate.calc.flux.Gas;
import org.fieldgate.forward.InfluxLines;
import org.fieldgate.store.PointLine;

/**
 * How derived results look in InfluxDB (documented in firmware-config/WIRE-CONTRACT.md, "Derived measurements").
 * Integer {@code qc} fields are bit sets of the enum ordinals; the {@code flags} string names them.
 */
public final class LivePoints {
    private LivePoints() {
    }

    /** A closure's or flux's flags as stored in InfluxDB: bit i is the flag at position i of its enum (never reorder). */
    static <E extends Enum<E>> long bits(EnumSet<E> flags) {
        long b = 0;
        for (E e : flags) {
            b |= 1L << e.ordinal();
        }
        return b;
    }

    static <E extends Enum<E>> String names(EnumSet<E> flags) {
        StringJoiner j = new StringJoiner("|");
        for (E e : flags) {
            j.add(e.name());
        }
        return j.length() == 0 ? "clean" : j.toString();
    }

    /** One closure as the sequencer ran it, with its samples as compact JSON ([s from lid close, co2, h2o, T, P]). */
    public static PointLine closure(ClosureEvent e) {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("site", e.site());
        tags.put("chamber", e.chamberId());
        tags.put("outcome", e.outcome().name().toLowerCase(Locale.ROOT));
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("closure_id", e.closureId());
        f.put("lid_close_ns", e.lidCloseNs());
        f.put("lid_closed_ns", e.lidClosedNs());
        f.put("observation_start_ns", e.observationStartNs());
        f.put("observation_end_ns", e.observationEndNs());
        f.put("lid_open_ns", e.lidOpenNs());
        f.put("volume_cm3", e.geometry().volumeCm3());
        f.put("area_cm2", e.geometry().areaCm2());
        f.put("samples", e.samples().size());
        f.put("expected_samples", e.expectedObservationSamples());
        f.put("qc", bits(e.qc()));
        f.put("flags", names(e.qc()));
        if (e.abortReason() != null) {
            f.put("abort_reason", e.abortReason());
        }
        if (!e.notes().isEmpty()) {
            f.put("notes", String.join("; ", e.notes()));
        }
        StringBuilder json = new StringBuilder("[");
        for (ClosureEvent.Sample s : e.samples()) {
            if (json.length() > 1) {
                json.append(',');
            }
            var a = s.sample();
            json.append(String.format(Locale.ROOT, "[%.3f,%.2f,%.3f,%.2f,%.4f,\"%s\"]",
                    (a.timeNs() - e.lidCloseNs()) / 1e9, a.co2Ppm(), a.h2oMmolMol(), a.tempC(), a.pressureKpa(),
                    s.phase().name().charAt(0)));
        }
        f.put("samples_json", json.append(']').toString());
        return InfluxLines.derived("closure", e.lidCloseNs(), tags, f);
    }

    /** The flux of a closure (tags site, chamber, model; fields flux, se, r2, mdf, qc and more). */
    public static PointLine flux(ClosureEvent e, FluxEstimate est) {
        return flux(e, est, null);
    }

    /**
     * As {@link #flux(ClosureEvent, FluxEstimate)} with the 95 % interval (docs/science.md §7.2) when {@code u} is
     * given: {@code flux_ci95_low}, {@code flux_ci95_high}, {@code se_combined}, {@code systematic_rel}.
     */
    public static PointLine flux(ClosureEvent e, FluxEstimate est, FluxUncertainty u) {
        return flux(e, est, u, null);
    }

    /**
     * As {@link #flux(ClosureEvent, FluxEstimate, FluxUncertainty)}, and with the interval {@code geometry_counted}:
     * whether the chamber's volume and area accuracies are in {@code systematic_rel} (false: the site file states
     * none, so V and S count as exact and the interval is narrower than the chamber's real one).
     */
    public static PointLine flux(ClosureEvent e, FluxEstimate est, FluxUncertainty u, Boolean geometryCounted) {
        return flux("flux", e, null, est, u, geometryCounted);
    }

    /**
     * A trace gas's flux over a closure (measurement {@code gas_flux}; CH4, N2O): the fields of {@link #flux} in the
     * gas's units ({@code unit} says which: nmol m-2 s-1 for flux, se, mdf and the interval; {@code rmse} in ppb),
     * without {@code flux_g_c_m2_d}, with the tag {@code gas}; {@code closure_qc} is {@link ClosureEvent#qc(Gas)}.
     * Its own measurement, so that queries and exports of {@code flux} keep meaning CO2 in umol m-2 s-1.
     */
    public static PointLine gasFlux(ClosureEvent e, Gas gas, FluxEstimate est, FluxUncertainty u,
                                    Boolean geometryCounted) {
        if (gas == Gas.CO2) {
            throw new IllegalArgumentException("CO2's flux is the flux point");
        }
        return flux("gas_flux", e, gas, est, u, geometryCounted);
    }

    private static PointLine flux(String measurement, ClosureEvent e, Gas gas, FluxEstimate est, FluxUncertainty u,
                                  Boolean geometryCounted) {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("site", e.site());
        tags.put("chamber", e.chamberId());
        if (gas != null) {
            tags.put("gas", gas.key());
        }
        tags.put("model", est.model().name().toLowerCase(Locale.ROOT));
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("flux", est.fluxUmolM2S());
        if (gas == null) {
            f.put("flux_g_c_m2_d", est.fluxGCM2D());
        } else {
            f.put("unit", gas.fluxUnit());
        }
        f.put("se", est.seUmolM2S());
        f.put("r2", est.r2());
        f.put("rmse", est.rmsePpm());
        f.put("mdf", est.mdfUmolM2S());
        f.put("qc", bits(est.flags()));
        f.put("flags", names(est.flags()));
        f.put("closure_qc", bits(gas == null ? e.qc() : e.qc(gas)));
        f.put("points", est.pointsUsed());
        f.put("closure_id", e.closureId());
        f.put("reason", est.modelReason());
        if (u != null) {
            f.put("flux_ci95_low", u.ci95LowUmolM2S());
            f.put("flux_ci95_high", u.ci95HighUmolM2S());
            f.put("se_combined", u.combinedSeUmolM2S());
            f.put("systematic_rel", u.systematicRel());
            if (geometryCounted != null) {
                f.put("geometry_counted", geometryCounted);
            }
        }
        return InfluxLines.derived(measurement, e.lidCloseNs(), tags, f);
    }

    /** A clock correction: the time keeper re-anchored on a synchronised clock and re-dated what it had stamped. */
    public static PointLine clockCorrection(ClockCorrection c) {
        return InfluxLines.derived("clock_correction", c.syncWallNs(),
                Map.of("boot_id", c.bootId(), "cause", c.cause()),
                fields("offset_ns", c.offsetNs(),
                        "stamps_redated", c.stampsRedated(), "first_original_ns", c.firstOriginalNs(),
                        "last_original_ns", c.lastOriginalNs(), "sync_monotonic_ns", c.syncMonotonicNs()));
    }

    /** Field map from name/value pairs, in order. */
    public static Map<String, Object> fieldsOf(Object... kv) {
        return fields(kv);
    }

    static Map<String, Object> fields(Object... kv) {
        Map<String, Object> f = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            f.put((String) kv[i], kv[i + 1]);
        }
        return f;
    }

    static List<FluxQc> severe() {
        return List.of(FluxQc.LOW_R2, FluxQc.TOO_FEW_POINTS, FluxQc.GAPS, FluxQc.CO2_DROPS, FluxQc.NEGATIVE_CURVATURE);
    }

    static boolean unusable(EnumSet<ClosureQc> qc) {
        return qc.contains(ClosureQc.NO_SAMPLES) || qc.contains(ClosureQc.LID_CLOSE_FAILED)
                || qc.contains(ClosureQc.STOPPED);
    }
}
