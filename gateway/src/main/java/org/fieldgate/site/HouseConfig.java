package org.fieldgate.site;

import java.util.List;

/**
 * A mineralisation house (docs/science.md §3): CO2 in and out, airflow from a differential-pressure sensor
 * ({@code Q [m3/s] = ductFactor x sqrt(dP [Pa])}), air state, fan power and the rock batches.
 *
 * @param fanEnergy        cumulative import energy channel (kWh), or null
 * @param gridKgCo2PerKwh  grid emission factor, kg CO2 per kWh (0.462 for Japan)
 */
public record HouseConfig(ChannelRef inletCo2, ChannelRef outletCo2, ChannelRef airflow, double ductFactor,
                          ChannelRef temperature, ChannelRef humidity, ChannelRef pressure, ChannelRef fanPower,
                          ChannelRef fanEnergy, double gridKgCo2PerKwh, List<RockBatch> batches) {
    public HouseConfig {
        batches = List.copyOf(batches);
    }
}
