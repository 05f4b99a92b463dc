package org.fieldgate.acquire;

import com.pi4j.Pi4J;
import com.pi4j.context.Context;
import com.pi4j.io.i2c.I2C;
import com.pi4j.io.i2c.I2CConfig;
import com.pi4j.io.i2c.I2CProviderBase;
import com.pi4j.plugin.mock.platform.MockPlatform;
import com.pi4j.plugin.mock.provider.i2c.MockI2CProvider;

import java.util.HashMap;
import java.util.Map;

/**
 * A Pi4J I2C provider whose devices are chip fakes. Pi4J's own MockI2C only queues the bytes written to it,
 * it cannot answer a command like a chip, so the fakes plug in here instead: a context on Pi4J's mock
 * platform, plus this provider, and drivers open their I2C through it by its id.
 */
public final class FakeI2CProvider extends I2CProviderBase {
    public static final String ID = "fieldgate-fake-i2c";
    private final Map<Integer, ChipFake> chips = new HashMap<>();

    public FakeI2CProvider() {
        super(ID, "fieldgate chip fakes");
    }

    /** Puts {@code chip} at {@code address} on every bus. */
    public FakeI2CProvider attach(int address, ChipFake chip) {
        chips.put(address, chip);
        return this;
    }

    @Override
    public I2C create(I2CConfig config) {
        FakeI2C i2c = new FakeI2C(this, config, chips.get(config.device()));
        this.context.registry().add(i2c);
        return i2c;
    }

    /** A Pi4J context on the mock platform with this provider added. */
    public Context context() {
        return Pi4J.newContextBuilder()
                .add(new MockPlatform())
                .add(MockI2CProvider.newInstance(), this)
                .build();
    }
}
