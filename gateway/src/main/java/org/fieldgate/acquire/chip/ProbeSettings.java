package org.fieldgate.acquire.chip;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.fieldgate.site.DriverSettings;
import org.fieldgate.site.ProbeConfig;

/**
 * A probe's settings with its model's {@code defaults} and the setting's declared default behind them, each
 * written value checked again against {@link DriverSettings} (a ProbeConfig may come from code, not only from
 * the checker). Reading a key the chip did not declare is a programming error.
 */
public final class ProbeSettings {
    private final ProbeConfig probe;

    public ProbeSettings(ProbeConfig probe) {
        this.probe = probe;
        for (Map.Entry<String, String> e : probe.settings().entrySet()) {
            DriverSettings.Setting s = DriverSettings.find(probe.model().id(), e.getKey());
            if (s == null) {
                List<String> keys = DriverSettings.of(probe.model().id()).stream()
                        .map(DriverSettings.Setting::key).toList();
                throw new IllegalArgumentException(where(probe) + ": settings." + e.getKey() + ": value '"
                        + e.getValue() + "': not a setting of model " + probe.model().id() + " (settings: "
                        + (keys.isEmpty() ? "none" : String.join(", ", keys)) + ")");
            }
            if (!s.valid().test(e.getValue())) {
                throw new IllegalArgumentException(where(probe) + ": settings." + e.getKey() + ": value '"
                        + e.getValue() + "': " + s.allowed());
            }
        }
    }

    /** {@code probe <id> (model <m>)}: how every error about a probe starts. */
    public static String where(ProbeConfig probe) {
        return "probe " + probe.id() + " (model " + probe.model().id() + ")";
    }

    /** The value as written by the probe, else the model's default, else the setting's; null if none has one. */
    public String text(String key) {
        String v = probe.settings().get(key);
        if (v == null) {
            v = probe.model().settings().get(key);
        }
        if (v == null) {
            DriverSettings.Setting s = DriverSettings.find(probe.model().id(), key);
            if (s == null) {
                throw new IllegalStateException("model " + probe.model().id() + " declares no setting " + key);
            }
            v = s.defaultValue();
        }
        return v;
    }

    public double number(String key) {
        return number(key, null);
    }

    /** The number, or {@code fallback} where neither probe, model nor setting gives one. */
    public double number(String key, Double fallback) {
        String v = text(key);
        Double d = v == null ? fallback : DriverSettings.parseNumber(v);
        if (d == null) {
            throw new IllegalArgumentException(where(probe) + ": settings." + key + ": value '" + v + "': a number");
        }
        return d;
    }

    public int integer(String key) {
        double d = number(key);
        if (d != Math.rint(d)) {
            throw new IllegalArgumentException(where(probe) + ": settings." + key + ": value '" + text(key)
                    + "': a whole number");
        }
        return (int) d;
    }

    public boolean bool(String key) {
        return Boolean.parseBoolean(text(key));
    }

    public Duration millis(String key) {
        return Duration.ofMillis(integer(key));
    }

    public Duration seconds(String key) {
        return Duration.ofNanos(Math.round(number(key) * 1e9));
    }
}
