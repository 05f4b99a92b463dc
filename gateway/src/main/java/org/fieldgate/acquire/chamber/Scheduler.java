package org.fieldgate.acquire.chamber;

/**
 * Time and timers for the chamber sequencer, so tests run it in virtual time. {@link SystemScheduler} in the gateway.
 */
public interface Scheduler {
    /** Now, ns since the epoch: the time lid events and closure ids are stamped with. */
    long nowNs();

    /**
     * Runs {@code task} at {@code timeNs} (on the scheduler's thread; at once if that is not in the future). Tasks
     * due at the same time run in the order they were scheduled.
     */
    Task at(long timeNs, Runnable task);

    /** A scheduled task. */
    interface Task {
        void cancel();
    }
}
