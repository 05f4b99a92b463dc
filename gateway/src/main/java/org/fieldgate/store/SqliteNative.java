package org.fieldgate.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;

/**
 * sqlite-jdbc's native library, unpacked once into the spool directory ({@code native/}) and loaded from there.
 *
 * <p>Left to itself, sqlite-jdbc (3.50) works out its platform at every start by running {@code uname -o} (to tell
 * Termux from Linux; {@code uname -m} too on 32-bit ARM), a child process, then unpacks the library into
 * {@code java.io.tmpdir} under a new name and compares it byte by byte with the copy in the jar. Under systemd
 * (PrivateTmp=yes) that /tmp is new at every start. Here the library is picked without a child process for the
 * platforms whose folder in the jar needs no probing (Linux on x86_64 and aarch64 with glibc), kept under a name
 * carrying the jar entry's CRC-32 (a new sqlite-jdbc gets a new file), and sqlite-jdbc is pointed at it with its own
 * settings {@code org.sqlite.lib.path} and {@code org.sqlite.lib.name}. Elsewhere, when the operator set those, or
 * when the spool directory cannot hold the copy, sqlite-jdbc loads its library as it always did; it does so too when
 * the copy fails to load (it tries {@code org.sqlite.lib.path} first, then its own).
 */
final class SqliteNative {
    private static final Logger LOG = LoggerFactory.getLogger(SqliteNative.class);
    static final String PATH_PROPERTY = "org.sqlite.lib.path";
    static final String NAME_PROPERTY = "org.sqlite.lib.name";
    private static final String LIBRARY = "libsqlitejdbc.so";

    private SqliteNative() {
    }

    /** Before the first SQLite connection of this JVM: points sqlite-jdbc at a copy of its library in {@code spoolDir}. */
    static synchronized void prepare(Path spoolDir) {
        if (System.getProperty(PATH_PROPERTY) != null || System.getProperty(NAME_PROPERTY) != null) {
            return;
        }
        String folder = folder(System.getProperty("os.name", ""), System.getProperty("os.arch", ""), musl());
        if (folder == null) {
            return;
        }
        URL url = SqliteNative.class.getResource("/org/sqlite/native/" + folder + "/" + LIBRARY);
        if (url == null) {
            return;
        }
        try {
            Path library = unpacked(url, spoolDir.resolve("native"));
            if (library != null) {
                System.setProperty(PATH_PROPERTY, library.getParent().toString());
                System.setProperty(NAME_PROPERTY, library.getFileName().toString());
            }
        } catch (IOException e) {
            LOG.info("SQLite native library not kept in {} ({}); sqlite-jdbc unpacks its own", spoolDir.resolve("native"),
                    e.toString());
        }
    }

    /**
     * The library's folder in sqlite-jdbc's jar for this platform, or null where only sqlite-jdbc can tell (32-bit
     * ARM's v5/v6/v7, musl, Android, other systems). Folder names from sqlite-jdbc's OSInfo.
     */
    static String folder(String osName, String osArch, boolean musl) {
        if (!osName.equals("Linux") || musl) {
            return null;
        }
        return switch (osArch.toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> "Linux/x86_64";
            case "aarch64" -> "Linux/aarch64";
            default -> null;
        };
    }

    /** A musl libc's loader is installed: sqlite-jdbc then wants its Linux-Musl build. */
    private static boolean musl() {
        try (DirectoryStream<Path> loaders = Files.newDirectoryStream(Path.of("/lib"), "ld-musl-*")) {
            return loaders.iterator().hasNext();
        } catch (IOException e) {
            return false; // no /lib to list: not a musl system either
        }
    }

    /**
     * The copy of the library at {@code url} in {@code dir}, made now if it is not there; null when the entry's size
     * and CRC are unknown (not in a jar).
     */
    static Path unpacked(URL url, Path dir) throws IOException {
        URLConnection connection = url.openConnection();
        if (!(connection instanceof JarURLConnection jar)) {
            return null;
        }
        connection.setUseCaches(false);
        var entry = jar.getJarEntry();
        if (entry == null || entry.getCrc() < 0 || entry.getSize() < 0) {
            return null;
        }
        String name = "libsqlitejdbc-" + String.format("%08x", entry.getCrc()) + ".so";
        Path library = dir.resolve(name);
        if (Files.isRegularFile(library) && Files.isReadable(library) && Files.size(library) == entry.getSize()
                && crc32(library) == entry.getCrc()) {
            return library;
        }
        Files.createDirectories(dir);
        Path part = Files.createTempFile(dir, name, ".part");
        try {
            try (InputStream in = jar.getInputStream()) {
                Files.copy(in, part, StandardCopyOption.REPLACE_EXISTING);
            }
            // readable by the service's user whoever unpacked it (a CLI run as another user)
            Files.setPosixFilePermissions(part, PosixFilePermissions.fromString("rw-r--r--"));
            if (Files.size(part) != entry.getSize()) {
                throw new IOException("unpacked " + Files.size(part) + " bytes of " + url + ", expected " + entry.getSize());
            }
            // a rename is atomic: a gateway and a CLI starting together each see the whole file or none
            Files.move(part, library, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(part);
        }
        LOG.info("SQLite native library {} unpacked to {}", url.getPath(), library);
        return library;
    }

    /** A copy damaged on the card (same size, other bytes) would be loaded at every start: its CRC is checked. */
    static long crc32(Path file) throws IOException {
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(java.nio.ByteBuffer.wrap(Files.readAllBytes(file)));
        return crc.getValue();
    }
}
