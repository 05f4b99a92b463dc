package org.fieldgate.senml;

import com.fasterxml.jackson.core.io.NumberInput;

/**
 * SenML times and values read straight from a JSON number's characters, for the numbers whose result is exact this
 * way: at most 19 significant digits that fit a long (a time to the ns, as {@link SenmlPack} writes it, has 19), a
 * time whose nanoseconds are a whole number, a value whose digits and power of ten are both exact doubles (so one correctly rounded multiply or divide gives the correctly rounded result, as
 * {@link java.math.BigDecimal#doubleValue()} does). Anything else is left to the caller's {@code BigDecimal} path, so a
 * result from here is bit for bit what that path computes ({@code PlainDecimalTest} checks both against it).
 *
 * <p>Why: the streaming decoder parsed every {@code bt} through {@code BigDecimal} (parse, multiply, round, compare),
 * the largest share of its CPU at one reading per message.
 */
final class PlainDecimal {
    /** What {@link #timeNs} answers for a number it leaves to BigDecimal; never a time inside the accepted window. */
    static final long NOT_PLAIN = Long.MIN_VALUE;
    private static final int MAX_DIGITS = 19;
    /** The largest power of ten in {@link #LONG_POWERS}. */
    private static final int MAX_LONG_POWER = 18;
    /** 10^0 to 10^22: every one an exact double. */
    private static final double[] DOUBLE_POWERS = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
            1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    private static final long[] LONG_POWERS = new long[MAX_LONG_POWER + 1];
    /** Doubles hold every integer up to this exactly. */
    private static final long EXACT_DOUBLE_INTEGER = 1L << 53;

    static {
        LONG_POWERS[0] = 1;
        for (int i = 1; i < LONG_POWERS.length; i++) {
            LONG_POWERS[i] = LONG_POWERS[i - 1] * 10;
        }
    }

    private PlainDecimal() {
    }

    /**
     * The significant digits of a JSON number {@code -?digits[.digits][e[+-]digits]} as a long (leading zeros
     * dropped); -1 when it has more than {@value #MAX_DIGITS} of them or they do not fit a long, an exponent beyond +-9999, or the text is not
     * such a number. Two scans ({@link #powerOfTen} the second) rather than a result object per number.
     */
    private static long digits(char[] text, int offset, int length) {
        int i = offset;
        int end = offset + length;
        if (i < end && text[i] == '-') {
            i++;
        }
        long digits = 0;
        int significant = 0;
        int integerStart = i;
        boolean point = false;
        for (; i < end && (isDigit(text[i]) || text[i] == '.'); i++) {
            if (text[i] == '.') {
                if (point || i == integerStart || i + 1 == end || !isDigit(text[i + 1])) {
                    return -1;
                }
                point = true;
            } else if (digits != 0 || text[i] != '0') {
                if (++significant > MAX_DIGITS || digits > (Long.MAX_VALUE - (text[i] - '0')) / 10) {
                    return -1;
                }
                digits = digits * 10 + (text[i] - '0');
            }
        }
        if (i == integerStart || !wellFormedExponent(text, i, end)) {
            return -1;
        }
        return digits;
    }

    /** The exponent part from {@code i} ({@code e[+-]digits}, at most +-9999, or nothing) and then the end. */
    private static boolean wellFormedExponent(char[] text, int i, int end) {
        if (i == end) {
            return true;
        }
        if (text[i] != 'e' && text[i] != 'E') {
            return false;
        }
        i++;
        if (i < end && (text[i] == '-' || text[i] == '+')) {
            i++;
        }
        int exponentDigits = end - i;
        for (; i < end; i++) {
            if (!isDigit(text[i])) {
                return false;
            }
        }
        return exponentDigits >= 1 && exponentDigits <= 4;
    }

