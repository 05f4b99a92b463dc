package org.fieldgate.bench;

import jdk.jfr.Recording;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * profile-bench dumps each shape from one long recording, and a dump holds whole chunks: the time window must split
 * the samples without losing or double-counting any.
 */
class JfrTopFramesTest {

    @Test
    void aWindowKeepsOnlyItsSamplesAndTwoWindowsSplitTheRecording(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("spin.jfr");
        Instant mid;
        try (Recording recording = new Recording()) {
            recording.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(10));
            recording.start();
            // the sampler may start late on a busy machine: spin until each half holds samples (at most 20 s each)
            spinUntilSampled(recording, file, Instant.MIN);
            mid = Instant.now();
            spinUntilSampled(recording, file, mid);
            recording.stop();
            recording.dump(file);
        }
        JfrTopFrames whole = JfrTopFrames.of(file);
        JfrTopFrames before = JfrTopFrames.of(file, Instant.MIN, mid);
        JfrTopFrames after = JfrTopFrames.of(file, mid, Instant.MAX);
        assertTrue(whole.total() > 0, "no execution sample in 1.2 s of spinning");
        assertEquals(whole.total(), before.total() + after.total());
        assertTrue(before.total() > 0 && after.total() > 0, before.total() + " samples before, " + after.total() + " after");
        assertEquals(0, JfrTopFrames.of(file, Instant.MIN, Instant.EPOCH).total());
    }

    private static void spinUntilSampled(Recording recording, Path file, Instant from) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        do {
            spin(Duration.ofMillis(200));
            recording.dump(file);
        } while (JfrTopFrames.of(file, from, Instant.MAX).total() < 3 && System.nanoTime() < deadline);
    }

    private static void spin(Duration length) {
        long end = System.nanoTime() + length.toNanos();
        long x = 0;
        while (System.nanoTime() < end) {
            x += Long.numberOfTrailingZeros(x + System.nanoTime());
        }
        if (x == 42) {
            System.out.print("");
        }
    }
}
