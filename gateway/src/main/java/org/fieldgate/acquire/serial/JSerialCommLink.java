package org.fieldgate.acquire.serial;

import com.fazecast.jSerialComm.SerialPort;
import java.io.IOException;
import java.time.Duration;

/**
 * A {@link SerialLink} on a Linux tty (USB RS-485 or SDI-12 adapter, the Pi's UART) through jSerialComm, which
 * needs no root: the gateway's user only has to be in the {@code dialout} group. Pi4J 2.x has no serial provider
 * without root-only native code, hence this. jSerialComm loads its small native library when the first port is
 * opened, never when this class is loaded, so a gateway without serial buses never touches native code.
 *
 * <p>Reads are semi-blocking: they return as soon as one byte is there or the timeout has passed. The break for
 * SDI-12 is held with the tty's break ioctl.
 */
public final class JSerialCommLink implements SerialLink {
    private final SerialPort port;
    private final String device;
    private final Settings settings;

    private JSerialCommLink(SerialPort port, String device, Settings settings) {
        this.port = port;
        this.device = device;
        this.settings = settings;
    }

    /** Opens {@code device} (e.g. {@code /dev/ttyUSB0}) with {@code settings}; fails with the device named. */
    public static JSerialCommLink open(String device, Settings settings) throws IOException {
        SerialPort p;
        try {
            p = SerialPort.getCommPort(device);
        } catch (RuntimeException e) {
            throw new IOException(device + ": " + e.getMessage(), e);
        }
        int parity = switch (settings.parity()) {
            case 'E' -> SerialPort.EVEN_PARITY;
            case 'O' -> SerialPort.ODD_PARITY;
            default -> SerialPort.NO_PARITY;
        };
        int stop = settings.stopBits() == 2 ? SerialPort.TWO_STOP_BITS : SerialPort.ONE_STOP_BIT;
        if (!p.setComPortParameters(settings.baud(), settings.dataBits(), stop, parity)) {
            throw new IOException(device + ": cannot set " + settings);
        }
        if (!p.openPort()) {
            throw new IOException(device + ": cannot open (error " + p.getLastErrorCode()
                    + "; is the adapter plugged in and the gateway's user in group dialout?)");
        }
        return new JSerialCommLink(p, device, settings);
    }

    @Override
    public String port() {
        return device;
    }

    @Override
    public Settings settings() {
        return settings;
    }

    @Override
    public void write(byte[] tx) throws IOException {
        port.setComPortTimeouts(SerialPort.TIMEOUT_WRITE_BLOCKING, 0, 0);
        int n = port.writeBytes(tx, tx.length);
        if (n != tx.length) {
            throw new IOException(device + ": wrote " + n + " of " + tx.length + " bytes (error "
                    + port.getLastErrorCode() + ")");
        }
    }

    @Override
    public byte[] read(int max, Duration timeout) throws IOException {
        // jSerialComm's timeouts are whole milliseconds; round up so a short wait is never zero (= forever)
        int ms = (int) Math.max(1, Math.min(Integer.MAX_VALUE, (timeout.toNanos() + 999_999) / 1_000_000));
        port.setComPortTimeouts(SerialPort.TIMEOUT_READ_SEMI_BLOCKING, ms, 0);
        byte[] rx = new byte[max];
        int n = port.readBytes(rx, max);
        if (n < 0) {
            throw new IOException(device + ": read failed (error " + port.getLastErrorCode() + ")");
        }
        return n == max ? rx : java.util.Arrays.copyOf(rx, n);
    }

    @Override
    public void discardInput() throws IOException {
        // read and drop rather than flush both directions: a frame still leaving the adapter must go out
        port.setComPortTimeouts(SerialPort.TIMEOUT_NONBLOCKING, 0, 0);
        byte[] sink = new byte[256];
        for (int i = 0; i < 64 && port.bytesAvailable() > 0; i++) {
            if (port.readBytes(sink, sink.length) < 0) {
                throw new IOException(device + ": read failed (error " + port.getLastErrorCode() + ")");
            }
        }
    }

    @Override
    public void sendBreak(Duration d) throws IOException {
        if (!port.setBreak()) {
            throw new IOException(device + ": cannot set break");
        }
        try {
            Thread.sleep(Math.max(1, d.toMillis()), d.toNanosPart() % 1_000_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            port.clearBreak();
        }
    }

    @Override
    public void close() {
        port.closePort();
    }
}
