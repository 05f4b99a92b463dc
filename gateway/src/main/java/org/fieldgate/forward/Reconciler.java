package org.fieldgate.forward;

import org.fieldgate.config.GatewaySettings;
import org.fieldgate.store.AccumulatorStore;
import org.fieldgate.store.HourlyCountStore;
import org.fieldgate.store.Spool;
import org.fieldgate.store.SpooledReading;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Checks on a schedule ({@code fieldgate.forward.reconcile-every}) that InfluxDB holds what it acknowledged: per series
 * and closed UTC hour, InfluxDB's count of readings against the ledger's delivered count. An hour short of readings is
 * re-sent from the readings kept after delivery ({@link DeliveredArchive}), only the ones InfluxDB lacks, and counted
 * again. Each finding is kept in the spool's accumulator table under {@value #RECONCILE} + hour, so
 * the ledger, the export and /health show it: v0 readings found missing (at the last check that found any), v1 readings
 * re-sent then, v2 still missing at the last check, v3 InfluxDB's count at the last check.
 */
public final class Reconciler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);
    private static final long HOUR_NS = TimeUnit.HOURS.toNanos(1);
    /**
     * Accumulator key prefix (+ hour) of the findings per series: v0 readings InfluxDB acknowledged but did not hold,
     * v1 re-sent, v2 still missing, v3 InfluxDB's count; the completeness ledger shows them.
     */
    public static final String RECONCILE = "reconcile:";
    private static final int MISMATCHES_SHOWN = 50;
    /** Delivered readings whose kept copies one scan of an hour reads at most (unless one series has more). */
    static final long KEPT_PER_SCAN = 50_000;

    private final InfluxForwarder forwarder;
    private final Spool spool;
    private final InfluxQuery influx;
    private final LongSupplier nowNs;
    private final ScheduledExecutorService timer;
    private volatile Summary last;

    /** One series and hour where InfluxDB held fewer readings than it acknowledged. */
    public record Mismatch(String hour, String series, long missing, long resent, long stillMissing, long influxCount) {
    }

    /**
     * The last run: hours (series x hour) checked, readings found missing, re-sent and still missing over the kept
     * period, and the mismatches found; {@code error} when the run could not finish (InfluxDB not answering).
     */
    public record Summary(long checkedNs, int seriesHoursChecked, long missingFound, long resent, long stillMissing,
                          List<Mismatch> mismatches, String error) {
    }

    public Reconciler(InfluxForwarder forwarder, Spool spool, LongSupplier nowNs) {
        this.forwarder = forwarder;
        this.spool = spool;
        this.influx = new InfluxQuery(forwarder.influx());
        this.nowNs = nowNs;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "influx-reconciler");
            t.setDaemon(true);
            return t;
        });
    }

    public void start() {
        long everyMs = forwarder.settings().reconcileEvery().toMillis();
        timer.scheduleWithFixedDelay(() -> {
            try {
                runOnce();
            } catch (RuntimeException e) {
                LOG.error("reconciliation with InfluxDB failed: {}", e.toString());
            }
        }, everyMs, everyMs, TimeUnit.MILLISECONDS);
    }

    /** The last run's findings, or null before the first. */
    public Summary last() {
        return last;
    }

    /** Checks every closed hour of the kept period, re-sends what is missing, and records the findings. */
    public synchronized Summary runOnce() {
        long now = nowNs.getAsLong();
        long currentHour = Math.floorDiv(now, HOUR_NS) * HOUR_NS;
        Duration keep = forwarder.settings().keepDelivered();
        Duration window = keep.isZero() ? GatewaySettings.Forward.DEFAULT_KEEP_DELIVERED : keep;
        long from = Math.floorDiv(now - window.toNanos(), HOUR_NS) * HOUR_NS;
        if (forwarder.archive() != null) {
            // the kept period is the hours this checks: a reading stamped before them is never re-sent
            int pruned = forwarder.archive().prune(from);
            if (pruned > 0) {
                LOG.info("forgot {} kept readings stamped before {} (keep-delivered {})", pruned, hour(from), keep);
            }
        }
        Map<String, Map<String, Long>> delivered = new TreeMap<>();
        for (HourlyCountStore.HourlyCount c : spool.hourlyCounts().between(from, currentHour)) {
            if (c.delivered() > 0) {
                delivered.computeIfAbsent(c.hour(), h -> new TreeMap<>()).put(c.series(), c.delivered());
            }
        }
        Map<String, Map<String, double[]>> prior = findings(from, currentHour);
        Map<String, Map<String, Long>> counts = new TreeMap<>();
        int checked = 0;
        String error = null;
        try {
            influx.forEachRow("SELECT count(value) FROM \"reading\" WHERE time >= " + from + " AND time < " + currentHour
                    + " GROUP BY time(1h), \"site\", \"device\", \"channel\" fill(none)", row -> counts
                    .computeIfAbsent(hour((Long) row.get("time")), h -> new TreeMap<>())
                    .put(row.get("site") + "/" + row.get("device") + "/" + row.get("channel"),
                            ((Number) row.get("count")).longValue()));
            for (Map.Entry<String, Map<String, Long>> h : delivered.entrySet()) {
                List<Shortfall> shortfalls = new ArrayList<>();
                for (Map.Entry<String, Long> s : h.getValue().entrySet()) {
                    checked++;
                    long count = counts.getOrDefault(h.getKey(), Map.of()).getOrDefault(s.getKey(), 0L);
                    double[] before = prior.getOrDefault(h.getKey(), Map.of()).get(s.getKey());
                    if (count < s.getValue()) {
                        shortfalls.add(new Shortfall(s.getKey(), s.getKey().split("/", 3), s.getValue(), count, before));
                    } else if (before != null && (before[2] != 0 || before[3] != count)) {
                        record(h.getKey(), s.getKey(), before, new double[]{before[0], before[1], 0, count});
                    }
                }
                repairHour(h.getKey(), shortfalls);
            }
        } catch (IOException | RuntimeException e) {
            error = e.getMessage();
            LOG.warn("reconciliation with InfluxDB stopped: {}; next try in {}", error,
                    forwarder.settings().reconcileEvery());
        }
        Summary summary = summary(now, checked, findings(from, currentHour), error);
        last = summary;
        return summary;
    }

    /**
     * A series short of readings in an hour: its name, the name's site, device and channel, the ledger's delivered
     * count, InfluxDB's count and the finding recorded before (null: none).
     */
    private record Shortfall(String series, String[] parts, long deliveredCount, long count, double[] before) {
    }

    /**
     * Repairs the series of one hour that InfluxDB holds too few readings of. The kept readings are read for many
     * series in one scan of the hour ({@link DeliveredArchive} is ordered by time), as many as about
     * {@value #KEPT_PER_SCAN} delivered readings' worth at a time, so a lost hour of many series costs a few scans
     * rather than one per series, and memory stays bounded.
     */
    private void repairHour(String hour, List<Shortfall> shortfalls) throws IOException {
        long hourNs = hourNs(hour);
        for (int from = 0; from < shortfalls.size(); ) {
            int to = from;
            long readings = 0;
            while (to < shortfalls.size() && (to == from || readings + shortfalls.get(to).deliveredCount() <= KEPT_PER_SCAN)
                    && to - from < DeliveredArchive.SERIES_PER_SCAN) {
                readings += shortfalls.get(to++).deliveredCount();
            }
            List<Shortfall> chunk = shortfalls.subList(from, to);
            Map<List<String>, List<SpooledReading>> kept = forwarder.archive() == null ? Map.of()
                    : forwarder.archive().readings(chunk.stream().map(f -> List.of(f.parts())).toList(), hourNs,
                    hourNs + HOUR_NS);
            for (Shortfall f : chunk) {
                repair(hour, f, kept.getOrDefault(List.of(f.parts()), List.of()));
            }
            from = to;
        }
    }

    /** Re-sends the kept readings of one series and hour that InfluxDB lacks, counts again, and records it. */
    private void repair(String hour, Shortfall shortfall, List<SpooledReading> kept) throws IOException {
        long hourNs = hourNs(hour);
        String series = shortfall.series();
        String[] parts = shortfall.parts();
        long deliveredCount = shortfall.deliveredCount();
        long count = shortfall.count();
        double[] before = shortfall.before();
        String where = " WHERE \"site\" = " + literal(parts[0]) + " AND \"device\" = " + literal(parts[1])
                + " AND \"channel\" = " + literal(parts[2]) + " AND time >= " + hourNs + " AND time < " + (hourNs + HOUR_NS);
        Set<Long> held = new HashSet<>();
        influx.forEachRow("SELECT \"value\" FROM \"reading\"" + where, row -> held.add((Long) row.get("time")));
        List<SpooledReading> absent = kept.stream().filter(r -> !held.contains(r.reading().timeNs())).toList();
        long missing = deliveredCount - count;
        Map<SpooledReading, String> refused = new IdentityHashMap<>();
        if (!absent.isEmpty()) {
            forwarder.writer().deliver(absent, refused);
        }
        long[] after = {0};
        influx.forEachRow("SELECT count(\"value\") FROM \"reading\"" + where,
                row -> after[0] = ((Number) row.get("count")).longValue());
        // every kept reading is there, and the kept ones are all of the hour's: the ledger counted some reading twice
        // (a source that sent it twice), not a loss
        boolean countedTwice = absent.isEmpty() && !kept.isEmpty() && kept.size() == held.size();
        long still = countedTwice ? 0 : Math.max(0, deliveredCount - after[0]);
        LOG.warn("reconciliation: InfluxDB acknowledged {} readings of {} in hour {} but held {}: {} missing; re-sent {} "
                        + "kept readings it lacked{}; now {}, still missing {}", deliveredCount, series, hour, count,
                missing, absent.size(), refused.isEmpty() ? "" : " (" + refused.size() + " refused: "
                        + refused.values().iterator().next() + ")", after[0], still);
        record(hour, series, before, new double[]{missing, absent.size() - refused.size(), still, after[0]});
    }

    /** Sets the finding of (hour, series) to {@code now}: the accumulator adds, so it gets the difference. */
    private void record(String hour, String series, double[] before, double[] now) {
        double[] delta = new double[4];
        for (int i = 0; i < 4; i++) {
            delta[i] = now[i] - (before == null ? 0 : before[i]);
        }
        spool.accumulators().accumulate(RECONCILE + hour, series, delta);
    }

    private Map<String, Map<String, double[]>> findings(long from, long to) {
        Map<String, Map<String, double[]>> out = new TreeMap<>();
        for (AccumulatorStore.Accumulator a : spool.accumulators().range(RECONCILE + hour(from),
                RECONCILE + hour(to))) {
            out.computeIfAbsent(a.key().substring(RECONCILE.length()), h -> new TreeMap<>())
                    .put(a.bucket(), a.sums());
        }
        return out;
    }

    private static Summary summary(long now, int checked, Map<String, Map<String, double[]>> findings, String error) {
        long found = 0;
        long resent = 0;
        long still = 0;
        List<Mismatch> mismatches = new ArrayList<>();
        for (Map.Entry<String, Map<String, double[]>> h : findings.entrySet()) {
            for (Map.Entry<String, double[]> s : h.getValue().entrySet()) {
                double[] v = s.getValue();
                found += (long) v[0];
                resent += (long) v[1];
                still += (long) v[2];
                if (v[0] > 0 && mismatches.size() < MISMATCHES_SHOWN) {
                    mismatches.add(new Mismatch(h.getKey(), s.getKey(), (long) v[0], (long) v[1], (long) v[2],
                            (long) v[3]));
                }
            }
        }
        return new Summary(now, checked, found, resent, still, List.copyOf(mismatches), error);
    }

    private static String hour(long timeNs) {
        return HourlyCountStore.hourOf(timeNs);
    }

    private static long hourNs(String hour) {
        return java.time.Instant.parse(hour + ":00:00Z").getEpochSecond() * 1_000_000_000L;
    }

    /** An InfluxQL string literal. */
    private static String literal(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
