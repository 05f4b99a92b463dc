package org.fieldgate.acquire.li850;

import java.time.Duration;
import java.util.List;
import org.fieldgate.acquire.Probe;
import org.fieldgate.acquire.chip.ChipContext;
import org.fieldgate.acquire.chip.ChipRegistration;
import org.fieldgate.acquire.chip.ProbeSettings;
import org.fieldgate.site.DriverSettings;
import org.fieldgate.site.DriverSettings.Setting;

/** The LI-830 / LI-850 / LI-870 for the gateway: models li830, li850, li870 on a serial bus, one per port. */
public final class Li850Registration implements ChipRegistration {
    /** How long a sample waits for a complete record: a few of the analyser's output intervals. */
    private static Setting recordTimeout() {
        // built on demand: DriverSettings loads the registrations, so a static field here would be a cycle
        return DriverSettings.integer("record-timeout-ms", 100, 60_000,
            "milliseconds a sample waits for a complete record, 100-60000 (several of the analyser's output intervals)",
            3000);
    }

    @Override
    public List<String> models() {
        return List.of("li830", "li850", "li870");
    }

    @Override
    public List<Setting> settings() {
        return List.of(recordTimeout());
    }

    @Override
    public Probe build(ChipContext c) {
        ProbeSettings s = c.settings();
        return new Li850(c.serialLink(), new Li850.Config(Li850.Model.of(c.probe().model().id()),
                s.millis("record-timeout-ms"), c.warmUp()), c.clock());
    }

    @Override
    public Duration responseTimeout(ProbeSettings s) {
        return s.millis("record-timeout-ms");
    }

    @Override
    public Stated stated(String model) {
        return new Stated(null, Li850.Model.of(model).channels(), null, Li850.DEFAULT_SERIAL);
    }
}
