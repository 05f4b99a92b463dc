package org.fieldgate.it;

import org.fieldgate.testkit.AttachGatewayLogs;
import org.fieldgate.testkit.Cleanup;
import org.fieldgate.testkit.GatewayProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A typo in a field unit's configuration must stop the gateway at once with exit code 2 and one plain stderr line
 * naming the setting, the bad value and what is allowed — not a stack trace, not a half-working gateway.
 */
@ExtendWith(AttachGatewayLogs.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
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
