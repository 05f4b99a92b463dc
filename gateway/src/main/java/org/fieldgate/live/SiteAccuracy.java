package org.fieldgate.live;

import java.time.LocalDate;
import org.fieldgate.calc.Uncertainty;
import org.fieldgate.calc.flux.FluxSystematics;
import org.fieldgate.calc.mineralisation.HouseAccuracy;
import org.fieldgate.site.Accuracy;
import org.fieldgate.site.Calibration;
import org.fieldgate.site.ChamberConfig;
import org.fieldgate.site.ChannelConfig;
import org.fieldgate.site.ChannelRef;
import org.fieldgate.site.HouseConfig;
import org.fieldgate.site.ProbeConfig;
import org.fieldgate.site.SiteConfig;

/**
 * The accuracies behind the live intervals (docs/science.md §7.6): for each channel a calculation uses, the accuracy
 * of the calibration in force that day when it states one, else the model's datasheet figure, else none (that part
 * of the budget is then zero, and the point's {@code *_systematic_rel} field shows what was counted).
 */
final class SiteAccuracy {
    private static final double CO2_AMBIENT_PPM = 420;

    private SiteAccuracy() {
    }

    static Accuracy of(SiteConfig site, ChannelRef ref, LocalDate day) {
        if (ref == null) {
            return null;
        }
        ProbeConfig probe = site.probe(ref.probe());
        if (probe == null) {
            return null; // a remote node's channel: its model is not known here
        }
        for (ChannelConfig c : probe.channels()) {
            if (c.name().equals(ref.channel())) {
                Calibration cal = c.calibrationOn(day);
                if (cal != null && cal.accuracy() != null) {
                    return cal.accuracy();
                }
                return probe.model().accuracy(c.model().name());
            }
        }
        return null;
    }

    /** kPa per unit of a pressure channel (kPa, hPa, Pa). */
    private static double kpaPer(String unit) {
        return switch (unit == null ? "kPa" : unit) {
            case "hPa" -> 0.1;
            case "Pa" -> 0.001;
            default -> 1;
        };
    }

    private static String unit(SiteConfig site, ChannelRef ref) {
        ProbeConfig p = ref == null ? null : site.probe(ref.probe());
        if (p == null) {
            return null;
        }
        return p.channels().stream().filter(c -> c.name().equals(ref.channel())).map(ChannelConfig::unit)
                .findFirst().orElse(null);
    }

    private static double systematic(Accuracy a, double reading) {
        return a == null ? 0 : a.systematicStandard(reading);
    }

    /**
     * One chamber's systematic parts (docs/science.md §7.2): its V and S from the site file's
     * {@code volume-accuracy-pct}/{@code area-accuracy-pct} (0, i.e. exact, when not stated: the flux point's
     * {@code geometry_counted} is then false), P, T and the analyser's gain from the channels' accuracies.
     */
    static FluxSystematics chamber(SiteConfig site, String chamberId, LocalDate day) {
        return chamber(site, chamberId, day, site.chambers().co2());
    }

    /** As {@link #chamber(SiteConfig, String, LocalDate)} with the gain of the analyser channel {@code gas}. */
    static FluxSystematics chamber(SiteConfig site, String chamberId, LocalDate day, ChannelRef gas) {
        ChamberConfig c = site.chambers().chambers().stream().filter(x -> x.id().equals(chamberId)).findFirst()
                .orElse(null);
        return chamber(site, c == null ? 0 : pct(c.volumeAccuracyPct()), c == null ? 0 : pct(c.areaAccuracyPct()), day,
                gas);
    }

    /**
     * The chambers' systematic parts for a figure over all chambers (the decomposition): the widest stated V and S
     * limits, so that no chamber's geometry is counted narrower than stated.
     */
    static FluxSystematics chamber(SiteConfig site, LocalDate day) {
        double v = 0;
        double a = 0;
        for (ChamberConfig c : site.chambers().chambers()) {
            v = Math.max(v, pct(c.volumeAccuracyPct()));
            a = Math.max(a, pct(c.areaAccuracyPct()));
        }
        return chamber(site, v, a, day, site.chambers().co2());
    }

    private static double pct(Double limitPct) {
        return limitPct == null ? 0 : Uncertainty.fromLimit(limitPct / 100);
    }

    private static FluxSystematics chamber(SiteConfig site, double volumeRel, double areaRel, LocalDate day,
                                           ChannelRef gas) {
        var sys = site.chambers();
        Accuracy co2 = of(site, gas, day);
        Accuracy p = of(site, sys.pressure(), day);
        Accuracy t = of(site, sys.temperature(), day);
        return new FluxSystematics(volumeRel, areaRel, systematic(p, 0) * kpaPer(unit(site, sys.pressure())),
                systematic(t, 0), co2 == null ? 0 : co2.gainRelStandard());
    }

    /** The house's parts (§7.4); the flow is k sqrt(dP), so its relative error is half the dP sensor's. */
    static HouseAccuracy house(SiteConfig site, LocalDate day) {
        HouseConfig h = site.house();
        Accuracy in = of(site, h.inletCo2(), day);
        Accuracy outlet = of(site, h.outletCo2(), day);
        Accuracy flow = of(site, h.airflow(), day);
        Accuracy p = of(site, h.pressure(), day);
        Accuracy t = of(site, h.temperature(), day);
        Accuracy energy = of(site, h.fanEnergy() != null ? h.fanEnergy() : h.fanPower(), day);
        double random = Math.max(in == null ? 0 : in.randomStandard(CO2_AMBIENT_PPM),
                outlet == null ? 0 : outlet.randomStandard(CO2_AMBIENT_PPM));
        // one analyser switched between inlet and outlet: its offset cancels in Cin - Cout
        boolean oneAnalyser = h.inletCo2().probe().equals(h.outletCo2().probe());
        double offsetDiff = oneAnalyser ? 0 : Uncertainty.rss(in == null ? 0 : Uncertainty.fromLimit(in.systematic()),
                outlet == null ? 0 : Uncertainty.fromLimit(outlet.systematic()));
        double gain = Math.max(in == null ? 0 : in.gainRelStandard(), outlet == null ? 0 : outlet.gainRelStandard());
        return new HouseAccuracy(random, offsetDiff, gain, 0, flow == null ? 0 : flow.gainRelStandard() / 2,
                systematic(p, 0) * kpaPer(unit(site, h.pressure())), systematic(t, 0),
                energy == null ? 0 : energy.gainRelStandard(), 0, 0, 0, 0);
    }
}
