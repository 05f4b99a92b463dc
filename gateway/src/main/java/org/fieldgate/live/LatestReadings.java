package org.fieldgate.live;

import org.fieldgate.reading.Reading;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The newest committed reading of every series, and a short downsampled history of each for the page's sparklines:
 * at most {@link #HISTORY_POINTS} points per series, each the mean of the readings within
 * {@link #HISTORY_SPACING_NS} of its first, so a 1 Hz channel shows its last 20 minutes and a 5-minute channel its
 * last 10 hours, in the same bounded memory.
 */
public class LatestReadings {
    static final int HISTORY_POINTS = 120;
    public static final long HISTORY_SPACING_NS = 10_000_000_000L;

    private final Map<String, Series> bySeries = new ConcurrentHashMap<>();

    /** One point of a sparkline: the mean of the readings in its interval, which starts at {@code timeNs}. */
    public record Point(long timeNs, double value) {
    }

    /** A series' latest reading and its history, copied out together. */
    public record SeriesView(Reading latest, List<Point> history) {
    }

    public void update(List<Reading> committed) {
        for (Reading r : committed) {
            bySeries.computeIfAbsent(r.site() + '\u0000' + r.device() + '\u0000' + r.channel(), k -> new Series())
                    .add(r);
        }
    }

    public List<Reading> all() {
        return views().stream().map(SeriesView::latest).toList();
    }

    /** Every series, by site, device and channel. */
    public List<SeriesView> views() {
        List<SeriesView> out = new ArrayList<>(bySeries.size());
        for (Series s : bySeries.values()) {
            SeriesView v = s.view();
            if (v.latest() != null) { // created by a concurrent update that has not added its reading yet
                out.add(v);
            }
        }
        out.sort(Comparator.comparing((SeriesView v) -> v.latest().site()).thenComparing(v -> v.latest().device())
                .thenComparing(v -> v.latest().channel()));
        return out;
    }

    /** Ring of downsampled points; the newest point stays open (its mean grows) until the spacing has passed. */
    private static final class Series {
        private Reading latest;
        private final long[] timeNs = new long[HISTORY_POINTS];
        private final double[] sum = new double[HISTORY_POINTS];
        private final int[] count = new int[HISTORY_POINTS];
        private int newest = -1;
        private int size;

        synchronized void add(Reading r) {
            if (latest == null || r.timeNs() >= latest.timeNs()) {
                latest = r;
            } else {
                return; // late arrivals (re-dated copies, redelivery) do not rewrite the sparkline's past
            }
            if (!Double.isFinite(r.value())) {
                return;
            }
            if (newest >= 0 && r.timeNs() - timeNs[newest] < HISTORY_SPACING_NS) {
                sum[newest] += r.value();
                count[newest]++;
                return;
            }
            newest = (newest + 1) % HISTORY_POINTS;
            size = Math.min(size + 1, HISTORY_POINTS);
            timeNs[newest] = r.timeNs();
            sum[newest] = r.value();
            count[newest] = 1;
        }

        synchronized SeriesView view() {
            List<Point> history = new ArrayList<>(size);
            for (int i = size - 1; i >= 0; i--) {
                int k = Math.floorMod(newest - i, HISTORY_POINTS);
                history.add(new Point(timeNs[k], sum[k] / count[k]));
            }
            return new SeriesView(latest, history);
        }
    }
}
