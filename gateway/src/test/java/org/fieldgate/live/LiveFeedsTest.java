package org.fieldgate.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.fieldgate.acquire.chamber.SimulatedChamberAnalyser;
import org.fieldgate.acquire.chamber.VirtualScheduler;
import org.fieldgate.calc.flux.ChamberGeometry;
import org.fieldgate.calc.flux.FluxOptions;
import org.fieldgate.forward.InfluxLines;
import org.fieldgate.store.FullPolicy;
import org.fieldgate.reading.Reading;
import org.fieldgate.site.ChamberConfig;
import org.fieldgate.site.SiteConfig;
import org.fieldgate.site.SiteConfigs;
import org.fieldgate.store.PointLine;
import org.fieldgate.store.Spool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The calculators on the live stream: chamber closures to fluxes, house readings to fixation, fluxes to rates. */
class LiveFeedsTest {
    static final Path CONFIG = Path.of("..", "firmware-config").toAbsolutePath().normalize();
    static final long T0 = 1_780_000_000_000_000_000L; // 2026-05-28
    static final long S = 1_000_000_000L;

    @TempDir
    Path dir;

    static SiteConfig site(String file) {
        return SiteConfigs.loadOrThrow(CONFIG.resolve("sites/" + file), CONFIG.resolve("models"));
    }

    static double field(PointLine p, String name) {
        Matcher m = Pattern.compile("[ ,]" + name + "=(-?[0-9.eE+-]+)i?[ ,]").matcher(p.line());
        if (!m.find()) {
            throw new AssertionError("no field " + name + " in " + p.line());
        }
        return Double.parseDouble(m.group(1));
    }

    static String tag(PointLine p, String name) {
        Matcher m = Pattern.compile("," + name + "=([^, ]+)").matcher(p.line());
        return m.find() ? m.group(1) : null;
    }

    @Test
    void eachClosureOfACycleBecomesAClosureAndAFluxPointThatRecoversTheChambersFlux() throws IOException {
        // chamber-4 without volume-/area-accuracy-pct: its geometry counts as exact, and its point says so
        String text = Files.readString(CONFIG.resolve("sites/soil-plot-example.yaml"));
        String c4 = "collar-offset-cm: 2.8,\n     volume-accuracy-pct: 3, area-accuracy-pct: 1}";
        assertTrue(text.contains(c4), "the example's chamber-4 line changed");
        Path file = dir.resolve("soil-plot-example.yaml");
        Files.writeString(file, text.replace(c4, "collar-offset-cm: 2.8}"));
        SiteConfig soil = SiteConfigs.loadOrThrow(file, CONFIG.resolve("models"));
        VirtualScheduler clock = new VirtualScheduler(T0);
        Map<String, Double> flux = new LinkedHashMap<>();
        Map<String, ChamberGeometry> geometry = new LinkedHashMap<>();
        double[] truth = {2.4, 3.6, 1.7, 4.8};
        int i = 0;
        for (ChamberConfig c : soil.chambers().chambers()) {
            flux.put(c.id(), truth[i++]);
            geometry.put(c.id(), c.geometry());
        }
        SimulatedChamberAnalyser analyser = new SimulatedChamberAnalyser(clock,
                SimulatedChamberAnalyser.Settings.defaults(soil.chambers().schedule().closeS(), 2), flux, geometry, 11,
                s -> { });
        List<PointLine> out = new CopyOnWriteArrayList<>();
        ChamberFeed feed = new ChamberFeed(soil, analyser, clock, FluxOptions.defaults(), out::addAll);
        List<ChamberFeed.Result> results = new ArrayList<>();
        feed.onResult(results::add);
        feed.start();
        // the analyser (CO2, H2O, cell pressure) every 2 s; air T from the air probe on the same schedule
        for (long t = T0; t <= T0 + 1000 * S; t += 2 * S) {
            clock.runUntil(t);
            feed.accept(List.of(
                    new Reading(soil.id(), "analyser", "co2", "ppm", t, analyser.reportedCo2Ppm(t), 0, "analyser-2025-03"),
                    new Reading(soil.id(), "air", "air_temp", "Cel", t, 20, 0),
                    new Reading(soil.id(), "analyser", "cell_pressure", "kPa", t, 101.3, 0),
                    new Reading(soil.id(), "analyser", "h2o", "mmol/mol", t, 12, 0)));
        }
        clock.runUntil(T0 + 1100 * S);
        feed.close();

        List<PointLine> closures = out.stream().filter(p -> p.measurement().equals("closure")).toList();
        List<PointLine> fluxes = out.stream().filter(p -> p.measurement().equals("flux")).toList();
        assertEquals(4, closures.size(), "one closure per chamber in the cycle");
        assertEquals(4, fluxes.size());
        double deadBandS = soil.chambers().schedule().deadBandS();
        for (int c = 0; c < 4; c++) {
            PointLine f = fluxes.get(c);
            String chamber = soil.chambers().chambers().get(c).id();
            assertEquals(chamber, tag(f, "chamber"));
            assertEquals(soil.id(), tag(f, "site"));
            double expected = analyser.fluxAt(chamber, deadBandS);
            double got = field(f, "flux");
            // the estimate covers the true slope at t0 within its own standard error (4 SE; analyser noise 0.5 ppm)
            assertTrue(Math.abs(got - expected) < 4 * field(f, "se"), chamber + ": " + got + " vs " + expected
                    + ", SE " + field(f, "se"));
            assertTrue(field(f, "r2") > 0.99, f.line());
            assertTrue(field(f, "se") > 0 && field(f, "mdf") > 0, f.line());
            assertEquals(closures.get(c).timeNs(), f.timeNs(), "flux stamped at its lid close");
            assertEquals(75, field(closures.get(c), "samples"), "lid close to observation end (150 s) at 2 s");
            assertEquals(results.get(c).estimate().fluxUmolM2S(), got, 1e-6 * Math.abs(got));
            // docs/science.md §7.2: the interval holds the flux and is at least the fit's own
            double lo = field(f, "flux_ci95_low");
            double hi = field(f, "flux_ci95_high");
            assertEquals(got, (lo + hi) / 2, 1e-9 * Math.abs(got), f.line());
            assertEquals(1.959964 * field(f, "se_combined"), (hi - lo) / 2, 1e-6 * (hi - lo), f.line());
            assertTrue(field(f, "se_combined") >= field(f, "se"), f.line());
            // §7.2 by hand: V +-3 %, S +-1 % (site file; none for chamber-4), T +-1 degC (BME280), each limit /
            // sqrt(3), at the closure's first T; the LI-850's CO2 and cell pressure state no accuracy (model file)
            double r3 = Math.sqrt(3);
            boolean counted = c < 3;
            double geometry2 = counted ? Math.pow(0.03 / r3, 2) + Math.pow(0.01 / r3, 2) : 0;
            double expectedRel = Math.sqrt(geometry2 + Math.pow(1 / r3 / 293.15, 2));
            assertEquals(expectedRel, field(f, "systematic_rel"), 1e-9, f.line());
            assertEquals(counted, bool(f, "geometry_counted"), f.line());
        }
    }

