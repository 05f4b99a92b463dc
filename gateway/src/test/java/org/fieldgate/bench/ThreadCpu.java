package org.fieldgate.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CPU ticks of each thread of a process from /proc/PID/task/TID/stat (proc(5)), keyed by the thread's name as the
 * kernel has it (/proc/PID/task/TID/comm: the JVM sets the first 15 characters of the Java name; its own threads are
 * "VM Thread", "C2 CompilerThre", ...). Threads of one name are summed; a thread that ended between two snapshots
 * loses its ticks (the JVM's threads here live as long as the gateway).
 */
final class ThreadCpu {
    private ThreadCpu() {
    }

    /** Ticks by thread name now; empty when the process is gone. */
    static Map<String, Long> snapshot(long pid) {
        Map<String, Long> ticks = new HashMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : tasks) {
                try {
                    String name = Files.readString(task.resolve("comm")).strip();
                    ticks.merge(name, ProcStat.ticks(Files.readString(task.resolve("stat"))), Long::sum);
                } catch (IOException | RuntimeException e) {
                    // the thread ended while we looked
                }
            }
        } catch (IOException e) {
            return Map.of();
        }
        return ticks;
    }

    /** Ticks spent per thread name between two snapshots, the busiest first, threads that spent none left out. */
    static Map<String, Long> between(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> spent = new HashMap<>();
        after.forEach((name, t) -> {
            long d = t - before.getOrDefault(name, 0L);
            if (d > 0) {
                spent.put(name, d);
            }
        });
        Map<String, Long> sorted = new LinkedHashMap<>();
        spent.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        return sorted;
    }
}
