package org.fieldgate.acquire.time;

/** The three things a timestamp is made of. {@link SystemClocks} on a Pi; a fake in tests. */
public interface Clocks {
    /** Wall clock, ns since the epoch (may be wrong by days before NTP sync, and may jump). */
    long wallNs();

    /** Monotonic clock, ns; never jumps, comparable within one boot only. */
    long monotonicNs();

    /** Identifies the boot the monotonic clock belongs to. */
    String bootId();

    static Clocks system() {
        return SystemClocks.create();
    }
}