    static boolean bool(PointLine p, String name) {
        Matcher m = Pattern.compile("[ ,]" + name + "=(true|false)[ ,]").matcher(p.line() + " ");
        if (!m.find()) {
            throw new AssertionError("no boolean field " + name + " in " + p.line());
        }
        return Boolean.parseBoolean(m.group(1));
    }

    @Test
    void houseReadingsIntegrateToTheHandCalculatedUptakeAndSumAcrossRunsAndRestarts() {
        SiteConfig house = site("mineralisation-house-example.yaml");
        double ductFactor = house.house().ductFactor();
        double dpForOneM3s = Math.pow(1 / ductFactor, 2);
        // hand calculation with the constants of docs/science.md §3.1: n = P Q / (R T), R = 8.314;
        // uptake = n x 100e-6 x 44.01 g/mol
        double molAirPerS = 101_325 / (8.314 * 293.15);
        double kgPerS = molAirPerS * 100e-6 * 44.01e-3;
        try (Spool spool = new Spool(dir, 64L << 20, FullPolicy.BACKPRESSURE, InfluxLines::gap)) {
            List<PointLine> out = new ArrayList<>();
            HouseFeed feed = new HouseFeed(house, spool.accumulators(), out::addAll);
            long start = (T0 / (3600 * S)) * 3600 * S;
            feedHouse(feed, house, start, start + 3600 * S, dpForOneM3s);
            feed.run();                                                   // hour 0
            feedHouse(feed, house, start + 3600 * S, start + 7200 * S, dpForOneM3s);
            feed.run();                                                   // hour 1, with the carried sample
            PointLine last = out.get(out.size() - 1);
            assertEquals("fixation", last.measurement());
            assertEquals("batch-2025-01", tag(last, "batch"));
            double cumulative = field(last, "cumulative_kg");
            assertEquals(kgPerS * 7190, cumulative, 1e-9 * cumulative, "10-s samples from 0 to 7190 s");
            assertEquals(kgPerS * 3600, field(last, "uptake_kg_per_h"), 1e-9);
            assertEquals(cumulative / (2400 * 0.5), field(last, "x"), 1e-12);
            double energy = 7190 / 3600.0;                                // 1 kW fans
            assertEquals(energy, field(last, "energy_kwh"), 1e-9);
            assertEquals(cumulative - energy * 0.462 - 38.5, field(last, "net_kg"), 1e-9);
            // docs/science.md §7.4: intervals around the central values, the conservative value 1.645 sigma below
            double net = field(last, "net_kg");
            double half = (field(last, "net_kg_ci95_high") - field(last, "net_kg_ci95_low")) / 2;
            assertTrue(half > 0, last.line());
            assertEquals(net, field(last, "net_kg_ci95_low") + half, 1e-9, last.line());
            assertEquals(net - 1.644854 / 1.959964 * half, field(last, "net_kg_conservative"), 1e-6 * half, last.line());
            assertTrue(field(last, "cumulative_kg_ci95_low") < cumulative && cumulative < field(last,
                    "cumulative_kg_ci95_high"), last.line());
            assertTrue(field(last, "x_ci95_low") < field(last, "x") && field(last, "x") < field(last, "x_ci95_high"));
            assertEquals(7190 / 7200.0, field(last, "coverage"), 1e-12, "two clock hours, 7190 s measured");

            // a restart: the sums continue; the interval across the restart is not counted (no carried sample)
            HouseFeed restarted = new HouseFeed(house, spool.accumulators(), out::addAll);
            feedHouse(restarted, house, start + 7200 * S, start + 7800 * S, dpForOneM3s);
            restarted.run();
            PointLine after = out.get(out.size() - 1);
            assertEquals(kgPerS * (7190 + 590), field(after, "cumulative_kg"), 1e-9 * cumulative);
            // the third hour was measured for 590 s only: coverage falls, nothing is scaled up to fill the hour
            assertEquals((7190 + 590) / 10_800.0, field(after, "coverage"), 1e-12);
            assertTrue(field(after, "net_kg_conservative") < field(after, "net_kg"));
        }
    }

