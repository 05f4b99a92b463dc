package org.fieldgate.acquire.time;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls a {@link ClockSyncSource} on its own daemon thread and feeds the {@link TimeKeeper}, so the possibly slow
 * sync check (commands with timeouts) never sits on the acquisition path. Corrections go to {@code corrections}
 * (store them, re-publish the re-dated copies).
 */
public final class ClockSyncPoller implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClockSyncPoller.class);
    private final ScheduledExecutorService executor;

    public ClockSyncPoller(ClockSyncSource source, TimeKeeper keeper, Duration interval,
                           Consumer<ClockCorrection> corrections) {
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "clock-sync-poller");
            t.setDaemon(true);
            return t;
        });
        executor.scheduleWithFixedDelay(() -> {
            try {
                keeper.observeSync(source.status()).ifPresent(corrections);
            } catch (RuntimeException e) {
                LOG.warn("clock sync poll failed", e);
            }
        }, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
