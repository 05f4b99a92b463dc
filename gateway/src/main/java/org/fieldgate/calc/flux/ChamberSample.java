package org.fieldgate.calc.flux;

import org.fieldgate.calc.Require;

/**
 * One analyser reading during a closure (docs/science.md §1.3).
 *
 * @param timeS        time, s; any origin (the closure starts at its first sample)
 * @param co2Ppm       CO2 mole fraction as the analyser reports it (wet), umol mol-1
 * @param h2oMmolMol   water-vapour mole fraction W, mmol mol-1
 * @param tempC        chamber air temperature, degC
 * @param pressureKpa  chamber air pressure, kPa
 */
public record ChamberSample(double timeS, double co2Ppm, double h2oMmolMol, double tempC, double pressureKpa) {
    public ChamberSample {
        Require.finite("timeS", timeS);
        Require.within("co2Ppm", co2Ppm, 0, 1_000_000);
        // W/1000 is a mole fraction; at 1000 mmol/mol the dilution correction divides by zero.
        Require.within("h2oMmolMol", h2oMmolMol, 0, 999);
        // Bounds catch units slips (kelvin for degC, hPa or Pa for kPa) rather than physics.
        Require.within("tempC", tempC, -90, 90);
        Require.within("pressureKpa", pressureKpa, 10, 200);
    }

    /** CO2 corrected for water-vapour dilution, C' = C / (1 - W/1000), umol mol-1 dry air (docs/science.md §1.2). */
    public double co2DryPpm() {
        return co2Ppm / (1 - h2oMmolMol / 1000.0);
    }
}
