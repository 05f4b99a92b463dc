package org.fieldgate.calc.mineralisation;

import org.fieldgate.calc.Require;

/**
 * Standard uncertainties (1 sigma) of the house's measurements and factors, split as docs/science.md §7.1 does:
 * random parts differ from sample to sample and average down over a window; systematic parts (a calibration offset
 * or gain) are one error for the whole window.
 *
 * @param co2RandomPpm          random error of each CO2 reading (in and out each), ppm
 * @param co2OffsetDiffPpm      systematic error of (Cin - Cout) from the analysers' offsets, ppm: 0 when one analyser
 *                              switches between inlet and outlet (the offset cancels), sqrt(2) x the offset's when two
 *                              analysers are used
 * @param co2GainRel            systematic relative error of the analysers' gain (scales Cin - Cout)
 * @param flowRandomRel         random relative error of each flow reading
 * @param flowGainRel           systematic relative error of the flow (calibration gain)
 * @param pressureKpa           systematic error of P, kPa
 * @param tempC                 systematic error of T, degC
 * @param energyGainRel         systematic relative error of the energy meter
 * @param gridRel               relative uncertainty of the grid factor
 * @param handlingKgCo2         uncertainty of the handling emissions, kg CO2
 * @param rockRel               relative uncertainty of the rock mass M
 * @param potentialRel          relative uncertainty of the CO2 potential Pot
 */
public record HouseAccuracy(double co2RandomPpm, double co2OffsetDiffPpm, double co2GainRel, double flowRandomRel,
                            double flowGainRel, double pressureKpa, double tempC, double energyGainRel, double gridRel,
                            double handlingKgCo2, double rockRel, double potentialRel) {
    public HouseAccuracy {
        for (double v : new double[] {co2RandomPpm, co2OffsetDiffPpm, co2GainRel, flowRandomRel, flowGainRel,
            pressureKpa, tempC, energyGainRel, gridRel, handlingKgCo2, rockRel, potentialRel}) {
            Require.nonNegative("accuracy", v);
        }
    }

    /** Every part zero: intervals collapse onto the central values. */
    public static final HouseAccuracy NONE = new HouseAccuracy(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
}
