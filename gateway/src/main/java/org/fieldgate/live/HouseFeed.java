package org.fieldgate.live;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.fieldgate.calc.InvalidInputException;
import org.fieldgate.calc.mineralisation.HouseAccuracy;
import org.fieldgate.calc.mineralisation.HouseOptions;
import org.fieldgate.calc.mineralisation.HouseSample;
import org.fieldgate.calc.mineralisation.MineralisationCalculator;
import org.fieldgate.calc.mineralisation.MineralisationResult;
import org.fieldgate.calc.mineralisation.MineralisationUncertainty;
import org.fieldgate.calc.mineralisation.ShrinkingCore;
import org.fieldgate.forward.InfluxLines;
import org.fieldgate.reading.Reading;
import org.fieldgate.site.ChannelRef;
import org.fieldgate.site.HouseConfig;
import org.fieldgate.site.RockBatch;
import org.fieldgate.site.SiteConfig;
import org.fieldgate.store.AccumulatorStore;
import org.fieldgate.store.PointLine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live CO2 fixation of a mineralisation house (docs/science.md §3.2-§3.6): each airflow reading, joined with the latest
 * inlet and outlet CO2, air temperature, pressure and fan power, is one {@link HouseSample}; on every run (hourly by
 * default) the samples since the last run are integrated per clock hour by the {@link MineralisationCalculator} (the
 * same code as {@code fieldgate calc mineralisation}), the hour's uptake, fan energy and measured seconds are added to
 * the batch's durable sums in the spool, and one {@code fixation} point per touched hour is committed: the hour's
 * uptake rate, the batch's cumulative gross uptake, X, fan energy and net removal. The last sample of a run is
 * carried into the next, so no interval is integrated twice or lost between runs.
 */
public final class HouseFeed {
    private static final Logger LOG = LoggerFactory.getLogger(HouseFeed.class);
    private static final long HOUR_NS = 3_600_000_000_000L;

    private final SiteConfig site;
    private final HouseConfig house;
    private final AccumulatorStore accumulators;
    private final Consumer<List<PointLine>> out;
    private final ChannelJoin join;
    private final List<HouseSample> pending = new ArrayList<>();
    private HouseSample carry;
    private final List<HouseSample> held = new ArrayList<>();
    private final Object runLock = new Object();
    private volatile Map<String, Object> lastFields = Map.of();

    public HouseFeed(SiteConfig site, AccumulatorStore accumulators, Consumer<List<PointLine>> out) {
        this.site = site;
        this.house = site.house();
        this.accumulators = accumulators;
        this.out = out;
        this.join = new ChannelJoin(site.id(), house.airflow(), java.util.Arrays.asList(house.inletCo2(),
                house.outletCo2(), house.temperature(), house.pressure(), house.fanPower()));
    }

    public synchronized void accept(List<Reading> committed) {
        for (ChannelJoin.Joined j : join.accept(committed)) {
            pending.add(sample(j));
        }
    }

    /** One house sample from an airflow reading and the other channels' values at its time (NaN where none). */
    private HouseSample sample(ChannelJoin.Joined j) {
        Reading r = j.driver();
        double flow = r.unit().equals("m3/s") ? r.value()
                : house.ductFactor() * Math.sqrt(Math.max(0, r.unit().equals("kPa") ? r.value() * 1000 : r.value()));
        List<Reading> o = j.others();
        return new HouseSample(r.timeNs() / 1e9, flow, value(o.get(0)), value(o.get(1)), value(o.get(2)),
                o.get(3) == null ? Double.NaN : AirState.kilopascals(o.get(3)),
                o.get(4) == null ? Double.NaN : o.get(4).unit().equals("W") ? o.get(4).value() / 1000
                        : o.get(4).value());
    }

    private static double value(Reading r) {
        return r == null ? Double.NaN : r.value();
    }

