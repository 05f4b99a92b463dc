package org.fieldgate.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.fieldgate.calc.cli.CalcCli;
import org.fieldgate.dashboards.DashboardQueries;
import org.fieldgate.dashboards.GrafanaDashboard;
import org.fieldgate.live.AirState;
import org.fieldgate.reading.Reading;
import org.fieldgate.site.ChannelRef;
import org.fieldgate.site.SiteConfig;
import org.fieldgate.site.SiteConfigs;
import org.fieldgate.testkit.AttachGatewayLogs;
import org.fieldgate.testkit.Cleanup;
import org.fieldgate.testkit.FreePorts;
import org.fieldgate.testkit.GatewayProcess;
import org.fieldgate.testkit.InfluxdProcess;
import org.fieldgate.testkit.Poll;
import org.fieldgate.testkit.SiteChannels;
import org.fieldgate.testkit.StartsProcesses;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both example sites on simulated probes (as {@code gateway/fieldgate demo} runs them), with the chamber schedule
 * compressed to a 135 s cycle so a whole cycle fits in a test: in real InfluxDB there are readings for every configured
 * channel of both sites, one closure per chamber per cycle, a flux per closure, fixation and decomposition points,
 * and the fluxes and the cumulative fixation equal what {@code fieldgate calc} computes from the same raw readings
 * exported as CSV. The sites run once for the class; on the same data every Grafana dashboard's panel queries
 * (dashboards/) run as Grafana would send them.
 */
@ExtendWith(AttachGatewayLogs.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 400, unit = TimeUnit.SECONDS)
@StartsProcesses
class LiveSitesTest {
    private static final String DB = "fieldgate_live";
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    /** Dashboard panels (uid/title) whose query may answer nothing on the demo's data, and why. */
    private static final Map<String, String> MAY_BE_EMPTY = Map.of(
            "fieldgate-site-overview/Gaps", "the simulated probes never fail: a gap point appears only when the loaded "
                    + "machine makes the gateway miss an acquisition slot",
            "fieldgate-soil-plot/Decomposition rate k, 95 % interval", "the demo runs less than two days: one day of"
                    + " flux has no day-to-day scatter, so no interval is written (docs/science.md §7.3)");
    private final Cleanup cleanup = new Cleanup();
    private final ObjectMapper json = new ObjectMapper();
    private Path dir;
    private SiteConfig soil;
    private SiteConfig house;
    private InfluxdProcess influxRef;
    private GatewayProcess gateway;
    private double runS;

    @AfterAll
    void stopEverything() throws Exception {
        try {
            if (gateway != null) {
                gateway.stop();
            }
        } finally {
            cleanup.close();
        }
    }

    /** The example sites with a compressed chamber schedule and faster sampling, beside a copy of the models. */
    private List<Path> compressedSites() throws Exception {
        return org.fieldgate.testkit.ExampleSites.compressed(dir);
    }

