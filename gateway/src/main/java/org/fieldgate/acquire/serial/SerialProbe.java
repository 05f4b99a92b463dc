package org.fieldgate.acquire.serial;

import org.fieldgate.acquire.BusClock;
import org.fieldgate.acquire.DriverQc;
import org.fieldgate.acquire.Measurement;
import org.fieldgate.acquire.Probe;
import org.fieldgate.acquire.ProbeCounters;
import org.fieldgate.acquire.ProbeException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What every serial-bus driver (Modbus RTU, SDI-12) shares, the same life cycle as {@code I2cProbe}: initialise
 * lazily, retry once on a CRC error (flagging {@link DriverQc#CRC_RETRIED}), count failures, and after any
 * failure initialise again on the next sample, flagging the first good values {@link DriverQc#REINITIALISED}.
 * Anything but a {@link ProbeException} thrown by a subclass becomes one, so the poller never dies.
 */
public abstract class SerialProbe implements Probe {
    protected final BusClock clock;
    private final String model;
    private final String address;
    private final Duration warmUp;
    private boolean initialised;
    private boolean failedSinceInit;
    private long initialisedAt;
    private long samples;
    private long failures;
    private long reinits;

    protected SerialProbe(String model, String address, BusClock clock, Duration warmUp) {
        this.model = model;
        this.address = address;
        this.clock = clock;
        this.warmUp = warmUp;
    }

    /** Bring the instrument to a state where {@link #acquire()} works (presence check, settings). */
    protected abstract void initialise() throws ProbeException;

    /** One acquisition from an initialised instrument. */
    protected abstract List<Measurement> acquire() throws ProbeException;

    /** Frames with a bad CRC so far, retried or not. */
    protected abstract long crcErrors();

    /** Timeouts, I/O errors and truncated frames so far. */
    protected abstract long busErrors();

    @Override
    public final String model() {
        return model;
    }

    @Override
    public final String address() {
        return address;
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
                // one bad frame is usually noise on a long RS-485 or SDI-12 cable: ask once more, and say so
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
            throw failed(new ProbeException(model, address, ProbeException.Cause.BAD_RESPONSE, "unexpected " + e, e));
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
        return new ProbeException(model, address, ProbeException.Cause.BAD_RESPONSE, detail);
    }

    /** {@link DriverQc#OUT_OF_RANGE} when {@code v} lies outside [{@code min}, {@code max}]. */
    protected static int range(double v, double min, double max) {
        return v < min || v > max ? DriverQc.OUT_OF_RANGE : 0;
    }
}
