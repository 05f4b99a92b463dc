package org.fieldgate.deploy;

import org.fieldgate.testkit.StartsProcesses;
import org.fieldgate.threads.PipelineThreads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The notifier against the real systemd-notify and a notify socket that records what systemd would read. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@StartsProcesses
class SystemdNotifierTest {
    private static final long PID = ProcessHandle.current().pid();
    private static final List<String> SYSTEMD_NOTIFY = List.of("/usr/bin/systemd-notify");

    @Test
    void watchdogIsFedAtHalfTheIntervalSystemdSet() {
        assertEquals(Optional.of(Duration.ofSeconds(30)),
                SystemdNotifier.watchdogInterval(Map.of("WATCHDOG_USEC", "60000000"), PID));
        assertEquals(Optional.of(Duration.ofSeconds(30)),
                SystemdNotifier.watchdogInterval(Map.of("WATCHDOG_USEC", "60000000", "WATCHDOG_PID", Long.toString(PID)), PID));
    }

    @Test
    void noWatchdogWhenSystemdSetNoneOrSetItForAnotherProcess() {
        assertEquals(Optional.empty(), SystemdNotifier.watchdogInterval(Map.of(), PID));
        assertEquals(Optional.empty(),
                SystemdNotifier.watchdogInterval(Map.of("WATCHDOG_USEC", "60000000", "WATCHDOG_PID", Long.toString(PID + 1)), PID));
    }

