package org.fieldgate.export;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import org.fieldgate.forward.Reconciler;
import org.fieldgate.site.ChannelConfig;
import org.fieldgate.site.ProbeConfig;
import org.fieldgate.site.SiteConfig;
import org.fieldgate.store.AccumulatorStore;
import org.fieldgate.store.GapRecord;
import org.fieldgate.store.GapStore;
import org.fieldgate.store.HourlyCountStore;
import org.fieldgate.store.HourlyCountStore.HourlyCount;
import org.fieldgate.store.Spool;

/**
 * Per channel and UTC hour of acquisition: readings expected (the gateway's own probes, from their interval), received
 * (committed to the spool), flagged (qc not 0), stamped before the clock was synchronised, delivered to InfluxDB, and
 * why any are missing. The counts are kept by the spool in the transactions that commit and deliver readings (see
 * {@link HourlyCountStore}); gap records give the causes they know (a probe failure, the spool's drop-oldest policy); what
 * they do not explain is put down to the gateway being down when it did not run the whole hour (see {@link #tick}),
 * else to an unknown cause. A remote node's expected rate is unknown, so its expected and missing stay empty.
 * Readings are expected only from the gateway's commissioning (its first start on this spool, see
 * {@link #commissionedNs()}): the hours before it ever ran are not "gateway down".
 */
public final class CompletenessLedger {
    public static final long HOUR_NS = 3_600_000_000_000L;
    static final String UPTIME = "uptime:";
    static final String GATEWAY_DOWN = "gateway down";
    static final String UNKNOWN = "unknown (no gap record; gateway up)";
    /** The spool counter holding the first start's time, ns since the epoch. */
    static final String COMMISSIONED = "commissioned_ns";

    private final Spool spool;
    private final Map<String, Double> intervalS = new LinkedHashMap<>();
    private final LongSupplier nowNs;
    private long lastTickNs;
    private final long commissionedNs;

    /**
     * One row.
     *
     * @param expected     null for a remote node (its rate is not configured here)
     * @param missing      expected less received and gap-recorded, never below 0; null when expected is
     * @param gapReadings  acquisitions gap records say were missed in this hour
     * @param causes       why readings are missing, each with its count, "; "-separated; empty when none are
     * @param gatewayUpS   seconds of the hour the gateway ran (counted once a minute)
     * @param influxCount  InfluxDB's count at the last reconciliation that found this hour short; null when none did
     * @param influxMissing readings InfluxDB acknowledged but did not hold, as that reconciliation found; null as above
     * @param resent       readings it re-sent from those kept after delivery; null as above
     */
    public record Row(String hour, long hourNs, String site, String device, String channel, Double intervalS,
                      Long expected, long received, long flagged, long clockUnsynced, long delivered, long gapReadings,
                      Long missing, String causes, long gatewayUpS, Long influxCount, Long influxMissing, Long resent) {
    }

    /** A stretch of a series without readings and why: a spool gap record, or one derived here. */
    public record Gap(String site, String device, String channel, long firstNs, long lastNs, long readings,
                      String cause, String source) {
    }

    /** The ledger of [fromNs, toNs): rows by hour, site, device, channel, and the gaps that overlap it. */
    public record Report(long fromNs, long toNs, List<Row> rows, List<Gap> gaps) {
    }

    public CompletenessLedger(Spool spool, List<SiteConfig> sites, LongSupplier nowNs) {
        this.spool = spool;
        this.nowNs = nowNs;
        for (SiteConfig site : sites) {
            for (ProbeConfig p : site.probes()) {
                for (ChannelConfig c : p.channels()) {
                    intervalS.put(series(site.id(), p.id(), c.name()), p.intervalS());
                }
            }
        }
        this.lastTickNs = nowNs.getAsLong();
        // a spool from before commissioning was recorded: its first hour of uptime is when the gateway first ran
        List<AccumulatorStore.Accumulator> uptime = spool.accumulators().range(UPTIME, UPTIME + "\uffff");
        long firstUp = uptime.isEmpty() ? lastTickNs : Math.min(lastTickNs, Instant.parse(
                uptime.get(0).key().substring(UPTIME.length()) + ":00:00Z").toEpochMilli() * 1_000_000L);
        this.commissionedNs = spool.accumulators().recordOnce(COMMISSIONED, firstUp);
    }

    /** When the gateway first ran on this spool: nothing is expected (or missing) before. */
    public long commissionedNs() {
        return commissionedNs;
    }

    private static String series(String site, String device, String channel) {
        return site + "/" + device + "/" + channel;
    }

