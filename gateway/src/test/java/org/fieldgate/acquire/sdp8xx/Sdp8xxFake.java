package org.fieldgate.acquire.sdp8xx;

import org.fieldgate.acquire.ChipFake;
import org.fieldgate.acquire.SensirionCrc;
import org.fieldgate.acquire.VirtualClock;

import java.util.Arrays;
import java.util.Set;

/**
 * SDP8xx at the byte level: 16-bit commands; after a start-continuous command the first frame is readable
 * 8 ms later (earlier, and when idle, a read is NACKed); in continuous mode every command but stop is NACKed;
 * a read returns dp, temperature and the scale factor, each a signed 16-bit word with its CRC, and may stop
 * after any word.
 */
public final class Sdp8xxFake extends ChipFake {
    private static final Set<Integer> STARTS = Set.of(Sdp8xx.START_CONTINUOUS_MASS_FLOW_AVERAGE,
            Sdp8xx.START_CONTINUOUS_MASS_FLOW, Sdp8xx.START_CONTINUOUS_DIFF_PRESSURE_AVERAGE,
            Sdp8xx.START_CONTINUOUS_DIFF_PRESSURE);

    int scaleFactor = 60;
    private int dpRaw = 0;
    private int tRaw = 4600;
    private boolean continuous;
    private long firstResultAt;
    int startCommand;

    public Sdp8xxFake(VirtualClock clock) {
        super(clock);
    }

    void setRaw(int dp, int t) {
        dpRaw = dp;
        tRaw = t;
    }

    public void set(double dpPa, double temperatureC) {
        setRaw((int) Math.max(-32768, Math.min(32767, Math.round(dpPa * scaleFactor))),
                (int) Math.round(temperatureC * 200));
    }

    boolean continuous() {
        return continuous;
    }

    @Override
    protected void powerOn() {
        continuous = false;
    }

    @Override
    protected void onWrite(byte[] tx) {
        if (tx.length != 2) {
            throw nack("SDP8xx command of " + tx.length + " bytes");
        }
        int cmd = u16(tx, 0);
        if (cmd == Sdp8xx.STOP_CONTINUOUS) {
            continuous = false;
        } else if (continuous) {
            throw nack(String.format("SDP8xx command 0x%04x during continuous measurement", cmd));
        } else if (STARTS.contains(cmd)) {
            continuous = true;
            startCommand = cmd;
            firstResultAt = clock.nanoTime() + 8_000_000L;
        } else {
            throw nack(String.format("unknown SDP8xx command 0x%04x", cmd));
        }
    }

    @Override
    protected byte[] onRead(int n) {
        if (!continuous || clock.nanoTime() < firstResultAt) {
            throw nack("SDP8xx has no measurement yet");
        }
        byte[] frame = new byte[9];
        System.arraycopy(SensirionCrc.frame(dpRaw & 0xFFFF), 0, frame, 0, 3);
        System.arraycopy(SensirionCrc.frame(tRaw & 0xFFFF), 0, frame, 3, 3);
        System.arraycopy(SensirionCrc.frame(scaleFactor & 0xFFFF), 0, frame, 6, 3);
        if (n > 9) {
            throw nack("SDP8xx frame has 9 bytes");
        }
        return Arrays.copyOf(frame, n);
    }
}
