package org.fieldgate.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The SQLite native library kept in the spool directory instead of unpacked (and probed for with uname) each start. */
class SqliteNativeTest {
    @Test
    void folderIsPickedOnlyWhereNoProbeIsNeeded() {
        assertEquals("Linux/x86_64", SqliteNative.folder("Linux", "amd64", false));
        assertEquals("Linux/aarch64", SqliteNative.folder("Linux", "aarch64", false));
        // 32-bit ARM: v5, v6 or v7 only uname -m tells; musl and other systems have builds of their own
        assertNull(SqliteNative.folder("Linux", "arm", false));
        assertNull(SqliteNative.folder("Linux", "amd64", true));
        assertNull(SqliteNative.folder("Mac OS X", "aarch64", false));
    }

    @Test
    void libraryIsUnpackedOnceWholeAndReusedUnderItsCrc(@TempDir Path spool) throws Exception {
        URL url = SqliteNative.class.getResource("/org/sqlite/native/Linux/x86_64/libsqlitejdbc.so");
        assertNotNull(url, "sqlite-jdbc's jar holds the x86_64 build");
        Path dir = spool.resolve("native");
        Path first = SqliteNative.unpacked(url, dir);
        assertNotNull(first);
        assertTrue(first.getFileName().toString().matches("libsqlitejdbc-[0-9a-f]{8}\\.so"), first.toString());
        byte[] inJar;
        try (InputStream in = url.openStream()) {
            inJar = in.readAllBytes();
        }
        assertArrayEquals(inJar, Files.readAllBytes(first));
        assertEquals("rw-r--r--", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(first)));

        FileTime stamp = FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(first, stamp);
        assertEquals(first, SqliteNative.unpacked(url, dir));
        assertEquals(stamp, Files.getLastModifiedTime(first), "kept, not written again");

        // a cut-short copy (a crash while writing it elsewhere) is replaced, and no partial file is left behind
        Files.write(first, Arrays.copyOf(inJar, 1000));
        assertEquals(first, SqliteNative.unpacked(url, dir));
        assertArrayEquals(inJar, Files.readAllBytes(first));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "only the library in " + dir);
        }

        // same size, one byte flipped (the card): replaced too, never loaded as it is
        byte[] flipped = inJar.clone();
        flipped[inJar.length / 2] ^= 0x5a;
        Files.write(first, flipped);
        assertEquals(first, SqliteNative.unpacked(url, dir));
        assertArrayEquals(inJar, Files.readAllBytes(first));
    }
}
