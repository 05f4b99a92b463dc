package org.fieldgate.acquire;

import java.time.Duration;

/** An I2C driver: the shared {@link ProbeLifecycle} on one {@link I2cLink}, whose counters it reports. */
public abstract class I2cProbe extends ProbeLifecycle {
    protected final I2cLink link;

    protected I2cProbe(I2cLink link, BusClock clock, Duration warmUp) {
        super(clock, warmUp);
        this.link = link;
    }

    @Override
    public final String model() {
        return link.model();
    }

    @Override
    public final String address() {
        return link.address();
    }

    @Override
    protected final long crcErrors() {
        return link.crcErrors();
    }

    @Override
    protected final long busErrors() {
        return link.busErrors();
    }

    protected final ProbeException timeout(String detail) {
        return new ProbeException(model(), address(), ProbeException.Cause.TIMEOUT, detail);
    }

    protected static void sleepMs(BusClock clock, double ms) {
        clock.sleep(Duration.ofNanos(Math.round(ms * 1e6)));
    }

    @Override
    public void close() {
        link.close();
    }
}
