package org.fieldgate.store;

import org.fieldgate.reading.Reading;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The spool's room: bytes used against max-bytes, the full alarm, and the policy when full. Backpressure asks
 * {@link #admissibleBytes} before each commit; drop-oldest is applied by the {@link ReadingStore} after a commit that
 * found the spool full.
 */
public final class SpoolSpace {
    private static final Logger LOG = LoggerFactory.getLogger(SpoolSpace.class);
    /** Leave "full" only below this share of max-bytes, so the alarm does not flap. */
    private static final double RESUME_FRACTION = 0.9;

    private final long maxBytes;
    private final FullPolicy fullPolicy;
    private final LongSupplier readingsWaiting;
    private final AtomicLong usedBytes = new AtomicLong();
    private volatile boolean full;

    SpoolSpace(long maxBytes, FullPolicy fullPolicy, LongSupplier readingsWaiting) {
        this.maxBytes = maxBytes;
        this.fullPolicy = fullPolicy;
        this.readingsWaiting = readingsWaiting;
    }

    /**
     * Backpressure policy: how many more bytes may be committed. Asked before each commit, so the bound holds
     * to within the size estimate instead of being passed by a whole group. None while the full alarm is up
     * (it clears below 90 %).
     */
    public long admissibleBytes() {
        return full ? 0 : Math.max(0, maxBytes - usedBytes.get());
    }

    /** Backpressure policy: the next message does not fit; raise the full alarm until the forwarder drains. */
    public void refuseForRoom() {
        if (!full) {
            warnFull(usedBytes.get());
        }
        full = true;
    }

    /** A row's size in SQLite: about 48 bytes of header, integers and real, its text, and b-tree slack. */
    public static long estimatedBytes(List<Reading> readings) {
        long bytes = 0;
        for (Reading r : readings) {
            bytes += 48 + r.site().length() + r.device().length() + r.channel().length() + r.unit().length()
                    + (r.calibration() == null ? 0 : r.calibration().length());
        }
        return bytes * 6 / 5;
    }

    public long usedBytes() {
        return usedBytes.get();
    }

    public long maxBytes() {
        return maxBytes;
    }

    public boolean isFull() {
        return full;
    }

    public FullPolicy fullPolicy() {
        return fullPolicy;
    }

    /** At open: measure, and raise the alarm if the spool is already full. Ends {@code own}'s read transaction. */
    void measureAtOpen(PreparedStatement measure) {
        refresh(measure);
        full = usedBytes.get() >= maxBytes;
    }

    /**
     * After a write: re-measure and set or clear the full alarm; true when the spool is at or over max-bytes (the
     * caller may then apply the drop-oldest policy).
     */
    boolean measureAfterWrite(PreparedStatement measure) {
        refresh(measure);
        long used = usedBytes.get();
        if (used >= maxBytes) {
            if (!full) {
                warnFull(used);
            }
            full = true;
            return true;
        }
        if (full && used < maxBytes * RESUME_FRACTION) {
            LOG.info("spool no longer full: {} of {} bytes used", used, maxBytes);
            full = false;
        }
        return false;
    }

    private void warnFull(long used) {
        LOG.warn("spool full: {} of {} bytes used, {} readings waiting; policy {}", used, maxBytes,
                readingsWaiting.getAsLong(), fullPolicy.label);
    }

    /**
     * The bytes the spool's pages hold (pages in use, not free, times the page size) in one query, prepared once on a
     * connection that writes: three PRAGMA statements made and finalised at every commit cost more than the query.
     */
    static PreparedStatement measure(Connection own) throws SQLException {
        return own.prepareStatement("SELECT (page_count - freelist_count) * page_size "
                + "FROM pragma_page_count(), pragma_freelist_count(), pragma_page_size()");
    }

    /**
     * Measures on the connection that just wrote ({@code measure} is prepared on it: {@link #measure}), which sees its
     * own commit; another connection may still hold an older snapshot and report the spool smaller than it is.
     */
    void refresh(PreparedStatement measure) {
        try {
            long used;
            try (ResultSet rs = measure.executeQuery()) {
                used = rs.next() ? rs.getLong(1) : 0L;
            }
            measure.getConnection().commit();
            usedBytes.set(used);
        } catch (SQLException e) {
            throw new SpoolException("spool size check failed: " + e.getMessage(), e);
        }
    }
}
