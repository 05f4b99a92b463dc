package org.fieldgate.acquire.gmp252;

import static org.fieldgate.site.DriverSettings.responseTimeoutMs;
import static org.fieldgate.site.DriverSettings.stuckRepeats;

import java.time.Duration;
import java.util.List;
import org.fieldgate.acquire.Probe;
import org.fieldgate.acquire.chip.ChipContext;
import org.fieldgate.acquire.chip.ChipRegistration;
import org.fieldgate.acquire.chip.ProbeSettings;
import org.fieldgate.site.DriverSettings.Setting;

/** The GMP252 for the gateway: model gmp252 on a Modbus RTU bus, its settings, and its driver built from a probe. */
public final class Gmp252Registration implements ChipRegistration {

    @Override
    public List<String> models() {
        return List.of("gmp252");
    }

    @Override
    public List<Setting> settings() {
        return List.of(responseTimeoutMs(Gmp252.Config.defaults().responseTimeout().toMillis()), stuckRepeats(10));
    }

    @Override
    public Probe build(ChipContext c) {
        ProbeSettings s = c.settings();
        return new Gmp252(c.modbus(), new Gmp252.Config(Integer.parseInt(c.address()), responseTimeout(s),
                c.warmUp(), s.integer("stuck-repeats")), c.clock());
    }

    @Override
    public Duration responseTimeout(ProbeSettings s) {
        return s.millis("response-timeout-ms");
    }

    @Override
    public Stated stated(String model) {
        return new Stated(Gmp252.WARM_UP, List.of(Gmp252.CO2, Gmp252.TEMP), Gmp252.DEFAULT_SLAVE,
                Gmp252.DEFAULT_SERIAL);
    }
}
