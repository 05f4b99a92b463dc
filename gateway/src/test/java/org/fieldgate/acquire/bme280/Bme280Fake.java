package org.fieldgate.acquire.bme280;

import org.fieldgate.acquire.ChipFake;
import org.fieldgate.acquire.VirtualClock;

/**
 * BME280 at the register level, after datasheet BST-BME280-DS002: a 256-byte map with the section 5.3 reset
 * values; I2C writes are register/value pairs (section 6.2.1; a lone byte only sets the pointer), reads
 * auto-increment from the pointer; writing 0xB6 to 0xE0 resets and copies the NVM (im_update for 2 ms);
 * ctrl_hum is latched only by the next ctrl_meas write (section 5.4.3); a forced-mode write starts one
 * measurement that keeps status.measuring set for the section 9.1 typical time and then updates the data
 * registers and drops back to sleep; a skipped quantity reads 0x80000 (0x8000 for humidity).
 *
 * <p>Raw values come either verbatim ({@link #setRaw}) or from a physical state ({@link #setEnvironment})
 * inverted through the floating-point formulas of section 8.1, not the integer ones the driver uses, so the
 * two transcriptions check each other.
 */
public final class Bme280Fake extends ChipFake {
    // trimming of the BMP280 datasheet's worked example (same T/P layout) plus typical BME280 humidity trimming
    static final int T1 = 27504, T2 = 26435, T3 = -1000;
    static final int[] P = {36477, -10685, 3024, 2855, 140, -7, 15500, -14600, 6000};
    static final int H1 = 75, H2 = 362, H3 = 0, H4 = 313, H5 = 50, H6 = 30;

    private final int[] reg = new int[256];
    private int pointer;
    int chipId = 0x60;
    private long nvmUntil;
    private long measuringUntil = -1;
    private int latchedOsrsH;
    private int adcT = 519888, adcP = 415148, adcH = 30000;
    private double[] environment;
    int measurements;

    public Bme280Fake(VirtualClock clock) {
        super(clock);
        powerOn();
    }

    void setRaw(int t, int p, int h) {
        environment = null;
        adcT = t;
        adcP = p;
        adcH = h;
    }

    public void setEnvironment(double temperatureC, double pressurePa, double humidityPct) {
        environment = new double[] {temperatureC, pressurePa, humidityPct};
    }

    int latchedOsrsH() {
        return latchedOsrsH;
    }

    int register(int r) {
        tick();
        return reg[r];
    }

    @Override
    protected void powerOn() {
        java.util.Arrays.fill(reg, 0);
        reg[0xD0] = chipId;
        int[] cal = {T1, T2, T3, P[0], P[1], P[2], P[3], P[4], P[5], P[6], P[7], P[8]};
        for (int i = 0; i < cal.length; i++) {
            reg[0x88 + 2 * i] = cal[i] & 0xFF;
            reg[0x89 + 2 * i] = (cal[i] >> 8) & 0xFF;
        }
        reg[0xA1] = H1;
        reg[0xE1] = H2 & 0xFF;
        reg[0xE2] = (H2 >> 8) & 0xFF;
        reg[0xE3] = H3;
        reg[0xE4] = (H4 >> 4) & 0xFF;
        reg[0xE5] = (H4 & 0x0F) | (H5 & 0x0F) << 4;
        reg[0xE6] = (H5 >> 4) & 0xFF;
        reg[0xE7] = H6 & 0xFF;
        // section 5.3 reset values of the data registers
        reg[0xF7] = 0x80;
        reg[0xFA] = 0x80;
        reg[0xFD] = 0x80;
        latchedOsrsH = 0;
        measuringUntil = -1;
        nvmUntil = clock.nanoTime() + 2_000_000L;
    }

    private void tick() {
        long now = clock.nanoTime();
        reg[0xF3] = (now < measuringUntil ? Bme280.STATUS_MEASURING : 0) | (now < nvmUntil ? 1 : 0);
        if (measuringUntil >= 0 && now >= measuringUntil) {
            measuringUntil = -1;
            finishMeasurement();
        }
    }

    private void finishMeasurement() {
        measurements++;
        int osrsT = reg[0xF4] >> 5;
        int osrsP = (reg[0xF4] >> 2) & 7;
        if (environment != null) {
            adcT = mask(invertT(environment[0]), osrsT);
            adcP = mask(invertP(environment[1], tFineFloat(adcT)), osrsP);
            adcH = invertH(environment[2], tFineFloat(adcT));
        }
        int t = osrsT == 0 ? 0x80000 : adcT;
        int p = osrsP == 0 ? 0x80000 : adcP;
        int h = latchedOsrsH == 0 ? 0x8000 : adcH;
        reg[0xF7] = p >> 12 & 0xFF;
        reg[0xF8] = p >> 4 & 0xFF;
        reg[0xF9] = (p & 0xF) << 4;
        reg[0xFA] = t >> 12 & 0xFF;
        reg[0xFB] = t >> 4 & 0xFF;
        reg[0xFC] = (t & 0xF) << 4;
        reg[0xFD] = h >> 8 & 0xFF;
        reg[0xFE] = h & 0xFF;
        reg[0xF4] &= ~0b11; // forced mode returns to sleep
    }

