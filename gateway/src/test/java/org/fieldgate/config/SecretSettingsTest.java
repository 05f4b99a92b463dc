package org.fieldgate.config;

import io.micronaut.context.ApplicationContext;
import io.micronaut.context.env.PropertySource;
import io.micronaut.core.value.MapPropertyResolver;
import org.fieldgate.testkit.Pki;
import org.fieldgate.testkit.StartsProcesses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Credentials from owner-only files, TLS files checked at start-up, secrets never in toString. */
@StartsProcesses
class SecretSettingsTest {

    private static GatewaySettings read(Map<String, String> properties) {
        return SettingsFactory.read(new MapPropertyResolver(Map.copyOf(properties)));
    }

    private static List<String> problems(Map<String, String> properties) {
        return assertThrows(InvalidSettingException.class, () -> read(properties)).problems();
    }

    @Test
    void secretsComeFromOwnerOnlyFilesWithTheTrailingNewlineTrimmedAndStayOutOfToString(@TempDir Path dir) {
        Path mqttPass = Pki.secretFile(dir.resolve("mqtt.pass"), "s3cret mqtt");
        Path influxToken = Pki.secretFile(dir.resolve("influx.token"), "tok-influx==");
        Path apiToken = Pki.secretFile(dir.resolve("api.token"), "tok-api");
        GatewaySettings s = read(Map.of(
                "fieldgate.mqtt.password-file", mqttPass.toString(),
                "fieldgate.influx.password-file", influxToken.toString(),
                "fieldgate.http.token-file", apiToken.toString()));
        assertEquals("s3cret mqtt", s.mqtt().password());
        assertEquals("tok-influx==", s.influx().password());
        assertEquals("tok-api", s.http().token());
        for (String text : List.of(s.toString(), s.mqtt().toString(), s.influx().toString(), s.http().toString())) {
            for (String secret : List.of("s3cret", "tok-influx", "tok-api")) {
                assertFalse(text.contains(secret), secret + " in " + text);
            }
        }
        assertNull(read(Map.of()).http().token(), "no token file: no token, state-changing requests refused");
    }

    @Test
    void aFileOthersCanReadIsRefusedNamingPropertyPathAndMode(@TempDir Path dir) throws Exception {
        Path open = Pki.secretFile(dir.resolve("mqtt.pass"), "pw");
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-r--r--"));
        Path groupOnly = Pki.secretFile(dir.resolve("token"), "tok");
        Files.setPosixFilePermissions(groupOnly, PosixFilePermissions.fromString("rw-r-----"));
        assertEquals(List.of(
                "fieldgate.mqtt.password-file = '" + open + "': mode 0644 lets others read it; chmod 600",
                "fieldgate.http.token-file = '" + groupOnly + "': mode 0640 lets its group read it; chmod 600"),
                problems(Map.of("fieldgate.mqtt.password-file", open.toString(),
                        "fieldgate.http.token-file", groupOnly.toString())));
    }

    @Test
    void passwordAndPasswordFileTogetherAreRefused(@TempDir Path dir) {
        Path file = Pki.secretFile(dir.resolve("influx.token"), "tok");
        assertEquals(List.of("fieldgate.influx.password-file = '" + file
                        + "': fieldgate.influx.password is set too; set only one of them"),
                problems(Map.of("fieldgate.influx.password", "inline", "fieldgate.influx.password-file", file.toString())));
    }

    @Test
    void missingEmptyOrDirectorySecretFilesAreRefused(@TempDir Path dir) throws Exception {
        Path empty = Pki.secretFile(dir.resolve("empty"), "");
        assertEquals(List.of(
                "fieldgate.mqtt.password-file = '" + dir.resolve("nope") + "': no such file",
                "fieldgate.influx.password-file = '" + empty + "': the file is empty",
                "fieldgate.http.token-file = '" + dir + "': not a regular file"),
                problems(Map.of("fieldgate.mqtt.password-file", dir.resolve("nope").toString(),
                        "fieldgate.influx.password-file", empty.toString(),
                        "fieldgate.http.token-file", dir.toString())));
    }

