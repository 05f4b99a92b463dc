package org.fieldgate.site;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The driver settings a probe of each sensor model accepts under {@code settings:} in a site file, with what each
 * allows. The checker refuses any other key or value ({@code probes[i].settings.key: value 'v': allowed}); the
 * hardware probe factory reads them with the model's {@code defaults} and the driver's own defaults behind them.
 * Settings never change which channels a probe publishes: the model file says that.
 */
public final class DriverSettings {

    /** One setting: its key, the sentence an error shows, and the test a written value must pass. */
    public record Setting(String key, String allowed, Predicate<String> valid) {
    }

    private static final List<String> PGA_RANGES_V = List.of("6.144", "4.096", "2.048", "1.024", "0.512", "0.256");
    private static final List<String> DATA_RATES_SPS = List.of("8", "16", "32", "64", "128", "250", "475", "860");
    private static final List<String> OVERSAMPLING = List.of("x1", "x2", "x4", "x8", "x16");

    private static final Setting STUCK_REPEATS = integer("stuck-repeats", 0, 1000,
            "identical raw values in a row that count as stuck, 0 (off) to 1000");
    private static final Setting RESPONSE_TIMEOUT_MS = integer("response-timeout-ms", 20, 10_000,
            "milliseconds to wait for an answer, 20-10000 (the longest of a bus's probes applies to the bus)");

    private static final Map<String, List<Setting>> BY_MODEL = new LinkedHashMap<>();

    static {
        BY_MODEL.put("scd30", List.of(
                integer("measurement-interval-s", 2, 1800, "the module's own measurement interval, 2-1800 s"),
                new Setting("ambient-pressure-mbar", "0 (off) or 700-1400 mbar",
                        v -> isInteger(v) && (Long.parseLong(v) == 0 || inRange(v, 700, 1400))),
                STUCK_REPEATS));
        BY_MODEL.put("scd41", List.of(
                new Setting("ambient-pressure-pa", "0 (off) or 70000-120000 Pa",
                        v -> isInteger(v) && (Long.parseLong(v) == 0 || inRange(v, 70_000, 120_000))),
                STUCK_REPEATS));
        BY_MODEL.put("bme280", List.of(
                oneOf("oversampling-temperature", OVERSAMPLING),
                oneOf("oversampling-pressure", OVERSAMPLING),
                oneOf("oversampling-humidity", OVERSAMPLING),
                integer("filter", 0, 4, "IIR filter field 0-4 (off, 2, 4, 8, 16)"),
                STUCK_REPEATS));
        BY_MODEL.put("ads1115", List.of(
                oneOf("ain0-range-v", PGA_RANGES_V), oneOf("ain1-range-v", PGA_RANGES_V),
                oneOf("ain2-range-v", PGA_RANGES_V), oneOf("ain3-range-v", PGA_RANGES_V),
                oneOf("data-rate-sps", DATA_RATES_SPS),
                STUCK_REPEATS));
        BY_MODEL.put("sdp810", List.of(
                oneOf("compensation", List.of("differential-pressure", "mass-flow")),
                bool("averaging"),
                STUCK_REPEATS));
        BY_MODEL.put("gmp252", List.of(RESPONSE_TIMEOUT_MS, STUCK_REPEATS));
        BY_MODEL.put("sdm120", List.of(RESPONSE_TIMEOUT_MS, STUCK_REPEATS));
        BY_MODEL.put("sdm630", List.of(RESPONSE_TIMEOUT_MS, STUCK_REPEATS));
        BY_MODEL.put("teros12", List.of(
                bool("crc"),
                integer("response-timeout-ms", 15, 2000, "milliseconds to the first character of an answer,"
                        + " 15-2000 (the longest of a bus's probes applies)"),
                STUCK_REPEATS));
        BY_MODEL.put("gpio-pulse", List.of(
                number("pulses-per-revolution", 0.001, 1000, "pulses per revolution, 0.001-1000"),
                oneOf("edge", List.of("rising", "falling", "both")),
                oneOf("pull", List.of("up", "down", "none")),
                number("debounce-ms", 0, 1000, "0-1000 ms"),
                number("max-hz", 0.001, 1_000_000, "frequencies above this are flagged out of range, 0.001-1000000 Hz"),
                integer("stuck-zero-intervals", 0, 1000,
                        "intervals without pulses before flagged stuck, 0 (off) to 1000")));
        BY_MODEL.put("gpio-relay", List.of(
                bool("active-low"),
                number("min-dwell-s", 0, 3600, "least seconds between two changes, 0-3600"),
                number("actuation-s", 0, 600, "seconds the actuator needs, 0-600")));
    }

    private DriverSettings() {
    }

    /** The settings a probe of {@code modelId} accepts, in a fixed order; empty for a model without any. */
    public static List<Setting> of(String modelId) {
        return BY_MODEL.getOrDefault(modelId, List.of());
    }

    /** The setting {@code key} of {@code modelId}, or null. */
    public static Setting find(String modelId, String key) {
        for (Setting s : of(modelId)) {
            if (s.key().equals(key)) {
                return s;
            }
        }
        return null;
    }

    private static Setting oneOf(String key, List<String> values) {
        return new Setting(key, "one of " + String.join(", ", values), values::contains);
    }

    private static Setting bool(String key) {
        return new Setting(key, "true or false", v -> v.equals("true") || v.equals("false"));
    }

    private static Setting integer(String key, long min, long max, String allowed) {
        return new Setting(key, allowed, v -> isInteger(v) && inRange(v, min, max));
    }

    private static Setting number(String key, double min, double max, String allowed) {
        return new Setting(key, allowed, v -> {
            Double d = parseNumber(v);
            return d != null && d >= min && d <= max;
        });
    }

    private static boolean isInteger(String v) {
        return v.matches("[-+]?\\d{1,12}");
    }

    private static boolean inRange(String v, double min, double max) {
        double d = Double.parseDouble(v);
        return d >= min && d <= max;
    }

    /** A decimal number as written in YAML ({@code 1}, {@code 0.5}, {@code 1e3}), or null. */
    public static Double parseNumber(String v) {
        if (v == null || !v.matches("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?")) {
            return null;
        }
        double d = Double.parseDouble(v);
        return Double.isFinite(d) ? d : null;
    }
}
