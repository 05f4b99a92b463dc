package org.fieldgate.acquire.scd30;

import static org.fieldgate.site.DriverSettings.integer;
import static org.fieldgate.site.DriverSettings.offOrInteger;
import static org.fieldgate.site.DriverSettings.stuckRepeats;

import java.util.List;
import org.fieldgate.acquire.Probe;
import org.fieldgate.acquire.chip.ChipContext;
import org.fieldgate.acquire.chip.ChipRegistration;
import org.fieldgate.acquire.chip.ProbeSettings;
import org.fieldgate.site.DriverSettings.Setting;

/** The SCD30 for the gateway: model scd30 on I2C, its settings, and its driver built from a probe. */
public final class Scd30Registration implements ChipRegistration {

    @Override
    public List<String> models() {
        return List.of("scd30");
    }

    @Override
    public List<Setting> settings() {
        return List.of(
                integer("measurement-interval-s", 2, 1800, "the module's own measurement interval, 2-1800 s",
                        Scd30.Config.defaults().intervalS()),
                offOrInteger("ambient-pressure-mbar", 700, 1400, "mbar"),
                stuckRepeats(10));
    }

    @Override
    public Probe build(ChipContext c) {
        ProbeSettings s = c.settings();
        return new Scd30(c.i2c(), new Scd30.Config(c.i2cAddress(), s.integer("measurement-interval-s"),
                s.integer("ambient-pressure-mbar"), c.warmUp(), s.integer("stuck-repeats")), c.clock());
    }

    @Override
    public Stated stated(String model) {
        return new Stated(Scd30.WARM_UP, List.of(Scd30.CO2, Scd30.TEMP, Scd30.RH), Scd30.DEFAULT_ADDRESS, null);
    }
}
