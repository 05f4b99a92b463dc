package org.fieldgate.dashboards;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.fieldgate.dashboards.InfluxQlTemplate.Selection;
import org.fieldgate.dashboards.InfluxQlTemplate.Window;
import org.junit.jupiter.api.Test;

/**
 * The dashboard files and Grafana provisioning without a running InfluxDB: every dashboard parses, has its own
 * uid, queries only the provisioned data source with raw InfluxQL, and names only variables it defines; the
 * provider points Grafana at the folder the README says. Their queries run against real data in
 * {@code it/LiveSitesTest}.
 */
class DashboardFilesTest {
    @Test
    void everyDashboardParsesHasItsOwnUidAndQueriesTheProvisionedDataSourceInRawInfluxQl() throws Exception {
        Map<String, Object> source = GrafanaDashboard.provisionedDataSource();
        assertEquals("influxdb", source.get("type"));
        String uid = (String) source.get("uid");
        List<GrafanaDashboard> dashboards = GrafanaDashboard.loadAll(GrafanaDashboard.DIR);
        List<String> files = dashboards.stream().map(GrafanaDashboard::fileName).toList();
        assertEquals(List.of("gateway-health.json", "mineralisation-house.json", "site-overview.json",
                "soil-plot.json"), files);

        Set<String> uids = new HashSet<>();
        List<String> problems = new ArrayList<>();
        for (GrafanaDashboard d : dashboards) {
            if (d.uid().isBlank() || d.uid().length() > 40 || !uids.add(d.uid())) {
                problems.add(d + ": uid missing, longer than Grafana's 40 characters, or not unique");
            }
            if (d.json().hasNonNull("id")) {
                problems.add(d + ": a provisioned dashboard carries no id (Grafana assigns it)");
            }
            d.defaultRange(); // fails on a range the query test could not reproduce
            Set<String> names = new TreeSet<>();
            for (JsonNode v : d.variables()) {
                String name = v.path("name").asText();
                if (!names.add(name)) {
                    problems.add(d + ": variable " + name + " twice");
                }
                if ("query".equals(v.path("type").asText()) && !uid.equals(v.path("datasource").path("uid").asText())) {
                    problems.add(d + ": variable " + name + " does not use data source " + uid);
                }
            }
            Map<String, Selection> anyValue = new HashMap<>();
            names.forEach(n -> anyValue.put(n, new Selection(List.of("x"), false)));
            Window window = new Window(0, 1, 1000);
            for (JsonNode v : d.variables()) {
                try {
                    InfluxQlTemplate.interpolate(v.path("query").asText(), anyValue, window);
                } catch (AssertionError e) {
                    problems.add(d + ": variable " + v.path("name").asText() + ": " + e.getMessage());
                }
            }
            Set<Long> panelIds = new HashSet<>();
            for (JsonNode p : d.panels()) {
                String where = d + " panel '" + p.path("title").asText() + "'";
                if (!panelIds.add(p.path("id").asLong(-1))) {
                    problems.add(where + ": id " + p.path("id") + " missing or used twice");
                }
                if (!uid.equals(p.path("datasource").path("uid").asText())
                        || !"influxdb".equals(p.path("datasource").path("type").asText())) {
                    problems.add(where + ": data source " + p.path("datasource") + ", not the provisioned " + uid);
                }
                if (p.path("targets").isEmpty()) {
                    problems.add(where + ": no query");
                }
                Set<String> refIds = new HashSet<>();
                for (JsonNode t : p.path("targets")) {
                    if (!uid.equals(t.path("datasource").path("uid").asText())) {
                        problems.add(where + " " + t.path("refId") + ": data source " + t.path("datasource"));
                    }
                    if (!t.path("rawQuery").asBoolean() || t.path("query").asText().isBlank()) {
                        problems.add(where + " " + t.path("refId") + ": not a raw InfluxQL query");
                    }
                    try {
                        InfluxQlTemplate.interpolate(t.path("query").asText(), anyValue, window);
                    } catch (AssertionError e) {
                        problems.add(where + " " + t.path("refId") + ": " + e.getMessage());
                    }
                    if (!refIds.add(t.path("refId").asText())) {
                        problems.add(where + ": refId " + t.path("refId") + " twice");
                    }
                }
            }
        }
        assertEquals(List.of(), problems);
    }

