package org.fieldgate.site;

import org.fieldgate.calc.flux.ChamberGeometry;

/**
 * One automated chamber on its collar, its lid driven by a relay on a GPIO pin.
 *
 * @param volumeCm3      the chamber's own headspace volume, cm3
 * @param areaCm2        soil area inside the collar, cm2
 * @param collarOffsetCm height of the collar above the soil, cm (adds offset x area to the headspace)
 * @param volumeAccuracyPct +- limit of the total headspace V (chamber, tubing, cell and collar offset), % of V; null
 *                       when the site file states none (then V counts as exact: see {@link #geometryCounted()})
 * @param areaAccuracyPct  +- limit of the soil area S, % of S; null when not stated
 */
public record ChamberConfig(String id, int relayPin, SensorModel relayModel, double areaCm2, double volumeCm3,
                            double collarOffsetCm, Double volumeAccuracyPct, Double areaAccuracyPct) {

    /** A chamber without geometry accuracies (V and S exact). */
    public ChamberConfig(String id, int relayPin, SensorModel relayModel, double areaCm2, double volumeCm3,
                         double collarOffsetCm) {
        this(id, relayPin, relayModel, areaCm2, volumeCm3, collarOffsetCm, null, null);
    }

    /**
     * Whether the site file states both geometry accuracies, so that V and S count in the flux's systematic part
     * (docs/science.md §7.2); when not, they count as exact and the live flux point says so ({@code geometry_counted}).
     */
    public boolean geometryCounted() {
        return volumeAccuracyPct != null && areaAccuracyPct != null;
    }

    /** Total headspace for the flux calculation (docs/science.md §1.1). */
    public ChamberGeometry geometry() {
        return ChamberGeometry.withCollarOffset(volumeCm3, collarOffsetCm, areaCm2);
    }
}
