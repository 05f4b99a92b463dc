package org.fieldgate.acquire.serial;

import java.time.Duration;
import java.util.List;
import org.fieldgate.acquire.VirtualClock;

/**
 * Several instruments on one wire (an RS-485 or SDI-12 bus): every byte the driver sends reaches each of them,
 * each answers only what is addressed to it, and their answers share the one line back.
 */
public final class MultiDropFake extends InstrumentFake {
    private final List<InstrumentFake> instruments;

    public MultiDropFake(VirtualClock clock, InstrumentFake... instruments) {
        super(clock);
        this.instruments = List.of(instruments);
    }

    @Override
    void attach(FakeSerialLink link) {
        super.attach(link);
        instruments.forEach(i -> i.attach(link));
    }

    @Override
    protected void onReceive(byte[] tx) {
        instruments.forEach(i -> i.onReceive(tx.clone()));
    }

    @Override
    protected void onBreak(Duration d) {
        instruments.forEach(i -> i.onBreak(d));
    }
}