    private static void feedHouse(HouseFeed feed, SiteConfig house, long from, long to, double dp) {
        String id = house.id();
        for (long t = from; t < to; t += 10 * S) {
            feed.accept(List.of(
                    new Reading(id, "co2-inlet", "co2", "ppm", t, 520, 0),
                    new Reading(id, "co2-outlet", "co2", "ppm", t, 420, 0),
                    new Reading(id, "air", "temp", "Cel", t, 20, 0),
                    new Reading(id, "air", "pressure", "kPa", t, 101.325, 0),
                    new Reading(id, "fan-meter", "power", "W", t, 1000, 0),
                    new Reading(id, "airflow", "dp", "Pa", t, dp, 0)));
        }
    }

    @Test
    void usableFluxesAndSoilTemperatureBecomeADailyDecompositionPoint() {
        SiteConfig soil = site("soil-plot-example.yaml");
        try (Spool spool = new Spool(dir, 64L << 20, FullPolicy.BACKPRESSURE, InfluxLines::gap)) {
            List<PointLine> out = new ArrayList<>();
            var soilT = DecompositionFeed.shallowestSoilTemperature(soil);
            assertEquals("soil-co2-10cm/temp_10cm", soilT.probe() + "/" + soilT.channel());
            DecompositionFeed feed = new DecompositionFeed(soil, soilT,
                    org.fieldgate.calc.decomposition.DecompositionOptions.of(4500, 0.55), spool.accumulators(), out::addAll);
            // two closures of 2 and 4 umol m-2 s-1 today, soil at 12 and 14 degC
            feed.accept(List.of(new Reading(soil.id(), "soil-co2-10cm", "temp_10cm", "Cel", T0, 12, 0),
                    new Reading(soil.id(), "soil-co2-10cm", "temp_10cm", "Cel", T0 + S, 14, 0),
                    new Reading(soil.id(), "air", "air_temp", "Cel", T0, 30, 0)));
            spool.accumulators().accumulate("decomposition/" + soil.id(), java.time.Instant.ofEpochSecond(0, T0)
                    .atZone(soil.timezone()).toLocalDate().toString(), 2 + 4, 2, 0, 0);
            feed.run(T0 + 60 * S);
            PointLine p = out.get(0);
            assertEquals("decomposition", p.measurement());
            assertEquals(3.0, field(p, "rs_umol_m2_s"), 1e-12);
            assertEquals(0.55 * 3.0, field(p, "rh_umol_m2_s"), 1e-12);
            assertEquals(13.0, field(p, "soil_temp_c"), 1e-12);
            double rhYear = 0.55 * 3.0 * 1.0368 * 365.25;
            assertEquals(rhYear / 4500, field(p, "k_per_yr"), 1e-3 * rhYear / 4500);
            assertTrue(p.line().contains("day_complete=false"), p.line());
            // one day has no day-to-day scatter to estimate the annual sum's random part from: no interval at all
            assertTrue(!p.line().contains("rh_g_c_m2_yr_ci95_low") && !p.line().contains("k_per_yr_ci95_low"), p.line());
        }
    }
}
