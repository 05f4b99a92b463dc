package org.fieldgate.acquire.time;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.fieldgate.reading.EpochNanos;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Clocks of the Linux host.
 *
 * <ul>
 * <li>Boot id: {@code /proc/sys/kernel/random/boot_id}, a random UUID the kernel draws at each boot. Where it cannot
 *     be read (not Linux, a restricted container) the id is {@code jvm-<random uuid>}: correct as long as the
 *     process lives, merely more conservative (a restart looks like a new boot).</li>
 * <li>Monotonic: {@code System.nanoTime() + offset}, the offset fixed once at start. On Linux HotSpot nanoTime is
 *     {@code clock_gettime(CLOCK_MONOTONIC)}, which counts from boot, so the offset is 0 and monotonic times of two
 *     processes in the same boot agree to the ns. The JVM does not promise that origin, so at start nanoTime is
 *     compared with {@code /proc/uptime}: when they differ by more than 1 s the offset is set to
 *     {@code uptime - nanoTime} (10 ms resolution, still exact for differences within the process). A Pi does not
 *     suspend, so CLOCK_MONOTONIC and uptime (CLOCK_BOOTTIME) agree there. nanoTime is used rather than reading
 *     /proc/uptime per stamp because it costs nanoseconds and has ns resolution.</li>
 * <li>Wall: {@link EpochNanos#now()}.</li>
 * </ul>
 */
public final class SystemClocks implements Clocks {
    private static final Logger LOG = LoggerFactory.getLogger(SystemClocks.class);
    static final Path BOOT_ID = Path.of("/proc/sys/kernel/random/boot_id");
    static final Path UPTIME = Path.of("/proc/uptime");

    private final String bootId;
    private final long offsetNs;

    SystemClocks(String bootId, long offsetNs) {
        this.bootId = bootId;
        this.offsetNs = offsetNs;
    }

    public static SystemClocks create() {
        return create(BOOT_ID, UPTIME);
    }

    static SystemClocks create(Path bootIdFile, Path uptimeFile) {
        String id = readBootId(bootIdFile);
        long nano = System.nanoTime();
        long offset = 0;
        Long uptimeNs = readUptimeNs(uptimeFile);
        if (uptimeNs != null && Math.abs(uptimeNs - nano) > 1_000_000_000L) {
            offset = uptimeNs - nano;
        }
        return new SystemClocks(id, offset);
    }

    static String readBootId(Path file) {
        try {
            String s = Files.readString(file, StandardCharsets.US_ASCII).trim();
            if (!s.isEmpty()) {
                return s;
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot read the boot id from {} ({}); using a per-process id", file, e.toString());
        }
        return "jvm-" + UUID.randomUUID();
    }

    /** First field of /proc/uptime ("12345.67 23456.78"), in ns; null when unreadable. */
    static Long readUptimeNs(Path file) {
        try {
            String s = Files.readString(file, StandardCharsets.US_ASCII).trim();
            String first = s.split("\\s+")[0];
            return Math.round(Double.parseDouble(first) * 1e9);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    @Override
    public long wallNs() {
        return EpochNanos.now();
    }

    @Override
    public long monotonicNs() {
        return System.nanoTime() + offsetNs;
    }

    @Override
    public String bootId() {
        return bootId;
    }

    long offsetNs() {
        return offsetNs;
    }
}
