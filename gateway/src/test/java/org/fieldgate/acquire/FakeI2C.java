package org.fieldgate.acquire;

import com.pi4j.io.i2c.I2C;
import com.pi4j.io.i2c.I2CBase;
import com.pi4j.io.i2c.I2CBusBase;
import com.pi4j.io.i2c.I2CConfig;
import com.pi4j.io.i2c.I2CProvider;

import java.nio.charset.Charset;
import java.util.Arrays;
import java.util.concurrent.Callable;

/**
 * Pi4J's {@link I2C} for one address on the fake bus: every call becomes the I2C transactions the linuxfs
 * provider would put on the wire (a register read is a pointer write, repeated START, read) and goes to the
 * {@link ChipFake} at that address, or NACKs when there is none.
 */
final class FakeI2C extends I2CBase<FakeI2C.Bus> {
    private final ChipFake chip;

    FakeI2C(I2CProvider provider, I2CConfig config, ChipFake chip) {
        super(provider, config, new Bus(config));
        this.chip = chip;
    }

    static final class Bus extends I2CBusBase {
        Bus(I2CConfig config) {
            super(config);
        }

        @Override
        public <R> R execute(I2C i2c, Callable<R> action) {
            return _execute(i2c, action);
        }
    }

    private ChipFake chip() {
        if (chip == null) {
            throw ChipFake.nack("nothing at 0x" + Integer.toHexString(device()));
        }
        return chip;
    }

    @Override
    public int write(byte b) {
        chip().write(new byte[] {b});
        return 1;
    }

    @Override
    public int write(byte[] data, int offset, int length) {
        chip().write(Arrays.copyOfRange(data, offset, offset + length));
        return length;
    }

    @Override
    public int write(Charset charset, CharSequence data) {
        byte[] b = data.toString().getBytes(charset);
        return write(b, 0, b.length);
    }

    @Override
    public int read() {
        return chip().read(1)[0] & 0xFF;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) {
        byte[] rx = chip().read(length);
        System.arraycopy(rx, 0, buffer, offset, rx.length);
        return rx.length;
    }

    @Override
    public String readString(Charset charset, int length) {
        return new String(chip().read(length), charset);
    }

    @Override
    public int writeRegister(int register, byte b) {
        chip().write(new byte[] {(byte) register, b});
        return 1;
    }

    @Override
    public int writeRegister(int register, byte[] data, int offset, int length) {
        byte[] tx = new byte[length + 1];
        tx[0] = (byte) register;
        System.arraycopy(data, offset, tx, 1, length);
        chip().write(tx);
        return length;
    }

    @Override
    public int writeRegister(byte[] register, byte[] data, int offset, int length) {
        byte[] tx = new byte[register.length + length];
        System.arraycopy(register, 0, tx, 0, register.length);
        System.arraycopy(data, offset, tx, register.length, length);
        chip().write(tx);
        return length;
    }

    @Override
    public int writeRegister(int register, Charset charset, CharSequence data) {
        byte[] b = data.toString().getBytes(charset);
        return writeRegister(register, b, 0, b.length);
    }

    @Override
    public int readRegister(int register) {
        chip().write(new byte[] {(byte) register});
        return chip().read(1)[0] & 0xFF;
    }

    @Override
    public int readRegister(byte[] register, byte[] buffer, int offset, int length) {
        chip().write(register.clone());
        return read(buffer, offset, length);
    }

    @Override
    public int readRegister(int register, byte[] buffer, int offset, int length) {
        chip().write(new byte[] {(byte) register});
        return read(buffer, offset, length);
    }

    @Override
    public String readRegisterString(int register, Charset charset, int length) {
        chip().write(new byte[] {(byte) register});
        return readString(charset, length);
    }
}
