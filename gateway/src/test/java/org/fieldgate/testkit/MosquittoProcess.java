package org.fieldgate.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A real Mosquitto broker on 127.0.0.1 with on-disk persistence, so queued QoS 1 messages for a
 * persistent session survive a SIGTERM restart. Restarts reuse the same port and data directory.
 *
 * <p>{@link #started()} writes the kit's own config (anonymous clients allowed). {@link #builder()} can add config
 * lines to it (password file, ACL, a bridge) or replace it with a config written by the caller, e.g. the
 * repository's deploy/mosquitto files rewritten to this broker's directory and port.
 */
public final class MosquittoProcess implements AutoCloseable {
    private static final String BINARY = System.getProperty("fieldgate.it.mosquitto", "/usr/sbin/mosquitto");

    private final Path dir;
    private final int port;
    private final ChildProcess child;

    /** Writes a broker's main config file into its work directory; mosquitto must listen on 127.0.0.1:{@code port}. */
    @FunctionalInterface
    public interface ConfigWriter {
        /** Returns the main config file to start mosquitto with. */
        Path write(Path dir, int port) throws IOException;
    }

    private MosquittoProcess(Builder builder) {
        ChildProcess.requireExecutable(BINARY, "Debian package 'mosquitto'", "fieldgate.it.mosquitto");
        dir = ChildProcess.newWorkDir("mosquitto");
        port = FreePorts.next();
        Path conf;
        try {
            conf = builder.writer == null ? writeKitConfig(builder) : builder.writer.write(dir, port);
        } catch (IOException e) {
            ChildProcess.deleteWorkDir(dir);
            throw new UncheckedIOException("could not write mosquitto config in " + dir, e);
        }
        child = new ChildProcess("mosquitto:" + port, List.of(BINARY, "-c", conf.toString()),
                dir.resolve("mosquitto.stdout.log"), null);
    }

    private Path writeKitConfig(Builder builder) throws IOException {
        Path conf = dir.resolve("mosquitto.conf");
        Path data = dir.resolve("data");
        Files.createDirectories(data);
        List<String> lines = new ArrayList<>(List.of(
                "# written by the fieldgate acceptance-test kit",
                // run as the invoking user: as root mosquitto would drop to user 'mosquitto' and lose the data dir
                "user " + System.getProperty("user.name"),
                "listener " + port + " 127.0.0.1",
                "allow_anonymous " + builder.allowAnonymous,
                "persistence true",
                "persistence_location " + data + "/",
                "persistence_file mosquitto.db",
                "autosave_interval 1",
                "max_queued_messages 1000000",
                "max_queued_bytes 0",
                "max_inflight_messages 100",
                "message_size_limit 0",
                "log_dest file " + dir.resolve("mosquitto.log"),
                "log_type error",
                "log_type warning",
                "log_type notice",
                "log_type information",
                "connection_messages true",
                "log_timestamp_format %Y-%m-%dT%H:%M:%S"));
        lines.addAll(builder.extraConfig);
        lines.add("");
        Files.writeString(conf, String.join("\n", lines));
        return conf;
    }

    /** Creates the kit's config and starts the broker. */
    public static MosquittoProcess started() {
        return builder().started();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** What differs from the kit's default broker. */
    public static final class Builder {
        private final List<String> extraConfig = new ArrayList<>();
        private boolean allowAnonymous = true;
        private ConfigWriter writer;

        private Builder() {
        }

        /** Lines appended to the kit's config, e.g. {@code password_file}, {@code acl_file} or a bridge. */
        public Builder extraConfig(String... lines) {
            extraConfig.addAll(List.of(lines));
            return this;
        }

        public Builder allowAnonymous(boolean allow) {
            allowAnonymous = allow;
            return this;
        }

        /** Replaces the kit's config with one the caller writes (extra lines and allowAnonymous then do not apply). */
        public Builder config(ConfigWriter configWriter) {
            writer = configWriter;
            return this;
        }

        /** Creates the config and starts the broker. */
        public MosquittoProcess started() {
            if (writer != null && (!extraConfig.isEmpty() || !allowAnonymous)) {
                throw new IllegalStateException("extraConfig/allowAnonymous only apply to the kit's own config, not to config(writer)");
            }
            MosquittoProcess broker = new MosquittoProcess(this);
            try {
                broker.start();
            } catch (RuntimeException | Error e) {
                broker.close();
                throw e;
            }
            return broker;
        }
    }

    /** Starts (or restarts) on the same port and data directory; returns once the port accepts connections. */
    public void start() {
        child.startListening(port, Duration.ofSeconds(20), () -> logTail(40));
    }

    /** SIGTERM and wait, so mosquitto writes its persistence file before exiting. */
    public void stop() {
        child.stop(30);
    }

    /** SIGHUP by PID: mosquitto re-reads its password file and ACL (what {@code systemctl reload mosquitto} does). */
    public void reload() {
        Command.run(List.of("kill", "-HUP", Long.toString(child.pid())), Map.of(), Duration.ofSeconds(10));
    }

    /** SIGKILL: no final persistence write (only what autosave already put on disk survives). */
    public void kill() {
        child.kill();
    }

    public boolean isRunning() {
        return child.isAlive();
    }

    public String url() {
        return "tcp://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public long pid() {
        return child.pid();
    }

    public Path dir() {
        return dir;
    }

    public String logTail(int lines) {
        return child.tail(lines) + "---- last " + lines + " lines of mosquitto.log\n"
                + ChildProcess.tailOf(dir.resolve("mosquitto.log"), lines);
    }

    @Override
    public void close() {
        child.stopAndDeleteWorkDir(dir);
    }
}