    @Test
    void tlsFilesAreCheckedAtStartUp(@TempDir Path dir) throws Exception {
        Pki pki = Pki.create(dir, "site");
        Pki.Issued client = pki.client("client", "fieldgate-gateway");
        Pki.Issued other = pki.client("other", "someone-else");
        Path notPem = Files.writeString(dir.resolve("not.pem"), "hello\n");

        GatewaySettings ok = read(Map.of("fieldgate.mqtt.url", "ssl://127.0.0.1:8883",
                "fieldgate.mqtt.ca-file", pki.caFile().toString(),
                "fieldgate.mqtt.client-cert-file", client.certFile().toString(),
                "fieldgate.mqtt.client-key-file", client.keyFile().toString(),
                "fieldgate.influx.url", "https://127.0.0.1:8086",
                "fieldgate.influx.ca-file", pki.caFile().toString()));
        assertEquals(pki.caFile(), ok.mqtt().caFile());
        assertEquals(client.keyFile(), ok.mqtt().clientKeyFile());
        assertEquals(pki.caFile(), ok.influx().caFile());

        assertEquals(List.of(
                "fieldgate.mqtt.ca-file = '" + pki.caFile() + "': only used with an ssl:// URL, and the URL is tcp://127.0.0.1:1883",
                "fieldgate.influx.ca-file = '" + notPem + "': no PEM certificate (-----BEGIN CERTIFICATE-----) in it"),
                problems(Map.of("fieldgate.mqtt.ca-file", pki.caFile().toString(),
                        "fieldgate.influx.url", "https://db.example:8086",
                        "fieldgate.influx.ca-file", notPem.toString())));

        assertEquals(List.of("fieldgate.mqtt.client-cert-file = '" + client.certFile()
                        + "': mutual TLS needs fieldgate.mqtt.client-key-file as well"),
                problems(Map.of("fieldgate.mqtt.url", "ssl://127.0.0.1:8883",
                        "fieldgate.mqtt.client-cert-file", client.certFile().toString())));

        assertEquals(List.of("fieldgate.mqtt.client-key-file = '" + other.keyFile()
                        + "': the private key does not belong to the certificate CN=fieldgate-gateway"),
                problems(Map.of("fieldgate.mqtt.url", "ssl://127.0.0.1:8883",
                        "fieldgate.mqtt.client-cert-file", client.certFile().toString(),
                        "fieldgate.mqtt.client-key-file", other.keyFile().toString())));

        Files.setPosixFilePermissions(client.keyFile(), PosixFilePermissions.fromString("rw-r--r--"));
        assertEquals(List.of("fieldgate.mqtt.client-key-file = '" + client.keyFile() + "': mode 0644 lets others read it; chmod 600"),
                problems(Map.of("fieldgate.mqtt.url", "ssl://127.0.0.1:8883",
                        "fieldgate.mqtt.client-cert-file", client.certFile().toString(),
                        "fieldgate.mqtt.client-key-file", client.keyFile().toString())));
    }

    @Test
    void environmentVariablesStillWorkForPasswordsAndFiles(@TempDir Path dir) {
        Path token = Pki.secretFile(dir.resolve("influx.token"), "tok-from-file");
        try (ApplicationContext context = ApplicationContext.builder()
                .propertySources(PropertySource.of("env", Map.of(
                        "FIELDGATE_MQTT_PASSWORD", "pw-from-env",
                        "FIELDGATE_INFLUX_PASSWORD_FILE", token.toString()),
                        PropertySource.PropertyConvention.ENVIRONMENT_VARIABLE))
                .build()) {
            context.getEnvironment().start();
            GatewaySettings s = SettingsFactory.read(context.getEnvironment());
            assertEquals("pw-from-env", s.mqtt().password());
            assertEquals("tok-from-file", s.influx().password());
        }
    }
}
