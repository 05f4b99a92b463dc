package org.fieldgate.acquire.chamber;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.fieldgate.reading.EpochNanos;

/**
 * A {@link Scheduler} on one daemon thread. {@code nowNs} should be the time keeper's disciplined time
 * ({@code timeKeeper::nowNs}), not the raw wall clock; delays are converted to relative delays
 * on the JVM's monotonic timer, so a wall-clock jump does not stretch or collapse a phase.
 */
public final class SystemScheduler implements Scheduler, AutoCloseable {
    private final LongSupplier now;
    private final ScheduledExecutorService executor;

    public SystemScheduler() {
        this(EpochNanos::now);
    }

    public SystemScheduler(LongSupplier nowNs) {
        this.now = nowNs;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "chamber-sequencer");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public long nowNs() {
        return now.getAsLong();
    }

    @Override
    public Task at(long timeNs, Runnable task) {
        long delay = Math.max(0, timeNs - nowNs());
        ScheduledFuture<?> f = executor.schedule(task, delay, TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
