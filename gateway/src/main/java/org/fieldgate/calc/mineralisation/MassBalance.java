package org.fieldgate.calc.mineralisation;

import org.fieldgate.calc.Constants;

/** The house's CO2 mass balance (docs/science.md §3.1). */
public final class MassBalance {
    private MassBalance() {
    }

    /** n_air = P Q / (R T), mol air s-1, with P in Pa and T in K (docs/science.md §3.1). */
    public static double airMolPerS(double flowM3S, double tempC, double pressureKpa) {
        return pressureKpa * 1000.0 * flowM3S / (Constants.R_PA_M3_PER_K_MOL * (tempC + Constants.ZERO_C_IN_K));
    }

    /** uptake = n_air (Cin - Cout) 1e-6 x 44.01e-3, kg CO2 s-1 (docs/science.md §3.1). */
    public static double uptakeKgCo2PerS(double flowM3S, double co2InPpm, double co2OutPpm, double tempC,
                                         double pressureKpa) {
        return airMolPerS(flowM3S, tempC, pressureKpa) * (co2InPpm - co2OutPpm) * 1e-6 * Constants.CO2_KG_PER_MOL;
    }

    /** The same in kg CO2 h-1. */
    public static double uptakeKgCo2PerH(double flowM3S, double co2InPpm, double co2OutPpm, double tempC,
                                         double pressureKpa) {
        return uptakeKgCo2PerS(flowM3S, co2InPpm, co2OutPpm, tempC, pressureKpa) * Constants.SECONDS_PER_HOUR;
    }
}
