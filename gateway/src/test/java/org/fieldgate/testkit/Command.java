package org.fieldgate.testkit;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A short command run to completion (a deploy script, mosquitto_passwd, kill), bounded in time; it must exit 0. */
public final class Command {
    private Command() {
    }

    /**
     * Runs {@code command} with {@code environment} added to this JVM's, stdin from /dev/null; returns its
     * stdout and stderr together. Fails with that output when it exits non-zero or outlives {@code timeout}.
     */
    public static String run(List<String> command, Map<String, String> environment, Duration timeout) {
        Path output;
        try {
            output = Files.createTempFile("fieldgate-command-", ".log");
        } catch (IOException e) {
            throw new UncheckedIOException("could not create an output file for " + command, e);
        }
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(output.toFile());
            builder.environment().putAll(environment);
            Process process = builder.start();
            // a file, not a pipe: a hung command cannot block us reading, so the timeout holds
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(command + " did not finish within " + timeout.toSeconds() + " s:\n"
                        + Files.readString(output, StandardCharsets.UTF_8));
            }
            String text = Files.readString(output, StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new AssertionError(command + " exited with " + process.exitValue() + ":\n" + text);
            }
            return text;
        } catch (IOException e) {
            throw new UncheckedIOException("could not run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running " + command, e);
        } finally {
            try {
                Files.deleteIfExists(output);
            } catch (IOException e) {
                // a leftover temp file is harmless; the command's own result stands
            }
        }
    }
}
