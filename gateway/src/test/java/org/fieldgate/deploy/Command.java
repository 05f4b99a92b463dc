package org.fieldgate.deploy;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A short command (dpkg, sh -n, systemd-analyze) run to its end within a deadline, with its output. */
record Command(List<String> argv, int exitCode, String output) {

    static Command run(Duration timeout, String... argv) {
        return run(timeout, List.of(argv));
    }

    static Command run(Duration timeout, List<String> argv) {
        try {
            Path out = Files.createTempFile("fieldgate-cmd-", ".log");
            try {
                Process process = new ProcessBuilder(argv).redirectErrorStream(true)
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                        .redirectOutput(out.toFile()).start();
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(10, TimeUnit.SECONDS);
                    throw new AssertionError(String.join(" ", argv) + " did not finish in " + timeout.toSeconds() + " s:\n"
                            + Files.readString(out, StandardCharsets.UTF_8));
                }
                return new Command(List.copyOf(argv), process.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not run " + argv, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted running " + argv, e);
        }
    }

    /** Fails with the command line and its output unless it exited 0; returns the output. */
    String ok() {
        if (exitCode != 0) {
            throw new AssertionError(String.join(" ", argv) + " exited with " + exitCode + ":\n" + output);
        }
        return output;
    }
}
