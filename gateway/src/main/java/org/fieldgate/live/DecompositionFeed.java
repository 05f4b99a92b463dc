package org.fieldgate.live;

import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.function.Consumer;
import org.fieldgate.calc.Constants;
import org.fieldgate.calc.InvalidInputException;
import org.fieldgate.calc.decomposition.DailyRespiration;
import org.fieldgate.calc.decomposition.DecompositionCalculator;
import org.fieldgate.calc.decomposition.DecompositionOptions;
import org.fieldgate.calc.decomposition.DecompositionResult;
import org.fieldgate.calc.decomposition.DecompositionUncertainty;
import org.fieldgate.calc.flux.FluxEstimate;
import org.fieldgate.calc.flux.FluxQc;
import org.fieldgate.forward.InfluxLines;
import org.fieldgate.reading.Reading;
import org.fieldgate.site.ChannelRef;
import org.fieldgate.site.SiteConfig;
import org.fieldgate.store.AccumulatorStore;
import org.fieldgate.store.PointLine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live decomposition rate of a soil plot (docs/science.md §2): every usable chamber flux (fitted, no severe QC
 * flag, a complete closure) and every soil-temperature reading is added to its local day's durable sums in the spool;
 * on every run (daily by default) the {@link DecompositionCalculator} (the same code as {@code fieldgate calc
 * decomposition}) works on all days so far, and one {@code decomposition} point is committed at the start of the
 * latest day: that day's respiration and soil temperature, heterotrophic respiration by the configured partitioning,
 * k = Rh / SOC, residence time, Q10 and Rref at 10 degC. The latest day's point is rewritten by each run until the day
 * is over ({@code day_complete} says which).
 */
public final class DecompositionFeed {
    private static final Logger LOG = LoggerFactory.getLogger(DecompositionFeed.class);

    private final SiteConfig site;
    private final ChannelRef soilTemperature;
    private final DecompositionOptions options;
    private final AccumulatorStore accumulators;
    private final Consumer<List<PointLine>> out;
    private final String key;
    private final Map<String, double[]> pendingTemperature = new java.util.HashMap<>(); // day -> {sum, n}
    private volatile Map<String, Object> lastFields = Map.of();

    public DecompositionFeed(SiteConfig site, ChannelRef soilTemperature, DecompositionOptions options, AccumulatorStore accumulators,
                             Consumer<List<PointLine>> out) {
        this.site = site;
        this.soilTemperature = soilTemperature;
        this.options = options;
        this.accumulators = accumulators;
        this.out = out;
        this.key = "decomposition/" + site.id();
    }

    /** The soil temperature channel at the shallowest depth of the site (5-10 cm is the usual reference). */
    public static ChannelRef shallowestSoilTemperature(SiteConfig site) {
        ChannelRef best = null;
        double bestDepth = Double.MAX_VALUE;
        for (var p : site.probes()) {
            if (p.depthCm() == null || p.depthCm() >= bestDepth) {
                continue;
            }
            for (var c : p.channels()) {
                if (c.unit().equals("Cel")) {
                    best = new ChannelRef(p.id(), c.name());
                    bestDepth = p.depthCm();
                    break;
                }
            }
        }
        return best;
    }

    private LocalDate day(long timeNs) {
        return Instant.ofEpochSecond(0, timeNs).atZone(site.timezone()).toLocalDate();
    }

    /** A closure's flux; only usable ones count. */
    public void flux(ChamberFeed.Result r) {
        FluxEstimate e = r.estimate();
        if (e == null || !e.fitted() || !r.closure().complete() || LivePoints.unusable(r.closure().qc())) {
            return;
        }
        for (FluxQc f : LivePoints.severe()) {
            if (e.flags().contains(f)) {
                return;
            }
        }
        flush();
        accumulators.accumulate(key, day(r.closure().lidCloseNs()).toString(), e.fluxUmolM2S(), 1, 0, 0);
    }

