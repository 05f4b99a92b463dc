package org.fieldgate.bench;

/**
 * One acceptance line of the benchmark: PASS, MISS (measured, target missed, by how much) or FAILED (the phase
 * failed or left no figure: NaN, infinite, zero or negative; every figure judged here, a rate, a ratio, a size or a
 * time, is positive when measured, and a zero is what an empty window or an unread counter gives, e.g. a percentile
 * gauge with no samples). Never PASS without a figure.
 */
record Verdict(String label, Outcome outcome, String detail) {
    enum Outcome { PASS, MISS, FAILED }

    /** {@code value >= bound} (atLeast) or {@code value <= bound}; {@code unit} formats the figures, e.g. "%.2f s". */
    static Verdict of(String label, double value, double bound, boolean atLeast, String format) {
        if (Double.isNaN(value) || Double.isInfinite(value) || value <= 0) {
            return new Verdict(label, Outcome.FAILED, "no figure (" + value + "): the phase failed or was not run");
        }
        if (Double.isNaN(bound) || Double.isInfinite(bound) || bound <= 0) {
            // e.g. the heap against -Xmx when the gateway's JVM options set none: nothing to pass against
            return new Verdict(label, Outcome.FAILED, "no target to judge " + String.format(format, value) + " against (" + bound + ")");
        }
        boolean met = atLeast ? value >= bound : value <= bound;
        String shown = String.format(format, value);
        if (met) {
            return new Verdict(label, Outcome.PASS, shown);
        }
        String by = atLeast
                ? String.format(format, bound - value) + " short; needs " + String.format("%.2fx", bound / value)
                : String.format(format, value - bound) + " over";
        return new Verdict(label, Outcome.MISS, shown + "; " + by);
    }

    /** The worse (higher) of two figures a verdict needs both of: NaN (FAILED) when either is missing or zero (no samples). */
    static double worse(double a, double b) {
        if (Double.isNaN(a) || Double.isNaN(b) || a <= 0 || b <= 0) {
            return Double.NaN;
        }
        return Math.max(a, b);
    }

    String line() {
        return String.format("    %-60s %-6s (%s)", label, outcome, detail);
    }

    boolean met() {
        return outcome == Outcome.PASS;
    }

    boolean failed() {
        return outcome == Outcome.FAILED;
    }
}
