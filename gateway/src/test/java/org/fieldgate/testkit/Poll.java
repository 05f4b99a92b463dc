package org.fieldgate.testkit;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** Bounded polling: every wait in these tests has a deadline and says what it waited for. */
public final class Poll {
    public static final Duration DEFAULT_INTERVAL = Duration.ofMillis(200);

    private Poll() {
    }

    /** Polls {@code condition} until it holds; fails with {@code what} and the diagnostics when the deadline passes. */
    public static void until(String what, Duration timeout, Callable<Boolean> condition, Supplier<String> diagnostics) {
        value(what, timeout, condition, Boolean.TRUE::equals, diagnostics);
    }

    public static void until(String what, Duration timeout, Callable<Boolean> condition) {
        until(what, timeout, condition, () -> "");
    }

    /**
     * Polls {@code probe} until its value satisfies {@code accept}; returns that value.
     * Exceptions from the probe count as "not yet" (a server restarting refuses connections), and the last one is reported.
     */
    public static <T> T value(String what, Duration timeout, Callable<T> probe, Predicate<T> accept, Supplier<String> diagnostics) {
        return value(what, timeout, DEFAULT_INTERVAL, probe, accept, diagnostics);
    }

    /** As {@link #value(String, Duration, Callable, Predicate, Supplier)} with a given pause between polls. */
    public static <T> T value(String what, Duration timeout, Duration interval, Callable<T> probe, Predicate<T> accept,
                              Supplier<String> diagnostics) {
        long deadline = System.nanoTime() + timeout.toNanos();
        T last = null;
        Exception lastError = null;
        int polls = 0;
        while (true) {
            polls++;
            try {
                last = probe.call();
                lastError = null;
                if (accept.test(last)) {
                    return last;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what, e);
            } catch (Exception e) {
                lastError = e;
            }
            if (System.nanoTime() > deadline) {
                String message = "timed out after " + timeout.toSeconds() + " s (" + polls + " polls) waiting for " + what
                        + "; last value: " + last
                        + (lastError == null ? "" : "; last error: " + lastError)
                        + suffix(diagnostics);
                AssertionError failure = new AssertionError(message);
                if (lastError != null) {
                    failure.initCause(lastError);
                }
                throw failure;
            }
            sleep(interval);
        }
    }

    static String suffix(Supplier<String> diagnostics) {
        String text = diagnostics == null ? "" : diagnostics.get();
        return text == null || text.isEmpty() ? "" : "\n" + text;
    }

    public static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while polling", e);
        }
    }
}
