package org.fieldgate.acquire;

import com.pi4j.context.Context;
import com.pi4j.io.i2c.I2C;

/** A Pi4J mock-platform context with chip fakes on bus 1; close it after the test. */
public final class FakeBus implements AutoCloseable {
    public static final int BUS = 1;
    private final FakeI2CProvider provider = new FakeI2CProvider();
    private Context context;

    public FakeBus attach(int address, ChipFake chip) {
        provider.attach(address, chip);
        return this;
    }

    public I2C open(int address) {
        if (context == null) {
            context = provider.context();
        }
        return I2cLink.open(context, BUS, address, FakeI2CProvider.ID);
    }

    @Override
    public void close() {
        if (context != null) {
            context.shutdown();
        }
    }
}
