package org.fieldgate.testkit;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * One real child process (mosquitto, influxd or a gateway JVM) with its output in log files.
 * Stopping is by this process handle's PID only: SIGTERM via {@link Process#destroy()}, SIGKILL via
 * {@link Process#destroyForcibly()}. A JVM shutdown hook kills whatever a crashed test left running.
 */
public final class ChildProcess {
    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly), "kill-leftover-children"));
    }

    private final String name;
    private final List<String> command;
    private final Path stdoutLog;
    private final Path stderrLog;
    private Process process;

    public ChildProcess(String name, List<String> command, Path stdoutLog, Path stderrLog) {
        this.name = name;
        this.command = List.copyOf(command);
        this.stdoutLog = stdoutLog;
        this.stderrLog = stderrLog;
    }

    public synchronized void start() {
        if (isAlive()) {
            throw new IllegalStateException(name + " is already running as PID " + process.pid());
        }
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.appendTo(stdoutLog.toFile()));
        if (stderrLog == null || stderrLog.equals(stdoutLog)) {
            builder.redirectErrorStream(true);
        } else {
            builder.redirectError(ProcessBuilder.Redirect.appendTo(stderrLog.toFile()));
        }
        try {
            appendMarker("---- start " + printable(command));
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + name + ": " + command, e);
        }
        RUNNING.add(process);
    }

    /** The command line with a long classpath shortened, for log markers. */
    private static String printable(List<String> command) {
        List<String> shown = new ArrayList<>(command);
        int cp = shown.indexOf("-cp");
        if (cp >= 0 && cp + 1 < shown.size()) {
            shown.set(cp + 1, "<" + shown.get(cp + 1).split(File.pathSeparator).length + " classpath entries>");
        }
        return String.join(" ", shown);
    }

    private void appendMarker(String line) throws IOException {
        Files.writeString(stdoutLog, line + System.lineSeparator(), StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    }

    public synchronized boolean isAlive() {
        return process != null && process.isAlive();
    }

    public synchronized long pid() {
        if (process == null) {
            throw new IllegalStateException(name + " was never started");
        }
        return process.pid();
    }

    /** Exit code of the last run, or null while running / never started. */
    public synchronized Integer exitCode() {
        return process == null || process.isAlive() ? null : process.exitValue();
    }

    /** SIGTERM, then wait; SIGKILL only if it ignores SIGTERM for the whole grace period. Returns the exit code. */
    public synchronized int stop(long graceSeconds) {
        if (process == null) {
            return -1;
        }
        process.destroy();
        return await(graceSeconds, true);
    }

    /** SIGKILL and wait for the exit. */
    public synchronized int kill() {
        if (process == null) {
            return -1;
        }
        process.destroyForcibly();
        return await(30, false);
    }

    /** Waits for the process to exit on its own; null when it is still running after the timeout. */
    public Integer waitForExit(long seconds) {
        Process p;
        synchronized (this) {
            p = process;
        }
        try {
            if (p != null && p.waitFor(seconds, TimeUnit.SECONDS)) {
                RUNNING.remove(p);
                return p.exitValue();
            }
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for " + name + " to exit", e);
        }
    }

    private int await(long seconds, boolean escalate) {
        try {
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                if (!escalate) {
                    throw new AssertionError(name + " (PID " + process.pid() + ") did not exit within " + seconds + " s of SIGKILL");
                }
                process.destroyForcibly();
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    throw new AssertionError(name + " (PID " + process.pid() + ") survived SIGTERM and SIGKILL");
                }
                throw new AssertionError(name + " (PID " + process.pid() + ") ignored SIGTERM for " + seconds
                        + " s and had to be SIGKILLed\n" + tail(40));
            }
            RUNNING.remove(process);
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new AssertionError("interrupted while stopping " + name, e);
        }
    }

    /** The last {@code lines} lines of stdout and (if separate) stderr, for failure messages. */
    public String tail(int lines) {
        StringBuilder out = new StringBuilder();
        out.append("---- last ").append(lines).append(" lines of ").append(stdoutLog).append('\n');
        out.append(tailOf(stdoutLog, lines));
        if (stderrLog != null && !stderrLog.equals(stdoutLog)) {
            out.append("---- last ").append(lines).append(" lines of ").append(stderrLog).append('\n');
            out.append(tailOf(stderrLog, lines));
        }
        return out.toString();
    }

    public static String tailOf(Path file, int lines) {
        if (!Files.exists(file)) {
            return "(no file)\n";
        }
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
            StringBuilder out = new StringBuilder();
            for (String line : all.subList(Math.max(0, all.size() - lines), all.size())) {
                out.append(line.length() > 2000 ? line.substring(0, 2000) + "…" : line).append('\n');
            }
            return out.toString();
        } catch (IOException e) {
            return "(could not read " + file + ": " + e + ")\n";
        }
    }

    public String name() {
        return name;
    }

    /** Starts the server and returns once it accepts TCP connections on 127.0.0.1:{@code port}. */
    public void startListening(int port, Duration timeout, Supplier<String> log) {
        start();
        Poll.until(name + " to accept connections on 127.0.0.1:" + port, timeout, () -> {
            if (!isAlive()) {
                throw new AssertionError(name + " exited with code " + exitCode() + "\n" + log.get());
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return true;
            }
        }, log);
    }

    /** A server's close(): SIGTERM if still running, then its work directory goes (unless kept). */
    public void stopAndDeleteWorkDir(Path dir) {
        try {
            if (isAlive()) {
                stop(30);
            }
        } finally {
            deleteWorkDir(dir);
        }
    }

    /** Fails with an install hint when a server binary the acceptance tests need is missing. */
    public static void requireExecutable(String path, String installHint, String overrideProperty) {
        if (!Files.isExecutable(Paths.get(path))) {
            throw new AssertionError(path + " is missing or not executable: install " + installHint
                    + " or point -D" + overrideProperty + "= at the binary");
        }
    }

    // ---- work directories -------------------------------------------------------------------

    /** A fresh directory under target/it-work (kept out of /tmp so a failed run's logs can be inspected). */
    public static Path newWorkDir(String prefix) {
        try {
            Path base = Paths.get(System.getProperty("fieldgate.it.workdir", "target/it-work")).toAbsolutePath();
            Files.createDirectories(base);
            return Files.createTempDirectory(base, prefix + "-");
        } catch (IOException e) {
            throw new UncheckedIOException("could not create a work directory", e);
        }
    }

    /** Deletes a work directory unless -Dfieldgate.it.keep=true asks to keep logs and data for a post-mortem. */
    public static void deleteWorkDir(Path dir) {
        if (dir == null || Boolean.getBoolean("fieldgate.it.keep") || !Files.exists(dir)) {
            return;
        }
        List<Path> paths = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(paths::add);
        } catch (IOException e) {
            throw new UncheckedIOException("could not list " + dir, e);
        }
        for (Path p : paths) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                throw new UncheckedIOException("could not delete " + p, e);
            }
        }
    }
}
