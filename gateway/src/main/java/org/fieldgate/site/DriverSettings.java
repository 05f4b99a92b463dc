package org.fieldgate.site;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The driver settings a probe of each sensor model accepts under {@code settings:} in a site file, with what each
 * allows and its default. The checker refuses any other key or value ({@code probes[i].settings.key: value 'v':
 * allowed}); the hardware probe factory reads them with the model's {@code defaults} and the setting's own default
 * behind them. Settings never change which channels a probe publishes: the model file says that.
 *
 * <p>Nothing here names a chip: each chip declares its settings in its registration ({@link ChipSettings}, found
 * with {@link ServiceLoader}); this class only indexes them by model id.
 */
public final class DriverSettings {

    /**
     * One setting: its key, the sentence an error shows, the test a written value must pass, and the value used
     * when neither the probe nor the model's {@code defaults} gives one (null: the driver derives it, e.g. from the
     * model's channels).
     */
    public record Setting(String key, String allowed, Predicate<String> valid, String defaultValue) {
    }

    private static final Map<String, List<Setting>> BY_MODEL = index(ServiceLoader.load(ChipSettings.class,
            DriverSettings.class.getClassLoader()));

    private DriverSettings() {
    }

    /** Every registered chip's settings by model id; a model served by two chips is a packaging error. */
    private static Map<String, List<Setting>> index(Iterable<ChipSettings> chips) {
        Map<String, List<Setting>> out = new TreeMap<>();
        Map<String, String> servedBy = new TreeMap<>();
        for (ChipSettings chip : chips) {
            for (String model : chip.models()) {
                String other = servedBy.putIfAbsent(model, chip.getClass().getName());
                if (other != null) {
                    throw new IllegalStateException("model " + model + " is served by two chip registrations: "
                            + other + " and " + chip.getClass().getName());
                }
                out.put(model, List.copyOf(chip.settings()));
            }
        }
        return Collections.unmodifiableMap(out);
    }

    /** The model ids some registered chip serves, sorted. */
    public static List<String> models() {
        return List.copyOf(BY_MODEL.keySet());
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

    // ---- the kinds of setting a registration declares ----

    /** Identical raw values in a row that count as stuck; every driver with a stuck check takes it. */
    public static Setting stuckRepeats(int defaultValue) {
        return integer("stuck-repeats", 0, 1000, "identical raw values in a row that count as stuck, 0 (off) to 1000",
                defaultValue);
    }

    /** Milliseconds a Modbus device may take to answer; the longest of a bus's probes applies to the bus. */
    public static Setting responseTimeoutMs(long defaultValue) {
        return integer("response-timeout-ms", 20, 10_000,
                "milliseconds to wait for an answer, 20-10000 (the longest of a bus's probes applies to the bus)",
                defaultValue);
    }

    /** 0 (off), or a whole number in {@code min}-{@code max}. */
    public static Setting offOrInteger(String key, long min, long max, String unit) {
        return new Setting(key, "0 (off) or " + min + "-" + max + " " + unit,
                v -> isInteger(v) && (Long.parseLong(v) == 0 || inRange(v, min, max)), "0");
    }

    public static Setting oneOf(String key, List<String> values, String defaultValue) {
        return new Setting(key, "one of " + String.join(", ", values), values::contains, defaultValue);
    }

    public static Setting bool(String key, boolean defaultValue) {
        return new Setting(key, "true or false", v -> v.equals("true") || v.equals("false"),
                Boolean.toString(defaultValue));
    }

    public static Setting integer(String key, long min, long max, String allowed, long defaultValue) {
        return new Setting(key, allowed, v -> isInteger(v) && inRange(v, min, max), Long.toString(defaultValue));
    }

    /** A decimal number in {@code min}-{@code max}; {@code defaultValue} null when the driver derives it. */
    public static Setting number(String key, double min, double max, String allowed, String defaultValue) {
        return new Setting(key, allowed, v -> {
            Double d = parseNumber(v);
            return d != null && d >= min && d <= max;
        }, defaultValue);
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
