package org.fieldgate.forward;

import java.math.BigInteger;

/**
 * A finite double as the shortest decimal that reads back as the same double, written as a plain decimal (never in
 * exponent notation) straight into a byte array: what {@link Double#toString} would print, digit for digit, rewritten
 * without the exponent, but without Java 17's {@code FloatingDecimal}, which was a tenth of the batch preparer's
 * samples (gateway/bench/README.md, "Cheaper line protocol").
 *
 * <p>The decimal is chosen as JDK 19's {@code Double.toString} chooses it (Raffaello Giulietti, "The Schubfach way to
 * render doubles", 2020; this is an implementation of that paper's algorithm): among the decimals that round to the
 * double, those of the fewest digits (at least two when one would do), and of those the closest to the double, the
 * even one on a tie. Java 17's {@code Double.toString} mostly prints the same digits; where it does not (JDK-4511638:
 * it sometimes prints a digit more than needed, e.g. {@code 2.0E-3} as {@code 0.0020}, or a longer decimal that is not
 * the closest) both read back as the same double, which is all InfluxDB keeps ({@code ShortestDecimalTest}).
 *
 * <p>One per thread (it keeps the last result in two fields).
 */
final class ShortestDecimal {
    /** Exponent of the smallest subnormal's unit: {@code Double.MIN_VALUE} = 2^-1074. */
    private static final int Q_MIN = -1074;
    /** The hidden bit of a normal double's significand. */
    private static final long C_MIN = 1L << 52;
    private static final long FRACTION_MASK = C_MIN - 1;
    private static final long MASK_63 = Long.MAX_VALUE;
    private static final int K_MIN = -324;
    private static final int K_MAX = 292;
    /** For k in K_MIN..K_MAX, 10^-k as g = floor(beta) + 1 with 10^-k = beta 2^r, 2^125 <= beta < 2^126; g1, g0. */
    private static final long[] G = tenToMinusK();

    /** Digits Java 17 rounds off an integer of 2^(52 + i) to 2^(53 + i) (FloatingDecimal.insignificantDigitsForPow2). */
    private static final int[] JAVA17_DROPPED_DIGITS = {0, 0, 0, 0, 0, 0, 1, 1, 1, 2, 2};

    /** Longest plain decimal of a double: the sign, "0." and 323 zeros before the digits of 4.9E-324. */
    static final int MAX_PLAIN_BYTES = 330;

    /** The last decimal: significand (no trailing zero) times 10^exponent. */
    private long significand;
    private int exponent;