    /** Both sites run once for every test here: until a whole chamber cycle's fluxes and the rates have landed. */
    @BeforeAll
    @Timeout(value = 400, unit = TimeUnit.SECONDS)
    void runBothExampleSitesUntilEveryDerivedMeasurementLanded(@TempDir Path tempDir) throws Exception {
        dir = tempDir;
        List<Path> files = compressedSites();
        soil = SiteConfigs.loadOrThrow(files.get(0), dir.resolve("config/models"));
        house = SiteConfigs.loadOrThrow(files.get(1), dir.resolve("config/models"));
        InfluxdProcess influx = cleanup.add(InfluxdProcess.started());
        influxRef = influx;
        gateway = cleanup.add(GatewayProcess.builder()
                .site(soil.id())
                .mqttUrl("tcp://127.0.0.1:" + FreePorts.next())
                .property("fieldgate.mqtt.embedded", "true")
                .influxUrl(influx.url())
                .database(DB)
                .property("fieldgate.site-config", files.get(0) + "," + files.get(1))
                .property("fieldgate.acquire.mode", "simulated")
                .property("fieldgate.acquire.clock-sync", "assume-synced")
                .property("fieldgate.calc.fixation-every", "10s")
                .property("fieldgate.calc.decomposition-every", "10s")
                .start());
        long started = System.nanoTime();

        // one whole cycle: 4 chambers x 33 s, then their fluxes a few seconds after the last lid opens
        Poll.until("four fluxes in InfluxDB", Duration.ofSeconds(240),
                () -> points("SELECT count(flux) FROM flux") >= 4, gateway.diagnostics());
        Poll.until("fixation and decomposition points", Duration.ofSeconds(60),
                () -> points("SELECT count(cumulative_kg) FROM fixation") > 0
                        && points("SELECT count(k_per_yr) FROM decomposition") > 0, gateway.diagnostics());
        // the health point comes every 30 s; two of them give the dashboards' delivery rate a value
        Poll.until("two gateway health points", Duration.ofSeconds(70),
                () -> points("SELECT count(spool_depth) FROM gateway") >= 2, gateway.diagnostics());
        runS = (System.nanoTime() - started) / 1e9;
    }

    @Test
    void bothExampleSitesLandInInfluxDbWithClosuresFluxesAndRatesThatTheCliReproduces() throws Exception {
        InfluxdProcess influx = influxRef;
        // every configured channel of both sites has readings, and nothing else came from their probes
        TreeSet<String> expected = SiteChannels.configured(List.of(soil, house));
        TreeSet<String> landed = SiteChannels.landed(influx, DB);
        assertEquals(expected, landed, influx.seriesSummary(DB));
        assertEquals(29, expected.size(), "19 soil-plot and 10 house channels");
        List<Map<String, Object>> uncalibrated = influx.query(DB,
                "SELECT count(value) FROM reading WHERE cal = '' GROUP BY device, channel");
        assertEquals(List.of(), uncalibrated, "every local reading names its calibration");

        // one closure per chamber per cycle, each complete, chambers in order, a cycle apart
        List<Map<String, Object>> closures = SiteChannels.closures(influx, DB, soil.id());
        assertTrue(closures.size() >= 4, closures.toString());
        int cycles = (closures.size() + 3) / 4;
        for (int i = 0; i < closures.size(); i++) {
            Map<String, Object> c = closures.get(i);
            assertEquals("chamber-" + (i % 4 + 1), c.get("chamber"), "sequence order");
            assertEquals("complete", c.get("outcome"), c.toString());
            assertEquals("clean", c.get("flags"), c.toString());
            if (i >= 4) {
                long apart = (Long) c.get("time") - (Long) closures.get(i - 4).get("time");
                assertEquals(135.0, apart / 1e9, 0.05, "the same chamber one cycle later");
            }
        }
        System.out.printf(Locale.ROOT, "live sites: %d channels landed, %d closures in %d cycle(s), run %.0f s%n",
                landed.size(), closures.size(), cycles, runS);

        // each flux equals the CLI's on the same raw readings, exported as the CLI's CSV
        List<Map<String, Object>> fluxes = influx.query(DB, "SELECT * FROM flux ORDER BY time");
        for (Map<String, Object> closure : closures) {
            Map<String, Object> flux = fluxes.stream().filter(f -> f.get("time").equals(closure.get("time")))
                    .findFirst().orElseThrow(() -> new AssertionError("no flux for " + closure));
            JsonNode cli = cliFlux(soil, closure);
            double live = (Double) flux.get("flux");
            assertEquals(cli.get("flux_umol_m2_s").asDouble(), live, 1e-9 * Math.abs(live), closure + " vs " + cli);
            assertEquals(cli.get("se").asDouble(), (Double) flux.get("se"), 1e-9 * Math.abs(live));
            assertEquals(cli.get("model").asText(), flux.get("model"));
            double truth = new double[]{2.4, 3.6, 1.7, 4.8}[Integer.parseInt(((String) closure.get("chamber"))
                    .substring(8)) - 1];
            // only 11 points over 22 s in the compressed schedule, where the exponential's curvature is poorly
            // determined: a plausibility check (within 40 % or 4 SE); LiveFeedsTest and the 20-minute demo soak check
            // the recovery of full 120-s closures
            double se = (Double) flux.get("se");
            assertTrue(Math.abs(live - truth) < Math.max(0.4 * truth, 4 * se), "near the simulated chamber's flux "
                    + truth + ": " + live + " +- " + se + " (" + flux.get("model") + ", " + flux.get("flags") + ")");
        }

        // the latest fixation point's cumulative uptake equals the CLI's over the same house readings
        Map<String, Object> fixation = influx.query(DB, "SELECT * FROM fixation ORDER BY time DESC LIMIT 1").get(0);
        JsonNode cliHouse = cliMineralisation(house, (Long) fixation.get("last_sample_ns"));
        double cumulative = (Double) fixation.get("cumulative_kg");
        assertTrue(cumulative > 0, fixation.toString());
        assertEquals(cliHouse.get("cumulative_uptake_kg").asDouble(), cumulative, 1e-9 * cumulative,
                fixation + " vs " + cliHouse);
        assertEquals(cliHouse.get("energy_kwh").asDouble(), (Double) fixation.get("energy_kwh"), 1e-9);

        // the decomposition point equals the CLI's on the day's usable fluxes and soil temperature
        Map<String, Object> decomposition = influx.query(DB, "SELECT * FROM decomposition ORDER BY time DESC LIMIT 1")
                .get(0);
        JsonNode cliDecomposition = cliDecomposition(soil, decomposition);
        assertEquals(cliDecomposition.get("k_per_yr").asDouble(), (Double) decomposition.get("k_per_yr"),
                1e-9 * (Double) decomposition.get("k_per_yr"));
    }

