package org.fieldgate.config;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Every {@code fieldgate.*} setting the gateway reads, with its default: the one place a default is written.
 * {@link SettingsReader} takes each default from here and refuses to read a setting that is not listed, the
 * {@code DEFAULT_} constants of {@link GatewaySettings} are parsed from here, and {@code SettingsTableTest} checks
 * README.md's configuration table against this list (a missing row or a different default fails).
 *
 * <p>A default is written as an operator would set it ({@code 500ms}, {@code 512MB}). {@code null}: unset unless
 * configured (README says what happens then). Text in angle brackets ({@code fieldgate-<site>}) is a default derived
 * from other settings: {@link SettingsFactory} derives it, README shows the same text. Demo overrides live in
 * {@code application-demo.yml}.
 */
public final class SettingDefaults {
    private static final Map<String, String> DEFAULTS = table(
            "fieldgate.site", "demo-plot",
            "fieldgate.mqtt.url", "tcp://127.0.0.1:1883",
            "fieldgate.mqtt.embedded", "false",
            "fieldgate.mqtt.client-id", "fieldgate-<site>",
            "fieldgate.mqtt.username", null,
            "fieldgate.mqtt.password", null,
            "fieldgate.mqtt.node-password-file", null,
            "fieldgate.mqtt.password-file", null,
            "fieldgate.mqtt.ca-file", null,
            "fieldgate.mqtt.client-cert-file", null,
            "fieldgate.mqtt.client-key-file", null,
            "fieldgate.mqtt.keep-alive", "30s",
            "fieldgate.influx.url", "http://127.0.0.1:8086",
            "fieldgate.influx.database", "fieldgate",
            "fieldgate.influx.username", null,
            "fieldgate.influx.password", null,
            "fieldgate.influx.password-file", null,
            "fieldgate.influx.ca-file", null,
            "fieldgate.influx.gzip", "auto",
            "fieldgate.http.token-file", null,
            "fieldgate.spool.dir", "/var/lib/fieldgate/spool",
            "fieldgate.spool.max-bytes", "512MB",
            "fieldgate.spool.full-policy", "backpressure",
            "fieldgate.ingest.max-message-bytes", "262144",
            "fieldgate.ingest.max-records-per-pack", "10000",
            "fieldgate.ingest.max-future-skew", "1d",
            "fieldgate.ingest.commit-batch-messages", "1000",
            "fieldgate.ingest.commit-batch-readings", "20000",
            "fieldgate.ingest.max-pending-bytes", "4MB",
            "fieldgate.forward.batch-size", "5000",
            "fieldgate.forward.min-backoff", "500ms",
            "fieldgate.forward.max-backoff", "15s",
            "fieldgate.forward.down-after", "15m",
            "fieldgate.forward.keep-delivered", "7d",
            "fieldgate.forward.reconcile-every", "1h",
            "fieldgate.forward.linger", "100ms",
            "fieldgate.live.max-series", "12000",
            "fieldgate.simulator.enabled", "false",
            "fieldgate.simulator.interval", "2s",
            "fieldgate.simulator.device", "sim-soil-1",
            "fieldgate.site-config", null,
            "fieldgate.acquire.mode", "hardware",
            "fieldgate.acquire.clock-sync", "system",
            "fieldgate.calc.fixation-every", "1h",
            "fieldgate.calc.decomposition-every", "1d",
            "fieldgate.calc.soc-g-c-m2", "4500",
            "fieldgate.calc.rh-fraction", "0.55",
            "fieldgate.calc.soil-temperature", null,
            "fieldgate.export.schedule", "0 2 * * *",
            "fieldgate.export.window", "1d",
            "fieldgate.export.outbox", "<spool.dir>/../outbox",
            "fieldgate.export.format", "csv",
            "fieldgate.export.endpoint", null,
            "fieldgate.export.token-file", null,
            "fieldgate.export.min-backoff", "10s",
            "fieldgate.export.max-backoff", "30m",
            "fieldgate.export.key-dir", "<spool.dir>/../keys");

    private SettingDefaults() {
    }

    /** Every setting the gateway reads, in README's order. */
    public static Set<String> names() {
        return DEFAULTS.keySet();
    }

    /** The default as written here: a value, a derivation in angle brackets, or null for "unset". */
    public static String of(String name) {
        requireKnown(name);
        return DEFAULTS.get(name);
    }

    /** Whether a default is derived from other settings rather than a value. */
    public static boolean derived(String name) {
        String value = of(name);
        return value != null && value.contains("<");
    }

    /** Fails for a setting the list does not hold, so nothing is read without a default written here. */
    static void requireKnown(String name) {
        if (!DEFAULTS.containsKey(name)) {
            throw new IllegalArgumentException(name + " is read but has no entry in SettingDefaults (nor, then, in "
                    + "README.md's configuration table)");
        }
    }

    /** The default as a value; a setting without one (unset or derived) is a programming error here. */
    static String literal(String name) {
        String value = of(name);
        if (value == null || derived(name)) {
            throw new IllegalStateException(name + " has no literal default (" + value + ") in SettingDefaults");
        }
        return value;
    }

    /** A duration default, parsed as the setting's value would be. */
    static Duration duration(String name) {
        return parsed(name, SettingsReader.parseDuration(literal(name)));
    }

    /** A byte-size default, parsed as the setting's value would be. */
    static long bytes(String name) {
        return parsed(name, SettingsReader.parseBytes(literal(name)));
    }

    static <T> T parsed(String name, T value) {
        if (value == null) {
            throw new IllegalStateException("the default of " + name + " in SettingDefaults, '" + of(name)
                    + "', does not parse as its setting's values do");
        }
        return value;
    }

    private static Map<String, String> table(String... nameThenDefault) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < nameThenDefault.length; i += 2) {
            if (map.containsKey(nameThenDefault[i])) {
                throw new IllegalStateException(nameThenDefault[i] + " is listed twice");
            }
            map.put(nameThenDefault[i], nameThenDefault[i + 1]);
        }
        return Collections.unmodifiableMap(map);
    }
}
