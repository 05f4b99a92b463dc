package org.fieldgate.acquire.scd30;

import org.fieldgate.acquire.ChipFake;
import org.fieldgate.acquire.SensirionCrc;
import org.fieldgate.acquire.VirtualClock;

import java.util.Arrays;

/**
 * SCD30 at the byte level, after the Interface Description v1.0: 16-bit commands, argument words with CRC
 * (a wrong CRC is not acknowledged), a read returns the reply to the last command, continuous measurement at
 * the set interval latches a new frame and raises data-ready, which reading the measurement clears. The
 * interval lives in the module's non-volatile memory and survives a power cycle; measuring does not.
 */
public final class Scd30Fake extends ChipFake {
    int firmware = 0x0342;
    private int co2Bits = Float.floatToIntBits(420f);
    private int tBits = Float.floatToIntBits(20f);
    private int rhBits = Float.floatToIntBits(50f);
    private int intervalS = 2;
    int ambientPressureMbar = -1;
    private boolean measuring;
    private long nextSampleAt;
    private boolean dataReady;
    private int[] latched = {0, 0, 0};
    private byte[] reply;

    public Scd30Fake(VirtualClock clock) {
        super(clock);
    }

    /** What the sensor will measure next, as float32 bit patterns (exactly what goes on the wire). */
    void setBits(int co2, int t, int rh) {
        co2Bits = co2;
        tBits = t;
        rhBits = rh;
    }

    public void set(float co2Ppm, float temperatureC, float humidityPct) {
        setBits(Float.floatToIntBits(co2Ppm), Float.floatToIntBits(temperatureC), Float.floatToIntBits(humidityPct));
    }

    boolean measuring() {
        return measuring;
    }

    int intervalS() {
        return intervalS;
    }

    @Override
    protected void powerOn() {
        measuring = false;
        dataReady = false;
        reply = null;
    }

    private void tick() {
        long now = clock.nanoTime();
        if (measuring && now >= nextSampleAt) {
            latched = new int[] {co2Bits, tBits, rhBits};
            dataReady = true;
            while (nextSampleAt <= now) {
                nextSampleAt += intervalS * 1_000_000_000L;
            }
        }
    }

    @Override
    protected void onWrite(byte[] tx) {
        tick();
        if (tx.length < 2 || (tx.length - 2) % 3 != 0) {
            throw nack("SCD30 frame of " + tx.length + " bytes");
        }
        int[] args = new int[(tx.length - 2) / 3];
        for (int i = 0; i < args.length; i++) {
            int o = 2 + 3 * i;
            if ((tx[o + 2] & 0xFF) != SensirionCrc.crc8(tx[o], tx[o + 1])) {
                throw nack("SCD30 argument CRC wrong in " + hex(tx));
            }
            args[i] = u16(tx, o);
        }
        int cmd = u16(tx, 0);
        reply = null;
        switch (cmd) {
            case Scd30.TRIGGER_CONTINUOUS_MEASUREMENT -> {
                expect(args, 1, cmd);
                if (args[0] != 0 && (args[0] < 700 || args[0] > 1400)) {
                    throw nack("pressure " + args[0]);
                }
                ambientPressureMbar = args[0];
                measuring = true;
                dataReady = false;
                nextSampleAt = clock.nanoTime() + intervalS * 1_000_000_000L;
            }
            case Scd30.STOP_CONTINUOUS_MEASUREMENT -> {
                expect(args, 0, cmd);
                measuring = false;
            }
            case Scd30.SET_MEASUREMENT_INTERVAL -> {
                expect(args, 1, cmd);
                if (args[0] < 2 || args[0] > 1800) {
                    throw nack("interval " + args[0]);
                }
                intervalS = args[0];
            }
            case Scd30.GET_DATA_READY_STATUS -> {
                expect(args, 0, cmd);
                reply = SensirionCrc.frame(dataReady ? 1 : 0);
            }
            case Scd30.READ_MEASUREMENT -> {
                expect(args, 0, cmd);
                reply = new byte[18];
                int[] words = {latched[0] >>> 16, latched[0] & 0xFFFF, latched[1] >>> 16, latched[1] & 0xFFFF,
                        latched[2] >>> 16, latched[2] & 0xFFFF};
                for (int i = 0; i < 6; i++) {
                    System.arraycopy(SensirionCrc.frame(words[i]), 0, reply, 3 * i, 3);
                }
                dataReady = false;
            }
            case Scd30.READ_FIRMWARE_VERSION -> {
                expect(args, 0, cmd);
                reply = SensirionCrc.frame(firmware);
            }
            case Scd30.SOFT_RESET -> powerOn();
            default -> throw nack(String.format("unknown SCD30 command 0x%04x", cmd));
        }
    }

    private static void expect(int[] args, int n, int cmd) {
        if (args.length != n) {
            throw nack(String.format("command 0x%04x takes %d argument words, got %d", cmd, n, args.length));
        }
    }

    @Override
    protected byte[] onRead(int n) {
        tick();
        if (reply == null || n > reply.length) {
            throw nack("SCD30 has no " + n + "-byte reply pending");
        }
        byte[] r = Arrays.copyOf(reply, n);
        reply = null;
        return r;
    }
}
