package org.fieldgate.store;

import org.fieldgate.reading.Reading;
import org.sqlite.core.CoreStatement;
import org.sqlite.core.DB;
import org.sqlite.core.FieldgateBinds;
import org.sqlite.core.NativeDB;

import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/**
 * The ingest commit's two inserts per reading ({@link ReadingStore#INSERT_READING}, {@link ReadingKeys#INSERT_KEY})
 * run on sqlite-jdbc's native statement, binding only what changed since the row before: SQLite keeps a statement's
 * bindings from one step to the next, and the readings of one message share their calibration (their series id
 * changes with the channel; it is bound again only when it changes). JDBC's {@code executeBatch} bound all
 * parameters of a reading again (16 when the series went as four texts), each a synchronized JNI call (a text one a UTF-8 copy
 * first, a number one boxed in the batch array before): sqlite-jdbc's {@code DB.sqlbind} was the committer's top
 * frame. A text is "the same" when it is the same String (the SenML decoder hands out one String per name); an equal
 * copy is bound again, which costs time, never correctness. Every call binds each column on its first row, so nothing
 * depends on what an earlier call, a failed one included, left bound. A text that changes is bound as UTF-8 bytes
 * kept for its String ({@link Utf8Names}): a message's channels come back in the next message, and sqlite-jdbc
 * encoded each one anew ({@code String.getBytes}, as here).
 *
 * <p>A statement that is not sqlite-jdbc's own (see {@link #nativeOf}) goes through JDBC as before.
 */
final class ReadingRows {
    private static final int SQLITE_DONE = 101;

    private ReadingRows() {
    }

    /** sqlite-jdbc's native database behind {@code statement}, or null when the binds must go through JDBC. */
    static NativeDB nativeOf(PreparedStatement statement) {
        if (statement instanceof CoreStatement core) {
            return FieldgateBinds.nativeDb(core.getDatabase());
        }
        return null;
    }

    /** Inserts each reading as a row of {@link ReadingStore#INSERT_READING}, its series id from {@code series}. */
    static void insertReadings(PreparedStatement insert, List<Reading> readings, long[] series, long receivedNs,
                               Utf8Names names) throws SQLException {
        rows(insert, readings, receivedNs, 5, null, names, (b, i, r) -> {
            b.series(series[i]);
            b.measured(2, r);
            b.text(6, r.calibration());
        });
    }

    /**
     * Inserts each reading's key as a row of {@link ReadingKeys#INSERT_KEY}, its key series id from {@code series}: per
     * reading 1 when its key was new, 0 when the spool knew its series and time already (an earlier reading of the
     * same call included).
     */
    static int[] insertKeys(PreparedStatement insert, List<Reading> readings, long[] series, long receivedNs,
                            Utf8Names names) throws SQLException {
        int[] inserted = new int[readings.size()];
        rows(insert, readings, receivedNs, 5, inserted, names, (b, i, r) -> {
            b.series(series[i]);
            b.measured(2, r);
        });
        return inserted;
    }

    /** Binds one reading's columns (all but the receipt time, bound once per call). */
    @FunctionalInterface
    private interface Columns {
        void bind(Binds binds, int index, Reading r) throws SQLException;
    }

    /**
     * Runs {@code insert} once per reading, the receipt time at {@code receivedParam}; each row's change count into
     * {@code changes} when given. The statement is reset at the end whatever happens, so it holds no lock.
     */
    private static void rows(PreparedStatement insert, List<Reading> readings, long receivedNs, int receivedParam,
                             int[] changes, Utf8Names names, Columns columns) throws SQLException {
        if (readings.isEmpty()) {
            return;
        }
        ((CoreStatement) insert).pointer.safeRunInt((db, stmt) -> {
            Binds binds = new Binds((NativeDB) db, stmt, insert.getParameterMetaData().getParameterCount(), names);
            try {
                db.reset(stmt);
                binds.number(receivedParam, receivedNs);
                for (int i = 0; i < readings.size(); i++) {
                    db.reset(stmt); // a statement that has stepped takes no binds until reset (SQLITE_MISUSE)
                    columns.bind(binds, i, readings.get(i));
                    step(db, stmt);
                    if (changes != null) {
                        changes[i] = (int) db.changes();
                    }
                }
            } finally {
                db.reset(stmt);
            }
            return 0;
        });
    }

    /** Runs the bound row; any answer but done resets the statement and throws, as {@code executeBatch} does. */
    private static void step(DB db, long stmt) throws SQLException {
        int rc = db.step(stmt);
        if (rc != SQLITE_DONE) {
            db.reset(stmt);
            db.throwex(rc);
            throw new SQLException("insert answered SQLite code " + rc + " instead of done");
        }
    }

    private static void check(DB db, int rc) throws SQLException {
        if (rc != 0) {
            db.throwex(rc);
        }
    }

    /**
     * Binds on one statement during one call; a text parameter is bound again only when its String changes, a number
     * every row (one JNI call, no cheaper to compare).
     */
    private static final class Binds {
        private final NativeDB db;
        private final long stmt;
        private final String[] bound;
        private final boolean[] known;
        private final Utf8Names names;
        private long boundSeries;
        private boolean seriesKnown;

        Binds(NativeDB db, long stmt, int parameters, Utf8Names names) {
            this.db = db;
            this.names = names;
            this.stmt = stmt;
            this.bound = new String[parameters + 1];
            this.known = new boolean[parameters + 1];
        }

        void text(int param, String value) throws SQLException {
            if (known[param] && bound[param] == value) {
                return;
            }
            known[param] = false;
            check(db, value == null ? FieldgateBinds.bindText(db, stmt, param, null)
                    : FieldgateBinds.bindUtf8(db, stmt, param, names.of(value)));
            bound[param] = value;
            known[param] = true;
        }

        /** The series id at parameter 1, as both inserts have it; bound again only when it changes. */
        void series(long id) throws SQLException {
            if (seriesKnown && boundSeries == id) {
                return;
            }
            seriesKnown = false;
            number(1, id);
            boundSeries = id;
            seriesKnown = true;
        }

        /** Time, value and qc from parameter {@code first} on. */
        void measured(int first, Reading r) throws SQLException {
            number(first, r.timeNs());
            check(db, FieldgateBinds.bindDouble(db, stmt, first + 1, r.value()));
            check(db, FieldgateBinds.bindInt(db, stmt, first + 2, r.qc()));
        }

        void number(int param, long value) throws SQLException {
            check(db, FieldgateBinds.bindLong(db, stmt, param, value));
        }
    }

    /**
     * The UTF-8 bytes of the names bound lately, by String (the same object, not equal characters): one slot per
     * String hash in 1,024, so a name that loses its slot is only encoded again. One per connection's inserts, used by
     * one thread at a time; the bytes are never changed once made.
     */
    static final class Utf8Names {
        private final String[] names;
        private final byte[][] bytes;
        private final int shift;

        Utf8Names() {
            this(1024);
        }

        /** @param slots a power of two, at least 2 */
        Utf8Names(int slots) {
            if (Integer.bitCount(slots) != 1 || slots < 2) {
                throw new IllegalArgumentException("UTF-8 name slots = " + slots + ": a power of two, at least 2");
            }
            this.names = new String[slots];
            this.bytes = new byte[slots][];
            this.shift = 32 - Integer.numberOfTrailingZeros(slots);
        }

        byte[] of(String name) {
            int slot = (name.hashCode() * 0x9E3779B9) >>> shift;
            if (names[slot] == name) {
                return bytes[slot];
            }
            byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
            bytes[slot] = utf8;
            names[slot] = name;
            return utf8;
        }
    }
}
