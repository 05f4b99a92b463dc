package org.fieldgate.calc.flux;

/**
 * The gases a chamber closure can be fitted for (docs/science.md §1.9). The calculator is linear in the mole
 * fraction's unit: F = 10 V P0 (1 - W0/1000) / (R S T0) x dC'/dt turns ppm s-1 into umol m-2 s-1 and, the same
 * factor, ppb s-1 into nmol m-2 s-1. So CH4 and N2O use the same equations with C' in ppb, and
 * {@link ChamberSample#co2Ppm()} carries the gas's mole fraction in {@link #moleFractionUnit()}.
 */
public enum Gas {
    CO2("co2", "ppm", "umol m-2 s-1"),
    CH4("ch4", "ppb", "nmol m-2 s-1"),
    N2O("n2o", "ppb", "nmol m-2 s-1");

    private final String key;
    private final String moleFractionUnit;
    private final String fluxUnit;

    Gas(String key, String moleFractionUnit, String fluxUnit) {
        this.key = key;
        this.moleFractionUnit = moleFractionUnit;
        this.fluxUnit = fluxUnit;
    }

    /** Lower-case name as written in the output ({@code co2}, {@code ch4}, {@code n2o}). */
    public String key() {
        return key;
    }

    /** Unit of the dry mole fraction: ppm (umol mol-1) for CO2, ppb (nmol mol-1) for CH4 and N2O. */
    public String moleFractionUnit() {
        return moleFractionUnit;
    }

    /** Unit of the flux: umol m-2 s-1 for CO2, nmol m-2 s-1 for CH4 and N2O. */
    public String fluxUnit() {
        return fluxUnit;
    }
}
