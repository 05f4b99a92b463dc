package org.fieldgate.calc.mineralisation;

import org.fieldgate.calc.Require;

/**
 * One logged sample of the mineralisation house's airflow (docs/science.md §3.1-§3.2). Any measurement may be NaN
 * (not logged); a sample missing any of flow, CO2 in/out, temperature or pressure does not count for uptake, one
 * missing power does not count for energy.
 *
 * @param timeS        time, s (any origin; the batch starts at the first sample valid for uptake)
 * @param flowM3S      volumetric airflow Q through the house at the measured T and P, m3 s-1
 * @param co2InPpm     CO2 mole fraction of the incoming air, dry, umol mol-1
 * @param co2OutPpm    CO2 mole fraction of the outgoing air, dry, umol mol-1
 * @param tempC        air temperature at the flow meter, degC
 * @param pressureKpa  air pressure at the flow meter, kPa
 * @param powerKw      electrical power of the fans, kW
 */
public record HouseSample(double timeS, double flowM3S, double co2InPpm, double co2OutPpm, double tempC,
                          double pressureKpa, double powerKw) {
    public HouseSample {
        Require.finite("timeS", timeS);
        if (!Double.isNaN(flowM3S)) {
            Require.within("flowM3S", flowM3S, 0, 10_000);
        }
        if (!Double.isNaN(co2InPpm)) {
            Require.within("co2InPpm", co2InPpm, 0, 100_000);
        }
        if (!Double.isNaN(co2OutPpm)) {
            Require.within("co2OutPpm", co2OutPpm, 0, 100_000);
        }
        // Bounds catch unit slips (kelvin, hPa, Pa), not weather.
        if (!Double.isNaN(tempC)) {
            Require.within("tempC", tempC, -60, 80);
        }
        if (!Double.isNaN(pressureKpa)) {
            Require.within("pressureKpa", pressureKpa, 10, 200);
        }
        if (!Double.isNaN(powerKw)) {
            Require.within("powerKw", powerKw, 0, 100_000);
        }
    }

    /** Whether every quantity the mass balance needs was logged. */
    public boolean validForUptake() {
        return !Double.isNaN(flowM3S) && !Double.isNaN(co2InPpm) && !Double.isNaN(co2OutPpm)
                && !Double.isNaN(tempC) && !Double.isNaN(pressureKpa);
    }

    /** CO2 taken up at this sample, kg CO2 s-1 (NaN when not valid for uptake). */
    public double uptakeKgCo2PerS() {
        return MassBalance.uptakeKgCo2PerS(flowM3S, co2InPpm, co2OutPpm, tempC, pressureKpa);
    }
}