    /** Resolution is 16 + (osrs - 1) bits with the filter off (section 3.4.1-3.4.3). */
    private static int mask(int adc, int osrs) {
        int bits = 15 + Math.max(osrs, 1);
        return adc & ~((1 << (20 - bits)) - 1);
    }

    @Override
    protected void onWrite(byte[] tx) {
        tick();
        int i = 0;
        for (; i + 1 < tx.length; i += 2) {
            writeRegister(tx[i] & 0xFF, tx[i + 1] & 0xFF);
        }
        if (i < tx.length) {
            pointer = tx[i] & 0xFF;
        }
    }

    private void writeRegister(int r, int v) {
        pointer = r;
        switch (r) {
            case 0xE0 -> {
                if (v == Bme280.RESET_WORD) {
                    powerOn();
                }
            }
            case 0xF2 -> reg[r] = v & 0x07;
            case 0xF5 -> {
                if ((reg[0xF4] & 3) == 0) {
                    reg[r] = v & 0xFD; // bit 1 is reserved; config is ignored outside sleep mode
                }
            }
            case 0xF4 -> {
                reg[r] = v;
                latchedOsrsH = reg[0xF2] & 0x07;
                int mode = v & 3;
                if (mode == 3) {
                    throw new IllegalStateException("the fake models forced mode only");
                }
                if (mode != 0) {
                    int t = factor(v >> 5), p = factor((v >> 2) & 7), h = factor(latchedOsrsH);
                    double typMs = 1 + 2 * t + (p == 0 ? 0 : 2 * p + 0.5) + (h == 0 ? 0 : 2 * h + 0.5);
                    measuringUntil = clock.nanoTime() + Math.round(typMs * 1e6);
                }
            }
            default -> {
                // read-only: the chip ignores it
            }
        }
    }

    private static int factor(int osrs) {
        return osrs == 0 ? 0 : 1 << Math.min(osrs - 1, 4);
    }

    @Override
    protected byte[] onRead(int n) {
        tick();
        byte[] r = new byte[n];
        for (int i = 0; i < n; i++) {
            r[i] = (byte) reg[(pointer + i) & 0xFF];
        }
        pointer = (pointer + n) & 0xFF;
        return r;
    }

    // section 8.1: floating-point compensation, used only to turn a physical state into raw values

    static double temperatureFloat(int adc) {
        double v1 = (adc / 16384.0 - T1 / 1024.0) * T2;
        double v2 = (adc / 131072.0 - T1 / 8192.0) * (adc / 131072.0 - T1 / 8192.0) * T3;
        return (v1 + v2) / 5120.0;
    }

    static double tFineFloat(int adc) {
        return temperatureFloat(adc) * 5120.0;
    }

    static double pressureFloat(int adc, double tFine) {
        double v1 = tFine / 2.0 - 64000.0;
        double v2 = v1 * v1 * P[5] / 32768.0;
        v2 = v2 + v1 * P[4] * 2.0;
        v2 = v2 / 4.0 + P[3] * 65536.0;
        v1 = (P[2] * v1 * v1 / 524288.0 + P[1] * v1) / 524288.0;
        v1 = (1.0 + v1 / 32768.0) * P[0];
        double p = 1048576.0 - adc;
        p = (p - v2 / 4096.0) * 6250.0 / v1;
        v1 = P[8] * p * p / 2147483648.0;
        v2 = p * P[7] / 32768.0;
        return p + (v1 + v2 + P[6]) / 16.0;
    }

    static double humidityFloat(int adc, double tFine) {
        double h = tFine - 76800.0;
        h = (adc - (H4 * 64.0 + H5 / 16384.0 * h))
                * (H2 / 65536.0 * (1.0 + H6 / 67108864.0 * h * (1.0 + H3 / 67108864.0 * h)));
        h = h * (1.0 - H1 * h / 524288.0);
        return Math.max(0, Math.min(100, h));
    }

    private static int invertT(double c) {
        int lo = 0, hi = (1 << 20) - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (temperatureFloat(mid) < c) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private static int invertP(double pa, double tFine) {
        int lo = 0, hi = (1 << 20) - 1; // pressure falls as adc_P rises
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (pressureFloat(mid, tFine) > pa) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private static int invertH(double pct, double tFine) {
        int lo = 0, hi = 0xFFFF;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (humidityFloat(mid, tFine) < pct) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
