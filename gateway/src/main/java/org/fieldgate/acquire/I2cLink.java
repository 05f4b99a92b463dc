package org.fieldgate.acquire;

import com.pi4j.context.Context;
import com.pi4j.io.i2c.I2C;
import com.pi4j.io.i2c.I2CConfigBuilder;

import java.util.concurrent.atomic.AtomicLong;

/**
 * One chip on one I2C bus, seen through Pi4J's {@link I2C}. Turns every way a transfer can fail (a Pi4J
 * exception for a NACK or a bus timeout, a negative return code, a short read, a CRC mismatch) into a
 * {@link ProbeException} naming the chip and its address, and counts it. Each call is one I2C transaction;
 * drivers add the waits their datasheet asks for between them.
 */
public final class I2cLink implements AutoCloseable {
    private final I2C i2c;
    private final String model;
    private final String address;
    private final AtomicLong busErrors = new AtomicLong();
    private final AtomicLong crcErrors = new AtomicLong();

    public I2cLink(I2C i2c, String model) {
        this.i2c = i2c;
        this.model = model;
        this.address = "i2c-" + i2c.bus() + "/0x" + Integer.toHexString(i2c.device());
    }

    /**
     * Opens {@code address} on {@code bus} through the context's I2C provider, or through {@code providerId}
     * when given (tests name the fake provider; on a Pi the linuxfs plugin is the default).
     */
    public static I2C open(Context pi4j, int bus, int address, String providerId) {
        String id = "i2c-" + bus + "-0x" + Integer.toHexString(address);
        if (pi4j.registry().exists(id)) {
            // one owner per address: a driver re-created after a config reload takes the chip over
            pi4j.shutdown(id);
        }
        I2CConfigBuilder b = I2C.newConfigBuilder(pi4j)
                .id(id)
                .bus(bus)
                .device(address);
        if (providerId != null) {
            b.provider(providerId);
        }
        return pi4j.create(b.build());
    }

    public String model() {
        return model;
    }

    public String address() {
        return address;
    }

    public long busErrors() {
        return busErrors.get();
    }

    public long crcErrors() {
        return crcErrors.get();
    }

    /** One write transaction: START, address+W, {@code tx}, STOP. */
    public void write(byte... tx) throws ProbeException {
        int n;
        try {
            n = i2c.write(tx, 0, tx.length);
        } catch (RuntimeException e) {
            throw busFailure("write of " + tx.length + " bytes failed", e);
        }
        if (n < 0 || n != tx.length) {
            throw busFailure("write returned " + n + " for " + tx.length + " bytes", null);
        }
    }

    /** One read transaction: START, address+R, {@code n} bytes, STOP. */
    public byte[] read(int n) throws ProbeException {
        byte[] rx = new byte[n];
        int got;
        try {
            got = i2c.read(rx, 0, n);
        } catch (RuntimeException e) {
            throw busFailure("read of " + n + " bytes failed", e);
        }
        if (got != n) {
            throw busFailure("read returned " + got + " of " + n + " bytes", null);
        }
        return rx;
    }

    /** Register pointer write, repeated START, {@code n} bytes read (auto-increment, as register chips do). */
    public byte[] readRegister(int register, int n) throws ProbeException {
        byte[] rx = new byte[n];
        int got;
        try {
            got = i2c.readRegister(register, rx, 0, n);
        } catch (RuntimeException e) {
            throw busFailure("read of register 0x" + Integer.toHexString(register) + " failed", e);
        }
        if (got != n) {
            throw busFailure("register 0x" + Integer.toHexString(register) + " read returned " + got + " of " + n
                    + " bytes", null);
        }
        return rx;
    }

    /** Sensirion style: a 16-bit command, big-endian, then each argument word followed by its CRC-8. */
    public void command(int command, int... args) throws ProbeException {
        byte[] tx = new byte[2 + 3 * args.length];
        tx[0] = (byte) (command >> 8);
        tx[1] = (byte) command;
        for (int i = 0; i < args.length; i++) {
            System.arraycopy(SensirionCrc.frame(args[i]), 0, tx, 2 + 3 * i, 3);
        }
        write(tx);
    }

    /** Sensirion style: {@code words} 16-bit words, each followed by its CRC-8, every CRC checked. */
    public int[] readWords(int words) throws ProbeException {
        byte[] rx = read(3 * words);
        int[] out = new int[words];
        for (int i = 0; i < words; i++) {
            int msb = rx[3 * i] & 0xFF;
            int lsb = rx[3 * i + 1] & 0xFF;
            int crc = rx[3 * i + 2] & 0xFF;
            int expected = SensirionCrc.crc8(msb, lsb);
            if (crc != expected) {
                crcErrors.incrementAndGet();
                throw new ProbeException(model, address, ProbeException.Cause.CRC, String.format(
                        "word %d 0x%02x%02x has CRC 0x%02x, expected 0x%02x", i, msb, lsb, crc, expected));
            }
            out[i] = msb << 8 | lsb;
        }
        return out;
    }

    private ProbeException busFailure(String what, RuntimeException e) {
        busErrors.incrementAndGet();
        String detail = e == null ? what : what + ": " + rootMessage(e);
        // Linux i2c-dev reports a NACK as EREMOTEIO/ENXIO and a stuck bus as ETIMEDOUT; pigpio has its own codes
        boolean timeout = detail.toLowerCase().contains("timed out") || detail.toLowerCase().contains("timeout");
        return new ProbeException(model, address, timeout ? ProbeException.Cause.TIMEOUT : ProbeException.Cause.NACK,
                detail, e);
    }

    private static String rootMessage(Throwable e) {
        StringBuilder b = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null) {
                b.append(b.length() == 0 ? "" : " <- ").append(t.getMessage());
            }
        }
        return b.length() == 0 ? e.getClass().getSimpleName() : b.toString();
    }

    @Override
    public void close() {
        try {
            i2c.close();
        } catch (RuntimeException ignored) {
            // closing a device that vanished must not stop the shutdown of the others
        }
    }
}
