package org.fieldgate.store;

/** What the spool does when it reaches its max-bytes (setting {@code fieldgate.spool.full-policy}). */
public enum FullPolicy {
    /** Stop acknowledging new messages so the broker keeps them; nothing is dropped. */
    BACKPRESSURE("backpressure"),
    /** Drop the oldest undelivered readings, each drop recorded as a gap record. */
    DROP_OLDEST("drop-oldest");

    public final String label;

    FullPolicy(String label) {
        this.label = label;
    }
}
