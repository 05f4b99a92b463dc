package org.fieldgate.bench;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/** The unit of /proc/PID/stat's utime and stime, kept apart from ProcStat so that its pure parsing starts no process. */
final class ClockTicks {
    private ClockTicks() {
    }

    private static volatile long clockTicks;

    /** Clock ticks per second from {@code getconf CLK_TCK} (USER_HZ; 100 on most Linux builds). */
    static long perSecond() {
        long t = clockTicks;
        if (t > 0) {
            return t;
        }
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("getconf CLK_TCK failed: " + out);
            }
            t = Long.parseLong(out);
        } catch (IOException | NumberFormatException e) {
            throw new IllegalStateException("getconf CLK_TCK: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        clockTicks = t;
        return t;
    }

}
