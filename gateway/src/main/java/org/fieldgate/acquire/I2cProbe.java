package org.fieldgate.acquire;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What every I2C driver shares: initialise lazily, retry once on a CRC error, count failures, and after any
 * failure re-initialise the chip on the next sample (a chip that browned out comes back in its power-on state,
 * idle, with defaults; reading it without re-initialising would time out forever).
 */
public abstract class I2cProbe implements Probe {
    protected final I2cLink link;
    protected final BusClock clock;
    private final Duration warmUp;
    private boolean initialised;
    private boolean failedSinceInit;
    private long initialisedAt;
    private long samples;
    private long failures;
    private long reinits;

    protected I2cProbe(I2cLink link, BusClock clock, Duration warmUp) {
        this.link = link;
        this.clock = clock;
        this.warmUp = warmUp;
    }

    /** Bring the chip from any state (power-on, mid-measurement, after a glitch) to measuring as configured. */
    protected abstract void initialise() throws ProbeException;

    /** One acquisition from an initialised chip. */
    protected abstract List<Measurement> acquire() throws ProbeException;

    @Override
    public final String model() {
        return link.model();
    }

    @Override
    public final String address() {
        return link.address();
    }

    @Override
    public final synchronized List<Measurement> sample() throws ProbeException {
        try {
            int qc = 0;
            if (!initialised) {
                reinits++;
                initialise();
                initialised = true;
                initialisedAt = clock.nanoTime();
                if (failedSinceInit) {
                    qc |= DriverQc.REINITIALISED;
                    failedSinceInit = false;
                }
            }
            List<Measurement> values;
            try {
                values = acquire();
            } catch (ProbeException e) {
                if (e.failure() != ProbeException.Cause.CRC) {
                    throw e;
                }
                // one bad frame is usually a glitch on a long cable: read again once, and say so on the values
                values = acquire();
                qc |= DriverQc.CRC_RETRIED;
            }
            if (clock.nanoTime() - initialisedAt < warmUp.toNanos()) {
                qc |= DriverQc.WARMING_UP;
            }
            samples++;
            if (qc == 0) {
                return values;
            }
            List<Measurement> flagged = new ArrayList<>(values.size());
            for (Measurement m : values) {
                flagged.add(m.withQc(qc));
            }
            return flagged;
        } catch (ProbeException e) {
            throw failed(e);
        } catch (RuntimeException e) {
            // a value the chip should never produce (or a provider throwing past I2cLink) must not kill the poller
            throw failed(new ProbeException(model(), address(), ProbeException.Cause.BAD_RESPONSE,
                    "unexpected " + e, e));
        }
    }

    private ProbeException failed(ProbeException e) {
        failures++;
        initialised = false;
        failedSinceInit = true;
        return e;
    }

    @Override
    public final synchronized ProbeCounters counters() {
        return new ProbeCounters(samples, failures, link.crcErrors(), link.busErrors(), reinits);
    }

    protected final ProbeException badResponse(String detail) {
        return new ProbeException(model(), address(), ProbeException.Cause.BAD_RESPONSE, detail);
    }

    protected final ProbeException timeout(String detail) {
        return new ProbeException(model(), address(), ProbeException.Cause.TIMEOUT, detail);
    }

    /** {@link DriverQc#OUT_OF_RANGE} when {@code v} lies outside [{@code min}, {@code max}]. */
    protected static int range(double v, double min, double max) {
        return v < min || v > max ? DriverQc.OUT_OF_RANGE : 0;
    }

    protected static void sleepMs(BusClock clock, double ms) {
        clock.sleep(Duration.ofNanos(Math.round(ms * 1e6)));
    }

    @Override
    public void close() {
        link.close();
    }
}
