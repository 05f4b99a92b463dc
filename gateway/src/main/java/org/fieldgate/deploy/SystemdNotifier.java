package org.fieldgate.deploy;

import io.micronaut.runtime.event.annotation.EventListener;
import io.micronaut.runtime.server.event.ServerStartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.fieldgate.threads.PipelineThreads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The systemd side of fieldgate.service (Type=notify, WatchdogSec): READY=1 once the HTTP server is up, then
 * WATCHDOG=1 every half watchdog interval as long as no threads are deadlocked and no pipeline thread has died or
 * stopped making progress ({@link PipelineThreads}), so systemd restarts a gateway whose threads are
 * stuck on each other, whose data path has stopped, or a JVM too starved (GC, swap) to run this thread.
 *
 * <p>Java 17 has no AF_UNIX datagram sockets, so each message goes out through {@code systemd-notify}, which
 * (systemd 246 and later) waits until systemd has read it: that is what makes a child process's message count,
 * with NotifyAccess=all in the unit. Without NOTIFY_SOCKET (not started by systemd) this bean does nothing.
 */
@Singleton
public final class SystemdNotifier implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SystemdNotifier.class);
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(15);

    private final String notifySocket;
    private final Optional<Duration> watchdogInterval;
    private final List<String> notifyCommand;
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final Supplier<Optional<String>> pipelineProblem;
    private ScheduledExecutorService watchdog;
    private boolean deadlockReported;
    private boolean pipelineProblemReported;

    @Inject
    public SystemdNotifier(PipelineThreads pipelineThreads) {
        this(System.getenv(), ProcessHandle.current().pid(), List.of("systemd-notify"), pipelineThreads::problem);
    }

    SystemdNotifier(Map<String, String> env, long pid, List<String> notifyCommand) {
        this(env, pid, notifyCommand, Optional::empty);
    }

    /**
     * {@code env}: the process environment systemd set; {@code notifyCommand}: the systemd-notify to run;
     * {@code pipelineProblem}: a dead or silent pipeline thread, described.
     */
    SystemdNotifier(Map<String, String> env, long pid, List<String> notifyCommand,
                    Supplier<Optional<String>> pipelineProblem) {
        this.notifySocket = env.get("NOTIFY_SOCKET");
        this.watchdogInterval = watchdogInterval(env, pid);
        this.notifyCommand = List.copyOf(notifyCommand);
        this.pipelineProblem = pipelineProblem;
    }

    /**
     * Half of WATCHDOG_USEC, as sd_watchdog_enabled(3) advises; empty when systemd set no watchdog or set it
     * for another process (WATCHDOG_PID). A malformed value is an error in the unit, so it stops start-up.
     */
    static Optional<Duration> watchdogInterval(Map<String, String> env, long pid) {
        String usec = env.get("WATCHDOG_USEC");
        if (usec == null || usec.isBlank()) {
            return Optional.empty();
        }
        String watchdogPid = env.get("WATCHDOG_PID");
        if (watchdogPid != null && !watchdogPid.isBlank() && !watchdogPid.trim().equals(Long.toString(pid))) {
            return Optional.empty();
        }
        long micros;
        try {
            micros = Long.parseLong(usec.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("WATCHDOG_USEC: value '" + usec + "': not a whole number of microseconds");
        }
        if (micros <= 0) {
            throw new IllegalArgumentException("WATCHDOG_USEC: value '" + usec + "': must be above 0");
        }
        return Optional.of(Duration.ofNanos(micros * 1000 / 2));
    }

    /** True when started by systemd with a notify socket. */
    public boolean enabled() {
        return notifySocket != null && !notifySocket.isBlank();
    }

    public Optional<Duration> watchdogInterval() {
        return watchdogInterval;
    }

    @EventListener
    void onServerStarted(ServerStartupEvent event) {
        try {
            start();
        } catch (RuntimeException e) {
            // systemd then ends the start at TimeoutStartSec and restarts the service
            LOG.error("systemd: READY=1 not sent: {}", e.getMessage());
        }
    }

    /** Sends READY=1 and starts feeding the watchdog; a no-op outside systemd. */
    public synchronized void start() {
        if (!enabled() || watchdog != null) {
            return;
        }
        send("READY=1");
        watchdogInterval.ifPresent(interval -> {
            watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "systemd-watchdog");
                t.setDaemon(true);
                return t;
            });
            watchdog.scheduleWithFixedDelay(this::feedWatchdog, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
            LOG.info("systemd: READY=1 sent; watchdog fed every {} ms while no threads are deadlocked", interval.toMillis());
        });
    }

    private void feedWatchdog() {
        try {
            Optional<String> deadlock = deadlockedThreads();
            if (deadlock.isPresent()) {
                if (!deadlockReported) {
                    deadlockReported = true;
                    LOG.error("systemd watchdog: not fed any more, so systemd restarts the gateway: deadlocked threads {}",
                            deadlock.get());
                }
                return;
            }
            Optional<String> stalled = pipelineProblem.get();
            if (stalled.isPresent()) {
                if (!pipelineProblemReported) {
                    pipelineProblemReported = true;
                    LOG.error("systemd watchdog: not fed any more, so systemd restarts the gateway: {}", stalled.get());
                }
                return;
            }
            send("WATCHDOG=1");
        } catch (RuntimeException e) {
            // the next round tries again; systemd restarts the service if the failures last a whole interval
            LOG.warn("systemd watchdog: {}", e.getMessage());
        }
    }

    /** Names of the threads deadlocked on monitors or locks, or empty. */
    Optional<String> deadlockedThreads() {
        long[] ids = threads.findDeadlockedThreads();
        if (ids == null || ids.length == 0) {
            return Optional.empty();
        }
        return Optional.of(Arrays.stream(threads.getThreadInfo(ids))
                .filter(info -> info != null)
                .map(ThreadInfo::getThreadName)
                .sorted()
                .collect(Collectors.joining(", ", "[", "]")));
    }

    /** Runs systemd-notify with one assignment; fails with its exit code and output when it does not succeed. */
    void send(String assignment) {
        List<String> command = new ArrayList<>(notifyCommand);
        command.add(assignment);
        Process process;
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().put("NOTIFY_SOCKET", notifySocket);
            process = builder.start();
        } catch (IOException e) {
            throw new IllegalStateException("systemd-notify " + assignment + ": could not run " + command + ": " + e.getMessage(), e);
        }
        try {
            if (!process.waitFor(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("systemd-notify " + assignment + ": no answer from systemd in "
                        + SEND_TIMEOUT.toSeconds() + " s");
            }
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (process.exitValue() != 0) {
                throw new IllegalStateException("systemd-notify " + assignment + ": exit code " + process.exitValue()
                        + (output.isEmpty() ? "" : ": " + output));
            }
        } catch (IOException e) {
            throw new IllegalStateException("systemd-notify " + assignment + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IllegalStateException("systemd-notify " + assignment + ": interrupted", e);
        }
    }

    /** Stops feeding the watchdog and tells systemd the stop is deliberate. */
    @PreDestroy
    @Override
    public synchronized void close() {
        if (watchdog != null) {
            watchdog.shutdownNow();
            watchdog = null;
        }
        if (enabled()) {
            try {
                send("STOPPING=1");
            } catch (RuntimeException e) {
                LOG.warn("systemd: {}", e.getMessage());
            }
        }
    }
}
