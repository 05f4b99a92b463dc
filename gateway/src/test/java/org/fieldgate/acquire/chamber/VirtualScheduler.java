package org.fieldgate.acquire.chamber;

import java.time.Duration;
import java.util.PriorityQueue;

/** Virtual time: tasks run in time order (then scheduling order) when the test advances the clock. */
public final class VirtualScheduler implements Scheduler {
    private record Entry(long at, long seq, Runnable task, boolean[] cancelled) {
    }

    private final PriorityQueue<Entry> queue = new PriorityQueue<>((a, b) -> a.at != b.at
            ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
    private long now;
    private long seq;

    public VirtualScheduler(long startNs) {
        this.now = startNs;
    }

    @Override
    public synchronized long nowNs() {
        return now;
    }

    @Override
    public synchronized Task at(long timeNs, Runnable task) {
        boolean[] cancelled = {false};
        queue.add(new Entry(Math.max(timeNs, now), seq++, task, cancelled));
        return () -> cancelled[0] = true;
    }

    /** Runs every task due up to {@code timeNs} (including ones they schedule), then sets the clock there. */
    public void runUntil(long timeNs) {
        while (true) {
            Entry e;
            synchronized (this) {
                e = queue.peek();
                if (e == null || e.at > timeNs) {
                    now = Math.max(now, timeNs);
                    return;
                }
                queue.poll();
                now = e.at;
            }
            if (!e.cancelled[0]) {
                e.task.run();
            }
        }
    }

    public void runFor(Duration d) {
        runUntil(nowNs() + d.toNanos());
    }
}
