package org.fieldgate.live;

import org.fieldgate.reading.Reading;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.List;

/**
 * Heap held by the live view, measured without JOL: heap used after a full GC before and after offering N series,
 * each with a full sparkline (121 points, 10 s apart) and a latest reading whose strings are its own, as a decoded
 * message's are. Prints bytes per series held and the heap held when 50,000 series are offered to the default cap
 * (worst case: every held series with a full history).
 * Run: {@code java -Xmx512m -cp <test classpath> org.fieldgate.live.LatestReadingsHeapDriver [series...]}.
 */
public final class LatestReadingsHeapDriver {
    private static final long T0 = 1_763_000_000_000_000_000L;
    private static final long S = 1_000_000_000L;

    private LatestReadingsHeapDriver() {
    }

    public static void main(String[] args) {
        int[] offered = args.length == 0 ? new int[]{10_000, 20_000, 50_000} : new int[args.length];
        for (int i = 0; i < args.length; i++) {
            offered[i] = Integer.parseInt(args[i]);
        }
        for (int n : offered) {
            long before = usedAfterGc();
            LatestReadings latest = fill(n, Math.max(n, LatestReadings.DEFAULT_MAX_SERIES) + 1);
            long after = usedAfterGc();
            System.out.printf("uncapped: %,d series held, %,d bytes each (heap %,d -> %,d)%n", latest.seriesCount(),
                    (after - before) / latest.seriesCount(), before, after);
            latest = null;
            before = usedAfterGc();
            latest = fill(n, LatestReadings.DEFAULT_MAX_SERIES);
            after = usedAfterGc();
            System.out.printf("default cap %,d: %,d series offered, %,d held, %,d evicted, heap held %.1f MiB%n",
                    LatestReadings.DEFAULT_MAX_SERIES, n, latest.seriesCount(), latest.evictedSeries(),
                    (after - before) / 1048576.0);
        }
    }

    private static LatestReadings fill(int series, int cap) {
        LatestReadings latest = new LatestReadings(cap);
        List<Reading> batch = new ArrayList<>(series);
        for (int point = 0; point <= LatestReadings.HISTORY_POINTS; point++) {
            batch.clear();
            // every series once, then full histories for the newest the cap holds: the most the cap lets it hold
            for (int s = point == 0 ? 0 : Math.max(0, series - cap); s < series; s++) {
                batch.add(new Reading(new String("plot-a"), "probe-" + s / 10, "co2_" + s % 10 + "0cm",
                        new String("ppm"), T0 + point * 10 * S + s, 400 + point + s % 7 * 0.125, 0));
            }
            latest.update(batch);
        }
        return latest;
    }

    private static long usedAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}
