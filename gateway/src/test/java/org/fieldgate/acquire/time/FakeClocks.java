package org.fieldgate.acquire.time;

import java.time.Duration;

/** Test clocks: time moves only when told; the wall clock can be set (jumps) independently of the monotonic one. */
public final class FakeClocks implements Clocks {
    private long wall;
    private long mono;
    private String bootId;

    public FakeClocks(long wallNs, long monotonicNs, String bootId) {
        this.wall = wallNs;
        this.mono = monotonicNs;
        this.bootId = bootId;
    }

    /** Both clocks move forward together, as real time passes. */
    public synchronized void advance(Duration d) {
        wall += d.toNanos();
        mono += d.toNanos();
    }

    /** The wall clock alone moves (a step by NTP, date -s, fake-hwclock). */
    public synchronized void jumpWall(Duration d) {
        wall += d.toNanos();
    }

    public synchronized void setWall(long wallNs) {
        wall = wallNs;
    }

    /** A reboot: new boot id, monotonic restarts near zero, wall as given. */
    public synchronized void reboot(String newBootId, long wallNs, long monotonicNs) {
        bootId = newBootId;
        wall = wallNs;
        mono = monotonicNs;
    }

    @Override
    public synchronized long wallNs() {
        return wall;
    }

    @Override
    public synchronized long monotonicNs() {
        return mono;
    }

    @Override
    public synchronized String bootId() {
        return bootId;
    }
}
