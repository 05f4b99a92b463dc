package org.fieldgate.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Removals recorded several runs at a time (the spool settler's one write per settle) leave the high-water mark as the
 * same removals recorded one run at a time: the same text, the same rows removed and expected, on generated runs out of
 * order, overlapping, adjacent and repeated.
 */
class HighWaterMarkTest {
    @Test
    void runsRemovedTogetherLeaveTheMarkAsRunsRemovedOneByOne(@TempDir Path dir) throws Exception {
        Random random = new Random(5);
        try (HighWaterMark single = new HighWaterMark(dir.resolve("single.hwm"));
             HighWaterMark together = new HighWaterMark(dir.resolve("together.hwm"))) {
            single.committed(5000);
            together.committed(5000);
            long next = 1;
            int settles = 0;
            while (next < 4800) {
                int runs = 1 + random.nextInt(5);
                long[] firstIds = new long[runs];
                long[] lastIds = new long[runs];
                for (int i = 0; i < runs; i++) {
                    // mostly the next rows, sometimes further on (a run still on its way), or one seen before
                    long first = random.nextInt(8) == 0 ? next + random.nextInt(200) : random.nextInt(10) == 0
                            ? Math.max(1, next - random.nextInt(100)) : next;
                    long last = first + random.nextInt(60);
                    firstIds[i] = first;
                    lastIds[i] = last;
                    next = Math.max(next, first == next ? last + 1 + random.nextInt(2) : next);
                    single.removed(first, last);
                }
                together.removed(firstIds, lastIds);
                settles++;
                // (the padding over a longer earlier text differs: one-by-one wrote more, and longer, texts)
                assertEquals(Files.readString(dir.resolve("single.hwm")).trim(),
                        Files.readString(dir.resolve("together.hwm")).trim(), "after settle " + settles);
            }
            for (long id = 0; id <= 5001; id++) {
                assertEquals(single.removed(id), together.removed(id), "row " + id);
                assertEquals(single.expectedThrough(id), together.expectedThrough(id), "expected through " + id);
            }
            assertEquals(single.removedThrough(), together.removedThrough());
            assertEquals(true, settles > 50, "settles " + settles);
        }
    }
}
