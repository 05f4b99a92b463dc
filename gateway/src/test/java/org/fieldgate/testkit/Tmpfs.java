package org.fieldgate.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A small tmpfs mounted under a test's temp dir (we run as root), for disk-full faults: {@link #fill} takes the free
 * space with a filler file, {@link #release} deletes it to give the space back. {@link #close} unmounts, so nothing
 * outlives the test, even when it fails.
 */
public final class Tmpfs implements AutoCloseable {
    private final Path dir;
    private final Path filler;

    private Tmpfs(Path dir) {
        this.dir = dir;
        this.filler = dir.resolve("filler");
    }

    /** Mounts a tmpfs of {@code sizeBytes} at {@code dir} (created if needed). */
    public static Tmpfs mount(Path dir, long sizeBytes) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create mount point " + dir, e);
        }
        Command.run(List.of("mount", "-t", "tmpfs", "-o", "size=" + sizeBytes, "tmpfs", dir.toString()), Map.of(),
                Duration.ofSeconds(10));
        return new Tmpfs(dir);
    }

    public Path dir() {
        return dir;
    }

    /** Writes the filler until the file system refuses (ENOSPC); returns the bytes it took. */
    public long fill() {
        long written = 0;
        byte[] block = new byte[4096];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (written < (1L << 30)) {
                out.write(block);
                out.flush();
                written += block.length;
            }
            throw new AssertionError("tmpfs at " + dir + " took 1 GiB without filling up");
        } catch (IOException full) {
            return written;
        }
    }

    /** Deletes the filler: the space returns. */
    public void release() {
        try {
            Files.deleteIfExists(filler);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete filler " + filler, e);
        }
    }

    @Override
    public void close() {
        Command.run(List.of("umount", "-l", dir.toString()), Map.of(), Duration.ofSeconds(10));
    }
}
