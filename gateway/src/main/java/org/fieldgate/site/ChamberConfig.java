package org.fieldgate.site;

import org.fieldgate.calc.flux.ChamberGeometry;

/**
 * One automated chamber on its collar, its lid driven by a relay on a GPIO pin.
 *
 * @param volumeCm3      the chamber's own headspace volume, cm3
 * @param areaCm2        soil area inside the collar, cm2
 * @param collarOffsetCm height of the collar above the soil, cm (adds offset x area to the headspace)
 */
public record ChamberConfig(String id, int relayPin, SensorModel relayModel, double areaCm2, double volumeCm3,
                            double collarOffsetCm) {

    /** Total headspace for the flux calculation (docs/science.md §1.1). */
    public ChamberGeometry geometry() {
        return ChamberGeometry.withCollarOffset(volumeCm3, collarOffsetCm, areaCm2);
    }
}