    /**
     * Every panel query of every dashboard in dashboards/, as Grafana sends it when the dashboard opens now, runs
     * on the demo's data without an error and answers with values, except the panels in {@link #MAY_BE_EMPTY}.
     */
    @Test
    void everyDashboardPanelQueryAnswersWithValuesOnTheDemosData() {
        long started = System.nanoTime();
        List<GrafanaDashboard> dashboards = GrafanaDashboard.loadAll(GrafanaDashboard.DIR);
        TreeSet<String> panels = new TreeSet<>();
        dashboards.forEach(d -> d.panels().forEach(p -> panels.add(d.uid() + "/" + p.path("title").asText())));
        assertTrue(panels.containsAll(MAY_BE_EMPTY.keySet()), "panels allowed to be empty exist: " + panels);

        @SuppressWarnings("unchecked")
        String minInterval = (String) ((Map<String, Object>) GrafanaDashboard.provisionedDataSource().get("jsonData"))
                .get("timeInterval");
        List<String> failures = new ArrayList<>();
        int queries = 0;
        TreeSet<String> empty = new TreeSet<>();
        try (DashboardQueries grafana = new DashboardQueries(influxRef.url(), DB, minInterval)) {
            for (GrafanaDashboard d : dashboards) {
                for (DashboardQueries.PanelQuery q : grafana.queries(d, System.currentTimeMillis())) {
                    queries++;
                    try {
                        if (grafana.run(q.influxql()).values() == 0) {
                            String title = q.panel().replaceFirst(" \\[.*]$", "");
                            empty.add(d.uid() + "/" + title);
                            if (!MAY_BE_EMPTY.containsKey(d.uid() + "/" + title)) {
                                failures.add(d.uid() + " " + q + " -> no values");
                            }
                        }
                    } catch (AssertionError e) {
                        failures.add(d.uid() + " " + q + " -> " + e.getMessage());
                    }
                }
            }
        }
        System.out.printf(Locale.ROOT, "dashboards: %d files, %d panel queries, empty: %s, %.1f s%n",
                dashboards.size(), queries, empty,
                (System.nanoTime() - started) / 1e9);
        assertEquals(List.of(), failures, String.join("\n", failures));
        assertTrue(queries >= 40, "every panel's targets ran: " + queries);
    }

