package org.fieldgate.acquire.gpio;

import static org.fieldgate.site.DriverSettings.integer;
import static org.fieldgate.site.DriverSettings.number;
import static org.fieldgate.site.DriverSettings.oneOf;

import com.pi4j.io.gpio.digital.PullResistance;
import java.time.Duration;
import java.util.List;
import org.fieldgate.acquire.Probe;
import org.fieldgate.acquire.chip.ChipContext;
import org.fieldgate.acquire.chip.ChipRegistration;
import org.fieldgate.acquire.chip.ProbeSettings;
import org.fieldgate.site.DriverSettings.Setting;
import org.fieldgate.site.SensorModel;

/**
 * A pulse input as a tachometer: model gpio-pulse on a GPIO pin, publishing frequency (Hz) and speed (1/min) at
 * 60 / pulses-per-revolution; frequencies above max-hz (default: the model's frequency range) are flagged.
 */
public final class PulseCounterRegistration implements ChipRegistration {

    @Override
    public List<String> models() {
        return List.of("gpio-pulse");
    }

    @Override
    public List<Setting> settings() {
        return List.of(
                number("pulses-per-revolution", 0.001, 1000, "pulses per revolution, 0.001-1000", "2"),
                oneOf("edge", List.of("rising", "falling", "both"), "falling"),
                oneOf("pull", List.of("up", "down", "none"), "up"),
                number("debounce-ms", 0, 1000, "0-1000 ms", "1"),
                number("max-hz", 0.001, 1_000_000, "frequencies above this are flagged out of range,"
                        + " 0.001-1000000 Hz", null),
                integer("stuck-zero-intervals", 0, 1000,
                        "intervals without pulses before flagged stuck, 0 (off) to 1000", 0));
    }

    @Override
    public Probe build(ChipContext c) {
        ProbeSettings s = c.settings();
        SensorModel model = c.probe().model();
        SensorModel.Channel speed = model.channel("speed");
        SensorModel.Channel frequency = model.channel("frequency");
        if (speed == null || !"1/min".equals(speed.unit()) || frequency == null) {
            throw new IllegalArgumentException(c.where() + ": model " + model.id()
                    + " needs channels frequency (Hz) and speed (1/min) for a tachometer");
        }
        PullResistance pull = switch (s.text("pull")) {
            case "down" -> PullResistance.PULL_DOWN;
            case "none" -> PullResistance.OFF;
            default -> PullResistance.PULL_UP;
        };
        PulseCounter.Config config = new PulseCounter.Config(c.probe().pin(),
                PulseCounter.Edge.valueOf(s.text("edge").toUpperCase()), pull,
                Duration.ofNanos(Math.round(s.number("debounce-ms") * 1e6)), "speed", "1/min",
                60.0 / s.number("pulses-per-revolution"), s.number("max-hz", frequency.max()),
                s.integer("stuck-zero-intervals"));
        return c.gpioInput(c.where() + ": pin " + c.probe().pin() + ": cannot open GPIO input",
                (pi4j, provider) -> new PulseCounter(PulseCounter.open(pi4j, config, provider), config, c.clock()));
    }
}
