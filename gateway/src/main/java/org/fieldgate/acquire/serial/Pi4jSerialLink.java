package org.fieldgate.acquire.serial;

import com.pi4j.context.Context;
import com.pi4j.io.serial.DataBits;
import com.pi4j.io.serial.Parity;
import com.pi4j.io.serial.Serial;
import com.pi4j.io.serial.SerialConfigBuilder;
import com.pi4j.io.serial.StopBits;
import org.fieldgate.acquire.BusClock;

import java.io.IOException;
import java.time.Duration;

/**
 * A {@link SerialLink} over Pi4J's {@link Serial} (on a Pi, a provider plugin such as pigpio's serial). Pi4J's
 * serial API has no blocking read with a timeout, so this polls {@link Serial#available()} every
 * {@value #POLL_MS} ms on the {@link BusClock}. Pi4J cannot hold a break: SDI-12 needs an adapter that makes
 * the break itself.
 */
public final class Pi4jSerialLink implements SerialLink {
    static final long POLL_MS = 2;
    private final Serial serial;
    private final Settings settings;
    private final BusClock clock;

    public Pi4jSerialLink(Serial serial, Settings settings, BusClock clock) {
        this.serial = serial;
        this.settings = settings;
        this.clock = clock;
    }

    /** Opens {@code device} (e.g. {@code /dev/ttyUSB0}) with {@code settings}; {@code providerId} may be null. */
    public static Pi4jSerialLink open(Context pi4j, String device, Settings settings, String providerId,
                                      BusClock clock) {
        String id = "serial-" + device.replaceAll("[^A-Za-z0-9]", "-");
        if (pi4j.registry().exists(id)) {
            pi4j.shutdown(id);
        }
        SerialConfigBuilder b = Serial.newConfigBuilder(pi4j)
                .id(id)
                .device(device)
                .baud(settings.baud())
                .dataBits(DataBits.getInstance(settings.dataBits()))
                .parity(settings.parity() == 'N' ? Parity.NONE : settings.parity() == 'E' ? Parity.EVEN : Parity.ODD)
                .stopBits(StopBits.getInstance(settings.stopBits()));
        if (providerId != null) {
            b.provider(providerId);
        }
        return new Pi4jSerialLink(pi4j.create(b.build()), settings, clock);
    }

    @Override
    public String port() {
        return serial.config().device();
    }

    @Override
    public Settings settings() {
        return settings;
    }

    @Override
    public void write(byte[] tx) throws IOException {
        try {
            int n = serial.write(tx, 0, tx.length);
            if (n != tx.length) {
                throw new IOException("wrote " + n + " of " + tx.length + " bytes");
            }
        } catch (RuntimeException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    @Override
    public byte[] read(int max, Duration timeout) throws IOException {
        long deadline = clock.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                int available = serial.available();
                if (available > 0) {
                    byte[] rx = new byte[Math.min(max, available)];
                    int n = serial.read(rx, 0, rx.length);
                    return n == rx.length ? rx : java.util.Arrays.copyOf(rx, Math.max(n, 0));
                }
                if (clock.nanoTime() >= deadline) {
                    return new byte[0];
                }
                clock.sleep(Duration.ofMillis(POLL_MS));
            }
        } catch (RuntimeException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    @Override
    public void discardInput() throws IOException {
        try {
            serial.drain();
        } catch (RuntimeException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            serial.close();
        } catch (RuntimeException ignored) {
            // an adapter that was unplugged cannot be closed cleanly; nothing else to do
        }
    }
}