    @Test
    void malformedWatchdogIntervalNamesTheVariableAndTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SystemdNotifier.watchdogInterval(Map.of("WATCHDOG_USEC", "60s"), PID));
        assertEquals("WATCHDOG_USEC: value '60s': not a whole number of microseconds", e.getMessage());
    }

    @Test
    void outsideSystemdNothingIsSent() {
        // a command that cannot run: start() would fail if it tried to send anything
        SystemdNotifier notifier = new SystemdNotifier(Map.of("WATCHDOG_USEC", "400000"), PID, List.of("/nonexistent/systemd-notify"));
        assertFalse(notifier.enabled());
        notifier.start();
        notifier.close();
    }

    @Test
    void aNotifySocketNobodyReadsIsAnErrorWithSystemdNotifysExitCode(@TempDir Path dir) {
        SystemdNotifier notifier = new SystemdNotifier(Map.of("NOTIFY_SOCKET", dir.resolve("absent.sock").toString()),
                PID, SYSTEMD_NOTIFY);
        IllegalStateException e = assertThrows(IllegalStateException.class, notifier::start);
        assertTrue(e.getMessage().startsWith("systemd-notify READY=1: exit code "), e.getMessage());
    }

    @Test
    void readyThenWatchdogThenStopping(@TempDir Path dir) throws Exception {
        try (NotifySocket socket = new NotifySocket(dir)) {
            SystemdNotifier notifier = startedWithWatchdogEvery200Ms(socket);
            socket.await("WATCHDOG=1", 3, Duration.ofSeconds(20));
            notifier.close();
            socket.await("STOPPING=1", 1, Duration.ofSeconds(10));
            List<String> received = socket.messages();
            assertEquals("READY=1", received.get(0), received.toString());
            assertEquals("STOPPING=1", received.get(received.size() - 1), received.toString());
            assertEquals(received.size() - 2, socket.count("WATCHDOG=1"), received.toString());
        }
    }

    @Test
    void deadlockedThreadsStarveTheWatchdogUntilTheyAreFreed(@TempDir Path dir) throws Exception {
        try (NotifySocket socket = new NotifySocket(dir)) {
            SystemdNotifier notifier = startedWithWatchdogEvery200Ms(socket);
            socket.await("WATCHDOG=1", 1, Duration.ofSeconds(20));

            ReentrantLock spoolLock = new ReentrantLock();
            ReentrantLock forwarderLock = new ReentrantLock();
            CountDownLatch bothHeld = new CountDownLatch(2);
            Thread committer = lockBoth("deadlock-committer", spoolLock, forwarderLock, bothHeld);
            Thread forwarder = lockBoth("deadlock-forwarder", forwarderLock, spoolLock, bothHeld);
            try {
                Optional<String> deadlocked = org.fieldgate.testkit.Poll.value("the two threads to deadlock", Duration.ofSeconds(10),
                        notifier::deadlockedThreads, Optional::isPresent, () -> "");
                assertEquals(Optional.of("[deadlock-committer, deadlock-forwarder]"), deadlocked);
                // a ping already under way may still land (its systemd-notify can take seconds on a loaded machine):
                // wait, bounded, until the count holds still for 1 s (5 watchdog intervals) ...
                java.util.concurrent.atomic.AtomicLong previous = new java.util.concurrent.atomic.AtomicLong(-1);
                long before = org.fieldgate.testkit.Poll.value("pings under way to land (no new WATCHDOG=1 for 1 s)",
                        Duration.ofSeconds(20), Duration.ofSeconds(1), () -> socket.count("WATCHDOG=1"),
                        c -> previous.getAndSet(c) == c, () -> socket.messages().toString());
                // ... then none for 10 more intervals: an observation window, not a wait for something to happen
                org.fieldgate.testkit.Poll.sleep(Duration.ofSeconds(2));
                assertEquals(before, socket.count("WATCHDOG=1"), "WATCHDOG=1 sent while threads were deadlocked");
            } finally {
                committer.interrupt();
                forwarder.interrupt();
                committer.join(5000);
                forwarder.join(5000);
            }
            assertEquals(Optional.empty(), notifier.deadlockedThreads());
            long afterDeadlock = socket.count("WATCHDOG=1");
            socket.await("WATCHDOG=1", afterDeadlock + 2, Duration.ofSeconds(20));
            notifier.close();
        }
    }

    @Test
    void aDeadPipelineThreadStarvesTheWatchdog(@TempDir Path dir) throws Exception {
        PipelineThreads threads = new PipelineThreads();
        CountDownLatch poison = new CountDownLatch(1);
        PipelineThreads.Beat committer = threads.thread("ingest-committer", Duration.ofSeconds(60), beat -> {
            try {
                poison.await();
            } catch (InterruptedException e) {
                return;
            }
            throw new IllegalStateException("killed by the test");
        });
        committer.start();
        try (NotifySocket socket = new NotifySocket(dir)) {
            SystemdNotifier notifier = new SystemdNotifier(
                    Map.of("NOTIFY_SOCKET", socket.address(), "WATCHDOG_USEC", "400000"), PID, SYSTEMD_NOTIFY, threads::problem);
            notifier.start();
            socket.await("WATCHDOG=1", 2, Duration.ofSeconds(20));
            poison.countDown();
            committer.thread().join(5000);
            assertTrue(threads.problem().isPresent(), "the dead committer is seen");
            // a ping already under way may still land; after that none for many intervals
            Thread.sleep(600);
            long before = socket.count("WATCHDOG=1");
            Thread.sleep(2000);
            assertEquals(before, socket.count("WATCHDOG=1"), "WATCHDOG=1 sent while a pipeline thread was dead");
            notifier.close();
        }
    }

    private static SystemdNotifier startedWithWatchdogEvery200Ms(NotifySocket socket) {
        SystemdNotifier notifier = new SystemdNotifier(
                Map.of("NOTIFY_SOCKET", socket.address(), "WATCHDOG_USEC", "400000"), PID, SYSTEMD_NOTIFY);
        notifier.start();
        return notifier;
    }

    /** A thread that takes {@code first}, waits until its partner holds the other lock, then wants {@code second}. */
    private static Thread lockBoth(String name, ReentrantLock first, ReentrantLock second, CountDownLatch bothHeld)
            throws InterruptedException {
        Thread t = new Thread(() -> {
            try {
                first.lockInterruptibly();
                try {
                    bothHeld.countDown();
                    bothHeld.await();
                    second.lockInterruptibly();
                    second.unlock();
                } finally {
                    first.unlock();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // how the test ends the deadlock
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return t;
    }
}
