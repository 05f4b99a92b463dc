package org.fieldgate.calc.flux;

import org.fieldgate.calc.Require;

/**
 * Headspace of a closed chamber on its collar (docs/science.md §1.1).
 *
 * @param volumeCm3 total headspace volume V, cm3: the chamber's own volume plus the collar's part above the soil
 *                  (collar offset x collar area); getting the offset wrong biases every flux in proportion
 * @param areaCm2   soil area S enclosed by the collar, cm2
 */
public record ChamberGeometry(double volumeCm3, double areaCm2) {
    public ChamberGeometry {
        Require.positive("volumeCm3", volumeCm3);
        Require.positive("areaCm2", areaCm2);
    }

    /** Chamber volume plus the collar's headspace (offset above the soil x area), as LI-COR's software does. */
    public static ChamberGeometry withCollarOffset(double chamberVolumeCm3, double collarOffsetCm, double areaCm2) {
        Require.positive("chamberVolumeCm3", chamberVolumeCm3);
        Require.nonNegative("collarOffsetCm", collarOffsetCm);
        Require.positive("areaCm2", areaCm2);
        return new ChamberGeometry(chamberVolumeCm3 + collarOffsetCm * areaCm2, areaCm2);
    }
}
