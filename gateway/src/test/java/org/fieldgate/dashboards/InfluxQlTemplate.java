package org.fieldgate.dashboards;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What Grafana's InfluxDB data source (InfluxQL) does to a raw query before sending it: template variables
 * ({@code $name}, {@code ${name}}, {@code [[name]]}), {@code $timeFilter} and {@code $__interval}, following
 * Grafana's own rules (public/app/plugins/datasource/influxdb and rangeutil), so a test runs what Grafana runs.
 */
public final class InfluxQlTemplate {
    private static final Pattern VARIABLE = Pattern.compile("\\$(\\w+)|\\$\\{(\\w+)}|\\[\\[(\\w+)]]");
    private static final Pattern REGEX_SPECIAL = Pattern.compile("[\\\\^$*+?.()|{}\\[\\]/']");

    private InfluxQlTemplate() {
    }

    /**
     * A variable's selected values. Grafana writes a single-value variable as it is (quotes escaped) and a
     * multi-value or include-All one as an escaped regular expression, {@code (a|b)} for several values.
     */
    public record Selection(List<String> values, boolean asRegex) {
        public Selection {
            if (values.isEmpty()) {
                throw new IllegalArgumentException("a selection needs at least one value");
            }
            values = List.copyOf(values);
        }

        public String format() {
            if (!asRegex) {
                return values.get(0).replace("\\", "\\\\").replace("'", "\\'");
            }
            List<String> escaped = values.stream().map(v -> REGEX_SPECIAL.matcher(v).replaceAll("\\\\$0")).toList();
            return escaped.size() == 1 ? escaped.get(0) : "(" + String.join("|", escaped) + ")";
        }
    }

    /** The dashboard's time range in epoch milliseconds and the panel's interval. */
    public record Window(long fromMs, long toMs, long intervalMs) {
    }

    /** The query with every variable replaced; a name that is neither a variable nor a built-in fails, naming it. */
    public static String interpolate(String query, Map<String, Selection> variables, Window window) {
        Matcher m = VARIABLE.matcher(query);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
            String value = switch (name) {
                case "timeFilter" -> "time >= " + window.fromMs() + "ms and time <= " + window.toMs() + "ms";
                case "__interval" -> secondsToHms(window.intervalMs());
                case "__interval_ms" -> Long.toString(window.intervalMs());
                default -> {
                    Selection s = variables.get(name);
                    if (s == null) {
                        throw new AssertionError("$" + name + " is neither a template variable nor a Grafana built-in: "
                                + query);
                    }
                    yield s.format();
                }
            };
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    /**
     * Grafana's $__interval: the range over the panel's data points (its width in pixels), rounded to a
     * round step, and never below the panel's or the data source's minimum interval.
     */
    public static long intervalMs(long rangeMs, int maxDataPoints, long minIntervalMs) {
        return Math.max(roundInterval(rangeMs / maxDataPoints), minIntervalMs);
    }

    /** Grafana's rangeutil.roundInterval. */
    static long roundInterval(long ms) {
        long[][] steps = {{15, 10}, {35, 20}, {75, 50}, {150, 100}, {350, 200}, {750, 500}, {1500, 1000},
            {3500, 2000}, {7500, 5000}, {12500, 10000}, {17500, 15000}, {25000, 20000}, {45000, 30000},
            {90000, 60000}, {210000, 120000}, {450000, 300000}, {1050000, 600000}, {2100000, 900000},
            {5400000, 1800000}, {9000000, 3600000}, {16200000, 7200000}, {32400000, 10800000},
            {86400000, 21600000}, {604800000, 86400000}, {1814400000, 604800000}, {3628800000L, 2592000000L}};
        for (long[] step : steps) {
            if (ms < step[0]) {
                return step[1];
            }
        }
        return 31536000000L;
    }

    /** Grafana's rangeutil.secondsToHms on a whole number of milliseconds: the largest whole unit only. */
    static String secondsToHms(long ms) {
        long s = ms / 1000;
        if (s / 31536000 > 0) {
            return s / 31536000 + "y";
        }
        if (s % 31536000 / 86400 > 0) {
            return s % 31536000 / 86400 + "d";
        }
        if (s % 86400 / 3600 > 0) {
            return s % 86400 / 3600 + "h";
        }
        if (s % 3600 / 60 > 0) {
            return s % 3600 / 60 + "m";
        }
        if (s % 60 > 0) {
            return s % 60 + "s";
        }
        return ms + "ms";
    }

    /** A duration as Grafana writes one in a data source's {@code timeInterval} or a panel's {@code interval}. */
    public static long parseIntervalMs(String interval) {
        Matcher m = Pattern.compile("(\\d+)(ms|s|m|h|d)").matcher(interval.strip().replaceFirst("^>", ""));
        if (!m.matches()) {
            throw new IllegalArgumentException("interval '" + interval + "' is not <number><ms|s|m|h|d>");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> n;
            case "s" -> n * 1000;
            case "m" -> n * 60_000;
            case "h" -> n * 3_600_000;
            default -> n * 86_400_000;
        };
    }
}
