package org.fieldgate.acquire;

import java.time.Duration;

/** Test time shared by a driver and its chip fake: a driver's sleep moves time for the chip, instantly. */
public final class VirtualClock implements BusClock {
    private long nanos = 1_000_000_000L;

    @Override
    public synchronized long nanoTime() {
        return nanos;
    }

    @Override
    public synchronized void sleep(Duration d) {
        nanos += d.toNanos();
    }

    public void advance(Duration d) {
        sleep(d);
    }

    public double seconds() {
        return nanoTime() / 1e9;
    }
}
