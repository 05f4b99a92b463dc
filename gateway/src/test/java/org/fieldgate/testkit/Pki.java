package org.fieldgate.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away certificate authority made with the openssl CLI (Debian package 'openssl') at test time:
 * a CA, certificates it signs for servers and clients, all PEM, keys PKCS#8 (EC P-256) with mode 0600.
 * Nothing is committed to the repository.
 */
public final class Pki {
    private static final String OPENSSL = System.getProperty("fieldgate.it.openssl", "/usr/bin/openssl");

    private final Path dir;
    private final String name;

    private Pki(Path dir, String name) {
        this.dir = dir;
        this.name = name;
    }

    /** A new CA called {@code name} in {@code dir}: {@code <name>-ca.pem} and its key. */
    public static Pki create(Path dir, String name) {
        ChildProcess.requireExecutable(OPENSSL, "Debian package 'openssl'", "fieldgate.it.openssl");
        Pki pki = new Pki(dir, name);
        Path key = pki.newKey(name + "-ca");
        openssl(dir, "req", "-x509", "-new", "-key", key.toString(), "-sha256", "-days", "2",
                "-subj", "/CN=fieldgate test CA " + name, "-out", pki.caFile().toString(),
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        return pki;
    }

    public Path caFile() {
        return dir.resolve(name + "-ca.pem");
    }

    /** A server certificate for 127.0.0.1 (IP SAN), or for another host name to test host name verification. */
    public Issued server(String file, String hostOrIp) {
        String san = hostOrIp.matches("[0-9.]+") ? "IP:" + hostOrIp : "DNS:" + hostOrIp;
        return issue(file, hostOrIp, "subjectAltName=" + san + "\nextendedKeyUsage=serverAuth\n");
    }

    public Issued client(String file, String commonName) {
        return issue(file, commonName, "extendedKeyUsage=clientAuth\n");
    }

    /** A certificate's PEM file and its private key's (PKCS#8, mode 0600). */
    public record Issued(Path certFile, Path keyFile) {
    }

    private Issued issue(String file, String commonName, String extensions) {
        Path key = newKey(file);
        Path csr = dir.resolve(file + ".csr");
        Path ext = dir.resolve(file + ".ext");
        Path cert = dir.resolve(file + ".pem");
        try {
            Files.writeString(ext, extensions, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        openssl(dir, "req", "-new", "-key", key.toString(), "-subj", "/CN=" + commonName, "-out", csr.toString());
        openssl(dir, "x509", "-req", "-in", csr.toString(), "-CA", caFile().toString(),
                "-CAkey", dir.resolve(name + "-ca.key").toString(), "-CAcreateserial", "-days", "2", "-sha256",
                "-extfile", ext.toString(), "-out", cert.toString());
        return new Issued(cert, key);
    }

    private Path newKey(String file) {
        Path key = dir.resolve(file + ".key");
        openssl(dir, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key.toString());
        ownerOnly(key);
        return key;
    }

    /** chmod 600, as a credentials file must be. */
    public static Path ownerOnly(Path file) {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes a secret (password, token) to a new file with mode 0600. */
    public static Path secretFile(Path file, String secret) {
        try {
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, secret + "\n", StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void openssl(Path dir, String... args) {
        List<String> command = new ArrayList<>(List.of(OPENSSL));
        command.addAll(List.of(args));
        run(dir, command);
    }

    /** Runs a command-line tool in {@code dir} to completion (30 s at most); fails with its output if it fails. */
    static void run(Path dir, List<String> command) {
        try {
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] output = p.getInputStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " failed:\n" + new String(output, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted running " + command, e);
        }
    }
}
