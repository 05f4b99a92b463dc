package org.fieldgate.config;

import io.micronaut.context.ApplicationContext;
import io.micronaut.core.value.MapPropertyResolver;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.fieldgate.store.FullPolicy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SettingsFactoryTest {

    @Test
    void readsEveryPropertyWithUnits() {
        GatewaySettings s = SettingsFactory.read(new MapPropertyResolver(Map.of(
                "fieldgate.site", "plot-7",
                "fieldgate.mqtt.url", "ssl://broker.example:8883",
                "fieldgate.mqtt.password", "secret",
                "fieldgate.spool.dir", "/tmp/s",
                "fieldgate.spool.max-bytes", "64MB",
                "fieldgate.spool.full-policy", "drop-oldest",
                "fieldgate.forward.max-backoff", "2m",
                "fieldgate.ingest.max-future-skew", "1d")));
        assertEquals("plot-7", s.site());
        assertEquals("fieldgate-plot-7", s.mqtt().clientId());
        assertEquals(64L << 20, s.spool().maxBytes());
        assertEquals(FullPolicy.DROP_OLDEST, s.spool().fullPolicy());
        assertEquals(Path.of("/tmp/s"), s.spool().dir());
        assertEquals(Duration.ofMinutes(2), s.forward().maxBackoff());
        assertEquals(Duration.ofDays(1), s.ingest().maxFutureSkew());
        assertTrue(!s.mqtt().toString().contains("secret"), "passwords stay out of logs");
    }

    @Test
    void ingestMemoryBoundsAndKeepAliveHaveDefaultsAndRanges() {
        GatewaySettings defaults = SettingsFactory.read(new MapPropertyResolver(Map.of()));
        assertEquals(1000, defaults.ingest().commitBatchMessages());
        assertEquals(20_000, defaults.ingest().commitBatchReadings());
        assertEquals(4L << 20, defaults.ingest().maxPendingBytes());
        assertEquals(Duration.ofSeconds(30), defaults.mqtt().keepAlive());
        GatewaySettings set = SettingsFactory.read(new MapPropertyResolver(Map.of(
                "fieldgate.ingest.commit-batch-readings", "5000",
                "fieldgate.ingest.max-pending-bytes", "8MB",
                "fieldgate.mqtt.keep-alive", "5s")));
        assertEquals(5000, set.ingest().commitBatchReadings());
        assertEquals(8L << 20, set.ingest().maxPendingBytes());
        assertEquals(Duration.ofSeconds(5), set.mqtt().keepAlive());
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> SettingsFactory.read(
                new MapPropertyResolver(Map.of("fieldgate.ingest.commit-batch-readings", "0",
                        "fieldgate.ingest.max-pending-bytes", "1KB", "fieldgate.mqtt.keep-alive", "1s"))));
        assertEquals(3, e.problems().size(), e.problems().toString());
        assertTrue(e.problems().stream().anyMatch(p -> p.startsWith("fieldgate.mqtt.keep-alive = '1s'")), e.problems().toString());
    }

    @Test
    void everyBadValueIsOneLineNamingPropertyValueAndWhatIsAllowed() {
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> SettingsFactory.read(
                new MapPropertyResolver(Map.of(
                        "fieldgate.spool.max-bytes", "lots",
                        "fieldgate.mqtt.url", "http//nope",
                        "fieldgate.site", "plot/7",
                        "fieldgate.spool.full-policy", "panic",
                        "fieldgate.forward.batch-size", "0",
                        "fieldgate.mqtt.embedded", "maybe"))));
        assertEquals(List.of(
                "fieldgate.site = 'plot/7': expected letters, digits, '_', '.' or '-' (1-64 characters, no '/', '+' or '#')",
                "fieldgate.mqtt.url = 'http//nope': expected a URL with scheme tcp or ssl and a host, e.g. tcp://127.0.0.1:1883",
                "fieldgate.mqtt.embedded = 'maybe': expected true or false",
                "fieldgate.spool.max-bytes = 'lots': expected a byte size such as 67108864, 64MB or 1GB, between 262144 and 1099511627776 bytes",
                "fieldgate.spool.full-policy = 'panic': expected one of backpressure, drop-oldest",
                "fieldgate.forward.batch-size = '0': expected a whole number from 1 to 100000"), e.problems());
    }

    @Test
    void theEmbeddedBrokersAccessSettingsComeWholeOrAreRefused(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path nodes = java.nio.file.Files.writeString(dir.resolve("nodes.passwd"), "plot-7/probe-1:$6$c2FsdA==$aGFzaA==\n");
        String file = nodes.toString();
        assertEquals(List.of("fieldgate.mqtt.node-password-file = '" + file + "': only used by the embedded broker "
                + "(fieldgate.mqtt.embedded = true); Mosquitto has its own password_file"), problems(Map.of(
                "fieldgate.mqtt.node-password-file", file)));
        assertEquals(List.of("fieldgate.mqtt.username = 'gw': the embedded broker's gateway user needs both "
                + "fieldgate.mqtt.username and fieldgate.mqtt.password (or password-file)"), problems(Map.of(
                "fieldgate.mqtt.embedded", "true", "fieldgate.mqtt.username", "gw")));
        assertEquals(List.of("fieldgate.mqtt.node-password-file = '" + file + "': with node users the embedded broker "
                + "admits no anonymous client, so the gateway needs fieldgate.mqtt.username and password too"), problems(Map.of(
                "fieldgate.mqtt.embedded", "true", "fieldgate.mqtt.node-password-file", file)));
        assertEquals(List.of("fieldgate.mqtt.node-password-file = '" + file + "': line 1 (user plot-7/probe-1): a $6$ "
                + "(Mosquitto 1.x) hash; set the password again with mosquitto_passwd 2.0 or deploy/mosquitto/set-password"),
                problems(Map.of("fieldgate.mqtt.embedded", "true", "fieldgate.mqtt.username", "gw",
                        "fieldgate.mqtt.password", "pw", "fieldgate.mqtt.node-password-file", file)));
    }

    private static List<String> problems(Map<String, Object> properties) {
        return assertThrows(InvalidSettingException.class,
                () -> SettingsFactory.read(new MapPropertyResolver(properties))).problems();
    }

    @Test
    void theApplicationContextRefusesToStartOnABadValue() {
        RuntimeException e = assertThrows(RuntimeException.class, () -> {
            try (ApplicationContext ignored = ApplicationContext.run(Map.of(
                    "fieldgate.spool.max-bytes", "lots", "micronaut.server.port", "-1"))) {
                throw new AssertionError("context started despite a bad fieldgate.spool.max-bytes");
            }
        });
        Throwable cause = e;
        while (cause != null && !(cause instanceof InvalidSettingException)) {
            cause = cause.getCause();
        }
        assertTrue(cause instanceof InvalidSettingException, "root cause should be InvalidSettingException: " + e);
        assertTrue(cause.getMessage().startsWith("fieldgate.spool.max-bytes = 'lots'"), cause.getMessage());
    }
}
