package org.fieldgate.acquire.time;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Asks the host whether its clock is synchronised, in this order, each step with a timeout; the first definite
 * answer wins:
 *
 * <ol>
 * <li>{@code timedatectl show -p NTPSynchronized --value}: {@code yes}/{@code no}. This is the kernel's own flag
 *     (adjtimex STA_UNSYNC) as systemd-timedated reports it, so it is right whichever daemon disciplines the clock
 *     (systemd-timesyncd, the Raspberry Pi OS default; chrony; ntpd), and it turns to {@code no} when someone sets
 *     the clock by hand ({@code date -s} clears the kernel's sync state). Needs D-Bus; can be slow on first
 *     activation, hence the timeout.</li>
 * <li>{@code chronyc -n tracking}: "Leap status : Normal" (or Insert/Delete second) = synchronised,
 *     "Not synchronised" = not. For hosts running chrony without systemd/D-Bus. {@code -n}: no DNS lookups.</li>
 * <li>{@code /run/systemd/timesync/synchronized} exists: systemd-timesyncd touched it at its first sync in this boot
 *     (/run is tmpfs, so it is gone after a reboot). Only positive evidence: its absence is "unknown", because a
 *     host running chrony never has it. Last, because it survives a manual clock change.</li>
 * </ol>
 *
 * None answering gives {@link SyncStatus.State#UNKNOWN}, which the time keeper treats as unsynchronised. Worst case
 * the call takes the sum of the timeouts (default 3 s + 3 s); it must therefore be polled off the acquisition path
 * ({@link ClockSyncPoller}).
 */
public final class SystemClockSyncSource implements ClockSyncSource {
    static final Path TIMESYNCD_FLAG = Path.of("/run/systemd/timesync/synchronized");

    /** Runs a command; empty when it is missing, fails, or does not finish in time. */
    interface CommandRunner {
        Optional<String> run(List<String> command, Duration timeout);
    }

    private final Path timesyncdFlag;
    private final CommandRunner runner;
    private final Duration timeout;

    public SystemClockSyncSource() {
        this(TIMESYNCD_FLAG, SystemClockSyncSource::exec, Duration.ofSeconds(3));
    }

    SystemClockSyncSource(Path timesyncdFlag, CommandRunner runner, Duration timeout) {
        this.timesyncdFlag = timesyncdFlag;
        this.runner = runner;
        this.timeout = timeout;
    }

    @Override
    public SyncStatus status() {
        Optional<String> td = runner.run(List.of("timedatectl", "show", "-p", "NTPSynchronized", "--value"), timeout);
        if (td.isPresent()) {
            String v = td.get().trim().toLowerCase(Locale.ROOT);
            if (v.equals("yes")) {
                return SyncStatus.synchronised("timedatectl NTPSynchronized=yes");
            }
            if (v.equals("no")) {
                return SyncStatus.unsynchronised("timedatectl NTPSynchronized=no");
            }
        }
        Optional<String> chrony = runner.run(List.of("chronyc", "-n", "tracking"), timeout);
        if (chrony.isPresent()) {
            SyncStatus s = parseChronyTracking(chrony.get());
            if (s != null) {
                return s;
            }
        }
        try {
            if (Files.exists(timesyncdFlag)) {
                return SyncStatus.synchronised(timesyncdFlag + " exists");
            }
        } catch (SecurityException e) {
            // fall through
        }
        return SyncStatus.unknown("no answer from timedatectl, chronyc or " + timesyncdFlag);
    }

    /** The "Leap status" line of {@code chronyc tracking}; null when there is none. */
    static SyncStatus parseChronyTracking(String out) {
        for (String line : out.split("\\R")) {
            int colon = line.indexOf(':');
            if (colon < 0 || !line.substring(0, colon).trim().equalsIgnoreCase("Leap status")) {
                continue;
            }
            String v = line.substring(colon + 1).trim();
            String lower = v.toLowerCase(Locale.ROOT);
            if (lower.startsWith("not synchronised") || lower.startsWith("not synchronized")) {
                return SyncStatus.unsynchronised("chronyc leap status: " + v);
            }
            if (lower.equals("normal") || lower.startsWith("insert second") || lower.startsWith("delete second")) {
                return SyncStatus.synchronised("chronyc leap status: " + v);
            }
            return null;
        }
        return null;
    }

    static Optional<String> exec(List<String> command, Duration timeout) {
        Process p = null;
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            Map<String, String> env = pb.environment();
            env.put("LC_ALL", "C");
            env.put("SYSTEMD_PAGER", "");
            // systemd's notify socket is for the gateway (NotifyAccess=all trusts any process of the unit): no tool
            // it runs may send READY=1 or WATCHDOG=1 in its name
            env.remove("NOTIFY_SOCKET");
            env.remove("WATCHDOG_USEC");
            env.remove("WATCHDOG_PID");
            p = pb.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                return Optional.empty();
            }
            if (p.exitValue() != 0) {
                return Optional.empty();
            }
            try (InputStream in = p.getInputStream()) {
                return Optional.of(new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            return Optional.empty(); // not installed
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } finally {
            if (p != null && p.isAlive()) {
                p.destroyForcibly();
            }
        }
    }
}