    /** docs/science.md §7: every central value a claim rests on is plotted with its 95 % interval as a band. */
    @Test
    void centralValuesArePlottedWithTheirIntervalsAsBands() {
        Map<String, List<String>> required = Map.of(
                "mineralisation-house.json", List.of("cumulative_kg_ci95_low", "cumulative_kg_ci95_high", "x_ci95_low",
                        "x_ci95_high", "net_kg_ci95_low", "net_kg_ci95_high", "net_kg_conservative"),
                "soil-plot.json", List.of("flux_ci95_low", "flux_ci95_high", "k_per_yr_ci95_low", "k_per_yr_ci95_high"));
        List<String> problems = new ArrayList<>();
        int bands = 0;
        for (GrafanaDashboard d : GrafanaDashboard.loadAll(GrafanaDashboard.DIR)) {
            StringBuilder all = new StringBuilder();
            for (JsonNode p : d.panels()) {
                StringBuilder queries = new StringBuilder();
                p.path("targets").forEach(t -> queries.append(t.path("query").asText()).append('\n'));
                all.append(queries);
                for (JsonNode o : p.path("fieldConfig").path("overrides")) {
                    for (JsonNode prop : o.path("properties")) {
                        if (!"custom.fillBelowTo".equals(prop.path("id").asText())) {
                            continue;
                        }
                        bands++;
                        String high = o.path("matcher").path("options").asText();
                        String low = prop.path("value").asText();
                        for (String series : List.of(high, low)) {
                            if (!queries.toString().contains("AS \"" + series + "\"")) {
                                problems.add(d + " panel '" + p.path("title").asText() + "': band series '" + series
                                        + "' is not a column of its queries (AS \"" + series + "\")");
                            }
                        }
                    }
                }
            }
            for (String field : required.getOrDefault(d.fileName(), List.of())) {
                if (!all.toString().contains("\"" + field + "\"")) {
                    problems.add(d + ": no panel plots " + field);
                }
            }
        }
        assertEquals(List.of(), problems);
        assertEquals(4, bands, "uptake, X and net (house), flux per chamber (soil plot)");
    }

    @Test
    void theDashboardProviderLoadsTheFolderTheReadmeInstallsTheFilesInto() throws Exception {
        Map<String, Object> yaml = new org.yaml.snakeyaml.Yaml().load(
                Files.readString(GrafanaDashboard.PROVISIONING.resolve("dashboards/fieldgate.yaml")));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> providers = (List<Map<String, Object>>) yaml.get("providers");
        assertEquals(1, providers.size());
        assertEquals("file", providers.get(0).get("type"));
        @SuppressWarnings("unchecked")
        String path = (String) ((Map<String, Object>) providers.get(0).get("options")).get("path");
        String readme = Files.readString(GrafanaDashboard.DIR.resolve("README.md"));
        assertTrue(readme.contains(path), "dashboards/README.md installs the files where the provider reads: " + path);
    }

    @Test
    void variablesAreWrittenAsGrafanaWritesThem() {
        Window window = new Window(1_700_000_000_000L, 1_700_021_600_000L, 20_000);
        Map<String, Selection> vars = Map.of(
                "site", new Selection(List.of("soil-plot-example"), false),
                "device", new Selection(List.of("soil-co2-10cm", "air.1"), true),
                "one", new Selection(List.of("air.1"), true));
        assertEquals("SELECT mean(\"value\") FROM \"reading\" WHERE \"site\" = 'soil-plot-example' AND \"device\" =~ "
                        + "/^(soil-co2-10cm|air\\.1)$/ AND \"channel\" =~ /^air\\.1$/ AND time >= 1700000000000ms and "
                        + "time <= 1700021600000ms GROUP BY time(20s)",
                InfluxQlTemplate.interpolate("SELECT mean(\"value\") FROM \"reading\" WHERE \"site\" = '$site' AND "
                        + "\"device\" =~ /^$device$/ AND \"channel\" =~ /^${one}$/ AND $timeFilter GROUP BY "
                        + "time($__interval)", vars, window));
        AssertionError unknown = assertThrows(AssertionError.class,
                () -> InfluxQlTemplate.interpolate("SELECT x FROM y WHERE a = '$nope'", vars, window));
        assertTrue(unknown.getMessage().contains("$nope"), unknown.getMessage());
        assertEquals("it\\'s", new Selection(List.of("it's"), false).format());
    }

    @Test
    void intervalFollowsGrafanasRounding() {
        // 6 h over 1000 points = 21.6 s -> 20 s; 2 d -> 172.8 s -> 2 m; 7 d -> 604.8 s -> 10 m; a floor of 30 s wins
        assertEquals("20s", InfluxQlTemplate.secondsToHms(InfluxQlTemplate.intervalMs(Duration.ofHours(6).toMillis(),
                1000, 10_000)));
        assertEquals("30s", InfluxQlTemplate.secondsToHms(InfluxQlTemplate.intervalMs(Duration.ofHours(6).toMillis(),
                1000, 30_000)));
        assertEquals("2m", InfluxQlTemplate.secondsToHms(InfluxQlTemplate.intervalMs(Duration.ofDays(2).toMillis(),
                1000, 10_000)));
        assertEquals("10m", InfluxQlTemplate.secondsToHms(InfluxQlTemplate.intervalMs(Duration.ofDays(7).toMillis(),
                1000, 10_000)));
        assertEquals("500ms", InfluxQlTemplate.secondsToHms(500));
        assertEquals(10_000, InfluxQlTemplate.parseIntervalMs("10s"));
        assertEquals(30_000, InfluxQlTemplate.parseIntervalMs(">30s"));
        assertFalse(assertThrows(IllegalArgumentException.class, () -> InfluxQlTemplate.parseIntervalMs("soon"))
                .getMessage().isEmpty());
    }
}
