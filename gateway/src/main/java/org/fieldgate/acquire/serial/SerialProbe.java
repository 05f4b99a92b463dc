package org.fieldgate.acquire.serial;

import org.fieldgate.acquire.BusClock;
import org.fieldgate.acquire.ProbeLifecycle;

import java.time.Duration;

/**
 * A serial-bus driver (Modbus RTU, SDI-12): the shared {@link ProbeLifecycle}, with the model and address it
 * was configured with; the driver counts its own CRC and bus errors.
 */
public abstract class SerialProbe extends ProbeLifecycle {
    private final String model;
    private final String address;

    protected SerialProbe(String model, String address, BusClock clock, Duration warmUp) {
        super(clock, warmUp);
        this.model = model;
        this.address = address;
    }

    @Override
    public final String model() {
        return model;
    }

    @Override
    public final String address() {
        return address;
    }
}
