package org.fieldgate.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether a JVM runs with an AppCDS archive: the JVM maps the archive file into its address space when it accepts it
 * and ignores a stale or mismatched one (with a warning), so the archive's path in /proc/PID/maps is the proof that the
 * start measured was a start with the archive.
 */
final class CdsArchive {
    private CdsArchive() {
    }

    /** True when {@code archive} is mapped into process {@code pid}; false when it is not or the process is gone. */
    static boolean mapped(long pid, Path archive) {
        try {
            return mapped(Files.readString(Path.of("/proc/" + pid + "/maps")), archive);
        } catch (IOException e) {
            return false;
        }
    }

    /** True when a line of a /proc/PID/maps text maps the file {@code archive} (its absolute path ends the line). */
    static boolean mapped(String maps, Path archive) {
        String path = archive.toAbsolutePath().normalize().toString();
        return maps.lines().anyMatch(line -> line.endsWith(" " + path));
    }
}
