package org.fieldgate.config;

import io.micronaut.context.annotation.Factory;
import io.micronaut.core.value.PropertyResolver;
import jakarta.inject.Singleton;
import org.fieldgate.store.FullPolicy;

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
        String site = r.token("fieldgate.site", NAME, letters);

        String mqttUrl = r.uri("fieldgate.mqtt.url", List.of("tcp", "ssl"));
        var mqtt = new GatewaySettings.Mqtt(
                mqttUrl,
                r.bool("fieldgate.mqtt.embedded"),
                r.token("fieldgate.mqtt.client-id",
                        // derived only from a valid site, so one bad value is reported once
                        NAME.matcher(site).matches() ? "fieldgate-" + site : "fieldgate-gateway", NAME, letters),
                r.optional("fieldgate.mqtt.username").orElse(null),
                r.secret("fieldgate.mqtt.password", "fieldgate.mqtt.password-file"),
                tlsFile(r, "fieldgate.mqtt.ca-file", mqttUrl, "ssl", false),
                tlsFile(r, "fieldgate.mqtt.client-cert-file", mqttUrl, "ssl", false),
                tlsFile(r, "fieldgate.mqtt.client-key-file", mqttUrl, "ssl", true),
                r.file("fieldgate.mqtt.node-password-file"),
                r.duration("fieldgate.mqtt.keep-alive", Duration.ofSeconds(2), Duration.ofMinutes(10)));
        checkMqttTls(r, mqtt);
        checkEmbeddedBrokerAccess(r, mqtt);

        String influxUrl = r.uri("fieldgate.influx.url", List.of("http", "https"));
        var influx = new GatewaySettings.Influx(
                influxUrl,
                r.token("fieldgate.influx.database", NAME, letters),
                r.optional("fieldgate.influx.username").orElse(null),
                r.secret("fieldgate.influx.password", "fieldgate.influx.password-file"),
                tlsFile(r, "fieldgate.influx.ca-file", influxUrl, "https", false),
                r.choice("fieldgate.influx.gzip", GatewaySettings.Gzip.class, g -> g.label));
        r.check("fieldgate.influx.ca-file", influx.caFile(), TlsFiles::certificates);

        String dir = r.string("fieldgate.spool.dir");
        if (dir.isEmpty()) {
            r.problem("fieldgate.spool.dir", dir, "a directory path the gateway may write to");
        }
        var spool = new GatewaySettings.Spool(Path.of(dir.isEmpty() ? "." : dir),
                r.bytes("fieldgate.spool.max-bytes", 256L * 1024, 1L << 40),
                r.choice("fieldgate.spool.full-policy", FullPolicy.class, p -> p.label));

        var ingest = new GatewaySettings.Ingest(
                r.integer("fieldgate.ingest.max-message-bytes", 1024, 16 * 1024 * 1024),
                r.integer("fieldgate.ingest.max-records-per-pack", 1, 1_000_000),
                r.duration("fieldgate.ingest.max-future-skew", Duration.ZERO, Duration.ofDays(30)),
                DEFAULT_NOT_BEFORE_EPOCH_S,
                r.integer("fieldgate.ingest.commit-batch-messages", 1, 10_000),
                r.integer("fieldgate.ingest.commit-batch-readings", 1, 1_000_000),
                r.bytes("fieldgate.ingest.max-pending-bytes", 64L * 1024, 1L << 30));

        var forward = new GatewaySettings.Forward(
                r.integer("fieldgate.forward.batch-size", 1, 100_000),
                r.duration("fieldgate.forward.min-backoff", Duration.ofMillis(10), Duration.ofMinutes(1)),
                r.duration("fieldgate.forward.max-backoff", Duration.ofMillis(10), Duration.ofHours(1)),
                r.duration("fieldgate.forward.keep-delivered", Duration.ZERO, Duration.ofDays(366)),
                r.duration("fieldgate.forward.reconcile-every", Duration.ofSeconds(1), Duration.ofDays(7)),
                r.duration("fieldgate.forward.down-after", Duration.ofSeconds(1), Duration.ofDays(7)),
                r.duration("fieldgate.forward.linger", Duration.ZERO, Duration.ofSeconds(1)));

        var simulator = new GatewaySettings.Simulator(
                r.bool("fieldgate.simulator.enabled"),
                r.duration("fieldgate.simulator.interval", Duration.ofMillis(100), Duration.ofHours(1)),
                r.token("fieldgate.simulator.device", NAME, letters));

        // Site files (firmware-config/sites/*.yaml), comma-separated; each checked in full before anything starts.
        List<Path> siteConfigs = new java.util.ArrayList<>();
        for (String file : r.string("fieldgate.site-config").split(",")) {
            if (!file.isBlank()) {
                siteConfigs.add(Path.of(file.trim()));
            }
        }
        var acquire = new GatewaySettings.Acquire(
                r.choice("fieldgate.acquire.mode", GatewaySettings.AcquireMode.class, m -> m.label),
                r.choice("fieldgate.acquire.clock-sync", GatewaySettings.ClockSync.class, c -> c.label));
        String soilTemperature = r.string("fieldgate.calc.soil-temperature");
        if (!soilTemperature.isEmpty() && !soilTemperature.matches("[A-Za-z0-9_.-]+/[A-Za-z0-9:._-]+")) {
            r.problem("fieldgate.calc.soil-temperature", soilTemperature, "probe/channel of a site file, e.g. "
                    + "soil-water-10cm/soil_temp_10cm");
        }
        var calc = new GatewaySettings.Calc(
                r.duration("fieldgate.calc.fixation-every", Duration.ofSeconds(10), Duration.ofDays(1)),
                r.duration("fieldgate.calc.decomposition-every", Duration.ofSeconds(10), Duration.ofDays(7)),
                r.number("fieldgate.calc.soc-g-c-m2", 1, 1_000_000),
                r.number("fieldgate.calc.rh-fraction", 0.01, 1),
                soilTemperature.isEmpty() ? null : soilTemperature);

        // Without a token nothing may change the gateway over HTTP; reads stay open.
        var http = new GatewaySettings.Http(r.secretFile("fieldgate.http.token-file"));

        var export = export(r, spool.dir());
        var live = new GatewaySettings.Live(r.integer("fieldgate.live.max-series", 1, 10_000_000));

        r.throwIfInvalid();
        return new GatewaySettings(site, List.copyOf(siteConfigs), mqtt, influx, spool, ingest, forward, simulator,
                http, acquire, calc, export, live);
    }

    /** The scheduled export: cron, outbox (beside the spool by default), optional endpoint and its token. */
    private static GatewaySettings.Export export(SettingsReader r, Path spoolDir) {
        String cron = r.string("fieldgate.export.schedule");
        CronSchedule schedule = null;
        if (!cron.equals("off")) {
            try {
                schedule = CronSchedule.parse(cron);
            } catch (IllegalArgumentException e) {
                r.refuse("fieldgate.export.schedule", cron, "expected a cron expression 'minute hour day-of-month "
                        + "month day-of-week' (e.g. 0 2 * * *) or off; " + e.getMessage());
            }
        }
        Path parent = spoolDir.toAbsolutePath().getParent();
        String outbox = r.string("fieldgate.export.outbox", (parent == null ? spoolDir : parent.resolve("outbox")).toString());
        if (outbox.isEmpty()) {
            r.problem("fieldgate.export.outbox", outbox, "a directory path the gateway may write to");
        }
        java.net.URI endpoint = null;
        if (r.optional("fieldgate.export.endpoint").isPresent()) {
            String url = r.uri("fieldgate.export.endpoint", List.of("https", "http"));
            try {
                endpoint = java.net.URI.create(url);
            } catch (IllegalArgumentException e) {
                endpoint = null; // r.uri has reported it, naming the property
            }
        }
        Duration window = r.duration("fieldgate.export.window", Duration.ofMinutes(1), Duration.ofDays(1));
        if (Duration.ofDays(1).toNanos() % window.toNanos() != 0) {
            r.problem("fieldgate.export.window", r.string("fieldgate.export.window", ""),
                    "a duration that divides a day evenly, e.g. 15m, 1h, 6h or 1d");
        }
        String format = r.string("fieldgate.export.format");
        if (!format.equals("csv") && !format.equals("json")) {
            r.problem("fieldgate.export.format", format, "csv or json");
        }
        String keyDir = r.string("fieldgate.export.key-dir", (parent == null ? spoolDir : parent.resolve("keys")).toString());
        if (keyDir.isEmpty()) {
            r.problem("fieldgate.export.key-dir", keyDir, "a directory path only the gateway's user may read");
        }
        return new GatewaySettings.Export(schedule, Path.of(outbox.isEmpty() ? "." : outbox), endpoint,
                r.secretFile("fieldgate.export.token-file"), window, format,
                r.duration("fieldgate.export.min-backoff", Duration.ofMillis(10), Duration.ofHours(1)),
                r.duration("fieldgate.export.max-backoff", Duration.ofMillis(10), Duration.ofDays(1)),
                Path.of(keyDir.isEmpty() ? "." : keyDir));
    }

    /**
     * A certificate or key file that only means something with TLS: refused with a plain-text URL, which would
     * ignore it. A private key is a secret: only its owner may read it.
     */
    private static Path tlsFile(SettingsReader r, String name, String url, String tlsScheme, boolean secret) {
        Path file = secret ? r.optional(name).map(value -> r.ownerOnlyFile(name, value)).orElse(null) : r.file(name);
        if (file != null && !url.startsWith(tlsScheme + "://")) {
            r.refuse(name, file.toString(), "only used with an " + tlsScheme + ":// URL, and the URL is " + url);
            return null;
        }
        return file;
    }

    /**
     * With credentials, the embedded broker admits only the gateway's own user and the nodes of the node password
     * file: the gateway's client needs both halves, and the node file means nothing without the embedded broker.
     */
    private static void checkEmbeddedBrokerAccess(SettingsReader r, GatewaySettings.Mqtt mqtt) {
        String nodeFile = "fieldgate.mqtt.node-password-file";
        if (mqtt.nodePasswordFile() != null && !mqtt.embedded()) {
            r.refuse(nodeFile, mqtt.nodePasswordFile().toString(), "only used by the embedded broker "
                    + "(fieldgate.mqtt.embedded = true); Mosquitto has its own password_file");
        } else if (mqtt.embedded() && (mqtt.username() == null) != (mqtt.password() == null)) {
            r.refuse(mqtt.username() == null ? "fieldgate.mqtt.password" : "fieldgate.mqtt.username",
                    mqtt.username() == null ? "***" : mqtt.username(), "the embedded broker's gateway user needs "
                            + "both fieldgate.mqtt.username and fieldgate.mqtt.password (or password-file)");
        } else if (mqtt.nodePasswordFile() != null && mqtt.username() == null) {
            r.refuse(nodeFile, mqtt.nodePasswordFile().toString(), "with node users the embedded broker admits "
                    + "no anonymous client, so the gateway needs fieldgate.mqtt.username and password too");
        } else if (mqtt.nodePasswordFile() != null) {
            r.check(nodeFile, mqtt.nodePasswordFile(), NodePasswordFile::readNodes);
        }
    }

    /** The CA must parse; mutual TLS needs both halves, and they must belong together. */
    private static void checkMqttTls(SettingsReader r, GatewaySettings.Mqtt mqtt) {
        r.check("fieldgate.mqtt.ca-file", mqtt.caFile(), TlsFiles::certificates);
        String certName = "fieldgate.mqtt.client-cert-file";
        String keyName = "fieldgate.mqtt.client-key-file";
        var cert = r.optional(certName);
        var key = r.optional(keyName);
        if (cert.isPresent() != key.isPresent()) {
            r.refuse(cert.isPresent() ? certName : keyName, cert.orElseGet(key::get),
                    "mutual TLS needs " + (cert.isPresent() ? keyName : certName) + " as well");
            return;
        }
        if (mqtt.clientCertFile() == null || mqtt.clientKeyFile() == null) {
            return;
        }
        try {
            var certificate = TlsFiles.certificates(mqtt.clientCertFile()).get(0);
            r.check(keyName, mqtt.clientKeyFile(), file -> TlsFiles.requireMatch(certificate, TlsFiles.privateKey(file)));
        } catch (java.io.IOException | java.security.GeneralSecurityException e) {
            r.refuse(certName, mqtt.clientCertFile().toString(), e.getMessage());
        }
    }
}
