package org.fieldgate.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.fieldgate.dashboards.InfluxQlTemplate.Selection;
import org.fieldgate.dashboards.InfluxQlTemplate.Window;
import org.influxdb.InfluxDB;
import org.influxdb.InfluxDBException;
import org.influxdb.InfluxDBFactory;
import org.influxdb.dto.Query;
import org.influxdb.dto.QueryResult;

/**
 * A dashboard's queries as Grafana would send them when the dashboard opens: its default time range ending now,
 * each template variable resolved in order by its own query and set to its saved choice when that is among the
 * answers (otherwise All, or the first answer), repeated panels once per value, and {@code $__interval} from the
 * range, {@link #MAX_DATA_POINTS} and the panel's or data source's minimum interval.
 */
public final class DashboardQueries implements AutoCloseable {
    /** Grafana asks for as many points as the panel is wide in pixels; about 1000 for a half-width panel on a 2K screen. */
    public static final int MAX_DATA_POINTS = 1000;

    private final InfluxDB influx;
    private final String database;
    private final long dataSourceMinIntervalMs;

    /** One query as sent: which panel (and repeat value) and target it belongs to, and its text. */
    public record PanelQuery(String panel, String refId, String influxql) {
        @Override
        public String toString() {
            return "panel '" + panel + "' " + refId + ": " + influxql;
        }
    }

    /** Series in the answer and non-null values in them (the time column left out). */
    public record Answer(int series, long values) {
    }

    public DashboardQueries(String influxUrl, String database, String dataSourceMinInterval) {
        this.influx = InfluxDBFactory.connect(influxUrl);
        this.database = database;
        this.dataSourceMinIntervalMs = InfluxQlTemplate.parseIntervalMs(dataSourceMinInterval);
    }

    /** Runs one statement; an error InfluxDB reports fails with the query and the error. */
    public Answer run(String influxql) {
        QueryResult result = query(influxql);
        if (result.hasError()) {
            throw new AssertionError("InfluxDB refused `" + influxql + "`: " + result.getError());
        }
        int series = 0;
        long values = 0;
        for (QueryResult.Result r : result.getResults()) {
            if (r.hasError()) {
                throw new AssertionError("InfluxDB refused `" + influxql + "`: " + r.getError());
            }
            for (QueryResult.Series s : r.getSeries() == null ? List.<QueryResult.Series>of() : r.getSeries()) {
                series++;
                int time = s.getColumns().indexOf("time");
                for (List<Object> row : s.getValues()) {
                    for (int i = 0; i < row.size(); i++) {
                        if (i != time && row.get(i) != null) {
                            values++;
                        }
                    }
                }
            }
        }
        return new Answer(series, values);
    }

    /** InfluxDB answers a query it cannot parse with HTTP 400, which the client throws: fail naming the query. */
    private QueryResult query(String influxql) {
        try {
            return influx.query(new Query(influxql, database));
        } catch (InfluxDBException e) {
            throw new AssertionError("InfluxDB refused `" + influxql + "`: " + e.getMessage(), e);
        }
    }

    /** The variables' values for a dashboard opened now; a query variable with no answer fails, naming it. */
    public Map<String, Selection> variables(GrafanaDashboard dashboard, long nowMs) {
        Window window = new Window(nowMs - dashboard.defaultRange().toMillis(), nowMs, dataSourceMinIntervalMs);
        Map<String, Selection> out = new LinkedHashMap<>();
        for (JsonNode v : dashboard.variables()) {
            String name = v.path("name").asText();
            String type = v.path("type").asText();
            JsonNode current = v.path("current").path("value");
            if ("textbox".equals(type) || "constant".equals(type)) {
                out.put(name, new Selection(List.of(current.isTextual() ? current.asText() : v.path("query").asText()),
                        false));
                continue;
            }
            if (!"query".equals(type)) {
                throw new AssertionError(dashboard + ": variable " + name + " has type " + type
                        + ", which this test does not resolve");
            }
            String influxql = InfluxQlTemplate.interpolate(v.path("query").asText(), out, window);
            List<String> options = new ArrayList<>();
            QueryResult result = query(influxql);
            for (QueryResult.Result r : result.getResults() == null ? List.<QueryResult.Result>of() : result.getResults()) {
                if (r.hasError()) {
                    throw new AssertionError(dashboard + ": variable " + name + ": `" + influxql + "`: " + r.getError());
                }
                for (QueryResult.Series s : r.getSeries() == null ? List.<QueryResult.Series>of() : r.getSeries()) {
                    int value = s.getColumns().indexOf("value");
                    s.getValues().forEach(row -> options.add(String.valueOf(row.get(value))));
                }
            }
            if (options.isEmpty()) {
                throw new AssertionError(dashboard + ": variable " + name + " has no values: `" + influxql + "`");
            }
            boolean asRegex = v.path("multi").asBoolean() || v.path("includeAll").asBoolean();
            out.put(name, new Selection(selected(v, current, options), asRegex));
        }
        return out;
    }

    /** The saved choice when every value of it is still offered; else All where allowed, else the first option. */
    private static List<String> selected(JsonNode variable, JsonNode current, List<String> options) {
        List<String> saved = new ArrayList<>();
        if (current.isArray()) {
            current.forEach(c -> saved.add(c.asText()));
        } else if (current.isTextual()) {
            saved.add(current.asText());
        }
        if (saved.equals(List.of("$__all")) && variable.path("includeAll").asBoolean()) {
            return options;
        }
        if (!saved.isEmpty() && options.containsAll(saved)) {
            return saved;
        }
        return variable.path("includeAll").asBoolean() ? options : List.of(options.get(0));
    }

    /** Every target of every panel, interpolated; a repeated panel once per value of its variable. */
    public List<PanelQuery> queries(GrafanaDashboard dashboard, long nowMs) {
        Map<String, Selection> variables = variables(dashboard, nowMs);
        long rangeMs = dashboard.defaultRange().toMillis();
        List<PanelQuery> out = new ArrayList<>();
        for (JsonNode panel : dashboard.panels()) {
            String title = panel.path("title").asText();
            long minMs = panel.hasNonNull("interval")
                    ? InfluxQlTemplate.parseIntervalMs(panel.get("interval").asText()) : dataSourceMinIntervalMs;
            Window window = new Window(nowMs - rangeMs, nowMs,
                    InfluxQlTemplate.intervalMs(rangeMs, MAX_DATA_POINTS, minMs));
            String repeat = panel.path("repeat").asText("");
            List<Map<String, Selection>> instances = new ArrayList<>();
            List<String> labels = new ArrayList<>();
            if (repeat.isEmpty()) {
                instances.add(variables);
                labels.add(title);
            } else {
                Selection all = variables.get(repeat);
                if (all == null) {
                    throw new AssertionError(dashboard + ": panel '" + title + "' repeats over unknown $" + repeat);
                }
                for (String value : all.values()) {
                    Map<String, Selection> one = new LinkedHashMap<>(variables);
                    one.put(repeat, new Selection(List.of(value), all.asRegex()));
                    instances.add(one);
                    labels.add(title + " [" + repeat + "=" + value + "]");
                }
            }
            for (int i = 0; i < instances.size(); i++) {
                for (JsonNode target : panel.path("targets")) {
                    out.add(new PanelQuery(labels.get(i), target.path("refId").asText(),
                            InfluxQlTemplate.interpolate(target.path("query").asText(), instances.get(i), window)));
                }
            }
        }
        return out;
    }

    @Override
    public void close() {
        influx.close();
    }
}
