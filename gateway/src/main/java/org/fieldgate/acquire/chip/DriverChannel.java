package org.fieldgate.acquire.chip;

/**
 * A channel as a driver reports it: the name, the unit and the range outside which its values are flagged
 * OUT_OF_RANGE. The driver's code uses these constants, and a test holds them against the model file.
 */
public record DriverChannel(String name, String unit, double min, double max) {
}