    /** A count(...) query's count; 0 while the database or measurement does not exist yet. */
    private long points(String influxql) {
        if (!influxRef.databases().contains(DB)) {
            return 0;
        }
        List<Map<String, Object>> rows = influxRef.query(DB, influxql);
        return rows.isEmpty() ? 0 : ((Number) rows.get(0).get("count")).longValue();
    }

    private List<Reading> readings(String site, ChannelRef ref, long fromNs, long toNs) {
        List<Reading> out = new ArrayList<>();
        influxRef.forEachRow(DB, "SELECT value, qc, unit FROM reading WHERE site = '" + site + "' AND device = '"
                + ref.probe() + "' AND channel = '" + ref.channel() + "' AND time >= " + fromNs + " AND time <= "
                + toNs + " ORDER BY time", row -> out.add(new Reading(site, ref.probe(), ref.channel(),
                (String) row.get("unit"), (Long) row.get("time"), ((Number) row.get("value")).doubleValue(),
                ((Number) row.get("qc")).intValue())));
        return out;
    }

    /** The latest reading at or before t, within 120 s (the join rule the live path documents), or null. */
    private static Reading atOrBefore(List<Reading> byTime, long t) {
        Reading best = null;
        for (Reading r : byTime) {
            if (r.timeNs() <= t) {
                best = r;
            }
        }
        return best != null && t - best.timeNs() <= 120_000_000_000L ? best : null;
    }

    private JsonNode cliFlux(SiteConfig soil, Map<String, Object> closure) throws Exception {
        var system = soil.chambers();
        long closed = (Long) closure.get("lid_closed_ns");
        long obsStart = (Long) closure.get("observation_start_ns");
        long obsEnd = (Long) closure.get("observation_end_ns");
        List<Reading> co2 = readings(soil.id(), system.co2(), closed, obsEnd - 1);
        List<Reading> t = readings(soil.id(), system.temperature(), closed - 200_000_000_000L, obsEnd);
        List<Reading> p = readings(soil.id(), system.pressure(), closed - 200_000_000_000L, obsEnd);
        List<Reading> w = readings(soil.id(), system.h2o(), closed - 200_000_000_000L, obsEnd);
        StringBuilder csv = new StringBuilder("chamber,closure_id,time_s,co2_ppm,h2o_mmol_mol,temp_c,pressure_kpa\n");
        long first = Long.MIN_VALUE;
        for (Reading c : co2) {
            Reading rt = atOrBefore(t, c.timeNs());
            Reading rp = atOrBefore(p, c.timeNs());
            Reading rw = atOrBefore(w, c.timeNs());
            if (rt == null || rp == null || rw == null) {
                continue; // as the live path: a sample without its air state is left out
            }
            if (first == Long.MIN_VALUE) {
                first = c.timeNs();
            }
            AirState.Air a = AirState.air(rt, rp, rw);
            csv.append(closure.get("chamber")).append(",c,").append((c.timeNs() - first) / 1e9).append(',')
                    .append(c.value()).append(',').append(a.h2oMmolMol()).append(',').append(a.tempC()).append(',')
                    .append(a.pressureKpa()).append('\n');
        }
        var chamber = system.chambers().stream().filter(c -> c.id().equals(closure.get("chamber"))).findFirst()
                .orElseThrow();
        return cli("flux", csv.toString(), "--volume-cm3", Double.toString(chamber.volumeCm3()), "--area-cm2",
                Double.toString(chamber.areaCm2()), "--collar-offset-cm", Double.toString(chamber.collarOffsetCm()),
                "--deadband-s", Double.toString((obsStart - first) / 1e9),
                "--observation-s", Double.toString((obsEnd - obsStart) / 1e9)).get(0);
    }

