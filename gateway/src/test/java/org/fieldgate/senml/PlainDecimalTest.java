package org.fieldgate.senml;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@link PlainDecimal} against BigDecimal, the tree path's arithmetic: on hand-picked edge cases and 200,000
 * generated numbers, every time it answers must be BigDecimal's seconds times 10^9 and a whole number of ns (so the
 * decoder's window compares the same), every value it answers BigDecimal's {@code doubleValue()} bit for bit; and it
 * must answer for most of the numbers nodes really send, or it saves nothing.
 */
class PlainDecimalTest {
    private static final BigDecimal NS_PER_S = BigDecimal.valueOf(1_000_000_000L);

    private static final String[] EDGES = {
            "0", "-0", "0.0", "-0.0", "0e5", "0E-5", "-0.000e+3", "1", "-1", "12.5", "-3.75", "0.1", "0.2", "0.3",
            "0.30000000000000004", "1763855000", "1763855000.123456789", "1763855000.1234567890", "1763855000.12345678900",
            "1763855000.0000000005", "1763855000.0000000015", "1763855000.000000001", "-1763855000.000000001",
            "1.763855e9", "1.7638550001234567891e9", "1.763855000123456789e9", "1763855000123456789e-9", "1e9", "1e-9",
            "1e-10", "1E2", "12.5e2", "1e22", "1e23", "-1e22", "1e-22", "1e-23", "9007199254740992", "9007199254740993",
            "9007199254740991", "-9007199254740992", "4503599627370497.5", "123456789012345678", "1234567890123456789",
            "999999999999999999", "9223372036.854775807", "9223372036.854775808", "-9223372036.854775808",
            "9223372036854775807", "1e18", "1e19", "0.000000000000000000001", "1.7976931348623157e308", "4.9e-324",
            "2.4e-324", "1e400", "1e-400", "1e9999", "1e10000", "123456789012345.6789", "3.14159265358979323846",
            "00.5", "1.", ".5", "-", "", "1e", "1e+", "1.2.3", "1..2", "--1", "1-", "+1", "1e+-2", "0x10", "1_000",
            "2.5e-1", "5e-1", "0.5", "1.5", "2.5", "1e0", "1.0e0", "100e-2", "8.98846567431158e307",
            "1.00000000000000000000000001", "123456789012345678901234", "86400", "0.000000001", "1e-12", "60.999"};

    @Test
    void edgeCasesAreBigDecimalsOrLeftToIt() {
        for (String number : EDGES) {
            check(number);
        }
    }

    /** A base time to the ns, as SenmlPack writes one (19 digits), is read here, not left to BigDecimal. */
    @Test
    void timesToTheNanosecondAreRead() {
        for (String number : new String[]{"1763855000.123456789", "9223372036.854775807", "1763855000.000000001"}) {
            char[] text = number.toCharArray();
            assertEquals(new BigDecimal(number).movePointRight(9).longValueExact(),
                    PlainDecimal.timeNs(text, 0, text.length), number);
        }
        char[] beyond = "9223372036.854775808".toCharArray();
        assertEquals(PlainDecimal.NOT_PLAIN, PlainDecimal.timeNs(beyond, 0, beyond.length), "past a long");
    }

    @Test
    void generatedNumbersAreBigDecimalsOrLeftToIt() {
        Random random = new Random(8428_2026L);
        int times = 0;
        int values = 0;
        int plainShaped = 0;
        for (int i = 0; i < 200_000; i++) {
            String number = generated(random);
            int[] answered = check(number);
            times += answered[0];
            values += answered[1];
            if (number.length() <= 20 && !number.contains("e") && !number.contains("E")) {
                plainShaped++;
            }
        }
        // most generated numbers are of the kinds nodes send: the fast path must take nearly all of those
        assertTrue(times > 60_000, "only " + times + " of 200000 times were exact in ns");
        assertTrue(values > plainShaped * 0.9, "only " + values + " values parsed, of " + plainShaped
                + " short plain numbers among 200000");
    }

    /** Checks one number both ways; whether the fast path answered {time, value} (1) or left it (0). */
    private static int[] check(String number) {
        char[] text = ("[" + number + "]").toCharArray(); // offset and length matter: the parser hands a window
        long ns = PlainDecimal.timeNs(text, 1, number.length());
        double value = PlainDecimal.value(text, 1, number.length());
        BigDecimal exact;
        try {
            exact = new BigDecimal(number);
        } catch (NumberFormatException notANumber) {
            assertEquals(PlainDecimal.NOT_PLAIN, ns, number);
            assertTrue(Double.isNaN(value), number);
            return new int[]{0, 0};
        }
        if (ns != PlainDecimal.NOT_PLAIN) {
            BigDecimal exactNs = exact.multiply(NS_PER_S);
            if (exactNs.signum() != 0 && exactNs.stripTrailingZeros().scale() > 0) {
                fail(number + ": answered " + ns + " ns for a time that is no whole number of ns");
            }
            long expected = exactNs.setScale(0, RoundingMode.HALF_EVEN).longValueExact();
            assertEquals(expected, ns, number);
        }
        if (!Double.isNaN(value)) {
            double expected = exact.doubleValue();
            if (Double.doubleToRawLongBits(expected) != Double.doubleToRawLongBits(value)) {
                fail(number + ": answered " + value + ", BigDecimal gives " + expected);
            }
        } else {
            checkBeyondExact(number, text, exact);
        }
        return new int[]{ns != PlainDecimal.NOT_PLAIN ? 1 : 0, Double.isNaN(value) ? 0 : 1};
    }

