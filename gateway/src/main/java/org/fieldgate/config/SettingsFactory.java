package org.fieldgate.config;

import io.micronaut.context.annotation.Factory;
import io.micronaut.core.value.PropertyResolver;
import jakarta.inject.Singleton;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/** Builds {@link GatewaySettings} from Micronaut properties (application.yml, -D, FIELDGATE_* env vars). */
@Factory
public class SettingsFactory {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    /** 2015-01-01T00:00:00Z: no field reading of this gateway predates it; earlier means a Pi with no clock. */
    static final long DEFAULT_NOT_BEFORE_EPOCH_S = 1_420_070_400L;

    @Singleton
    public GatewaySettings gatewaySettings(PropertyResolver properties) {
        return read(properties);
    }

    public static GatewaySettings read(PropertyResolver properties) {
        SettingsReader r = new SettingsReader(properties);
        String letters = "letters, digits, '_', '.' or '-' (1-64 characters, no '/', '+' or '#')";
        String site = r.token("fieldgate.site", "demo-plot", NAME, letters);

        var mqtt = new GatewaySettings.Mqtt(
                r.uri("fieldgate.mqtt.url", "tcp://127.0.0.1:1883", List.of("tcp", "ssl")),
                r.bool("fieldgate.mqtt.embedded", false),
                r.token("fieldgate.mqtt.client-id",
                        // derived only from a valid site, so one bad value is reported once
                        NAME.matcher(site).matches() ? "fieldgate-" + site : "fieldgate-gateway", NAME, letters),
                r.optional("fieldgate.mqtt.username").orElse(null),
                r.optional("fieldgate.mqtt.password").orElse(null));

        var influx = new GatewaySettings.Influx(
                r.uri("fieldgate.influx.url", "http://127.0.0.1:8086", List.of("http", "https")),
                r.token("fieldgate.influx.database", "fieldgate", NAME, letters),
                r.optional("fieldgate.influx.username").orElse(null),
                r.optional("fieldgate.influx.password").orElse(null));

        String dir = r.string("fieldgate.spool.dir", "/var/lib/fieldgate/spool");
        if (dir.isEmpty()) {
            r.problem("fieldgate.spool.dir", dir, "a directory path the gateway may write to");
        }
        var spool = new GatewaySettings.Spool(Path.of(dir.isEmpty() ? "." : dir),
                r.bytes("fieldgate.spool.max-bytes", 512L * 1024 * 1024, 256L * 1024, 1L << 40),
                r.choice("fieldgate.spool.full-policy", GatewaySettings.FullPolicy.BACKPRESSURE,
                        GatewaySettings.FullPolicy.class, p -> p.label));

        var ingest = new GatewaySettings.Ingest(
                r.integer("fieldgate.ingest.max-message-bytes", 256 * 1024, 1024, 16 * 1024 * 1024),
                r.integer("fieldgate.ingest.max-records-per-pack", 10_000, 1, 1_000_000),
                r.duration("fieldgate.ingest.max-future-skew", Duration.ofDays(1), Duration.ZERO, Duration.ofDays(30)),
                DEFAULT_NOT_BEFORE_EPOCH_S,
                r.integer("fieldgate.ingest.commit-batch-messages", 200, 1, 10_000));

        var forward = new GatewaySettings.Forward(
                r.integer("fieldgate.forward.batch-size", 5000, 1, 100_000),
                r.duration("fieldgate.forward.min-backoff", Duration.ofMillis(500), Duration.ofMillis(10), Duration.ofMinutes(1)),
                r.duration("fieldgate.forward.max-backoff", Duration.ofSeconds(15), Duration.ofMillis(10), Duration.ofHours(1)));

        var simulator = new GatewaySettings.Simulator(
                r.bool("fieldgate.simulator.enabled", false),
                r.duration("fieldgate.simulator.interval", Duration.ofSeconds(2), Duration.ofMillis(100), Duration.ofHours(1)),
                r.token("fieldgate.simulator.device", "sim-soil-1", NAME, letters));

        // Site files (firmware-config/sites/*.yaml), comma-separated; each checked in full before anything starts.
        List<Path> siteConfigs = new java.util.ArrayList<>();
        for (String file : r.string("fieldgate.site-config", "").split(",")) {
            if (!file.isBlank()) {
                siteConfigs.add(Path.of(file.trim()));
            }
        }
        var acquire = new GatewaySettings.Acquire(
                r.choice("fieldgate.acquire.mode", GatewaySettings.AcquireMode.HARDWARE,
                        GatewaySettings.AcquireMode.class, m -> m.label),
                r.choice("fieldgate.acquire.clock-sync", GatewaySettings.ClockSync.SYSTEM,
                        GatewaySettings.ClockSync.class, c -> c.label));
        String soilTemperature = r.string("fieldgate.calc.soil-temperature", "");
        if (!soilTemperature.isEmpty() && !soilTemperature.matches("[A-Za-z0-9_.-]+/[A-Za-z0-9:._-]+")) {
            r.problem("fieldgate.calc.soil-temperature", soilTemperature, "probe/channel of a site file, e.g. "
                    + "soil-water-10cm/soil_temp_10cm");
        }
        var calc = new GatewaySettings.Calc(
                r.duration("fieldgate.calc.fixation-every", Duration.ofHours(1), Duration.ofSeconds(10),
                        Duration.ofDays(1)),
                r.duration("fieldgate.calc.decomposition-every", Duration.ofDays(1), Duration.ofSeconds(10),
                        Duration.ofDays(7)),
                r.number("fieldgate.calc.soc-g-c-m2", 4500, 1, 1_000_000),
                r.number("fieldgate.calc.rh-fraction", 0.55, 0.01, 1),
                soilTemperature.isEmpty() ? null : soilTemperature);

        r.throwIfInvalid();
        return new GatewaySettings(site, List.copyOf(siteConfigs), mqtt, influx, spool, ingest, forward, simulator,
                acquire, calc);
    }
}
