package org.fieldgate.bench;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Heap figures from {@code jcmd PID GC.heap_info}. */
final class JvmHeap {
    // Serial: " def new generation   total 4928K, used 2231K [...]" and " tenured generation   total 10944K, used 6543K";
    // G1: " garbage-first heap   total 16384K, used 9087K"; Metaspace lines read "used ..K, committed" and do not match.
    private static final Pattern GENERATION = Pattern.compile("total (\\d+)K, used (\\d+)K");

    private JvmHeap() {
    }

    /** Heap used in KiB, summed over the generations; -1 when the text names none. */
    static long usedKb(String heapInfo) {
        long used = 0;
        boolean any = false;
        for (String line : heapInfo.split("\n")) {
            Matcher m = GENERATION.matcher(line);
            if (m.find()) {
                used += Long.parseLong(m.group(2));
                any = true;
            }
        }
        return any ? used : -1;
    }

    /** -Xmx of the gateway's JVM options in MiB; infinite when not set. */
    static double xmxMiB(List<String> jvm) {
        double mib = Double.POSITIVE_INFINITY;
        for (String option : jvm) {
            if (option.startsWith("-Xmx")) {
                String v = option.substring(4).toLowerCase(java.util.Locale.ROOT);
                double scale = v.endsWith("g") ? 1024 : v.endsWith("m") ? 1 : v.endsWith("k") ? 1 / 1024.0 : 1 / (1024.0 * 1024.0);
                mib = Double.parseDouble(v.replaceAll("[gmk]$", "")) * scale;
            }
        }
        return mib;
    }
}
