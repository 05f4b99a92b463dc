package org.fieldgate.acquire.scd4x;

import static org.fieldgate.site.DriverSettings.offOrInteger;
import static org.fieldgate.site.DriverSettings.stuckRepeats;

import java.util.List;
import org.fieldgate.acquire.Probe;
import org.fieldgate.acquire.chip.ChipContext;
import org.fieldgate.acquire.chip.ChipRegistration;
import org.fieldgate.acquire.chip.ProbeSettings;
import org.fieldgate.site.DriverSettings.Setting;

/** The SCD4x for the gateway: model scd41 on I2C, its settings, and its driver built from a probe. */
public final class Scd4xRegistration implements ChipRegistration {

    @Override
    public List<String> models() {
        return List.of("scd41");
    }

    @Override
    public List<Setting> settings() {
        return List.of(offOrInteger("ambient-pressure-pa", 70_000, 120_000, "Pa"), stuckRepeats(10));
    }

    @Override
    public Probe build(ChipContext c) {
        ProbeSettings s = c.settings();
        return new Scd4x(c.i2c(), new Scd4x.Config(c.i2cAddress(), s.integer("ambient-pressure-pa"), c.warmUp(),
                s.integer("stuck-repeats")), c.clock());
    }

    @Override
    public Stated stated(String model) {
        return new Stated(Scd4x.WARM_UP, List.of(Scd4x.CO2, Scd4x.TEMP, Scd4x.RH), Scd4x.DEFAULT_ADDRESS, null);
    }
}
