package org.fieldgate.acquire.ads1115;

import org.fieldgate.acquire.ChipFake;
import org.fieldgate.acquire.VirtualClock;

/**
 * ADS1115 at the register level, after SBAS444D: a write transaction is the pointer byte, optionally followed
 * by the register's MSB and LSB; a read returns the pointed register MSB first. Writing config with OS = 1 in
 * single-shot mode starts a conversion of the selected MUX input at the selected PGA; it takes exactly 1/DR,
 * during which OS reads 0 and the conversion register still holds the previous result. Codes saturate at
 * 0x7FFF / 0x8000. Only the single-shot mode is modelled.
 */
public final class Ads1115Fake extends ChipFake {
    static final double[] FSR = {6.144, 4.096, 2.048, 1.024, 0.512, 0.256, 0.256, 0.256};

    final double[] ainVolts = new double[4];
    private int config;
    private int conversion;
    private int pointer;
    private long convertingUntil = -1;
    private int pendingCode;
    int conversions;
    /** A chip whose analogue front end froze keeps converting to the same code. */
    Integer frozenCode;
    /** A latched-up chip acknowledges writes but does nothing with them. */
    boolean ignoreWrites;

    public Ads1115Fake(VirtualClock clock) {
        super(clock);
        powerOn();
    }

    /** The voltage on input {@code ain} (0-3) against GND. */
    public void setVolts(int ain, double volts) {
        ainVolts[ain] = volts;
    }

    @Override
    protected void powerOn() {
        config = 0x8583;
        conversion = 0;
        pointer = 0;
        convertingUntil = -1;
    }

    private void tick() {
        if (convertingUntil >= 0 && clock.nanoTime() >= convertingUntil) {
            convertingUntil = -1;
            conversion = pendingCode & 0xFFFF;
            conversions++;
        }
    }

    private int code(int cfg) {
        int mux = (cfg >> 12) & 7;
        double[] pair = switch (mux) {
            case 0 -> new double[] {ainVolts[0], ainVolts[1]};
            case 1 -> new double[] {ainVolts[0], ainVolts[3]};
            case 2 -> new double[] {ainVolts[1], ainVolts[3]};
            case 3 -> new double[] {ainVolts[2], ainVolts[3]};
            default -> new double[] {ainVolts[mux - 4], 0};
        };
        double lsb = FSR[(cfg >> 9) & 7] / 32768;
        long code = Math.round((pair[0] - pair[1]) / lsb);
        return (int) Math.max(-32768, Math.min(32767, code));
    }

    @Override
    protected void onWrite(byte[] tx) {
        tick();
        if (tx.length != 1 && tx.length != 3) {
            throw nack("ADS1115 write of " + tx.length + " bytes");
        }
        if ((tx[0] & 0xFC) != 0) {
            throw nack(String.format("ADS1115 pointer byte 0x%02x has bits above P[1:0]", tx[0]));
        }
        pointer = tx[0] & 0x03;
        if (tx.length == 3 && pointer == 0x01 && !ignoreWrites) {
            int v = u16(tx, 1);
            boolean idle = convertingUntil < 0;
            config = v & 0x7FFF | (config & 0x8000);
            if ((v & 0x8000) != 0 && (v & 0x0100) != 0 && idle) {
                int sps = Ads1115.DATA_RATES_SPS[(v >> 5) & 7];
                convertingUntil = clock.nanoTime() + Math.round(1e9 / sps);
                pendingCode = frozenCode != null ? frozenCode : code(v);
            }
        }
    }

    @Override
    protected byte[] onRead(int n) {
        tick();
        int value = switch (pointer) {
            case 0 -> conversion;
            case 1 -> (config & 0x7FFF) | (convertingUntil >= 0 ? 0 : 0x8000);
            case 2 -> 0x8000;
            default -> 0x7FFF;
        };
        byte[] r = new byte[n];
        for (int i = 0; i < n; i++) {
            r[i] = (byte) (i % 2 == 0 ? value >> 8 : value);
        }
        return r;
    }
}
