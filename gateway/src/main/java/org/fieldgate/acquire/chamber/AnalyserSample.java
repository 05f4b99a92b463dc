package org.fieldgate.acquire.chamber;

/**
 * One reading of the chamber analyser loop, already in the calculator's units (docs/science.md §1.3).
 *
 * @param timeNs      acquisition time, ns since the epoch
 * @param co2Ppm      CO2 as the analyser reports it (wet), umol mol-1
 * @param h2oMmolMol  water-vapour mole fraction, mmol mol-1
 * @param tempC       air temperature, degC
 * @param pressureKpa air pressure, kPa
 * @param qc          the readings' QC bits ORed together (source and gateway bits), 0 = clean
 */
public record AnalyserSample(long timeNs, double co2Ppm, double h2oMmolMol, double tempC, double pressureKpa,
                             int qc) {
    public AnalyserSample {
        if (!Double.isFinite(co2Ppm) || !Double.isFinite(h2oMmolMol) || !Double.isFinite(tempC)
                || !Double.isFinite(pressureKpa)) {
            throw new IllegalArgumentException("analyser sample with a non-finite value at " + timeNs);
        }
    }
}
