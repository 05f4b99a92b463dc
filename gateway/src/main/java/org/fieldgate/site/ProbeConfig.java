package org.fieldgate.site;

import java.util.List;
import java.util.Map;

/**
 * One probe of a site: a sensor model on a bus address or GPIO pin, published as MQTT device {@code id}.
 *
 * @param bus       bus name from the site's {@code buses}, null for GPIO models
 * @param address   canonical address on the bus (I2C hex, Modbus decimal, SDI-12 character), null for GPIO
 * @param pin       BCM GPIO pin for GPIO models, else null
 * @param depthCm   installation depth below the soil surface, cm, or null
 * @param line      line of the probe in the site file
 * @param settings  driver settings as written under {@code settings:}, checked against {@link DriverSettings}
 */
public record ProbeConfig(String id, SensorModel model, String bus, String address, Integer pin, double intervalS,
                          Double depthCm, List<ChannelConfig> channels, int line, Map<String, String> settings) {

    public ProbeConfig {
        channels = List.copyOf(channels);
        settings = Map.copyOf(settings);
    }

    public ChannelConfig channel(String name) {
        for (ChannelConfig c : channels) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        return null;
    }
}
