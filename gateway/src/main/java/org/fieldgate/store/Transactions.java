package org.fieldgate.store;

import org.slf4j.Logger;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/** Transactions on a SQLite connection that runs with autocommit off. */
public final class Transactions {
    private Transactions() {
    }

    /**
     * Rolls back, or, when SQLite has already rolled the transaction back on its own (a full disk, an I/O error:
     * "no transaction is active"), begins the next one, so the connection never drops into autocommit, where every
     * retry would commit its statements one by one and then fail on commit().
     */
    public static void rollback(Connection c, String what, Logger log) {
        try {
            c.rollback();
        } catch (SQLException e) {
            try (Statement s = c.createStatement()) {
                s.execute("BEGIN");
            } catch (SQLException again) {
                log.error("{} rollback failed ({}), and so did beginning a new transaction: {}", what, e.getMessage(),
                        again.getMessage());
            }
        }
    }
}
