package org.fieldgate.acquire.ads1115;

import static org.fieldgate.site.DriverSettings.oneOf;
import static org.fieldgate.site.DriverSettings.stuckRepeats;

import java.util.ArrayList;
import java.util.List;
import org.fieldgate.acquire.Probe;
import org.fieldgate.acquire.chip.ChipContext;
import org.fieldgate.acquire.chip.ChipRegistration;
import org.fieldgate.acquire.chip.ProbeSettings;
import org.fieldgate.site.ChannelConfig;
import org.fieldgate.site.DriverSettings.Setting;

/**
 * The ADS1115 for the gateway: model ads1115 on I2C, a PGA range per input and the data rate, and the driver
 * converting only the inputs the probe publishes (a floating, unused input is converted for nothing).
 */
public final class Ads1115Registration implements ChipRegistration {
    private static final List<String> PGA_RANGES_V = List.of("6.144", "4.096", "2.048", "1.024", "0.512", "0.256");
    private static final List<String> DATA_RATES_SPS = List.of("8", "16", "32", "64", "128", "250", "475", "860");

    @Override
    public List<String> models() {
        return List.of("ads1115");
    }

    @Override
    public List<Setting> settings() {
        return List.of(
                oneOf("ain0-range-v", PGA_RANGES_V, "4.096"), oneOf("ain1-range-v", PGA_RANGES_V, "4.096"),
                oneOf("ain2-range-v", PGA_RANGES_V, "4.096"), oneOf("ain3-range-v", PGA_RANGES_V, "4.096"),
                oneOf("data-rate-sps", DATA_RATES_SPS, "128"),
                stuckRepeats(10));
    }

    @Override
    public Probe build(ChipContext c) {
        ProbeSettings s = c.settings();
        int rate = s.integer("data-rate-sps");
        List<Ads1115.Channel> channels = new ArrayList<>();
        for (ChannelConfig ch : c.probe().channels()) {
            String name = ch.model().name();
            Ads1115.Input input;
            try {
                input = Ads1115.Input.valueOf(name.toUpperCase());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(c.where() + ": channels." + name
                        + ": not an ADS1115 input (ain0-ain3)", e);
            }
            Ads1115.Range range = Ads1115.Range.valueOf("FSR_" + s.text(name + "-range-v").replace('.', '_'));
            channels.add(new Ads1115.Channel(name, input, range, rate, Ads1115.Kind.VOLTAGE, List.of(), 0, 0, 0, 0,
                    0, "V"));
        }
        if (channels.isEmpty()) {
            throw new IllegalArgumentException(c.where() + ": channels: every input is disabled; enable one");
        }
        return new Ads1115(c.i2c(), channels, s.integer("stuck-repeats"), c.clock());
    }
}
