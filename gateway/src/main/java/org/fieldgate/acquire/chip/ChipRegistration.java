package org.fieldgate.acquire.chip;

import java.time.Duration;
import java.util.List;
import org.fieldgate.acquire.Probe;
import org.fieldgate.acquire.ProbeException;
import org.fieldgate.acquire.serial.SerialLink;
import org.fieldgate.site.ChipSettings;

/**
 * Everything the gateway needs to know about one chip, kept in the chip's folder beside its driver: the sensor
 * models it serves and the settings a probe of them accepts ({@link ChipSettings}, read by the site checker),
 * how to build the driver for one probe, and what the driver's own constants say about the model (compared with
 * the model file by a test). The hardware probe factory and the checker are derived from the registrations listed
 * in {@code META-INF/services/org.fieldgate.site.ChipSettings}; see {@code acquire/hardware/README.md}.
 *
 * <p>A registration is stateless plain Java: it gets everything from the {@link ChipContext}, so it can be tested
 * with the byte-level fakes and without Micronaut.
 */
public interface ChipRegistration extends ChipSettings {

    /**
     * The driver for {@code c.probe()}. The factory wraps it: in the probe's bus lock when it used a serial bus,
     * then in the model's channel names and units. A bad value throws {@link IllegalArgumentException}.
     */
    Probe build(ChipContext c) throws ProbeException;

    /**
     * How long this probe may take to answer on a shared serial bus (the bus's master waits for the longest of its
     * probes); zero for a chip that is not on a serial bus.
     */
    default Duration responseTimeout(ProbeSettings settings) {
        return Duration.ZERO;
    }

    /** What the driver's constants state about {@code model}, for the model-file agreement test. */
    default Stated stated(String model) {
        return Stated.NOTHING;
    }

    /**
     * What a driver's own constants say; null (or empty) where it says nothing and the model file decides.
     *
     * @param warmUp         the driver's default warm-up (its datasheet's figure)
     * @param channels       the channels the driver always reports, with unit and the range it flags outside of
     * @param defaultAddress the factory address (I2C, Modbus slave)
     * @param serial         the factory line settings of a serial instrument
     */
    record Stated(Duration warmUp, List<DriverChannel> channels, Integer defaultAddress, SerialLink.Settings serial) {
        public static final Stated NOTHING = new Stated(null, List.of(), null, null);
    }
}