    /** The batch in the house on {@code day}: the latest one started by then. */
    RockBatch batchOn(LocalDate day) {
        RockBatch found = null;
        for (RockBatch b : house.batches()) {
            if (!b.startDate().isAfter(day)) {
                found = b;
            }
        }
        return found;
    }

    /** Integrates what came since the last run and commits the fixation points of the hours it touched. */
    public void run() {
        run(false);
    }

    /** As {@link #run()}; {@code finalRun} also joins the airflow readings still waiting (at shutdown). */
    public void run(boolean finalRun) {
        // the scheduled run and the one at shutdown may overlap: carry and held belong to one run at a time
        synchronized (runLock) {
            integrate(finalRun);
        }
    }

    private void integrate(boolean finalRun) {
        List<HouseSample> samples;
        synchronized (this) {
            if (finalRun) {
                for (ChannelJoin.Joined j : join.drain()) {
                    pending.add(sample(j));
                }
            }
            samples = new ArrayList<>(pending);
            pending.clear();
        }
        if (samples.isEmpty()) {
            return;
        }
        LocalDate today = java.time.Instant.ofEpochSecond((long) samples.get(samples.size() - 1).timeS())
                .atZone(site.timezone()).toLocalDate();
        RockBatch batch = batchOn(today);
        if (batch == null) {
            LOG.info("site {}: no rock batch started by {}; house readings are not integrated", site.id(), today);
            return;
        }
        HouseOptions options = HouseOptions.of(batch.massKg(), batch.co2PotentialKgPerKg(), house.gridKgCo2PerKwh(),
                batch.handlingEmissionsKgCo2());
        String key = "fixation/" + site.id() + "/" + batch.id();
        // the uncertainty's additive sums per hour (docs/science.md §7.4, §7.6), beside the hour's uptake
        String uKey = "fixation-uncertainty/" + site.id() + "/" + batch.id();
        HouseAccuracy accuracy = SiteAccuracy.house(site, today);
        SortedMap<Long, List<HouseSample>> byHour = new TreeMap<>();
        for (HouseSample s : samples) {
            long hour = Math.floorDiv((long) (s.timeS() * 1e9), HOUR_NS) * HOUR_NS;
            byHour.computeIfAbsent(hour, h -> new ArrayList<>()).add(s);
        }
        for (Map.Entry<Long, List<HouseSample>> e : byHour.entrySet()) {
            // samples that could not be integrated yet (fewer than two complete ones) join the next hour's
            held.addAll(e.getValue());
            List<HouseSample> chunk = new ArrayList<>();
            if (carry != null) {
                chunk.add(carry);
            }
            chunk.addAll(held);
            try {
                MineralisationResult r = new MineralisationCalculator(options).calculate(chunk);
                accumulators.accumulate(key, Long.toString(e.getKey()), r.grossUptakeKg(), r.energyKwh(), r.integratedS(),
                        r.samplesValid());
                accumulators.accumulate(uKey, Long.toString(e.getKey()),
                        MineralisationUncertainty.sums(chunk, options, accuracy));
                carry = held.get(held.size() - 1);
                held.clear();
            } catch (InvalidInputException ex) {
                LOG.debug("site {} hour {}: held for the next run: {}", site.id(), e.getKey(), ex.getMessage());
            }
        }
        SortedMap<String, double[]> sums = accumulators.get(key);
        double cumulativeKg = 0;
        double energyKwh = 0;
        double measuredS = 0;
        for (double[] v : sums.values()) {
            cumulativeKg += v[0];
            energyKwh += v[1];
            measuredS += v[2];
        }
        double capacityKg = batch.massKg() * batch.co2PotentialKgPerKg();
        double[] uSums = new double[4];
        for (double[] v : accumulators.get(uKey).values()) {
            for (int i = 0; i < 4; i++) {
                uSums[i] += v[i];
            }
        }
        // the window is every clock hour from the first measured one to the last: hours without samples count in
        // it, so coverage says how much of the window the figures stand on (nothing is scaled up to fill it)
        double windowS = sums.isEmpty() ? 0 : (Long.parseLong(sums.lastKey()) - Long.parseLong(sums.firstKey())
                + HOUR_NS) / 1e9;
        double netKg = cumulativeKg - energyKwh * house.gridKgCo2PerKwh() - batch.handlingEmissionsKgCo2();
        MineralisationUncertainty mu = MineralisationUncertainty.fromSums(cumulativeKg, uSums[0], uSums[1], uSums[2],
                uSums[3], cumulativeKg / capacityKg, capacityKg, energyKwh * house.gridKgCo2PerKwh(), netKg,
                windowS > 0 ? measuredS / windowS : Double.NaN, accuracy);
        // X(t) at the end of every measured hour since the batch started, for the shrinking-core fit (docs/science.md
        // §3.4); t counts from the batch's start date (local midnight), as the CLI's t counts from its first sample
        long batchStartNs = batch.startDate().atStartOfDay(site.timezone()).toEpochSecond() * 1_000_000_000L;
        double[] tS = new double[sums.size()];
        double[] xs = new double[sums.size()];
        double running = 0;
        int k = 0;
        for (Map.Entry<String, double[]> h : sums.entrySet()) {
            running += h.getValue()[0];
            tS[k] = (Long.parseLong(h.getKey()) + HOUR_NS - batchStartNs) / 1e9;
            xs[k++] = running / capacityKg;
        }
        ShrinkingCore.Fit fit = ShrinkingCore.fitBoth(tS, xs).best();
        List<PointLine> points = new ArrayList<>();
        for (Long hour : byHour.keySet()) {
            double[] v = sums.get(Long.toString(hour));
            if (v == null) {
                continue;
            }
            Map<String, Object> f = LivePoints.fields(
                    "uptake_kg_per_h", v[2] > 0 ? v[0] / (v[2] / 3600) : Double.NaN,
                    "uptake_kg", v[0],
                    "measured_s", v[2],
                    "cumulative_kg", cumulativeKg,
                    "x", cumulativeKg / capacityKg,
                    "energy_kwh", energyKwh,
                    "energy_kg_co2", energyKwh * house.gridKgCo2PerKwh(),
                    "net_kg", cumulativeKg - energyKwh * house.gridKgCo2PerKwh() - batch.handlingEmissionsKgCo2(),
                    "measured_h_total", measuredS / 3600,
                    "last_sample_ns", carry == null ? 0L : Math.round(carry.timeS() * 1e9),
                    "cumulative_kg_ci95_low", mu.uptakeCi95LowKg(),
                    "cumulative_kg_ci95_high", mu.uptakeCi95HighKg(),
                    "x_ci95_low", mu.fractionCi95Low(),
                    "x_ci95_high", mu.fractionCi95High(),
                    "net_kg_ci95_low", mu.netCi95LowKg(),
                    "net_kg_ci95_high", mu.netCi95HighKg(),
                    "net_kg_conservative", mu.netConservativeKg(),
                    "coverage", mu.coverageFraction());
            if (fit.failure() == null) {
                double tHourEndS = (hour + HOUR_NS - batchStartNs) / 1e9;
                f.put("kinetic_model", fit.model().name().toLowerCase(java.util.Locale.ROOT));
                f.put("tau_days", fit.tauDays());
                f.put("x_fit", fit.fractionAt(tHourEndS));
                f.put("x_at_cycle_end", fit.fractionAt(options.cycleDays() * 86_400));
            }
            lastFields = f;
            points.add(InfluxLines.derived("fixation", hour,
                    Map.of("site", site.id(), "batch", batch.id()), f));
        }
        out.accept(points);
    }

    /** The fields of the latest fixation point (for the page). */
    public Map<String, Object> last() {
        return lastFields;
    }

    public SiteConfig site() {
        return site;
    }
}
