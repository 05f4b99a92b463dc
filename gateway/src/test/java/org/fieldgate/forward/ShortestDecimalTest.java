package org.fieldgate.forward;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The value formatter against what the encoder wrote before it (Java 17's {@link Double#toString} rewritten as a
 * plain decimal, {@link #java17Plain}), on millions of generated doubles and the edges, and against the definition:
 * the digits read back as the same double and no decimal of fewer digits does.
 */
class ShortestDecimalTest {
    private final ShortestDecimal formatter = new ShortestDecimal();
    private final byte[] buffer = new byte[ShortestDecimal.MAX_PLAIN_BYTES + 8];

    private String plain(double v) {
        buffer[0] = 'x';
        int end = formatter.writePlain(v, buffer, 1);
        assertEquals('x', buffer[0]);
        return new String(buffer, 1, end - 1, StandardCharsets.US_ASCII);
    }

    /** The encoder's value before: Double.toString's digits, never in exponent notation. */
    static String java17Plain(double v) {
        String s = Double.toString(v);
        int e = s.indexOf('E');
        if (e < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder();
        boolean negative = s.charAt(0) == '-';
        if (negative) {
            sb.append('-');
        }
        int from = negative ? 1 : 0;
        int digitsEnd = e;
        while (digitsEnd > from + 2 && s.charAt(digitsEnd - 1) == '0') {
            digitsEnd--;
        }
        String digits = s.charAt(from) + (digitsEnd > from + 2 ? s.substring(from + 2, digitsEnd) : "");
        int point = 1 + Integer.parseInt(s, e + 1, s.length(), 10);
        if (point <= 0) {
            sb.append("0.").append("0".repeat(-point)).append(digits);
        } else if (point >= digits.length()) {
            sb.append(digits).append("0".repeat(point - digits.length())).append(".0");
        } else {
            sb.append(digits, 0, point).append('.').append(digits, point, digits.length());
        }
        return sb.toString();
    }

    /**
     * The same bytes as before, except where Java 17's digits are not the shortest or not the closest (JDK-4511638):
     * then no more digits, which read back as the same double. Seen only beyond 2^63 (e.g. 1e23, which Java 17 writes
     * 9.999999999999999E22, and 14218180606000000000, written 14218180606000001000; 16 per million random bit
     * patterns, from 2^63 to 2^85) and among subnormals (8 of the first 16 million), where JDK 19's rule also gives two
     * digits where one would do when two are closer (2 * Double.MIN_VALUE: 9.9E-324, not 1.0E-323).
     */
    static boolean assertSameAsJava17(double v, String actual) {
        String before = java17Plain(v);
        if (before.equals(actual)) {
            return true;
        }
        assertEquals(v, Double.parseDouble(actual), () -> actual + " reads back as another double than " + v);
        int digits = new BigDecimal(actual).stripTrailingZeros().precision();
        int digitsBefore = new BigDecimal(before).stripTrailingZeros().precision();
        assertTrue(digits <= digitsBefore || digits == 2 && digitsBefore == 1 && Math.abs(v) < Double.MIN_NORMAL,
                () -> v + ": " + actual + " has more digits than Java 17's " + before);
        return false;
    }

    private int differences;
    /** Differences for normal values below 2^63: none (20 million random bit patterns checked so). */
    private int differencesBelow2To63;

    private void check(double v) {
        String s = plain(v);
        if (!assertSameAsJava17(v, s)) {
            differences++;
            if (Math.abs(v) >= Double.MIN_NORMAL && Math.abs(v) < 0x1p63) {
                differencesBelow2To63++;
            }
        }
        assertEquals(Double.doubleToLongBits(v), Double.doubleToLongBits(Double.parseDouble(s)), () -> s + " for " + v);
    }

    @Test
    void randomBitPatternsOfEveryMagnitude() {
        SplittableRandom random = new SplittableRandom(1912);
        for (int i = 0; i < 1_000_000; i++) {
            double v = Double.longBitsToDouble(random.nextLong());
            if (Double.isFinite(v)) {
                check(v);
            }
        }
        assertTrue(differences < 100, differences + " values written otherwise than by Java 17 (about 16 expected)");
        assertEquals(0, differencesBelow2To63, "normal values below 2^63 written otherwise than by Java 17");
    }

    @Test
    void instrumentValuesFullPrecisionAndShortDecimals() {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 400_000; i++) {
            check(400 + random.nextDouble() * 9600); // the benchmark's co2 readings
            check(-20 + random.nextDouble() * 60);
            check(random.nextDouble() * 1e-3);
            long digits = random.nextLong(1_000_000_000_000L) >> random.nextInt(40);
            double scale = Math.pow(10, random.nextInt(-12, 12));
            check(digits * scale); // a short decimal of any magnitude
            check(-digits / Math.pow(10, random.nextInt(0, 10)));
            check(Math.round(random.nextDouble(-1e4, 1e4) * 1000) / 1000.0);
        }
        assertEquals(0, differencesBelow2To63, "instrument values below 2^63 written otherwise than by Java 17");
    }

    @Test
    void integersZerosAndTheEdges() {
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < 500_000; i++) {
            check((double) (random.nextLong() >> random.nextInt(64))); // integer-valued, 2^52 to 2^63 among them
        }
        assertEquals(0, differencesBelow2To63, "integers below 2^63 written otherwise than by Java 17");
        assertEquals("0.0", plain(0.0));
        assertEquals("-0.0", plain(-0.0));
        double[] edges = {Double.MIN_VALUE, 2 * Double.MIN_VALUE, 3 * Double.MIN_VALUE, Double.MIN_NORMAL,
                Math.nextDown(Double.MIN_NORMAL), Double.MAX_VALUE, 1e22, 1e23, 2e23, 9007199254740993.0, 0x1p53,
                0x1p63, Math.nextDown(0x1p63), 2.0e-3, 1e-3, 0.00099, 9999999.999, 1e7, 5e-324, 1.0, 0.1, 0.3};
        for (double e : edges) {
            check(e);
            check(-e);
        }
        for (int p = -325; p <= 309; p++) {
            double ten = Double.parseDouble("1e" + p);
            for (double near : new double[]{Math.nextDown(ten), ten, Math.nextUp(ten)}) {
                if (Double.isFinite(near)) {
                    check(near);
                }
            }
        }
        for (int p = -1074; p <= 1023; p++) {
            double two = Math.scalb(1.0, p);
            for (double near : new double[]{Math.nextDown(two), two, Math.nextUp(two)}) {
                if (Double.isFinite(near)) {
                    check(near);
                }
            }
        }
        for (long bits = 1; bits < 100_000; bits++) {
            check(Double.longBitsToDouble(bits)); // the smallest subnormals
        }
    }

    /**
     * No decimal of fewer digits reads back as the same double (two digits may stand where one would do), except for
     * the integers from 2^52 to 2^63, written as Java 17 writes them: from their exact value.
     */
    @Test
    void theDigitsAreTheShortestThatReadBack() {
        SplittableRandom random = new SplittableRandom(11);
        for (int i = 0; i < 100_000; i++) {
            double v = i % 2 == 0 ? Double.longBitsToDouble(random.nextLong()) : random.nextDouble(-1e4, 1e4);
            if (!Double.isFinite(v) || v == 0 || Math.abs(v) >= 0x1p52 && Math.abs(v) < 0x1p63 && v == Math.rint(v)) {
                continue;
            }
            String s = plain(v);
            BigDecimal decimal = new BigDecimal(s);
            int digits = decimal.stripTrailingZeros().precision();
            if (digits <= 2) {
                continue;
            }
            for (RoundingMode mode : new RoundingMode[]{RoundingMode.DOWN, RoundingMode.UP}) {
                BigDecimal shorter = new BigDecimal(v).round(new MathContext(digits - 1, mode));
                assertTrue(shorter.doubleValue() != v, () -> shorter + " has fewer digits than " + s + " for " + v);
            }
        }
    }

    @Test
    void notANumberIsRefusedNamingTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> plain(Double.NaN));
        assertTrue(e.getMessage().contains("NaN"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> plain(Double.NEGATIVE_INFINITY));
    }

    @Test
    void integerDigitsAsLongToString() {
        SplittableRandom random = new SplittableRandom(5);
        byte[] out = new byte[24];
        for (int i = 0; i < 1_000_000; i++) {
            long v = i < 19 ? ShortestDecimalTest.tenTo(i) - (i % 2) : random.nextLong(Long.MAX_VALUE) >> random.nextInt(63);
            int n = ShortestDecimal.digitCount(v);
            ShortestDecimal.writeDigits(v, out, 2, n);
            assertEquals(Long.toString(v), new String(out, 2, n, StandardCharsets.US_ASCII));
        }
        assertEquals(1, ShortestDecimal.digitCount(0));
        assertEquals(19, ShortestDecimal.digitCount(Long.MAX_VALUE));
        LineBuffer line = new LineBuffer(8);
        for (long v : new long[]{0, -1, 9, -10, Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE + 1, 1_763_000_000_123_456_789L}) {
            line.clear();
            line.appendLong(v);
            assertEquals(Long.toString(v), new String(line.toByteArray(), StandardCharsets.US_ASCII));
        }
    }

    private static long tenTo(int p) {
        long t = 1;
        for (int i = 0; i < p; i++) {
            t *= 10;
        }
        return t;
    }
}
