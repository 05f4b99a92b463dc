package org.fieldgate.acquire;

import com.pi4j.exception.Pi4JException;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A chip on the fake bus, modelled at the byte level: it sees each write and read transaction exactly as the
 * driver put it on the wire and answers as its datasheet says, so a wrong command word, a missing CRC, a
 * register written the wrong way or a read taken too early fails the test. Faults a field site sees are
 * injected here: the chip stops answering (NACK), holds the bus (timeout), a frame gets corrupted on the cable.
 */
public abstract class ChipFake {
    protected final VirtualClock clock;
    private final List<String> transactions = new ArrayList<>();
    private boolean present = true;
    private boolean stalled;
    private int corruptReads;

    protected ChipFake(VirtualClock clock) {
        this.clock = clock;
    }

    /** Handles one write transaction; throw {@link #nack(String)} where the chip would not acknowledge. */
    protected abstract void onWrite(byte[] tx);

    /** Handles one read transaction of {@code n} bytes. */
    protected abstract byte[] onRead(int n);

    /** Back to the power-on state (registers at reset values, not measuring). */
    protected abstract void powerOn();

    /** The chip no longer acknowledges its address (unplugged, unpowered). */
    public void disconnect() {
        present = false;
    }

    /** The chip answers again, after a power cycle: in its power-on state, so the driver must re-initialise it. */
    public void reconnectAfterPowerCycle() {
        powerOn();
        present = true;
        stalled = false;
    }

    /** The chip holds SCL low (or the controller gives up): every transfer times out. */
    public void stallBus(boolean stall) {
        stalled = stall;
    }

    /** Flip one bit in the data of the next {@code n} read transactions, as a noisy cable would. */
    public void corruptNextReads(int n) {
        corruptReads = n;
    }

    /** Every transaction so far, e.g. {@code W 0010 0000 81} or {@code R 43db8c...}, for byte-exact assertions. */
    public List<String> transactions() {
        return transactions;
    }

    final void write(byte[] tx) {
        checkBus("write " + hex(tx));
        transactions.add("W " + hex(tx));
        onWrite(tx);
    }

    final byte[] read(int n) {
        checkBus("read " + n);
        byte[] rx = onRead(n);
        if (corruptReads > 0 && rx.length > 1) {
            corruptReads--;
            rx = rx.clone();
            rx[1] ^= 0x01; // a data byte, not the CRC: the checksum must catch it
        }
        transactions.add("R " + hex(rx));
        return rx;
    }

    private void checkBus(String what) {
        if (stalled) {
            throw new Pi4JException("I2C " + what + ": Connection timed out (ETIMEDOUT)");
        }
        if (!present) {
            throw nack(what + ": address not acknowledged");
        }
    }

    /** What Pi4J's linuxfs provider throws when the kernel reports a NACK (EREMOTEIO). */
    protected static RuntimeException nack(String why) {
        return new Pi4JException("I2C NACK: " + why + " (Remote I/O error)");
    }

    protected static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    protected static int u16(byte[] b, int i) {
        return (b[i] & 0xFF) << 8 | (b[i + 1] & 0xFF);
    }
}