    /**
     * Adds the time since the last tick to the hours it fell in, so the ledger knows when the gateway was not
     * running. Called once a minute while the gateway runs; a crash loses at most the minute since the last call.
     */
    public synchronized void tick() {
        long now = nowNs.getAsLong();
        long t = lastTickNs;
        while (t < now) {
            long hourEnd = (Math.floorDiv(t, HOUR_NS) + 1) * HOUR_NS;
            long until = Math.min(hourEnd, now);
            spool.accumulators().accumulate(UPTIME + hourOf(t), "gateway", (until - t) / 1e9);
            t = until;
        }
        lastTickNs = now;
    }

    static String hourOf(long timeNs) {
        return Instant.ofEpochSecond(Math.floorDiv(timeNs, HOUR_NS) * 3600).toString().substring(0, 13);
    }

    /** The hours that start in [fromNs, toNs); the current hour's expected count runs to now. */
    public Report report(long fromNs, long toNs) {
        long firstHour = Math.floorDiv(fromNs + HOUR_NS - 1, HOUR_NS) * HOUR_NS;
        long endHour = Math.floorDiv(toNs + HOUR_NS - 1, HOUR_NS) * HOUR_NS;
        long now = nowNs.getAsLong();
        Map<String, Double> upS = new TreeMap<>();
        AccumulatorStore accumulators = spool.accumulators();
        for (AccumulatorStore.Accumulator a : accumulators.range(UPTIME + hourOf(firstHour), UPTIME + hourOf(endHour))) {
            upS.put(a.key().substring(UPTIME.length()), a.sums()[0]);
        }
        // hour -> series -> received, flagged, delivered, unsynced
        Map<String, Map<String, HourlyCount>> counts = new TreeMap<>();
        for (HourlyCount c : spool.hourlyCounts().between(firstHour, endHour)) {
            counts.computeIfAbsent(c.hour(), h -> new TreeMap<>()).put(c.series(), c);
        }
        Map<String, Map<String, double[]>> reconciled = new TreeMap<>();
        for (AccumulatorStore.Accumulator a : accumulators.range(Reconciler.RECONCILE + hourOf(firstHour),
                Reconciler.RECONCILE + hourOf(endHour))) {
            reconciled.computeIfAbsent(a.key().substring(Reconciler.RECONCILE.length()), h -> new TreeMap<>()).put(a.bucket(),
                    a.sums());
        }
        List<GapRecord> recorded = spool.gaps().overlapping(firstHour, endHour);
        // (hour, series) -> cause -> readings
        Map<String, Map<String, Map<String, Long>>> gapCauses = new TreeMap<>();
        for (GapRecord g : recorded) {
            String key = series(g.site(), g.device(), g.channel());
            Double iS = intervalS.get(key);
            long stepNs = iS == null || g.readings() <= 1 ? 0 : Math.round(iS * 1e9);
            if (stepNs == 0) {
                if (g.firstTimeNs() >= firstHour && g.firstTimeNs() < endHour) {
                    addCause(gapCauses, hourOf(g.firstTimeNs()), key, g.cause(), g.readings());
                }
                continue;
            }
            // the missed acquisitions are first, first + interval, ...: each falls in its own hour
            long lastNs = g.firstTimeNs() + (g.readings() - 1) * stepNs;
            for (long h = Math.max(firstHour, Math.floorDiv(g.firstTimeNs(), HOUR_NS) * HOUR_NS);
                 h < endHour && h <= lastNs; h += HOUR_NS) {
                long kFrom = Math.max(0, ceilDiv(h - g.firstTimeNs(), stepNs));
                long kTo = Math.min(g.readings() - 1, ceilDiv(h + HOUR_NS - g.firstTimeNs(), stepNs) - 1);
                if (kTo >= kFrom) {
                    addCause(gapCauses, hourOf(h), key, g.cause(), kTo - kFrom + 1);
                }
            }
        }
        List<Row> rows = new ArrayList<>();
        List<Gap> derived = new ArrayList<>();
        for (long h = firstHour; h < endHour; h += HOUR_NS) {
            String hour = hourOf(h);
            Map<String, HourlyCount> hourCounts = counts.getOrDefault(hour, Map.of());
            TreeMap<String, Double> seriesHere = new TreeMap<>();
            hourCounts.keySet().forEach(s -> seriesHere.put(s, intervalS.get(s)));
            if (h < now && h + HOUR_NS > commissionedNs) {
                seriesHere.putAll(intervalS);
            }
            long expectedFrom = Math.max(h, commissionedNs);
            long up = Math.round(upS.getOrDefault(hour, 0.0));
            for (Map.Entry<String, Double> e : seriesHere.entrySet()) {
                String[] parts = e.getKey().split("/", 3);
                HourlyCount c = hourCounts.getOrDefault(e.getKey(), HourlyCount.none(hour, e.getKey()));
                long received = c.received();
                Long expected = e.getValue() == null ? null
                        : expected(Math.min(expectedFrom, h + HOUR_NS), Math.min(h + HOUR_NS, now), e.getValue());
                Map<String, Long> causes = new LinkedHashMap<>(gapCauses.getOrDefault(hour, Map.of())
                        .getOrDefault(e.getKey(), Map.of()));
                // readings the spool dropped were received; only acquisitions that never happened are missing
                long gapped = causes.entrySet().stream().filter(x -> !x.getKey().equals(GapStore.DROP_OLDEST_CAUSE))
                        .mapToLong(Map.Entry::getValue).sum();
                if (c.clockUnsynced() > 0) {
                    causes.put("clock unsynchronised (readings stamped before sync, kept with qc 256)", c.clockUnsynced());
                }
                Long missing = expected == null ? null : Math.max(0, expected - received - gapped);
                if (missing != null && missing > 0) {
                    long hourS = Math.max(0, Math.min(h + HOUR_NS, now) - expectedFrom) / 1_000_000_000L;
                    String cause = up + 60 < hourS ? GATEWAY_DOWN + " (up " + up + " s of " + hourS + " s)" : UNKNOWN;
                    causes.put(cause, missing);
                    derived.add(new Gap(parts[0], parts[1], parts[2], expectedFrom, Math.min(h + HOUR_NS, now) - 1, missing,
                            cause.startsWith(GATEWAY_DOWN) ? GATEWAY_DOWN : UNKNOWN, "ledger"));
                }
                double[] r = reconciled.getOrDefault(hour, Map.of()).get(e.getKey());
                if (r != null && r[0] > 0) {
                    causes.put("InfluxDB acknowledged but did not store: " + (long) r[1] + " re-sent and " + (long) r[2]
                            + " still missing", (long) r[0]);
                }
                StringBuilder text = new StringBuilder();
                causes.forEach((cause, n) -> text.append(text.length() == 0 ? "" : "; ").append(cause).append(" (")
                        .append(n).append(')'));
                rows.add(new Row(hour, h, parts[0], parts[1], parts[2], e.getValue(), expected, received, c.flagged(),
                        c.clockUnsynced(), c.delivered(), gapped, missing, text.toString(), up,
                        r == null ? null : (long) r[3], r == null ? null : (long) r[0], r == null ? null : (long) r[1]));
            }
        }
        List<Gap> gaps = new ArrayList<>();
        for (GapRecord g : recorded) {
            gaps.add(new Gap(g.site(), g.device(), g.channel(), g.firstTimeNs(), g.lastTimeNs(), g.readings(), g.cause(),
                    "gap record " + g.id()));
        }
        gaps.addAll(merged(derived));
        gaps.sort(java.util.Comparator.comparingLong(Gap::firstNs).thenComparing(Gap::site).thenComparing(Gap::device)
                .thenComparing(Gap::channel).thenComparing(Gap::source));
        return new Report(firstHour, endHour, rows, gaps);
    }

