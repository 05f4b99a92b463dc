package org.fieldgate.acquire.chamber;

import java.util.EnumMap;
import java.util.Map;
import org.fieldgate.calc.flux.Gas;

/**
 * One reading of the chamber analyser loop, already in the calculator's units (docs/science.md §1.3).
 *
 * @param timeNs      acquisition time, ns since the epoch
 * @param co2Ppm      CO2 as the analyser reports it (wet), umol mol-1
 * @param h2oMmolMol  water-vapour mole fraction, mmol mol-1
 * @param tempC       air temperature, degC
 * @param pressureKpa air pressure, kPa
 * @param qc          the readings' QC bits ORed together (source and gateway bits), 0 = clean
 * @param traceGases  the site's trace gases (CH4, N2O) at this sample, where measured: absent for a gas without a
 *                    reading at this time
 */
public record AnalyserSample(long timeNs, double co2Ppm, double h2oMmolMol, double tempC, double pressureKpa,
                             int qc, Map<Gas, Trace> traceGases) {

    /**
     * A trace gas at the sample, wet like {@link #co2Ppm()} (a dry reading enters as the wet value it was corrected
     * from, with the sample's H2O), in the gas's {@link Gas#moleFractionUnit()} (ppb).
     *
     * @param value mole fraction, nmol mol-1
     * @param qc    the gas reading's QC bits ORed with the air readings' (not with the CO2 reading's)
     */
    public record Trace(double value, int qc) {
        public Trace {
            if (!Double.isFinite(value)) {
                throw new IllegalArgumentException("trace gas with a non-finite value: " + value);
            }
        }
    }

    public AnalyserSample {
        if (!Double.isFinite(co2Ppm) || !Double.isFinite(h2oMmolMol) || !Double.isFinite(tempC)
                || !Double.isFinite(pressureKpa)) {
            throw new IllegalArgumentException("analyser sample with a non-finite value at " + timeNs);
        }
        if (traceGases.containsKey(Gas.CO2)) {
            throw new IllegalArgumentException("CO2 is the sample's co2Ppm, not a trace gas");
        }
        traceGases = traceGases.isEmpty() ? Map.of() : java.util.Collections.unmodifiableMap(new EnumMap<>(traceGases));
    }

    /** A sample without trace gases (CO2 only). */
    public AnalyserSample(long timeNs, double co2Ppm, double h2oMmolMol, double tempC, double pressureKpa, int qc) {
        this(timeNs, co2Ppm, h2oMmolMol, tempC, pressureKpa, qc, Map.of());
    }

    /** {@code gas} at this sample as {@link Trace} (CO2: {@link #co2Ppm()} with {@link #qc()}), or null if not measured. */
    public Trace gas(Gas gas) {
        return gas == Gas.CO2 ? new Trace(co2Ppm, qc) : traceGases.get(gas);
    }
}
