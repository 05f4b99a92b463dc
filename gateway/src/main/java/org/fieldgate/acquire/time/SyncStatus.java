package org.fieldgate.acquire.time;

/**
 * What a {@link ClockSyncSource} found.
 *
 * @param state  synchronised, not, or unknown (no source answered); the time keeper treats UNKNOWN as not
 * @param source which check answered and what it said, for the log and /health
 */
public record SyncStatus(State state, String source) {
    public enum State { SYNCHRONISED, UNSYNCHRONISED, UNKNOWN }

    public static SyncStatus synchronised(String source) {
        return new SyncStatus(State.SYNCHRONISED, source);
    }

    public static SyncStatus unsynchronised(String source) {
        return new SyncStatus(State.UNSYNCHRONISED, source);
    }

    public static SyncStatus unknown(String source) {
        return new SyncStatus(State.UNKNOWN, source);
    }

    public boolean synchronised() {
        return state == State.SYNCHRONISED;
    }
}
