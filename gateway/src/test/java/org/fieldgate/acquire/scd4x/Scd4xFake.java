package org.fieldgate.acquire.scd4x;

import org.fieldgate.acquire.ChipFake;
import org.fieldgate.acquire.SensirionCrc;
import org.fieldgate.acquire.VirtualClock;

import java.util.Arrays;
import java.util.Set;

/**
 * SCD4x at the byte level, after its datasheet: 16-bit commands with CRC'd argument words; a reply can be read
 * only once the command's execution time has passed (earlier, and during stop's 500 ms, the chip NACKs); in
 * periodic mode it acknowledges only the periodic-mode commands; a new frame every 5 s, and read_measurement
 * with an empty buffer is NACKed. Data-ready answers 0x8006 / 0x8000 so only the low 11 bits tell.
 */
public final class Scd4xFake extends ChipFake {
    private static final Set<Integer> ALLOWED_WHILE_MEASURING = Set.of(Scd4x.READ_MEASUREMENT,
            Scd4x.GET_DATA_READY_STATUS, Scd4x.STOP_PERIODIC_MEASUREMENT, Scd4x.SET_AMBIENT_PRESSURE);
    static final long SERIAL = 0x1234_5678_9ABCL;

    private int co2Word = 420;
    private int tWord = 0x6667;
    private int rhWord = 0x5EB9;
    int ambientPressureHpa = 1013;
    private boolean measuring;
    private long busyUntil;
    private long nextSampleAt;
    private int[] buffer;
    private byte[] reply;

    public Scd4xFake(VirtualClock clock) {
        super(clock);
    }

    public void setWords(int co2, int t, int rh) {
        co2Word = co2;
        tWord = t;
        rhWord = rh;
    }

    boolean measuring() {
        return measuring;
    }

    @Override
    protected void powerOn() {
        measuring = false;
        buffer = null;
        reply = null;
        busyUntil = clock.nanoTime() + 30_000_000L; // power-up time
    }

    private void tick() {
        long now = clock.nanoTime();
        if (measuring && now >= nextSampleAt) {
            buffer = new int[] {co2Word, tWord, rhWord};
            while (nextSampleAt <= now) {
                nextSampleAt += 5_000_000_000L;
            }
        }
    }

    @Override
    protected void onWrite(byte[] tx) {
        tick();
        long now = clock.nanoTime();
        if (now < busyUntil) {
            throw nack("SCD4x busy for another " + (busyUntil - now) / 1000 + " us");
        }
        if (tx.length < 2 || (tx.length - 2) % 3 != 0) {
            throw nack("SCD4x frame of " + tx.length + " bytes");
        }
        int cmd = u16(tx, 0);
        int[] args = new int[(tx.length - 2) / 3];
        for (int i = 0; i < args.length; i++) {
            int o = 2 + 3 * i;
            if ((tx[o + 2] & 0xFF) != SensirionCrc.crc8(tx[o], tx[o + 1])) {
                throw nack("SCD4x argument CRC wrong in " + hex(tx));
            }
            args[i] = u16(tx, o);
        }
        if (measuring && !ALLOWED_WHILE_MEASURING.contains(cmd)) {
            throw nack(String.format("SCD4x command 0x%04x while measuring", cmd));
        }
        reply = null;
        switch (cmd) {
            case Scd4x.START_PERIODIC_MEASUREMENT -> {
                measuring = true;
                buffer = null;
                nextSampleAt = now + 5_000_000_000L;
            }
            case Scd4x.STOP_PERIODIC_MEASUREMENT -> {
                measuring = false;
                busyUntil = now + 500_000_000L;
            }
            case Scd4x.READ_MEASUREMENT -> {
                if (buffer == null) {
                    throw nack("SCD4x has no measurement in its buffer");
                }
                reply = words(buffer);
                buffer = null;
                busyUntil = now + 1_000_000L;
            }
            case Scd4x.GET_DATA_READY_STATUS -> {
                reply = words(new int[] {buffer != null ? 0x8006 : 0x8000});
                busyUntil = now + 1_000_000L;
            }
            case Scd4x.GET_SERIAL_NUMBER -> {
                reply = words(new int[] {(int) (SERIAL >> 32) & 0xFFFF, (int) (SERIAL >> 16) & 0xFFFF,
                        (int) SERIAL & 0xFFFF});
                busyUntil = now + 1_000_000L;
            }
            case Scd4x.SET_AMBIENT_PRESSURE -> {
                if (args.length != 1) {
                    throw nack("set_ambient_pressure needs one word");
                }
                ambientPressureHpa = args[0];
                busyUntil = now + 1_000_000L;
            }
            case Scd4x.REINIT -> busyUntil = now + 30_000_000L;
            default -> throw nack(String.format("unknown SCD4x command 0x%04x", cmd));
        }
    }

    private static byte[] words(int[] w) {
        byte[] r = new byte[3 * w.length];
        for (int i = 0; i < w.length; i++) {
            System.arraycopy(SensirionCrc.frame(w[i]), 0, r, 3 * i, 3);
        }
        return r;
    }

    @Override
    protected byte[] onRead(int n) {
        tick();
        if (clock.nanoTime() < busyUntil) {
            throw nack("SCD4x read before the execution time passed");
        }
        if (reply == null || n > reply.length) {
            throw nack("SCD4x has no " + n + "-byte reply pending");
        }
        byte[] r = Arrays.copyOf(reply, n);
        reply = null;
        return r;
    }
}
