package org.fieldgate.acquire;

import java.time.Duration;
import java.util.function.IntPredicate;

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

    /**
     * Sensirion's data-ready handshake: send {@code command}, read one word after {@code commandToReadMs}, and
     * poll every {@code pollMs} until {@code ready} accepts the word or {@code limitMs} has passed.
     */
    protected final void awaitDataReady(int command, double commandToReadMs, double pollMs, double limitMs,
                                        IntPredicate ready) throws ProbeException {
        for (double waited = 0; waited <= limitMs; waited += pollMs + commandToReadMs) {
            link.command(command);
            sleepMs(clock, commandToReadMs);
            if (ready.test(link.readWords(1)[0])) {
                return;
            }
            sleepMs(clock, pollMs);
        }
        throw timeout("no data ready within " + Math.round(limitMs) + " ms");
    }

    protected static void sleepMs(BusClock clock, double ms) {
        clock.sleep(Duration.ofNanos(Math.round(ms * 1e6)));
    }

    @Override
    public void close() {
        link.close();
    }
}