    /** The power of ten the {@link #digits} of a well-formed number are scaled by: exponent less fraction digits. */
    private static int powerOfTen(char[] text, int offset, int length) {
        int end = offset + length;
        int i = offset;
        int fraction = 0;
        boolean inFraction = false;
        for (; i < end && text[i] != 'e' && text[i] != 'E'; i++) {
            if (inFraction) {
                fraction++;
            }
            inFraction |= text[i] == '.';
        }
        int exponent = 0;
        boolean negativeExponent = false;
        for (i++; i < end; i++) {
            if (text[i] == '-') {
                negativeExponent = true;
            } else if (text[i] != '+') {
                exponent = exponent * 10 + (text[i] - '0');
            }
        }
        return (negativeExponent ? -exponent : exponent) - fraction;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /**
     * Seconds as written, in whole nanoseconds, exactly ({@code BigDecimal} seconds times 10^9, which then needs no
     * rounding); {@link #NOT_PLAIN} when that is not a whole number of ns, does not fit a long, or the text is
     * beyond {@link #digits}.
     */
    static long timeNs(char[] text, int offset, int length) {
        long digits = digits(text, offset, length);
        if (digits < 0) {
            return NOT_PLAIN;
        }
        if (digits == 0) {
            return 0;
        }
        int power = powerOfTen(text, offset, length) + 9;
        long ns;
        if (power >= 0) {
            if (power > MAX_LONG_POWER || digits > Long.MAX_VALUE / LONG_POWERS[power]) {
                return NOT_PLAIN;
            }
            ns = digits * LONG_POWERS[power];
        } else {
            if (-power > MAX_LONG_POWER || digits % LONG_POWERS[-power] != 0) {
                return NOT_PLAIN; // a fraction of a nanosecond: BigDecimal rounds it, and compares it exactly first
            }
            ns = digits / LONG_POWERS[-power];
        }
        return text[offset] == '-' ? -ns : ns;
    }

    /**
     * The number as {@code new BigDecimal(text).doubleValue()} gives it (correctly rounded, and no negative zero:
     * BigDecimal has none); {@code NaN}, which no JSON number is, when the text is beyond this fast path.
     */
    static double value(char[] text, int offset, int length) {
        long digits = digits(text, offset, length);
        if (digits < 0 || digits > EXACT_DOUBLE_INTEGER) {
            return Double.NaN;
        }
        if (digits == 0) {
            return 0.0;
        }
        int power = powerOfTen(text, offset, length);
        double magnitude;
        if (power == 0) {
            magnitude = digits;
        } else if (power > 0 && power < DOUBLE_POWERS.length) {
            magnitude = digits * DOUBLE_POWERS[power];
        } else if (power < 0 && -power < DOUBLE_POWERS.length) {
            magnitude = digits / DOUBLE_POWERS[-power];
        } else {
            return Double.NaN;
        }
        return text[offset] == '-' ? -magnitude : magnitude;
    }

    /** Longest number {@link #valueBeyondExact} takes: its precision and scale then stay far inside the decoders' bounds. */
    static final int MAX_PARSED_CHARS = 40;

    /**
     * The number as {@code new BigDecimal(text).doubleValue()} gives it, also for the numbers {@link #value} leaves
     * (more digits than a double holds exactly, as a float printed in full has): a correctly rounded parse of the
     * characters (Jackson's FastDoubleParser), which gives the one double nearest to the decimal, as
     * {@code BigDecimal.doubleValue()} does; {@code NaN} for a text with an exponent or longer than
     * {@value #MAX_PARSED_CHARS} characters (left to BigDecimal and its exponent bound), or not a plain JSON number.
     * Called after {@link #value}, which answers the zeros (no negative zero); a nonzero number this short without an
     * exponent is far from a double's underflow and overflow.
     */
    static double valueBeyondExact(char[] text, int offset, int length) {
        if (length > MAX_PARSED_CHARS || digits(text, offset, length) < 0) {
            return Double.NaN;
        }
        for (int i = offset; i < offset + length; i++) {
            if (text[i] == 'e' || text[i] == 'E') {
                return Double.NaN;
            }
        }
        return NumberInput.parseDouble(text, offset, length, true);
    }
}