    /**
     * Writes {@code v} at {@code at} in {@code out} (room for {@link #MAX_PLAIN_BYTES} bytes) as {@code -ddd.ddd},
     * {@code ddd00.0} or {@code 0.000ddd}, at least one digit after the point; returns the index after the last byte.
     */
    int writePlain(double v, byte[] out, int at) {
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException("value " + v + ": not a finite number, line protocol has no such value");
        }
        long bits = Double.doubleToRawLongBits(v);
        if (bits < 0) {
            out[at++] = '-';
        }
        if ((bits & MASK_63) == 0) {
            out[at] = '0';
            out[at + 1] = '.';
            out[at + 2] = '0';
            return at + 3;
        }
        decimalOf(bits);
        long f = significand;
        int n = digitCount(f);
        int point = n + exponent; // digits before the decimal point
        if (point <= 0) {
            out[at++] = '0';
            out[at++] = '.';
            for (int i = point; i < 0; i++) {
                out[at++] = '0';
            }
            writeDigits(f, out, at, n);
            return at + n;
        }
        if (point >= n) {
            writeDigits(f, out, at, n);
            at += n;
            for (int i = n; i < point; i++) {
                out[at++] = '0';
            }
            out[at] = '.';
            out[at + 1] = '0';
            return at + 2;
        }
        // digits on both sides: write them all one place to the right, then move the integer part back over the point
        writeDigits(f, out, at + 1, n);
        System.arraycopy(out, at + 1, out, at, point);
        out[at + point] = '.';
        return at + n + 1;
    }

    /** Sets significand and exponent for a finite, non-zero double's bits (its sign ignored). */
    private void decimalOf(long bits) {
        long fraction = bits & FRACTION_MASK;
        int biasedExponent = (int) (bits >>> 52) & 0x7FF;
        if (biasedExponent != 0) {
            int minusQ = 1075 - biasedExponent;
            long c = C_MIN | fraction;
            if (0 < minusQ && minusQ < 53) {
                long integer = c >> minusQ;
                if (integer << minusQ == c) { // an integer below 2^52: its own digits
                    setStripped(integer, 0);
                    return;
                }
            } else if (minusQ <= 0 && minusQ >= -10) {
                // an integer from 2^52 to below 2^63: Java 17 prints its exact value, the lowest digits rounded off
                // (FloatingDecimal's developLongDigits), not the shortest decimal; kept so the bytes stay the same
                long integer = c << -minusQ;
                int dropped = JAVA17_DROPPED_DIGITS[-minusQ];
                if (dropped > 0) {
                    long unit = dropped == 1 ? 10 : 100;
                    long rest = integer % unit;
                    integer = integer / unit + (rest >= unit / 2 ? 1 : 0);
                }
                setStripped(integer, dropped);
                return;
            }
            schubfach(-minusQ, c, 0);
        } else if (fraction < 3) {
            // the three smallest subnormals: one digit fewer than their decimal's neighbours would tell apart
            schubfach(Q_MIN, 10 * fraction, -1);
        } else {
            schubfach(Q_MIN, fraction, 0);
        }
    }

    /** The decimal of c 2^q, the paper's figure 4 with its section 9 computations; dk scales a tiny c back. */
    private void schubfach(int q, long c, int dk) {
        int out = (int) c & 1; // an odd significand's interval excludes its bounds (round half to even)
        long cb = c << 2;
        long cbr = cb + 2;
        long cbl;
        int k;
        if (c != C_MIN || q == Q_MIN) {
            cbl = cb - 2;
            k = floorLog10Pow2(q);
        } else {
            // at a power of two the next double down is half as far as the next one up
            cbl = cb - 1;
            k = floorLog10ThreeQuartersPow2(q);
        }
        int h = q + floorLog2Pow10(-k) + 2;
        int at = (k - K_MIN) << 1;
        long g1 = G[at];
        long g0 = G[at + 1];
        long vb = roundedProduct(g1, g0, cb << h);
        long vbl = roundedProduct(g1, g0, cbl << h);
        long vbr = roundedProduct(g1, g0, cbr << h);
        long s = vb >> 2;
        if (s >= 100) {
            // one digit fewer: floor(s / 10) = floor(s 115_292_150_460_684_698 / 2^60)
            long sp10 = 10 * Math.multiplyHigh(s, 115_292_150_460_684_698L << 4);
            if (tookTheOneInside(sp10, sp10 + 10, vbl + out, vbr - out, k + dk)) {
                return;
            }
        }
        long t = s + 1;
        if (tookTheOneInside(s, t, vbl + out, vbr - out, k + dk)) {
            return;
        }
        long cmp = vb - (s + t << 1); // both round to v: the closer, the even one on a tie
        setStripped(cmp < 0 || cmp == 0 && (s & 1) == 0 ? s : t, k + dk);
    }

    /**
     * Of the decimals u 10^e and w 10^e either side of v, takes the one that rounds to v when only one does; false
     * when both or neither do. The bounds are v's rounding interval times 4 (closed, or open for an odd significand).
     */
    private boolean tookTheOneInside(long u, long w, long lowest, long highest, int e) {
        boolean uin = lowest <= u << 2;
        boolean win = w << 2 <= highest;
        if (uin == win) {
            return false;
        }
        setStripped(uin ? u : w, e);
        return true;
    }

    /** The paper's r_o(g cp 2^-127), g = g1 2^63 + g0: rounded to odd. */
    private static long roundedProduct(long g1, long g0, long cp) {
        long x1 = Math.multiplyHigh(g0, cp);
        long y0 = g1 * cp;
        long y1 = Math.multiplyHigh(g1, cp);
        long z = (y0 >>> 1) + x1;
        long vbp = y1 + (z >>> 63);
        return vbp | (z & MASK_63) + MASK_63 >>> 63;
    }

    private void setStripped(long f, int e) {
        while (f % 10 == 0) {
            f /= 10;
            e++;
        }
        significand = f;
        exponent = e;
    }

    /** floor(log10(2^e)) for |e| up to 5,456,721. */
    static int floorLog10Pow2(int e) {
        return (int) (e * 661_971_961_083L >> 41);
    }

    /** floor(log10(3/4 2^e)). */
    static int floorLog10ThreeQuartersPow2(int e) {
        return (int) (e * 661_971_961_083L - 274_743_187_321L >> 41);
    }

    /** floor(log2(10^e)). */
    static int floorLog2Pow10(int e) {
        return (int) (e * 913_124_641_741L >> 38);
    }

    private static long[] tenToMinusK() {
        long[] g = new long[(K_MAX - K_MIN + 1) * 2];
        BigInteger mask63 = BigInteger.ONE.shiftLeft(63).subtract(BigInteger.ONE);
        for (int k = K_MIN; k <= K_MAX; k++) {
            int r = floorLog2Pow10(-k) - 125; // 10^-k = beta 2^r
            BigInteger floorBeta;
            if (k <= 0) {
                BigInteger tenToMinusK = BigInteger.TEN.pow(-k);
                floorBeta = r >= 0 ? tenToMinusK.shiftRight(r) : tenToMinusK.shiftLeft(-r);
            } else {
                floorBeta = BigInteger.ONE.shiftLeft(-r).divide(BigInteger.TEN.pow(k));
            }
            BigInteger beta = floorBeta.add(BigInteger.ONE);
            g[(k - K_MIN) << 1] = beta.shiftRight(63).longValueExact();
            g[((k - K_MIN) << 1) + 1] = beta.and(mask63).longValueExact();
        }
        return g;
    }

    /** 10^0 to 10^18. */
    private static final long[] POWERS_OF_TEN = powersOfTen();

    /** "00" to "99": two digits per division. */
    private static final byte[] DIGIT_PAIRS = digitPairs();

    /** Number of decimal digits of f >= 0 (1 for 0). */
    static int digitCount(long f) {
        int n = floorLog10Pow2(64 - Long.numberOfLeadingZeros(f)); // 10^n <= f < 10^(n+1) or one less
        return f >= POWERS_OF_TEN[n] ? n + 1 : Math.max(n, 1);
    }

    /** The n digits of f >= 0 into out[at .. at + n), two at a time from the right. */
    static void writeDigits(long f, byte[] out, int at, int n) {
        int i = at + n;
        while (f > Integer.MAX_VALUE) {
            long q = f / 100;
            int pair = (int) (f - q * 100) << 1;
            out[--i] = DIGIT_PAIRS[pair + 1];
            out[--i] = DIGIT_PAIRS[pair];
            f = q;
        }
        int rest = (int) f;
        while (rest >= 100) {
            int q = rest / 100;
            int pair = (rest - q * 100) << 1;
            out[--i] = DIGIT_PAIRS[pair + 1];
            out[--i] = DIGIT_PAIRS[pair];
            rest = q;
        }
        if (rest >= 10) {
            out[--i] = DIGIT_PAIRS[(rest << 1) + 1];
            out[--i] = DIGIT_PAIRS[rest << 1];
        } else {
            out[--i] = (byte) ('0' + rest);
        }
    }

    private static long[] powersOfTen() {
        long[] p = new long[19];
        p[0] = 1;
        for (int i = 1; i < p.length; i++) {
            p[i] = p[i - 1] * 10;
        }
        return p;
    }

    private static byte[] digitPairs() {
        byte[] pairs = new byte[200];
        for (int i = 0; i < 100; i++) {
            pairs[i << 1] = (byte) ('0' + i / 10);
            pairs[(i << 1) + 1] = (byte) ('0' + i % 10);
        }
        return pairs;
    }
}
