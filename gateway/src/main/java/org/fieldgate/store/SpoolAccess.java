package org.fieldgate.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

/**
 * Checks, before SQLite opens the spool, that this process may write every file of it. SQLite itself would open a
 * file it cannot write read-only and fail at the first write with SQLITE_READONLY and a long stack trace; the usual
 * cause is a command run as root that made spool.db (or its -wal/-shm) root's, after which the service user cannot
 * write its own spool. Also refuses to let root create files in a spool that belongs to another user, which is how
 * that happens.
 */
public final class SpoolAccess {
    /** The database and what SQLite puts beside it (WAL mode: -wal, -shm; a rollback: -journal). */
    private static final List<String> SUFFIXES = List.of("", "-wal", "-shm", "-journal");

    private SpoolAccess() {
    }

    /** The spool in {@code dir} (database {@code dbName}) cannot be written by this process; one line says why and the fix. */
    public static final class NotWritableException extends RuntimeException {
        NotWritableException(String message) {
            super(message);
        }
    }

    /** Throws {@link NotWritableException} naming the file, its owner and the fix when this process may not write the spool. */
    public static void requireWritable(Path dir, String dbName) {
        String user = System.getProperty("user.name");
        Path existing = dir.toAbsolutePath();
        while (existing.getParent() != null && !Files.isDirectory(existing)) {
            existing = existing.getParent(); // Spool creates what is missing, as whoever runs it
        }
        String existingOwner = owner(existing);
        if ("root".equals(user) && !"root".equals(existingOwner)) {
            throw new NotWritableException("refusing to write spool " + dir + " as root: " + existing + " belongs to user "
                    + existingOwner + ", and a file root made there would stop that user's gateway (SQLITE_READONLY); fix: run as "
                    + existingOwner + " (sudo -u " + existingOwner + " ...; /usr/bin/fieldgate does this by itself)");
        }
        if (!Files.isDirectory(dir)) {
            return;
        }
        String dirOwner = owner(dir);
        if (!Files.isWritable(dir)) {
            throw notWritable(dir, dirOwner, user, dir);
        }
        for (String suffix : SUFFIXES) {
            Path file = dir.resolve(dbName + suffix);
            if (Files.exists(file, LinkOption.NOFOLLOW_LINKS) && !Files.isWritable(file)) {
                throw notWritable(file, owner(file), user, dir);
            }
        }
    }

    private static NotWritableException notWritable(Path file, String owner, String user, Path dir) {
        return new NotWritableException("spool " + file + " is owned by " + owner + " and not writable by user " + user
                + "; fix: sudo chown -R " + user + ": " + dir + " (reinstalling the fieldgate package does the same)");
    }

    private static String owner(Path file) {
        try {
            return Files.getOwner(file, LinkOption.NOFOLLOW_LINKS).getName();
        } catch (IOException | UnsupportedOperationException e) {
            return "an unknown user (" + e.getMessage() + ")";
        }
    }
}
