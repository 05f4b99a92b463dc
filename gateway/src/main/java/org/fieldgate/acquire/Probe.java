package org.fieldgate.acquire;

import java.util.List;

/**
 * A probe the gateway polls itself (an I2C chip behind Pi4J, later SDI-12 or Modbus). One {@link #sample()} is
 * one complete acquisition: the driver waits for the chip, reads, checks CRC and status, converts to
 * engineering units and flags what looks wrong. It never throws anything but {@link ProbeException}, so a bad
 * probe becomes a gap record upstream, never a dead acquisition thread.
 */
public interface Probe extends AutoCloseable {

    /** Chip or probe model, e.g. {@code SCD30}. */
    String model();

    /** Where it sits, e.g. {@code i2c-1/0x61}. */
    String address();

    /**
     * One acquisition. After a failure the next call first re-initialises the chip, so a probe that comes back
     * (power glitch, loose connector) resumes on its own.
     */
    List<Measurement> sample() throws ProbeException;

    /** Counters since the driver was created; the caller exports them as metrics. */
    ProbeCounters counters();

    @Override
    void close();
}
