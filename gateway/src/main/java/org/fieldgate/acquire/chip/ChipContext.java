package org.fieldgate.acquire.chip;

import com.pi4j.context.Context;
import com.pi4j.io.i2c.I2C;
import java.time.Duration;
import org.fieldgate.acquire.BusClock;
import org.fieldgate.acquire.ProbeException;
import org.fieldgate.acquire.modbus.ModbusRtuMaster;
import org.fieldgate.acquire.sdi12.Sdi12Port;
import org.fieldgate.site.ProbeConfig;

/**
 * What the hardware probe factory lends a {@link ChipRegistration} to build one probe: the probe's configuration
 * and settings, and its bus opened the one way the gateway opens buses (one Pi4J context, one link and one master
 * per serial bus). Errors it throws name the probe, its model and the bus or pin.
 */
public interface ChipContext {

    ProbeConfig probe();

    /** The probe's settings, checked, with the model's {@code defaults} and each setting's default behind them. */
    ProbeSettings settings();

    BusClock clock();

    /** {@code probe <id> (model <m>)}: how every error about this probe starts. */
    default String where() {
        return ProbeSettings.where(probe());
    }

    /** The model's {@code warmup-s}: values this soon after (re)start are flagged WARMING_UP. */
    default Duration warmUp() {
        return Duration.ofNanos(Math.round(probe().model().warmupS() * 1e9));
    }

    /** The probe's address as written, or the model's default. */
    default String address() {
        String a = probe().address() != null ? probe().address() : probe().model().defaultAddress();
        if (a == null) {
            throw new IllegalArgumentException(where() + ": address: missing, and model " + probe().model().id()
                    + " has no default");
        }
        return a;
    }

    default int i2cAddress() {
        return Integer.decode(address());
    }

    /** The probe's I2C device at its address on its {@code /dev/i2c-N} bus. */
    I2C i2c();

    /** The Modbus RTU master of the probe's RS-485 bus, shared with the other devices on it. */
    ModbusRtuMaster modbus();

    /** The SDI-12 port of the probe's SDI-12 bus, shared with the other sensors on it. */
    Sdi12Port sdi12();

    /**
     * The serial link of the probe's {@code serial} bus (an RS-232 or USB port with one instrument on it, which
     * speaks its own protocol, e.g. an analyser's XML stream), opened with the bus's line settings.
     */
    org.fieldgate.acquire.serial.SerialLink serialLink();

    /** Opens a GPIO input through Pi4J; a failure says {@code failure} and what it means on this board. */
    <T> T gpioInput(String failure, PinOpener<T> open);

    /** Opens a GPIO output through Pi4J; a failure says {@code failure} and what it means on this board. */
    <T> T gpioOutput(String failure, PinOpener<T> open);

    /** Opens a pin in the factory's Pi4J context through the given provider. */
    @FunctionalInterface
    interface PinOpener<T> {
        T open(Context pi4j, String providerId) throws ProbeException;
    }
}
