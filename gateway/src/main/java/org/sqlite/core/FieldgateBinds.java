package org.sqlite.core;

/**
 * fieldgate's door to sqlite-jdbc's native binds, which sqlite-jdbc keeps package-private ({@link NativeDB}'s
 * {@code bind_*}; 3.50.3.0): the spool's ingest inserts bind only the columns that changed since the row before
 * (SQLite keeps a statement's bindings across steps), where JDBC's {@code executeBatch} binds every column of every
 * row again, one JNI call each ({@code org.fieldgate.store.ReadingRows}). Compiled against sqlite-jdbc's own
 * signatures, so a sqlite-jdbc that changes them fails the build, not the gateway. Parameter indexes from 1, as
 * SQLite counts them; each method answers SQLite's result code.
 */
public final class FieldgateBinds {
    private FieldgateBinds() {
    }

    /** The native database behind {@code db}, or null for another implementation (binds then go through JDBC). */
    public static NativeDB nativeDb(DB db) {
        return db instanceof NativeDB n ? n : null;
    }

    /** Binds a text parameter; null binds SQL NULL. */
    public static int bindText(NativeDB db, long stmt, int param, String value) {
        return value == null ? db.bind_null(stmt, param) : db.bind_text(stmt, param, value);
    }

    /** Binds a text parameter given as its UTF-8 bytes (which SQLite copies). */
    public static int bindUtf8(NativeDB db, long stmt, int param, byte[] utf8) {
        return db.bind_text_utf8(stmt, param, utf8);
    }

    public static int bindLong(NativeDB db, long stmt, int param, long value) {
        return db.bind_long(stmt, param, value);
    }

    public static int bindDouble(NativeDB db, long stmt, int param, double value) {
        return db.bind_double(stmt, param, value);
    }

    public static int bindInt(NativeDB db, long stmt, int param, int value) {
        return db.bind_int(stmt, param, value);
    }
}