    private JsonNode cliMineralisation(SiteConfig house, long lastSampleNs) throws Exception {
        var h = house.house();
        long to = lastSampleNs + 1_000_000;
        List<Reading> flow = readings(house.id(), h.airflow(), 0, to);
        List<Reading> in = readings(house.id(), h.inletCo2(), 0, to);
        List<Reading> out = readings(house.id(), h.outletCo2(), 0, to);
        List<Reading> t = readings(house.id(), h.temperature(), 0, to);
        List<Reading> p = readings(house.id(), h.pressure(), 0, to);
        List<Reading> power = readings(house.id(), h.fanPower(), 0, to);
        StringBuilder csv = new StringBuilder("time_s,flow_m3_s,co2_in_ppm,co2_out_ppm,temp_c,pressure_kpa,power_kw\n");
        for (Reading f : flow) {
            long ts = f.timeNs();
            csv.append(ts / 1e9).append(',').append(h.ductFactor() * Math.sqrt(Math.max(0, f.value()))).append(',')
                    .append(cell(atOrBefore(in, ts), 1)).append(',').append(cell(atOrBefore(out, ts), 1)).append(',')
                    .append(cell(atOrBefore(t, ts), 1)).append(',').append(cell(atOrBefore(p, ts), 1)).append(',')
                    .append(cell(atOrBefore(power, ts), 1e-3)).append('\n');
        }
        var batch = h.batches().get(h.batches().size() - 1);
        return cli("mineralisation", csv.toString(), "--rock-kg", Double.toString(batch.massKg()),
                "--potential-kg-per-kg", Double.toString(batch.co2PotentialKgPerKg()),
                "--grid-kg-per-kwh", Double.toString(h.gridKgCo2PerKwh()),
                "--handling-kg-co2", Double.toString(batch.handlingEmissionsKgCo2())).get(0);
    }

    private JsonNode cliDecomposition(SiteConfig soil, Map<String, Object> decomposition) throws Exception {
        // the day's usable fluxes (no severe flag) and its soil temperature at the shallowest depth
        long dayStart = (Long) decomposition.get("time");
        long dayEnd = dayStart + 86_400_000_000_000L;
        // the point counts the closures it used: the day's first usable ones (later ones came after its run)
        long used = (Long) decomposition.get("closures");
        double rsSum = 0;
        int n = 0;
        for (Map<String, Object> f : influxRef.query(DB, "SELECT flux, flags, closure_qc FROM flux WHERE time >= "
                + dayStart + " AND time < " + dayEnd + " ORDER BY time")) {
            String flags = (String) f.get("flags");
            if (n < used && !flags.matches(".*(LOW_R2|TOO_FEW_POINTS|GAPS|CO2_DROPS|NEGATIVE_CURVATURE).*")) {
                rsSum += (Double) f.get("flux");
                n++;
            }
        }
        List<Reading> temp = readings(soil.id(), new ChannelRef("soil-co2-10cm", "temp_10cm"), dayStart, dayEnd);
        double tSum = 0;
        for (Reading r : temp) {
            tSum += r.value();
        }
        String day = java.time.Instant.ofEpochSecond(0, dayStart).atZone(soil.timezone()).toLocalDate().toString();
        String csv = "date,rs_umol_m2_s,temp_c\n" + day + "," + (rsSum / n) + "," + (tSum / temp.size()) + "\n";
        return cli("decomposition", csv, "--soc-g-c-m2", "4500", "--rh-fraction", "0.55").get(0);
    }

    private static String cell(Reading r, double scale) {
        return r == null ? "" : Double.toString(r.value() * scale);
    }

    private List<JsonNode> cli(String command, String csv, String... options) throws Exception {
        Path input = Files.createTempFile(dir, command, ".csv");
        Files.writeString(input, csv);
        List<String> args = new ArrayList<>(List.of(command, "--input", input.toString()));
        args.addAll(List.of(options));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = CalcCli.run(args.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8) + "\n" + csv);
        List<JsonNode> objects = new ArrayList<>();
        for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                objects.add(json.readTree(line));
            }
        }
        return objects;
    }
}
