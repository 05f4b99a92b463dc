package org.fieldgate.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time of a process from /proc/PID/stat (proc(5): fields 14 utime and 15 stime, in clock ticks). */
final class ProcStat {
    private ProcStat() {
    }

    /**
     * utime + stime in clock ticks from the text of /proc/PID/stat. The command name (field 2) is in parentheses
     * and may hold spaces and parentheses itself, so the fields are counted from the last ')'.
     */
    static long ticks(String stat) {
        int close = stat.lastIndexOf(')');
        if (close < 0 || close + 2 > stat.length()) {
            throw new IllegalArgumentException("not a /proc/PID/stat line (no ')' before the fields): '" + stat.strip() + "'");
        }
        String[] f = stat.substring(close + 2).trim().split(" ");
        if (f.length < 13) {
            throw new IllegalArgumentException("/proc/PID/stat has " + (f.length + 2) + " fields, utime and stime are 14 and 15: '"
                    + stat.strip() + "'");
        }
        // f[0] is field 3 (state): field 14 is f[11], field 15 is f[12]
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /** utime + stime of a live process in clock ticks, -1 when it is gone. */
    static long ticks(long pid) {
        try {
            return ticks(Files.readString(Path.of("/proc/" + pid + "/stat")));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** CPU-seconds per million readings; NaN when there is no figure (process gone, no readings). */
    static double cpuSecondsPerMillion(long ticks, long ticksPerSecond, long readings) {
        if (ticks < 0 || ticksPerSecond <= 0 || readings <= 0) {
            return Double.NaN;
        }
        return (double) ticks / ticksPerSecond / readings * 1e6;
    }
}
