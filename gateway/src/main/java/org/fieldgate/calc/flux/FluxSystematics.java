package org.fieldgate.calc.flux;

import org.fieldgate.calc.Constants;
import org.fieldgate.calc.Require;
import org.fieldgate.calc.Uncertainty;

/**
 * Standard uncertainties that are the same for every sample of a closure (systematic, docs/science.md §7.2):
 * they do not average down over the closure's samples, so the fit's standard error cannot contain them.
 *
 * @param volumeRel     relative standard uncertainty of the headspace volume V (collar offset included)
 * @param areaRel       relative standard uncertainty of the soil area S
 * @param pressureKpa   standard uncertainty of P0, kPa (the barometer's absolute accuracy)
 * @param tempC         standard uncertainty of T0, degC
 * @param co2GainRel    relative standard uncertainty of the analyser's gain (its %-of-reading accuracy); an offset
 *                      does not change a slope, so the absolute part of the CO2 accuracy does not enter
 */
public record FluxSystematics(double volumeRel, double areaRel, double pressureKpa, double tempC, double co2GainRel) {
    public FluxSystematics {
        Require.nonNegative("volumeRel", volumeRel);
        Require.nonNegative("areaRel", areaRel);
        Require.nonNegative("pressureKpa", pressureKpa);
        Require.nonNegative("tempC", tempC);
        Require.nonNegative("co2GainRel", co2GainRel);
    }

    /** None: the interval is the fit's alone. */
    public static final FluxSystematics NONE = new FluxSystematics(0, 0, 0, 0, 0);

    /**
     * From datasheet limits (+-, as printed) rather than standard uncertainties: each is divided by sqrt(3)
     * ({@link Uncertainty#fromLimit}).
     */
    public static FluxSystematics fromLimits(double volumePct, double areaPct, double pressureKpa, double tempC,
                                             double co2GainPct) {
        return new FluxSystematics(Uncertainty.fromLimit(volumePct / 100), Uncertainty.fromLimit(areaPct / 100),
                Uncertainty.fromLimit(pressureKpa), Uncertainty.fromLimit(tempC), Uncertainty.fromLimit(co2GainPct / 100));
    }

    /**
     * Relative standard uncertainty of F from these parts at P0 and T0 (F is proportional to V P0 gain / (S T0),
     * first order, the parts independent): sqrt(uV^2 + uS^2 + (uP/P0)^2 + (uT/T0[K])^2 + uGain^2).
     */
    public double relative(double p0Kpa, double t0C) {
        return Uncertainty.rss(volumeRel, areaRel, pressureKpa / p0Kpa, tempC / (t0C + Constants.ZERO_C_IN_K),
                co2GainRel);
    }
}
