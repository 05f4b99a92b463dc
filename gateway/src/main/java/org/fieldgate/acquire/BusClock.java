package org.fieldgate.acquire;

import java.time.Duration;

/**
 * Time as a driver sees it: chips need waits (execution times, conversion times, data-ready polls). Tests pass
 * a virtual clock that the chip fakes share, so a driver that reads too early reads stale data, as on the bus.
 */
public interface BusClock {
    long nanoTime();

    void sleep(Duration d);

    BusClock SYSTEM = new BusClock() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public void sleep(Duration d) {
            try {
                Thread.sleep(d.toMillis(), d.toNanosPart() % 1_000_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    };
}
