package org.fieldgate.testkit;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Publishes a list of packs from a background thread at a steady pace, so the test thread can kill a gateway or
 * restart a server while readings are still flowing ("mid-stream").
 */
public final class PublishingStream implements AutoCloseable {
    private final SenmlPublisher publisher;
    private final List<Pack> packs;
    private final double packsPerSecond;
    private final AtomicInteger handedOver = new AtomicInteger();
    /** Packs the stream may hand over before it waits ({@link #allowUpTo}); all of them unless a test holds it. */
    private final AtomicInteger allowed;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Thread thread;
    private volatile boolean cancelled;

    private PublishingStream(SenmlPublisher publisher, List<Pack> packs, double packsPerSecond) {
        this.publisher = publisher;
        this.packs = List.copyOf(packs);
        this.packsPerSecond = packsPerSecond;
        this.allowed = new AtomicInteger(packs.size());
        this.thread = new Thread(this::run, "publishing-stream");
        thread.setDaemon(true);
    }

    /** Starts publishing {@code packs} in order at about {@code packsPerSecond} (0 or less: as fast as PUBACKs allow). */
    public static PublishingStream start(SenmlPublisher publisher, List<Pack> packs, double packsPerSecond) {
        PublishingStream stream = new PublishingStream(publisher, packs, packsPerSecond);
        stream.thread.start();
        return stream;
    }

    /**
     * Holds the stream before pack number {@code count} (counted from 1) until a later call allows more: a test that
     * restarts a gateway slower than the stream's pace (a busy box) keeps packs for after the restart, so the stream is
     * still flowing at the next kill. Must not lower the limit below what was handed over.
     */
    public PublishingStream allowUpTo(int count) {
        allowed.set(Math.min(count, packs.size()));
        return this;
    }

    private void run() {
        long startNanos = System.nanoTime();
        int pacedFrom = 0;
        try {
            for (int i = 0; i < packs.size() && !cancelled; i++) {
                if (i >= allowed.get()) {
                    while (i >= allowed.get() && !cancelled) {
                        Thread.sleep(10);
                    }
                    // pace on from here, not in a burst making up for the hold
                    startNanos = System.nanoTime();
                    pacedFrom = i;
                }
                if (packsPerSecond > 0) {
                    // pacing, not waiting for a condition: keep the stream spread over time
                    long due = startNanos + (long) ((i - pacedFrom) * 1e9 / packsPerSecond);
                    long early = due - System.nanoTime();
                    if (early > 0) {
                        Thread.sleep(early / 1_000_000, (int) (early % 1_000_000));
                    }
                }
                publisher.publish(packs.get(i));
                handedOver.incrementAndGet();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure.compareAndSet(null, e);
        } catch (Throwable e) {
            failure.compareAndSet(null, e);
        }
    }

    /** Packs handed to the MQTT client so far. */
    public int handedOver() {
        return handedOver.get();
    }

    /** Waits until at least {@code count} packs have been handed over; fails early if the stream died. */
    public void awaitHandedOver(int count, Duration timeout) {
        Poll.until(count + " of " + packs.size() + " packs handed to the publisher", timeout, () -> {
            rethrowFailure();
            return handedOver.get() >= count;
        });
    }

    /** Waits for the stream to finish and rethrows anything that went wrong in it. */
    public void join(Duration timeout) {
        try {
            thread.join(timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for the publishing stream", e);
        }
        rethrowFailure();
        if (thread.isAlive()) {
            throw new AssertionError("publishing stream still running after " + timeout.toSeconds() + " s, "
                    + handedOver.get() + " of " + packs.size() + " packs handed over; publisher events: " + publisher.events());
        }
    }

    private void rethrowFailure() {
        Throwable t = failure.get();
        if (t != null) {
            throw new AssertionError("publishing stream failed after " + handedOver.get() + " packs: " + t, t);
        }
    }

    @Override
    public void close() {
        cancelled = true;
        thread.interrupt();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while stopping the publishing stream", e);
        }
    }
}
