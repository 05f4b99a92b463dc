package org.fieldgate.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The durable spool: one SQLite database ({@link SpoolDatabase}: WAL mode, synchronous=FULL on the ingest side, so a
 * committed transaction survives kill -9 and power loss) and the focused stores that work in it. Open it once, hand
 * each stage the store it needs, close it last. What each store holds, what commits together and how the spool
 * recovers from a full disk, a crash or a damaged file: README.md beside this class.
 */
public final class Spool implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Spool.class);

    private final SpoolDatabase db;
    private final ReadingStore readings;
    private final DeadLetterStore deadLetters;
    private final QuarantineStore quarantine;
    private final DerivedPointStore points;
    private final GapStore gaps;
    private final AccumulatorStore accumulators;
    private final HourlyCountStore hourlyCounts;
    /** Acknowledged readings found gone from a damaged spool, over the spool's life. */
    private final long lostTotal;

    /**
     * Opens the spool in {@code dir} (creating it, or checking it and setting a damaged one aside). {@code gapPoint}
     * writes a gap as the forwarder's line for InfluxDB, for the gaps the spool records itself (drop-oldest, damage).
     */
    public Spool(Path dir, long maxBytes, FullPolicy fullPolicy, GapStore.PointFormat gapPoint) {
        this(new SpoolDatabase(dir, gapPoint, true), maxBytes, fullPolicy, gapPoint);
    }

    /**
     * Opens the spool for a command that works beside the gateway, which may be running ({@code export},
     * {@code quarantine}): the same stores, but the spool's check, salvage and high-water mark stay the gateway's.
     */
    public static Spool besideGateway(Path dir, long maxBytes, FullPolicy fullPolicy, GapStore.PointFormat gapPoint) {
        return new Spool(new SpoolDatabase(dir, gapPoint, false), maxBytes, fullPolicy, gapPoint);
    }

    private Spool(SpoolDatabase db, long maxBytes, FullPolicy fullPolicy, GapStore.PointFormat gapPoint) {
        this.db = db;
        try {
            deadLetters = new DeadLetterStore(db);
            quarantine = new QuarantineStore(db);
            points = new DerivedPointStore(db);
            gaps = new GapStore(db);
            accumulators = new AccumulatorStore(db);
            hourlyCounts = new HourlyCountStore(db, accumulators);
            lostTotal = db.counter(SpoolDatabase.LOST_TOTAL);
            readings = new ReadingStore(db, maxBytes, fullPolicy, deadLetters, quarantine, points, gapPoint);
        } catch (SQLException e) {
            db.close();
            throw new SpoolException("cannot open spool " + db.file + ": " + e.getMessage(), e);
        }
        LOG.info("spool {} open: {} readings waiting, {} of {} bytes used, policy when full: {}",
                db.file, readings.depth(), readings.space().usedBytes(), maxBytes, fullPolicy.label);
    }

    public ReadingStore readings() {
        return readings;
    }

    /** The room left and the policy when full (the readings fill it). */
    public SpoolSpace space() {
        return readings.space();
    }

    public DeadLetterStore deadLetters() {
        return deadLetters;
    }

    public QuarantineStore quarantine() {
        return quarantine;
    }

    public DerivedPointStore points() {
        return points;
    }

    public GapStore gaps() {
        return gaps;
    }

    public AccumulatorStore accumulators() {
        return accumulators;
    }

    public HourlyCountStore hourlyCounts() {
        return hourlyCounts;
    }

    /** Readings and derived points stamped before {@code timeNs} that InfluxDB does not have yet. */
    public long waitingBefore(long timeNs) {
        return db.read("spool query", c -> {
            try (PreparedStatement q = c.prepareStatement("SELECT (SELECT count(*) FROM reading WHERE time_ns < ?) "
                    + "+ (SELECT count(*) FROM point WHERE time_ns < ?)")) {
                q.setLong(1, timeNs);
                q.setLong(2, timeNs);
                try (ResultSet rs = q.executeQuery()) {
                    return rs.next() ? rs.getLong(1) : 0L;
                }
            }
        });
    }

    /** Acknowledged readings found gone from a damaged spool, over its life (each start that found some adds). */
    public long lostTotal() {
        return lostTotal;
    }

    /** What was found damaged when this spool opened and what became of it (one line); empty when nothing was. */
    public String damageAtStart() {
        return db.damageAtStart;
    }

    public Path file() {
        return db.file;
    }

    @Override
    public void close() {
        db.close();
    }
}
