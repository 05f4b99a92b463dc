package org.fieldgate.acquire;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.fieldgate.reading.QcFlags;

/**
 * What every polled driver shares, whatever its bus: initialise lazily, retry once on a CRC error (flagging
 * {@link QcFlags#CRC_RETRIED}), count failures, and after any failure initialise again on the next sample,
 * flagging the first good values {@link QcFlags#REINITIALISED} (a chip that browned out comes back in its
 * power-on state; reading it without re-initialising would time out forever). Anything but a
 * {@link ProbeException} thrown by a driver becomes one, so the poller never dies.
 */
public abstract class ProbeLifecycle implements Probe {
    protected final BusClock clock;
    private final Duration warmUp;
    private boolean initialised;
    private boolean failedSinceInit;
    private long initialisedAt;
    private long samples;
    private long failures;
    private long reinits;

    protected ProbeLifecycle(BusClock clock, Duration warmUp) {
        this.clock = clock;
        this.warmUp = warmUp;
    }

    /** Bring the device from any state (power-on, mid-measurement, after a glitch) to measuring as configured. */
    protected abstract void initialise() throws ProbeException;

    /** One acquisition from an initialised device. */
    protected abstract List<Measurement> acquire() throws ProbeException;

    /** Frames with a bad CRC so far, retried or not. */
    protected abstract long crcErrors();

    /** NACKs, timeouts, I/O errors and truncated frames so far. */
    protected abstract long busErrors();

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
                    qc |= QcFlags.REINITIALISED;
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
                qc |= QcFlags.CRC_RETRIED;
            }
            if (clock.nanoTime() - initialisedAt < warmUp.toNanos()) {
                qc |= QcFlags.WARMING_UP;
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
            // a value the device should never produce, or a provider throwing past the link, must not kill the poller
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
        return new ProbeCounters(samples, failures, crcErrors(), busErrors(), reinits);
    }

    protected final ProbeException badResponse(String detail) {
        return new ProbeException(model(), address(), ProbeException.Cause.BAD_RESPONSE, detail);
    }

    /** {@link QcFlags#OUT_OF_RANGE} when {@code v} lies outside [{@code min}, {@code max}]. */
    protected static int range(double v, double min, double max) {
        return v < min || v > max ? QcFlags.OUT_OF_RANGE : 0;
    }
}
