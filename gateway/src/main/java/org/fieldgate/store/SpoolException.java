package org.fieldgate.store;

/** The spool's database failed (disk full, I/O error, corruption); the caller must not acknowledge. */
public final class SpoolException extends RuntimeException {
    public SpoolException(String message) {
        super(message);
    }

    public SpoolException(String message, Throwable cause) {
        super(message, cause);
    }
}
