package org.fieldgate.calc.cli;

/** Datasheet limits the calc commands assume when an accuracy option is not given (docs/science.md §7.5). */
final class DatasheetDefaults {
    /** BME280 pressure, +-1 hPa absolute (docs/science.md §7.5). */
    static final double DEFAULT_PRESSURE_ACCURACY_KPA = 0.1;
    /** BME280 temperature, +-1 degC (docs/science.md §7.5). */
    static final double DEFAULT_TEMP_ACCURACY_C = 1.0;
    /** SCD30, the %-of-reading part of +-(30 ppm + 3 %) (docs/science.md §7.5). */
    static final double DEFAULT_CO2_GAIN_ACCURACY_PCT = 3.0;

    private DatasheetDefaults() {
    }
}