    /**
     * Committed readings: the soil temperature ones are summed per day in memory (this runs on the ingest thread, which
     * must not wait for another disk sync); the sums go to the spool with each flux, each run and at shutdown.
     */
    public void accept(List<Reading> committed) {
        synchronized (pendingTemperature) {
            for (Reading r : committed) {
                if (ChannelJoin.is(r, site.id(), soilTemperature)) {
                    double[] sum = pendingTemperature.computeIfAbsent(day(r.timeNs()).toString(), d -> new double[2]);
                    sum[0] += r.value();
                    sum[1]++;
                }
            }
        }
    }

    /** Adds the soil temperature summed since the last flush to the days' durable sums. */
    public void flush() {
        Map<String, double[]> sums;
        synchronized (pendingTemperature) {
            sums = new java.util.TreeMap<>(pendingTemperature);
            pendingTemperature.clear();
        }
        sums.forEach((day, v) -> accumulators.accumulate(key, day, 0, 0, v[0], v[1]));
    }

    public void run(long nowNs) {
        flush();
        SortedMap<String, double[]> days = accumulators.get(key);
        List<DailyRespiration> rows = new ArrayList<>();
        for (Map.Entry<String, double[]> d : days.entrySet()) {
            double[] v = d.getValue();
            if (v[1] > 0) {
                rows.add(new DailyRespiration(LocalDate.parse(d.getKey()), v[0] / v[1],
                        v[3] > 0 ? v[2] / v[3] : Double.NaN));
            }
        }
        if (rows.isEmpty()) {
            LOG.info("site {}: no usable chamber flux yet; no decomposition point", site.id());
            return;
        }
        DecompositionResult result;
        try {
            result = new DecompositionCalculator(options).calculate(rows);
        } catch (InvalidInputException e) {
            LOG.warn("site {}: decomposition not computed: {}", site.id(), e.getMessage());
            return;
        }
        DailyRespiration latest = rows.get(rows.size() - 1);
        double[] v = days.get(latest.date().toString());
        double rh = options.partitioning().rhUmolM2S(latest.date(), latest.respirationUmolM2S());
        Map<String, Object> f = LivePoints.fields(
                "rs_umol_m2_s", latest.respirationUmolM2S(),
                "rh_umol_m2_s", rh,
                "rh_g_c_m2_d", rh * Constants.G_C_M2_D_PER_UMOL_M2_S,
                "soil_temp_c", latest.tempC(),
                "closures", (long) v[1],
                "day_complete", day(nowNs).isAfter(latest.date()),
                "rh_g_c_m2_yr", result.rhAnnualGCM2Yr(),
                "soc_g_c_m2", result.socGCM2(),
                "k_per_yr", result.kPerYr(),
                "residence_time_yr", result.residenceTimeYr(),
                "q10", result.q10().q10(),
                "rref_umol_m2_s", result.q10().rrefUmolM2S(),
                "days_measured", (long) result.daysMeasured(),
                "coverage", result.coverageFraction(),
                "partitioning", result.partitioning(),
                "flags", LivePoints.names(result.flags()));
        // the chambers' systematic part at standard air (it enters relatively, docs/science.md §7.3)
        double fluxSystematicRel = site.chambers() == null ? 0
                : SiteAccuracy.chamber(site, latest.date()).relative(101.325, 15);
        DecompositionUncertainty du = DecompositionUncertainty.of(result, fluxSystematicRel, 0);
        f.put("rh_g_c_m2_yr_ci95_low", du.rhAnnualCi95LowGCM2Yr());
        f.put("rh_g_c_m2_yr_ci95_high", du.rhAnnualCi95HighGCM2Yr());
        f.put("k_per_yr_ci95_low", du.kCi95LowPerYr());
        f.put("k_per_yr_ci95_high", du.kCi95HighPerYr());
        f.put("q10_ci95_low", du.q10Ci95Low());
        f.put("q10_ci95_high", du.q10Ci95High());
        f.put("rref_umol_m2_s_ci95_low", du.rrefCi95LowUmolM2S());
        f.put("rref_umol_m2_s_ci95_high", du.rrefCi95HighUmolM2S());
        lastFields = f;
        long dayStartNs = latest.date().atStartOfDay(site.timezone()).toEpochSecond() * 1_000_000_000L;
        out.accept(List.of(InfluxLines.derived("decomposition", dayStartNs, Map.of("site", site.id()), f)));
    }

    public Map<String, Object> last() {
        return lastFields;
    }
}
