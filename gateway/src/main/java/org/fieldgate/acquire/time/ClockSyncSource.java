package org.fieldgate.acquire.time;

/**
 * Whether the system wall clock is synchronised. {@link #status()} may take up to its timeouts (it may run
 * commands), so it is polled off the acquisition path ({@link ClockSyncPoller}); stamping never calls it.
 */
public interface ClockSyncSource {
    SyncStatus status();
}