    private static void addCause(Map<String, Map<String, Map<String, Long>>> causes, String hour, String series,
                                 String cause, long readings) {
        causes.computeIfAbsent(hour, h -> new TreeMap<>()).computeIfAbsent(series, s -> new TreeMap<>())
                .merge(cause, readings, Long::sum);
    }

    /** Acquisition slots (multiples of the interval on the wall clock, as the poller samples) in [fromNs, toNs). */
    static long expected(long fromNs, long toNs, double intervalS) {
        long i = Math.round(intervalS * 1e9);
        return Math.max(0, ceilDiv(toNs, i) - ceilDiv(fromNs, i));
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }

    /** Consecutive hours of one series with the same derived cause become one record. */
    private static List<Gap> merged(List<Gap> hourly) {
        List<Gap> sorted = new ArrayList<>(hourly);
        sorted.sort(java.util.Comparator.comparing(Gap::site).thenComparing(Gap::device).thenComparing(Gap::channel)
                .thenComparingLong(Gap::firstNs));
        List<Gap> out = new ArrayList<>();
        for (Gap g : sorted) {
            Gap last = out.isEmpty() ? null : out.get(out.size() - 1);
            if (last != null && last.site().equals(g.site()) && last.device().equals(g.device())
                    && last.channel().equals(g.channel()) && last.cause().equals(g.cause())
                    && last.lastNs() + 1 == g.firstNs()) {
                out.set(out.size() - 1, new Gap(g.site(), g.device(), g.channel(), last.firstNs(), g.lastNs(),
                        last.readings() + g.readings(), g.cause(), g.source()));
            } else {
                out.add(g);
            }
        }
        return out;
    }
}
