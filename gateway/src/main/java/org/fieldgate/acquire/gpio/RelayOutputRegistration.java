package org.fieldgate.acquire.gpio;

import static org.fieldgate.site.DriverSettings.bool;
import static org.fieldgate.site.DriverSettings.number;

import java.util.List;
import org.fieldgate.acquire.Probe;
import org.fieldgate.acquire.chip.ChipContext;
import org.fieldgate.acquire.chip.ChipRegistration;
import org.fieldgate.acquire.chip.ProbeSettings;
import org.fieldgate.site.DriverSettings.Setting;

/** A relay on a GPIO pin: model gpio-relay, released (lid open) when built; it must not chatter (min-dwell-s). */
public final class RelayOutputRegistration implements ChipRegistration {

    @Override
    public List<String> models() {
        return List.of("gpio-relay");
    }

    @Override
    public List<Setting> settings() {
        RelayOutput.Config d = RelayOutput.Config.defaults(0);
        return List.of(
                bool("active-low", d.activeLow()),
                number("min-dwell-s", 0, 3600, "least seconds between two changes, 0-3600",
                        Double.toString(d.minDwell().toMillis() / 1000.0)),
                number("actuation-s", 0, 600, "seconds the actuator needs, 0-600",
                        Double.toString(d.actuation().toMillis() / 1000.0)));
    }

    @Override
    public Probe build(ChipContext c) {
        ProbeSettings s = c.settings();
        RelayOutput.Config config = new RelayOutput.Config(c.probe().pin(), s.bool("active-low"),
                s.seconds("min-dwell-s"), s.seconds("actuation-s"));
        return c.gpioOutput(c.where() + ": pin " + config.pin() + ": cannot drive the relay",
                (pi4j, provider) -> new RelayOutput(RelayOutput.open(pi4j, config, provider), config, c.clock()));
    }

    @Override
    public Stated stated(String model) {
        return new Stated(null, List.of(RelayOutput.STATE), null, null);
    }
}
