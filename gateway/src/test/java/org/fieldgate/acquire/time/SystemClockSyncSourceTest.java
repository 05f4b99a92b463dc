package org.fieldgate.acquire.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.fieldgate.testkit.StartsProcesses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@StartsProcesses
class SystemClockSyncSourceTest {

    /** Child JVM of the test below: what a command the sync source runs (here env) sees of the gateway's environment. */
    public static void main(String[] args) {
        System.out.print(SystemClockSyncSource.exec(List.of("env"), Duration.ofSeconds(20)).orElse("env failed"));
    }

    @Test
    void commandsItRunsDoNotInheritSystemdsNotifySocket() throws Exception {
        // a gateway started by systemd (Type=notify, WatchdogSec): only it may speak on the notify socket
        ProcessBuilder gateway = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), SystemClockSyncSourceTest.class.getName()).redirectErrorStream(true);
        gateway.environment().putAll(Map.of("NOTIFY_SOCKET", "/run/systemd/notify", "WATCHDOG_USEC", "60000000",
                "WATCHDOG_PID", "1", "FIELDGATE_MARK", "inherited"));
        Process p = gateway.start();
        String env = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
        List<String> lines = env.lines().toList();
        assertTrue(lines.contains("FIELDGATE_MARK=inherited") && lines.contains("LC_ALL=C"), env);
        assertEquals(List.of(), lines.stream().filter(l -> l.matches("(NOTIFY_SOCKET|WATCHDOG_USEC|WATCHDOG_PID)=.*")).toList());
    }
    @TempDir
    Path dir;

    private static final String CHRONY_SYNCED = """
            Reference ID    : C0A80101 (192.168.1.1)
            Stratum         : 3
            Ref time (UTC)  : Sun Nov 22 10:00:00 2026
            System time     : 0.000012345 seconds fast of NTP time
            Leap status     : Normal
            """;
    private static final String CHRONY_UNSYNCED = """
            Reference ID    : 00000000 ()
            Stratum         : 0
            Leap status     : Not synchronised
            """;

    private SystemClockSyncSource source(Map<String, Optional<String>> answers, Path flag, List<String> asked) {
        return new SystemClockSyncSource(flag, (cmd, timeout) -> {
            asked.add(cmd.get(0));
            return answers.getOrDefault(cmd.get(0), Optional.empty());
        }, Duration.ofMillis(100));
    }

    @Test
    void kernelFlagViaTimedatectlComesFirst() {
        List<String> asked = new ArrayList<>();
        SyncStatus s = source(Map.of("timedatectl", Optional.of("no\n"), "chronyc", Optional.of(CHRONY_SYNCED)),
                dir.resolve("none"), asked).status();
        assertEquals(SyncStatus.State.UNSYNCHRONISED, s.state());
        assertEquals(List.of("timedatectl"), asked);
        assertTrue(source(Map.of("timedatectl", Optional.of("yes")), dir.resolve("none"), new ArrayList<>())
                .status().synchronised());
    }

    @Test
    void chronyWhenTimedatectlDoesNotAnswer() {
        List<String> asked = new ArrayList<>();
        assertTrue(source(Map.of("chronyc", Optional.of(CHRONY_SYNCED)), dir.resolve("none"), asked).status()
                .synchronised());
        assertEquals(List.of("timedatectl", "chronyc"), asked);
        assertEquals(SyncStatus.State.UNSYNCHRONISED,
                source(Map.of("chronyc", Optional.of(CHRONY_UNSYNCED)), dir.resolve("none"), asked).status().state());
    }

    @Test
    void timesyncdFlagFileIsOnlyPositiveEvidence() throws IOException {
        Path flag = Files.createFile(dir.resolve("synchronized"));
        assertTrue(source(Map.of(), flag, new ArrayList<>()).status().synchronised());
        Files.delete(flag);
        assertEquals(SyncStatus.State.UNKNOWN, source(Map.of(), flag, new ArrayList<>()).status().state());
    }

    @Test
    void parsesChronyLeapStatus() {
        assertTrue(SystemClockSyncSource.parseChronyTracking(CHRONY_SYNCED).synchronised());
        assertEquals(SyncStatus.State.UNSYNCHRONISED,
                SystemClockSyncSource.parseChronyTracking(CHRONY_UNSYNCED).state());
        assertTrue(SystemClockSyncSource.parseChronyTracking("Leap status : Insert second").synchronised());
        assertNull(SystemClockSyncSource.parseChronyTracking("506 Cannot talk to daemon"));
    }

    @Test
    void missingCommandIsEmptyNotAnError() {
        assertTrue(SystemClockSyncSource.exec(List.of("fieldgate-no-such-command-xyz"), Duration.ofSeconds(1))
                .isEmpty());
    }
}
