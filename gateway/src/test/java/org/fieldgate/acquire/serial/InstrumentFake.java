package org.fieldgate.acquire.serial;

import org.fieldgate.acquire.VirtualClock;

import java.time.Duration;

/**
 * An instrument on the far side of a {@link FakeSerialLink}, modelled at the byte level: it sees every write
 * exactly as the driver put it on the wire and answers as its manual says, after its latency and the time the
 * answer takes on the wire. Field faults are injected here: it stops answering (power, cable), answers are
 * corrupted on the cable.
 */
public abstract class InstrumentFake {
    protected final VirtualClock clock;
    private FakeSerialLink link;
    private boolean silent;
    private int corruptReplies;
    private int corruptIndex = -1;
    private int corruptMask = 0x01;

    protected InstrumentFake(VirtualClock clock) {
        this.clock = clock;
    }

    /** Handles the bytes of one write; answers with {@link #reply}. */
    protected abstract void onReceive(byte[] tx);

    /** The line was held in break. */
    protected void onBreak(Duration d) {
    }

    void attach(FakeSerialLink link) {
        this.link = link;
    }

    /** Sends {@code bytes} starting {@code after} from now (plus their time on the wire). */
    protected final void reply(Duration after, byte[] bytes) {
        if (silent || bytes.length == 0) {
            return;
        }
        byte[] out = bytes;
        if (corruptReplies > 0) {
            corruptReplies--;
            out = bytes.clone();
            // by default a data byte, not the checksum: the CRC must catch it
            int i = corruptIndex >= 0 ? Math.min(corruptIndex, out.length - 1) : Math.min(3, out.length - 3);
            out[i] ^= (byte) corruptMask;
        }
        link.schedule(after, out);
    }

    /** No answers at all (unpowered, cable cut, wrong address) until {@code false}. */
    public void silence(boolean s) {
        silent = s;
    }

    /** Flip one bit in a data byte of the next {@code n} answers. */
    public void corruptNextReplies(int n) {
        corruptNextReplies(n, -1, 0x01);
    }

    /** XOR {@code mask} into byte {@code index} of the next {@code n} answers (-1: a data byte). */
    public void corruptNextReplies(int n, int index, int mask) {
        corruptReplies = n;
        corruptIndex = index;
        corruptMask = mask;
    }

    /** Sends bytes nobody asked for (line noise, another device), available now. */
    public void noise(byte[] bytes) {
        link.schedule(Duration.ZERO, bytes);
    }
}