    /** {@link PlainDecimal#valueBeyondExact} on a number {@link PlainDecimal#value} left: BigDecimal's double or NaN. */
    private static boolean checkBeyondExact(String number, char[] text, BigDecimal exact) {
        double parsed = PlainDecimal.valueBeyondExact(text, 1, number.length());
        if (Double.isNaN(parsed)) {
            return false;
        }
        double expected = exact.doubleValue();
        if (Double.doubleToRawLongBits(expected) != Double.doubleToRawLongBits(parsed)) {
            fail(number + ": parsed " + parsed + ", BigDecimal gives " + expected);
        }
        return true;
    }

    /**
     * The numbers {@link PlainDecimal#value} leaves to BigDecimal that the stream decoder now parses: doubles printed
     * in full (what a node that prints its floats sends), random 15-18 digit decimals, and decimals within a unit of
     * the 18th digit of the midpoint between two neighbouring doubles (where a parse that is not correctly rounded
     * would go the other way); each must be bit for bit BigDecimal's double.
     */
    @Test
    void numbersBeyondExactDigitsAreBigDecimalsDoubles() {
        Random random = new Random(20261206L);
        int parsed = 0;
        int tries = 300_000;
        for (int i = 0; i < tries; i++) {
            String number;
            switch (i % 3) {
                case 0 -> number = new BigDecimal(Double.toString(random.nextGaussian()
                        * Math.pow(10, random.nextInt(12) - 3))).toPlainString();
                case 1 -> {
                    StringBuilder digits = new StringBuilder(random.nextBoolean() ? "-" : "");
                    int count = 15 + random.nextInt(4);
                    int point = random.nextInt(count);
                    digits.append((char) ('1' + random.nextInt(9)));
                    for (int d = 1; d < count; d++) {
                        if (d == point) {
                            digits.append('.');
                        }
                        digits.append((char) ('0' + random.nextInt(10)));
                    }
                    number = digits.toString();
                }
                default -> {
                    double d = Math.abs(random.nextGaussian()) * Math.pow(10, random.nextInt(10) - 2) + 1e-3;
                    BigDecimal midpoint = new BigDecimal(d).add(new BigDecimal(Math.nextUp(d)))
                            .divide(BigDecimal.valueOf(2));
                    BigDecimal near = midpoint.round(new java.math.MathContext(18, RoundingMode.HALF_EVEN));
                    near = near.add(near.ulp().multiply(BigDecimal.valueOf(random.nextInt(3) - 1)));
                    number = near.toPlainString();
                }
            }
            char[] text = ("[" + number + "]").toCharArray();
            if (Double.isNaN(PlainDecimal.value(text, 1, number.length()))
                    && checkBeyondExact(number, text, new BigDecimal(number))) {
                parsed++;
            }
        }
        assertTrue(parsed > tries / 2, "only " + parsed + " of " + tries + " numbers went through the parse");
    }

    /** Numbers of every shape the decoder meets, weighted toward the ones nodes send. */
    static String generated(Random random) {
        switch (random.nextInt(10)) {
            case 0 -> {
                return Double.toString(random.nextGaussian() * Math.pow(10, random.nextInt(40) - 20));
            }
            case 1 -> {
                return Long.toString(random.nextLong() >> random.nextInt(64));
            }
            case 2 -> {
                // fractional seconds to the ns and beyond
                long seconds = 1_420_070_400L + (long) (random.nextDouble() * 400_000_000L);
                int fraction = random.nextInt(13);
                StringBuilder out = new StringBuilder(Long.toString(seconds));
                if (fraction > 0) {
                    out.append('.');
                    for (int i = 0; i < fraction; i++) {
                        out.append((char) ('0' + (random.nextInt(4) == 0 ? 0 : random.nextInt(10))));
                    }
                }
                return out.toString();
            }
            case 3 -> {
                // rounding boundaries: a half (or near it) in the last place of a double or of a ns
                long digits = (1L << 53) - random.nextInt(1000) + random.nextInt(2000);
                return (random.nextBoolean() ? "-" : "") + digits + (random.nextBoolean() ? ".5" : "")
                        + (random.nextBoolean() ? "e-" + random.nextInt(25) : "");
            }
            default -> {
                StringBuilder out = new StringBuilder();
                if (random.nextInt(4) == 0) {
                    out.append('-');
                }
                int integer = random.nextInt(random.nextInt(5) == 0 ? 25 : 8);
                out.append(integer == 0 ? "0" : Integer.toString(1 + random.nextInt(9)));
                for (int i = 1; i < integer; i++) {
                    out.append((char) ('0' + random.nextInt(10)));
                }
                int fraction = random.nextInt(3) == 0 ? 0 : random.nextInt(random.nextInt(5) == 0 ? 25 : 10);
                if (fraction > 0) {
                    out.append('.');
                    for (int i = 0; i < fraction; i++) {
                        out.append((char) ('0' + random.nextInt(10)));
                    }
                }
                if (random.nextInt(4) == 0) {
                    out.append(random.nextBoolean() ? 'e' : 'E');
                    int sign = random.nextInt(3);
                    out.append(sign == 0 ? "" : sign == 1 ? "+" : "-");
                    out.append(random.nextInt(random.nextInt(10) == 0 ? 500 : 30));
                }
                return out.toString();
            }
        }
    }

    @Test
    void generatorCoversTheEdges() {
        Random random = new Random(1);
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            seen.add(generated(random));
        }
        assertTrue(seen.stream().anyMatch(s -> s.startsWith("-")), "negative numbers");
        assertTrue(seen.stream().anyMatch(s -> s.contains("e") || s.contains("E")), "exponents");
        assertTrue(seen.stream().anyMatch(s -> s.replace("-", "").replace(".", "").length() > 18), "many digits");
        assertTrue(seen.stream().anyMatch(s -> s.matches("\\d{10}\\.\\d{9}")), "fractional seconds to the ns");
    }
}
