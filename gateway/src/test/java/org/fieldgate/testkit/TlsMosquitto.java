package org.fieldgate.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A real Mosquitto with only a TLS listener on 127.0.0.1 and password logins (no anonymous clients), optionally
 * demanding a client certificate signed by the same CA (mutual TLS). No persistence: for TLS tests only.
 */
public final class TlsMosquitto implements AutoCloseable {
    private static final String BINARY = System.getProperty("fieldgate.it.mosquitto", "/usr/sbin/mosquitto");
    private static final String PASSWD = System.getProperty("fieldgate.it.mosquitto-passwd", "/usr/bin/mosquitto_passwd");

    private final Path dir;
    private final int port = FreePorts.next();
    private final ChildProcess child;

    /** @param users user name to password, in a mosquitto password file (hashed by mosquitto_passwd) */
    private TlsMosquitto(Path caFile, Pki.Issued server, boolean requireClientCertificate, Map<String, String> users) {
        ChildProcess.requireExecutable(BINARY, "Debian package 'mosquitto'", "fieldgate.it.mosquitto");
        ChildProcess.requireExecutable(PASSWD, "Debian package 'mosquitto'", "fieldgate.it.mosquitto-passwd");
        dir = ChildProcess.newWorkDir("mosquitto-tls");
        Path passwords = dir.resolve("passwords");
        users.forEach((user, password) -> Pki.run(dir, Files.exists(passwords)
                ? List.of(PASSWD, "-b", passwords.toString(), user, password)
                : List.of(PASSWD, "-c", "-b", passwords.toString(), user, password)));
        Path conf = dir.resolve("mosquitto.conf");
        try {
            Files.writeString(conf, String.join("\n",
                    "# written by the fieldgate TLS tests",
                    "user " + System.getProperty("user.name"),
                    "listener " + port + " 127.0.0.1",
                    "cafile " + caFile,
                    "certfile " + server.certFile(),
                    "keyfile " + server.keyFile(),
                    "require_certificate " + requireClientCertificate,
                    "allow_anonymous false",
                    "password_file " + passwords,
                    "log_dest file " + dir.resolve("mosquitto.log"),
                    "log_type all",
                    "connection_messages true",
                    ""));
        } catch (IOException e) {
            throw new UncheckedIOException("could not write mosquitto config in " + dir, e);
        }
        child = new ChildProcess("mosquitto-tls:" + port, List.of(BINARY, "-c", conf.toString()),
                dir.resolve("mosquitto.stdout.log"), null);
    }

    public static TlsMosquitto started(Path caFile, Pki.Issued server, boolean requireClientCertificate,
                                       Map<String, String> users) {
        TlsMosquitto broker = new TlsMosquitto(caFile, server, requireClientCertificate, users);
        try {
            broker.child.startListening(broker.port, Duration.ofSeconds(20), broker::log);
        } catch (RuntimeException | Error e) {
            broker.close();
            throw e;
        }
        return broker;
    }

    public String url() {
        return "ssl://127.0.0.1:" + port;
    }

    /** mosquitto.log in full: a TLS test's evidence of who connected and which handshakes failed. */
    public String log() {
        try {
            Path log = dir.resolve("mosquitto.log");
            return child.tail(20) + (Files.exists(log) ? Files.readString(log) : "(no mosquitto.log)");
        } catch (IOException e) {
            return "(could not read mosquitto.log: " + e + ")";
        }
    }

    @Override
    public void close() {
        child.stopAndDeleteWorkDir(dir);
    }
}
