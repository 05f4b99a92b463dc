package org.fieldgate.acquire.bme280;

/**
 * The BME280's factory trimming parameters (datasheet section 4.2.2, table 16) and its integer compensation
 * formulas (section 4.2.3), transcribed from the datasheet's C code: 32-bit for temperature and humidity,
 * 64-bit for pressure. Java's {@code >>} on int and long is the arithmetic shift the C code relies on.
 */
record Trimming(int digT1, int digT2, int digT3,
                int digP1, int digP2, int digP3, int digP4, int digP5, int digP6, int digP7, int digP8, int digP9,
                int digH1, int digH2, int digH3, int digH4, int digH5, int digH6) {

    /** @param a 26 bytes from 0x88, @param b 7 bytes from 0xE1 */
    static Trimming parse(byte[] a, byte[] b) {
        return new Trimming(u16(a, 0), s16(a, 2), s16(a, 4),
                u16(a, 6), s16(a, 8), s16(a, 10), s16(a, 12), s16(a, 14), s16(a, 16), s16(a, 18), s16(a, 20),
                s16(a, 22),
                a[25] & 0xFF,                                   // 0xA1
                s16(b, 0),                                      // 0xE1/0xE2
                b[2] & 0xFF,                                    // 0xE3
                b[3] << 4 | (b[4] & 0x0F),                      // 0xE4 [11:4], 0xE5 [3:0], signed
                b[5] << 4 | (b[4] & 0xFF) >> 4,                 // 0xE6 [11:4], 0xE5 [7:4], signed
                b[6]);                                          // 0xE7, signed char
    }

    private static int u16(byte[] d, int i) {
        return (d[i] & 0xFF) | (d[i + 1] & 0xFF) << 8;
    }

    private static int s16(byte[] d, int i) {
        return (short) u16(d, i);
    }

    /** t_fine, the fine temperature every other formula takes. */
    int tFine(int adcT) {
        int var1 = (((adcT >> 3) - (digT1 << 1)) * digT2) >> 11;
        int var2 = (((((adcT >> 4) - digT1) * ((adcT >> 4) - digT1)) >> 12) * digT3) >> 14;
        return var1 + var2;
    }

    /** Temperature in 0.01 °C. */
    static int compensateT(int tFine) {
        return (tFine * 5 + 128) >> 8;
    }

    /** Pressure in Pa as Q24.8 (value / 256 = Pa); 0 when the formula would divide by zero. */
    long compensateP(int adcP, int tFine) {
        long var1 = (long) tFine - 128000;
        long var2 = var1 * var1 * digP6;
        var2 = var2 + ((var1 * digP5) << 17);
        var2 = var2 + ((long) digP4 << 35);
        var1 = ((var1 * var1 * digP3) >> 8) + ((var1 * digP2) << 12);
        var1 = ((1L << 47) + var1) * digP1 >> 33;
        if (var1 == 0) {
            return 0;
        }
        long p = 1048576 - adcP;
        p = (((p << 31) - var2) * 3125) / var1;
        var1 = ((long) digP9 * (p >> 13) * (p >> 13)) >> 25;
        var2 = ((long) digP8 * p) >> 19;
        return ((p + var1 + var2) >> 8) + ((long) digP7 << 4);
    }

    /** Relative humidity as Q22.10 (value / 1024 = %RH), clamped to 0-100 % by the formula. */
    long compensateH(int adcH, int tFine) {
        int v = tFine - 76800;
        v = (((((adcH << 14) - (digH4 << 20) - (digH5 * v)) + 16384) >> 15)
                * (((((((v * digH6) >> 10) * (((v * digH3) >> 11) + 32768)) >> 10) + 2097152) * digH2 + 8192) >> 14));
        v = v - (((((v >> 15) * (v >> 15)) >> 7) * digH1) >> 4);
        v = Math.max(v, 0);
        v = Math.min(v, 419430400);
        return (v >>> 12) & 0xFFFFFFFFL;
    }
}
