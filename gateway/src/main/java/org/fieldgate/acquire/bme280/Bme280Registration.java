package org.fieldgate.acquire.bme280;

import static org.fieldgate.site.DriverSettings.integer;
import static org.fieldgate.site.DriverSettings.oneOf;
import static org.fieldgate.site.DriverSettings.stuckRepeats;

import java.util.List;
import org.fieldgate.acquire.Probe;
import org.fieldgate.acquire.chip.ChipContext;
import org.fieldgate.acquire.chip.ChipRegistration;
import org.fieldgate.acquire.chip.ProbeSettings;
import org.fieldgate.site.DriverSettings.Setting;

/** The BME280 for the gateway: model bme280 on I2C, its settings, and its driver built from a probe. */
public final class Bme280Registration implements ChipRegistration {
    private static final List<String> OVERSAMPLING = List.of("x1", "x2", "x4", "x8", "x16");

    @Override
    public List<String> models() {
        return List.of("bme280");
    }

    @Override
    public List<Setting> settings() {
        return List.of(
                oneOf("oversampling-temperature", OVERSAMPLING, "x1"),
                oneOf("oversampling-pressure", OVERSAMPLING, "x1"),
                oneOf("oversampling-humidity", OVERSAMPLING, "x1"),
                integer("filter", 0, 4, "IIR filter field 0-4 (off, 2, 4, 8, 16)", 0),
                stuckRepeats(10));
    }

    @Override
    public Probe build(ChipContext c) {
        ProbeSettings s = c.settings();
        return new Bme280(c.i2c(), new Bme280.Config(c.i2cAddress(), oversampling(s, "oversampling-temperature"),
                oversampling(s, "oversampling-pressure"), oversampling(s, "oversampling-humidity"),
                s.integer("filter"), s.integer("stuck-repeats")), c.clock());
    }

    private static Bme280.Oversampling oversampling(ProbeSettings s, String key) {
        return Bme280.Oversampling.valueOf(s.text(key).toUpperCase());
    }

    @Override
    public Stated stated(String model) {
        return new Stated(null, List.of(Bme280.TEMP, Bme280.PRESSURE, Bme280.RH), Bme280.ADDRESS_SDO_LOW, null);
    }
}
