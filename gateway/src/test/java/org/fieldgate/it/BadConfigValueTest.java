package org.fieldgate.it;

import org.fieldgate.testkit.AttachGatewayLogs;
import org.fieldgate.testkit.Cleanup;
import org.fieldgate.testkit.GatewayProcess;
import org.fieldgate.testkit.StartsProcesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A typo in a field unit's configuration must stop the gateway at once with exit code 2 and one plain stderr line
 * naming the setting, the bad value and what is allowed — not a stack trace, not a half-working gateway.
 */
@ExtendWith(AttachGatewayLogs.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@StartsProcesses
class BadConfigValueTest {
    private final Cleanup cleanup = new Cleanup();

    @AfterEach
    void stopEverything() throws Exception {
        cleanup.close();
    }

    @Test
    void unreadableSpoolSizeExitsWithCode2() {
        assertExitsWithCode2AndOneStderrLine("fieldgate.spool.max-bytes", "lots");
    }

    @Test
    void unknownSpoolFullPolicyExitsWithCode2() {
        assertExitsWithCode2AndOneStderrLine("fieldgate.spool.full-policy", "sometimes");
    }

    @Test
    void anInvalidSiteFileStopsStartUpWithEveryErrorAsFileLineField(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        // a copy of the example soil plot beside a copy of the models, with one probe's interval made negative
        java.nio.file.Path repo = java.nio.file.Path.of("..").toAbsolutePath().normalize();
        java.nio.file.Path models = java.nio.file.Files.createDirectories(dir.resolve("models"));
        try (var files = java.nio.file.Files.list(repo.resolve("firmware-config/models"))) {
            for (java.nio.file.Path m : files.toList()) {
                java.nio.file.Files.copy(m, models.resolve(m.getFileName()));
            }
        }
        java.nio.file.Path sites = java.nio.file.Files.createDirectories(dir.resolve("sites"));
        List<String> lines = java.nio.file.Files.readAllLines(repo.resolve("firmware-config/sites/soil-plot-example.yaml"));
        int broken = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).trim().startsWith("interval-s:")) {
                broken = i;
                lines.set(i, lines.get(i).replaceFirst("interval-s:.*", "interval-s: -5"));
                break;
            }
        }
        assertTrue(broken >= 0, "the example site has an interval-s to break");
        java.nio.file.Path site = sites.resolve("soil-plot.yaml");
        java.nio.file.Files.write(site, lines);

        GatewayProcess gateway = cleanup.add(GatewayProcess.builder()
                .mqttUrl("tcp://127.0.0.1:1")
                .influxUrl("http://127.0.0.1:1")
                .property("fieldgate.site-config", site.toString())
                .launch());
        Integer exitCode = gateway.waitForExit(Duration.ofSeconds(60));
        if (exitCode == null) {
            throw gateway.failure("gateway with an invalid site file was still running after 60 s");
        }
        List<String> stderr = gateway.stderrLines().stream().filter(line -> !line.isBlank()).toList();
        String context = "stderr: " + stderr + "\n" + gateway.logTail();
        assertEquals(2, exitCode, "exit code; " + context);
        assertEquals(1, stderr.size(), "one error, one line; " + context);
        assertTrue(stderr.get(0).startsWith(site + ":" + (broken + 1) + ": "), "file:line first; " + context);
        assertTrue(stderr.get(0).contains("interval-s") && stderr.get(0).contains("-5"), "field and value; " + context);
    }

    @Test
    void aPasswordInTheInfluxUrlIsRefusedWithAPointerToPasswordFileAndNeverLogged() throws Exception {
        String password = "Pa55-in-url-" + System.nanoTime();
        // nothing listens on port 1: a gateway that took the URL would log it at start and on every failed write
        GatewayProcess gateway = cleanup.add(GatewayProcess.builder()
                .mqttUrl("tcp://127.0.0.1:1")
                .influxUrl("http://fieldgate:" + password + "@127.0.0.1:1")
                .property("fieldgate.forward.min-backoff", "10ms")
                .property("fieldgate.forward.max-backoff", "50ms")
                .launch());
        Integer exitCode = gateway.waitForExit(Duration.ofSeconds(30));
        // what the gateway wrote, less the test kit's own "---- start <command line>" markers
        String log = String.join("\n", java.nio.file.Files.readAllLines(gateway.dir().resolve("gateway.log")).stream()
                .filter(line -> !line.startsWith("---- ")).toList());
        List<String> stderr = gateway.stderrLines().stream().filter(line -> !line.isBlank()).toList();
        String context = "stderr: " + stderr + "\n" + gateway.logTail();
        assertFalse(log.contains(password), "the password is in the gateway's log; " + context);
        assertFalse(String.join("\n", stderr).contains(password), "the password is on stderr; " + context);
        if (exitCode == null) {
            throw gateway.failure("gateway with credentials in fieldgate.influx.url was still running after 30 s");
        }
        assertEquals(2, exitCode, "exit code; " + context);
        assertEquals(1, stderr.size(), "exactly one stderr line; " + context);
        assertTrue(stderr.get(0).contains("fieldgate.influx.url = 'http://***@127.0.0.1:1'"), context);
        assertTrue(stderr.get(0).contains("fieldgate.influx.password-file"), "points to password-file; " + context);
    }

    private void assertExitsWithCode2AndOneStderrLine(String property, String value) {
        // nothing listens on port 1: the gateway must fail on the setting before it tries to connect anywhere
        GatewayProcess gateway = cleanup.add(GatewayProcess.builder()
                .mqttUrl("tcp://127.0.0.1:1")
                .influxUrl("http://127.0.0.1:1")
                .property(property, value)
                .launch());
        Integer exitCode = gateway.waitForExit(Duration.ofSeconds(60));
        if (exitCode == null) {
            throw gateway.failure("gateway with " + property + "=" + value + " was still running after 60 s");
        }
        List<String> stderr = gateway.stderrLines().stream().filter(line -> !line.isBlank()).toList();
        String context = "stderr: " + stderr + "\n" + gateway.logTail();
        assertEquals(2, exitCode, "exit code; " + context);
        assertEquals(1, stderr.size(), "exactly one stderr line; " + context);
        assertTrue(stderr.get(0).contains(property), "stderr line should name the property; " + context);
        assertTrue(stderr.get(0).contains(value), "stderr line should name the bad value; " + context);
    }
}
