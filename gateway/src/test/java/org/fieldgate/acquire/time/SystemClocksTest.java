package org.fieldgate.acquire.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SystemClocksTest {
    @TempDir
    Path dir;

    @Test
    void readsBootIdAndAnchorsMonotonicOnUptime() throws IOException {
        Path boot = Files.writeString(dir.resolve("boot_id"), "3f1c2e1a-0000-4000-8000-000000000001\n");
        long nano = System.nanoTime();
        // an uptime far from nanoTime: the offset makes monotonic read as uptime
        double uptimeS = nano / 1e9 + 5000;
        Path uptime = Files.writeString(dir.resolve("uptime"), String.format(java.util.Locale.ROOT, "%.2f 1.00%n", uptimeS));
        SystemClocks c = SystemClocks.create(boot, uptime);
        assertEquals("3f1c2e1a-0000-4000-8000-000000000001", c.bootId());
        assertEquals(5000e9, c.offsetNs(), 0.1e9);
        long a = c.monotonicNs();
        long b = c.monotonicNs();
        assertTrue(b >= a);
    }

    @Test
    void fallsBackToAPerProcessBootIdAndZeroOffset() {
        SystemClocks c = SystemClocks.create(dir.resolve("missing"), dir.resolve("missing-too"));
        assertTrue(c.bootId().startsWith("jvm-"));
        assertEquals(0, c.offsetNs());
    }

    @Test
    void onThisHostTheRealFilesWork() {
        SystemClocks c = SystemClocks.create();
        assertTrue(!c.bootId().isBlank());
        assertTrue(c.wallNs() > 1_420_070_400L * 1_000_000_000L);
    }
}
