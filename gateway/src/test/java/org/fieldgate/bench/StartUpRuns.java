package org.fieldgate.bench;

import java.util.Arrays;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The start-up phase's timed starts: without the AppCDS archive (context) and with it (the verdict's), and the
 * archive's size in KiB (-1: none made).
 */
record StartUpRuns(List<StartUp> plain, List<StartUp> withArchive, long archiveKb) {
    static final StartUpRuns NONE = new StartUpRuns(List.of(), List.of(), -1);

    /** Starts with the archive that really mapped it. */
    long archiveMappedStarts() {
        return withArchive.stream().filter(StartUp::archiveMapped).count();
    }

    boolean archiveUsedInEveryStart() {
        return !withArchive.isEmpty() && archiveMappedStarts() == withArchive.size();
    }

    /** The verdict's figure: the median with the archive, NaN unless the archive was mapped in every such start. */
    double medianWithArchive() {
        return archiveUsedInEveryStart() ? median(withArchive, StartUp::seconds) : Double.NaN;
    }

    static double median(List<StartUp> starts, ToDoubleFunction<StartUp> figure) {
        return median(starts.stream().mapToDouble(figure).toArray());
    }

    /** The median; NaN for no values. */
    static double median(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] s = values.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
