package org.fieldgate.live;

import org.fieldgate.config.SettingDefaults;
import org.fieldgate.reading.Reading;
import org.fieldgate.reading.SeriesHash;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The newest committed reading of every series, and a short downsampled history of each for the page's sparklines:
 * at most {@link #HISTORY_POINTS} points per series, each the mean of the readings within
 * {@link #HISTORY_SPACING_NS} of its first, so a 1 Hz channel shows its last 20 minutes and a 5-minute channel its
 * last 10 hours, in the same bounded memory.
 *
 * <p>At most {@code maxSeries} series are kept ({@code fieldgate.live.max-series}): a new series beyond it evicts the
 * one updated least recently, and {@link #evictedSeries()} counts them, so a site that names more series than the
 * heap can hold loses sparklines, never the gateway.
 */
public class LatestReadings {
    static final int HISTORY_POINTS = 120;
    public static final long HISTORY_SPACING_NS = 10_000_000_000L;
    public static final int DEFAULT_MAX_SERIES = Integer.parseInt(SettingDefaults.of("fieldgate.live.max-series"));

    private final int maxSeries;
    /** In update order (access order: an update moves its series to the end); guarded by itself. */
    private final LinkedHashMap<SeriesKey, Series> bySeries;
    private long evicted;
    /** The lookup key of {@link #update}, guarded by {@link #bySeries}. */
    private final SeriesKey probe = new SeriesKey();

    /** One point of a sparkline: the mean of the readings in its interval, which starts at {@code timeNs}. */
    public record Point(long timeNs, double value) {
    }

    /** A series' latest reading and its history, copied out together. */
    public record SeriesView(Reading latest, List<Point> history) {
    }

    /**
     * The series' name; its strings are the first reading's, so the key costs no text of its own. Its hash is worked
     * out once, and names compare by reference first: the decoder hands out the same String for the same name
     * (NameCache), so a lookup of a known series compares three references. {@link #update} looks up with one probe
     * it sets again for each reading and keeps a copy only for a new series.
     */
    static final class SeriesKey {
        String site;
        String device;
        String channel;
        int hash;

        SeriesKey set(Reading r) {
            site = r.site();
            device = r.device();
            channel = r.channel();
            hash = hash(site, device, channel);
            return this;
        }

        /**
         * The parts mixed by {@link SeriesHash} (as the hourly counts' and the spool's series ids are) and the high
         * bits folded down: with {@code (site * 31 + device) * 31 + channel} names such as
         * {@code dev-100}/{@code co2_30cm} and {@code dev-300}/{@code co2_10cm} had the same hash (31 is String's own
         * multiplier, so a shift in one part cancels one in the next): 700 of the benchmark's 10,000 series shared a
         * hash with another and the table's buckets held up to 8 keys, each compared on every update.
         */
        static int hash(String site, String device, String channel) {
            int h = SeriesHash.of(site, device, channel);
            return h ^ (h >>> 15);
        }

        SeriesKey copy() {
            SeriesKey k = new SeriesKey();
            k.site = site;
            k.device = device;
            k.channel = channel;
            k.hash = hash;
            return k;
        }

        @Override
        public boolean equals(Object o) {
            // String.equals compares references first, so the decoder's shared names cost three reference checks
            return o instanceof SeriesKey k && k.hash == hash && k.channel.equals(channel) && k.device.equals(device)
                    && k.site.equals(site);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    public LatestReadings() {
        this(DEFAULT_MAX_SERIES);
    }

    public LatestReadings(int maxSeries) {
        if (maxSeries < 1) {
            throw new IllegalArgumentException("fieldgate.live.max-series = " + maxSeries + ": at least 1");
        }
        this.maxSeries = maxSeries;
        this.bySeries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<SeriesKey, Series> eldest) {
                if (size() > LatestReadings.this.maxSeries) {
                    evicted++;
                    return true;
                }
                return false;
            }
        };
    }

    public void update(List<Reading> committed) {
        synchronized (bySeries) {
            for (Reading r : committed) {
                Series s = bySeries.get(probe.set(r)); // moves it to the most recently updated end
                if (s == null) {
                    s = new Series();
                    bySeries.put(probe.copy(), s);
                }
                s.add(r);
            }
        }
    }

    /** Series held now (at most the cap). */
    public int seriesCount() {
        synchronized (bySeries) {
            return bySeries.size();
        }
    }

    /** Series dropped since start because the cap was reached (the least recently updated went first). */
    public long evictedSeries() {
        synchronized (bySeries) {
            return evicted;
        }
    }

    public int maxSeries() {
        return maxSeries;
    }

    public List<Reading> all() {
        return views().stream().map(SeriesView::latest).toList();
    }

    /** Every series, by site, device and channel. */
    public List<SeriesView> views() {
        List<Series> held;
        synchronized (bySeries) {
            held = new ArrayList<>(bySeries.values()); // the committer waits only for this copy
        }
        List<SeriesView> out = new ArrayList<>(held.size());
        for (Series s : held) {
            out.add(s.view());
        }
        out.sort(Comparator.comparing((SeriesView v) -> v.latest().site()).thenComparing(v -> v.latest().device())
                .thenComparing(v -> v.latest().channel()));
        return out;
    }

    /**
     * Ring of downsampled points, 8 bytes each: seconds since the series' first reading and the mean as a float
     * (a sparkline needs neither ns nor 15 digits). The newest point stays open, its exact start, sum and count
     * held aside, until the spacing has passed. The ring grows to {@link #HISTORY_POINTS} as points come, so a
     * series seen a few times costs a few points.
     */
    private static final class Series {
        private Reading latest;
        private long baseNs;
        private long[] ring = new long[8];
        private int newest = -1;
        private int size;
        private long openStartNs;
        private double openSum;
        private int openCount;

        synchronized void add(Reading r) {
            if (latest == null) {
                baseNs = r.timeNs();
            } else if (r.timeNs() < latest.timeNs()) {
                return; // late arrivals (re-dated copies, redelivery) do not rewrite the sparkline's past
            }
            latest = r;
            if (!Double.isFinite(r.value())) {
                return;
            }
            if (openCount > 0 && r.timeNs() - openStartNs < HISTORY_SPACING_NS) {
                openSum += r.value();
                openCount++;
                return;
            }
            if (openCount > 0) {
                close();
            }
            openStartNs = r.timeNs();
            openSum = r.value();
            openCount = 1;
        }

        /** The open point goes into the ring. */
        private void close() {
            if (size == ring.length && size < HISTORY_POINTS - 1) {
                // not wrapped yet (newest is size - 1); the open point is the history's last
                ring = Arrays.copyOf(ring, Math.min(2 * size, HISTORY_POINTS - 1));
            }
            newest = (newest + 1) % ring.length;
            size = Math.min(size + 1, ring.length);
            long seconds = Math.min((openStartNs - baseNs) / 1_000_000_000L, 0xFFFF_FFFFL);
            // clamped so a finite mean beyond float's range stays finite on the page
            float mean = (float) Math.max(-Float.MAX_VALUE, Math.min(Float.MAX_VALUE, openSum / openCount));
            ring[newest] = seconds << 32 | (Float.floatToRawIntBits(mean) & 0xFFFF_FFFFL);
        }

        synchronized SeriesView view() {
            List<Point> history = new ArrayList<>(size + 1);
            for (int i = size - 1; i >= 0; i--) {
                long p = ring[Math.floorMod(newest - i, ring.length)];
                history.add(new Point(baseNs + (p >>> 32) * 1_000_000_000L, Float.intBitsToFloat((int) p)));
            }
            if (openCount > 0) {
                history.add(new Point(openStartNs, openSum / openCount));
            }
            return new SeriesView(latest, history);
        }
    }
}
