package org.fieldgate.calc;

/** Argument checks that name the field and the value in their message (see {@link InvalidInputException}). */
public final class Require {
    private Require() {
    }

    public static double finite(String field, double value) {
        if (!Double.isFinite(value)) {
            throw new InvalidInputException(field, value, "must be a finite number");
        }
        return value;
    }

    public static double positive(String field, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new InvalidInputException(field, value, "must be > 0");
        }
        return value;
    }

    public static double nonNegative(String field, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new InvalidInputException(field, value, "must be >= 0");
        }
        return value;
    }

    /** Closed interval [low, high]. */
    public static double within(String field, double value, double low, double high) {
        if (!(value >= low && value <= high)) {
            throw new InvalidInputException(field, value, "must be between " + low + " and " + high);
        }
        return value;
    }

    /** NaN allowed (meaning "not set"); otherwise must be >= 0. */
    public static double nonNegativeOrNaN(String field, double value) {
        return Double.isNaN(value) ? value : nonNegative(field, value);
    }

    public static int atLeast(String field, int value, int minimum) {
        if (value < minimum) {
            throw new InvalidInputException(field, value, "must be >= " + minimum);
        }
        return value;
    }

    public static <T> T present(String field, T value) {
        if (value == null) {
            throw new InvalidInputException(field, null, "is required");
        }
        return value;
    }
}
