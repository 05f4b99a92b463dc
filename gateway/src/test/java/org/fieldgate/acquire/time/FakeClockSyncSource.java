package org.fieldgate.acquire.time;

/** A sync source the test sets. */
public final class FakeClockSyncSource implements ClockSyncSource {
    private volatile SyncStatus status = SyncStatus.unsynchronised("fake");
    private volatile int polls;

    public void set(SyncStatus.State state) {
        status = new SyncStatus(state, "fake");
    }

    public int polls() {
        return polls;
    }

    @Override
    public SyncStatus status() {
        polls++;
        return status;
    }
}
