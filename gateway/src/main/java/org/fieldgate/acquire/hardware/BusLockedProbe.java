package org.fieldgate.acquire.hardware;

import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.fieldgate.acquire.Measurement;
import org.fieldgate.acquire.Probe;
import org.fieldgate.acquire.ProbeCounters;
import org.fieldgate.acquire.ProbeException;

/**
 * A probe on a shared serial bus (RS-485 Modbus, SDI-12): each whole sample holds the bus's lock. The
 * acquisition stage samples probes from different threads, and neither {@code ModbusRtuMaster} nor
 * {@code Sdi12Port} is thread-safe; an SDI-12 measurement (command, wait for the service request, read) must not
 * be interleaved with another sensor's break either. The lock is fair, so a probe sampled every 2 s cannot starve
 * one sampled every 5 min.
 */
final class BusLockedProbe implements Probe {
    private final Probe probe;
    private final ReentrantLock bus;

    BusLockedProbe(Probe probe, ReentrantLock bus) {
        this.probe = probe;
        this.bus = bus;
    }

    @Override
    public String model() {
        return probe.model();
    }

    @Override
    public String address() {
        return probe.address();
    }

    @Override
    public List<Measurement> sample() throws ProbeException {
        bus.lock();
        try {
            return probe.sample();
        } finally {
            bus.unlock();
        }
    }

    @Override
    public ProbeCounters counters() {
        return probe.counters();
    }

    @Override
    public void close() {
        bus.lock();
        try {
            probe.close();
        } finally {
            bus.unlock();
        }
    }
}
