package org.fieldgate.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.fieldgate.site.SiteConfig;
import org.fieldgate.site.SiteConfigs;
import org.fieldgate.testkit.FreePorts;
import org.fieldgate.testkit.GatewayProcess;
import org.fieldgate.testkit.InfluxdProcess;
import org.fieldgate.testkit.SiteChannels;

/**
 * The demo as a technician runs it ({@code gateway/fieldgate demo}: both example sites, unmodified, on simulated
 * probes; embedded broker), against a real InfluxDB, for a bounded time (default 20 minutes). Then checks, in InfluxDB:
 * readings for every configured channel of both sites, and one closure per chamber per scheduled cycle (cycles that
 * ended before the run did), each with its flux; prints the figures and exits 1 on a miss.
 * <pre>gateway/bench/demo-soak [seconds]</pre>
 */
public final class DemoSoak {
    private static final String DB = "fieldgate_soak";

    public static void main(String[] args) throws Exception {
        long seconds = args.length > 0 ? Long.parseLong(args[0]) : 1200;
        Path config = Path.of(args.length > 1 ? args[1] : "firmware-config").toAbsolutePath().normalize();
        Path soilFile = config.resolve("sites/soil-plot-example.yaml");
        Path houseFile = config.resolve("sites/mineralisation-house-example.yaml");
        SiteConfig soil = SiteConfigs.loadOrThrow(soilFile, config.resolve("models"));
        SiteConfig house = SiteConfigs.loadOrThrow(houseFile, config.resolve("models"));
        int failures = 0;
        try (InfluxdProcess influx = InfluxdProcess.started();
             GatewayProcess gateway = GatewayProcess.builder()
                     .property("micronaut.environments", "demo")
                     .site(soil.id())
                     .mqttUrl("tcp://127.0.0.1:" + FreePorts.next())
                     .property("fieldgate.mqtt.embedded", "true")
                     .property("fieldgate.simulator.enabled", "true")
                     .influxUrl(influx.url())
                     .database(DB)
                     .property("fieldgate.site-config", soilFile + "," + houseFile)
                     .start()) {
            long startNs = System.currentTimeMillis() * 1_000_000L;
            System.out.printf(Locale.ROOT, "demo running for %d s against InfluxDB %s ...%n", seconds, influx.url());
            Thread.sleep(seconds * 1000);
            long endNs = System.currentTimeMillis() * 1_000_000L;
            Thread.sleep(10_000); // the last closures' fluxes and the forwarder's last batch

            TreeSet<String> expected = SiteChannels.configured(List.of(soil, house));
            TreeSet<String> landed = SiteChannels.landed(influx, DB);
            TreeSet<String> missing = new TreeSet<>(expected);
            missing.removeAll(landed);
            System.out.printf(Locale.ROOT, "channels configured %d, with readings in InfluxDB %d, missing %s%n",
                    expected.size(), expected.size() - missing.size(), missing);
            if (!missing.isEmpty()) {
                failures++;
            }
            for (Map<String, Object> row : influx.query(DB, "SELECT count(value) FROM reading GROUP BY site")) {
                System.out.printf(Locale.ROOT, "  %-30s %8d readings%n", row.get("site"), row.get("count"));
            }

            var schedule = soil.chambers().schedule();
            int chambers = soil.chambers().chambers().size();
            List<Map<String, Object>> closures = SiteChannels.closures(influx, DB, soil.id());
            List<Map<String, Object>> fluxes = influx.query(DB, "SELECT * FROM flux ORDER BY time");
            // cycles start at the first closure and every cycle-s after; a cycle counts when its last lid opened
            long firstNs = closures.isEmpty() ? startNs : (Long) closures.get(0).get("time");
            long cycleNs = Math.round(schedule.cycleS() * 1e9);
            long cycleWorkNs = Math.round(chambers * schedule.slotS() * 1e9);
            int cyclesDue = 0;
            for (long c = firstNs; c + cycleWorkNs <= endNs; c += cycleNs) {
                cyclesDue++;
            }
            Map<String, Integer> perChamber = new TreeMap<>();
            List<String> notComplete = new ArrayList<>();
            for (Map<String, Object> c : closures) {
                perChamber.merge((String) c.get("chamber"), 1, Integer::sum);
                if (!"complete".equals(c.get("outcome"))) {
                    notComplete.add(c.get("closure_id") + ": " + c.get("outcome"));
                }
            }
            System.out.printf(Locale.ROOT, "chamber cycles scheduled and finished in the run: %d (cycle %.0f s, "
                    + "%d chambers x %.0f s); closures %d %s; fluxes %d; not complete %s%n", cyclesDue,
                    schedule.cycleS(), chambers, schedule.slotS(), closures.size(), perChamber, fluxes.size(),
                    notComplete);
            for (Map<String, Object> f : fluxes) {
                System.out.printf(Locale.ROOT, "  flux %-10s %-12s %8.4f umol m-2 s-1  se %.4f  r2 %.4f  %s%n",
                        f.get("chamber"), f.get("model"), f.get("flux"), f.get("se"), f.get("r2"), f.get("flags"));
            }
            int due = cyclesDue;
            if (closures.size() < due * chambers || perChamber.size() != chambers
                    || perChamber.values().stream().anyMatch(n -> n < due || n > due + 1)
                    || fluxes.size() != closures.size() || !notComplete.isEmpty()) {
                failures++;
            }
            for (String m : List.of("fixation", "decomposition", "gap")) {
                var rows = influx.query(DB, "SELECT count(*) FROM " + m);
                System.out.printf(Locale.ROOT, "%s points: %s%n", m, rows.isEmpty() ? "none" : rows.get(0));
            }
            System.out.println(gateway.statusText());
        }
        System.out.println(failures == 0 ? "demo soak: PASS" : "demo soak: FAIL (" + failures + ")");
        System.exit(failures == 0 ? 0 : 1);
    }
}
