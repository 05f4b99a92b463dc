package org.fieldgate.store;

import org.fieldgate.forward.InfluxLines;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A spool that belongs to the service user: root (a command run with sudo) must not make files in it. */
class SpoolAccessTest {

    @Test
    void rootRefusesToCreateFilesInAnotherUsersSpool(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "only root can write into another user's directory");
        Path data = Files.createDirectory(dir.resolve("data"));
        UserPrincipal nobody = data.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
        Files.setOwner(data, nobody);
        Path spoolDir = data.resolve("spool");

        SpoolAccess.NotWritableException e = assertThrows(SpoolAccess.NotWritableException.class,
                () -> new Spool(spoolDir, 64L << 20, FullPolicy.BACKPRESSURE, InfluxLines::gap).close());
        assertEquals("refusing to write spool " + spoolDir + " as root: " + data + " belongs to user nobody, and a file root made"
                + " there would stop that user's gateway (SQLITE_READONLY); fix: run as nobody (sudo -u nobody ...;"
                + " /usr/bin/fieldgate does this by itself)", e.getMessage());
        assertFalse(Files.exists(spoolDir), "nothing created");
    }
}
