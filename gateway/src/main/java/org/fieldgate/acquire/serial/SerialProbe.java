package org.fieldgate.acquire.serial;

import org.fieldgate.acquire.BusClock;
import org.fieldgate.acquire.ProbeLifecycle;

import java.time.Duration;

/**
 * A serial-bus driver (Modbus RTU, SDI-12): the shared {@link ProbeLifecycle}, with the model and address it
 * was configured with; CRC and bus errors are those its bus (master or port) counted.
 */
public abstract class SerialProbe extends ProbeLifecycle {
    private final String model;
    private final String address;
    private final BusErrorCounts bus;

    protected SerialProbe(String model, String address, BusErrorCounts bus, BusClock clock, Duration warmUp) {
        super(clock, warmUp);
        this.model = model;
        this.address = address;
        this.bus = bus;
    }

    @Override
    protected final long crcErrors() {
        return bus.crcErrors();
    }

    @Override
    protected final long busErrors() {
        return bus.busErrors();
    }

    @Override
    public void close() {
        // the bus may be shared by other probes: its owner closes it
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
