package org.fieldgate.site;

import java.time.LocalDate;

/**
 * A batch of crushed rock in the mineralisation house (docs/science.md §3.3).
 *
 * @param co2PotentialKgPerKg  kg CO2 the rock can take up per kg (e.g. 0.5 for serpentinite)
 * @param handlingEmissionsKgCo2 grinding, transport and handling emissions charged to this batch, kg CO2
 */
public record RockBatch(String id, LocalDate startDate, String rockType, double massKg, double co2PotentialKgPerKg,
                        double handlingEmissionsKgCo2) {
}
