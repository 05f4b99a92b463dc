package org.fieldgate.store;

import org.fieldgate.reading.Reading;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Readings waiting for InfluxDB (table {@code reading}): committed here before their MQTT message is acknowledged,
 * they leave only after InfluxDB answered 2xx, or quarantined with a reason, or dropped by the drop-oldest policy with
 * a gap record. Many readings go in one transaction (group commit) to spare the SD card.
 *
 * <p>Thread use: {@link #commit} from the ingest committer only; {@link #after} from the forwarder's batch preparer
 * only; {@link #delivered}, {@link #deliveredRuns} and {@link #quarantine} from the forwarder's settler only; the queries from anywhere.
 */
public final class ReadingStore {
    private static final Logger LOG = LoggerFactory.getLogger(ReadingStore.class);

    private final SpoolDatabase db;
    private final SpoolSpace space;
    private final DeadLetterStore deadLetters;
    private final QuarantineStore quarantine;
    private final DerivedPointStore points;
    private final GapStore.PointFormat gapPoint;
    private final AtomicLong depth = new AtomicLong();
    private final AtomicLong droppedTotal = new AtomicLong();
    private final AtomicLong duplicatesTotal = new AtomicLong();
    private final AtomicLong conflictsTotal = new AtomicLong();
    private final ReadingKeys keys;
    /**
     * The ingest committer's statements, prepared once on the writer connection (used by {@link #commit} and, on the
     * same thread, {@link #dropOldest} only): at one reading per message, preparing them per commit cost about as
     * much as the commit's inserts.
     */
    private final PreparedStatement insertReading;
    /** The UTF-8 bytes of the names the writer's inserts bound lately, shared by the reading and key inserts. */
    private final ReadingRows.Utf8Names utf8Names = new ReadingRows.Utf8Names();
    /** The series ids of the writer's reading rows. */
    private final SeriesIds seriesIds;
    /** The forwarder's read's names of series ids (used by {@link #readAfter} only). */
    private final SeriesNames seriesNames;
    private final HourlyCountStore.SeriesHourCounts receivedCounts;
    private final PreparedStatement readingSequence;
    private final PreparedStatement writerMeasure;
    /** The forwarder's writer's measure of the spool after a delivery (used by {@link #deliveredRuns} only). */
    private final PreparedStatement deliveryMeasure;
    /** The settler's delete of a run and its delivered counts, prepared once on the delivery connection. */
    private final PreparedStatement deleteRun;
    private final HourlyCountStore.SeriesHourCounts deliveredCounts;
    /** The series ids of the settler's delivered counts, on the delivery connection. */
    private final SeriesIds deliveredSeriesIds;
    /**
     * The forwarder's read, prepared once on the cursor connection (used by {@link #readAfter} only, under {@code
     * readAhead}): at one reading per message its batches are small and preparing it per batch counted.
     */
    private final PreparedStatement readAfter;
    /**
     * The highest row handed to the forwarder by {@link #after}: rows up to it may be on their way to InfluxDB, so the
     * drop-oldest policy leaves them (a dropped row that lands anyway would be counted both dropped and delivered).
     * Guarded by {@code readAhead}, which orders a read-ahead and a drop.
     */
    private long readAheadThroughId;
    private final Object readAhead = new Object();
    /**
     * The highest row id whose insertion {@link #depth} counts. Another process may add rows ({@code fieldgate import},
     * {@link ImportStore}): they are counted once a commit's sequence or the forwarder's read-ahead passes them, before
     * their removal is subtracted. Row ids are given in commit order (SQLite has one writer at a time, and a rolled
     * back insert gives its ids back), so every id up to a committed one is a committed insertion.
     */
    private long countedThroughId;

    ReadingStore(SpoolDatabase db, long maxBytes, FullPolicy fullPolicy, DeadLetterStore deadLetters,
                 QuarantineStore quarantine, DerivedPointStore points, GapStore.PointFormat gapPoint) throws SQLException {
        this.db = db;
        this.space = new SpoolSpace(maxBytes, fullPolicy, depth::get);
        this.deadLetters = deadLetters;
        this.quarantine = quarantine;
        this.points = points;
        this.gapPoint = gapPoint;
        this.keys = new ReadingKeys(db.writer, utf8Names);
        this.seriesIds = new SeriesIds(db.writer, SeriesIds.READING_SERIES);
        this.seriesNames = new SeriesNames(db.cursor);
        this.insertReading = db.writer.prepareStatement(INSERT_READING);
        this.receivedCounts = HourlyCountStore.SeriesHourCounts.received(db.writer);
        this.readingSequence = db.writer.prepareStatement("SELECT seq FROM sqlite_sequence WHERE name = 'reading'");
        this.writerMeasure = SpoolSpace.measure(db.writer);
        this.deliveryMeasure = SpoolSpace.measure(db.delivery);
        this.deleteRun = db.delivery.prepareStatement(DELETE_RUN);
        this.deliveredCounts = HourlyCountStore.SeriesHourCounts.delivered(db.delivery);
        this.deliveredSeriesIds = new SeriesIds(db.delivery, SeriesIds.READING_SERIES);
        this.readAfter = db.cursor.prepareStatement(READ_AFTER);
        depth.set(SpoolDatabase.single(db.writer, "SELECT count(*) FROM reading"));
        countedThroughId = SpoolDatabase.single(db.writer,
                "SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = 'reading'");
        droppedTotal.set(db.counter(SpoolDatabase.DROPPED_TOTAL));
        duplicatesTotal.set(db.counter(SpoolDatabase.DUPLICATES_TOTAL));
        conflictsTotal.set(db.counter(SpoolDatabase.CONFLICTS_TOTAL));
        space.measureAtOpen(writerMeasure);
    }

    /** The spool's room and its policy when full. */
    public SpoolSpace space() {
        return space;
    }

    /**
     * Commits readings and dead letters of many messages in one transaction, with their hourly counts, their keys and
     * the counts of duplicates and conflicts (see {@link ReadingKeys}). When this returns, they are on disk; when it throws, nothing of it is, and the
     * messages must not be acknowledged. Returns how many readings it stored: those received less the duplicates and
     * conflicts (a message the broker delivers again after a reconnect stores nothing).
     */
    public int commit(List<Reading> received, List<DeadLetterStore.Refused> refused, long receivedNs) {
        Connection writer = db.writer;
        long committedThrough;
        ReadingKeys.FirstSeen seen;
        List<Reading> readings;
        try {
            seen = keys.firstSeen(received, receivedNs);
            readings = seen.readings();
            long[] ids = seriesIds.of(readings);
            insertAll(insertReading, readings, ids, receivedNs, utf8Names);
            receivedCounts.add(readings, ids);
            DeadLetterStore.insert(writer, refused, receivedNs);
            committedThrough = readings.isEmpty() ? 0 : sequence();
            writer.commit();
            seriesIds.committed();
            keys.committed();
        } catch (SQLException e) {
            SpoolDatabase.rollback(writer);
            seriesIds.rolledBack();
            keys.rolledBack();
            throw new SpoolException("spool commit of " + received.size() + " readings failed: " + e.getMessage(), e);
        }
        try {
            db.mark.committed(committedThrough);
        } catch (SpoolException e) {
            LOG.error("{}: a damaged spool could hide these {} readings", e.getMessage(), readings.size());
        }
        countInsertedThrough(committedThrough);
        deadLetters.added(refused.size());
        duplicatesTotal.addAndGet(seen.duplicates());
        conflictsTotal.addAndGet(seen.conflicts());
        // The readings are on disk: failing after this would have the caller commit them a second time.
        afterCommitted(writerMeasure, true);
        return readings.size();
    }

    /** The reading table's AUTOINCREMENT sequence: the highest row id ever given, in the writer's transaction. */
    private long sequence() throws SQLException {
        try (ResultSet rs = readingSequence.executeQuery()) {
            return rs.next() ? rs.getLong(1) : 0L;
        }
    }

    /** Oldest undelivered readings, in the order they were spooled. */
    public List<SpooledReading> oldest(int limit) {
        return after(0, limit);
    }

    /**
     * Undelivered readings spooled after row {@code afterId}, in order. Row ids only grow (AUTOINCREMENT), so
     * a cursor over them never skips a reading committed later.
     */
    public List<SpooledReading> after(long afterId, int limit) {
        List<SpooledReading> batch = new ArrayList<>(Math.min(limit, 10_000));
        synchronized (readAhead) {
            readAfter(afterId, limit, batch);
            if (!batch.isEmpty()) {
                readAheadThroughId = Math.max(readAheadThroughId, batch.get(batch.size() - 1).id());
                countInsertedThrough(batch.get(batch.size() - 1).id());
            }
        }
        return batch;
    }

    /**
     * The CREATE statement of a series table named {@code name} laid out as the spool's {@code series} (id, site,
     * device, channel, unit, the names unique): for a database outside this package that names series by id and joins
     * them with the spool's by name ({@code forward.DeliveredArchive}'s {@code kept_series}).
     */
    public static String createSeriesTable(String name) {
        return new SeriesIds.Table(name, true).create();
    }

    /** The one reading insert, shared with {@link ImportStore}; bound by {@link #insertAll}. */
    static final String INSERT_READING =
            "INSERT INTO reading (series, time_ns, value, qc, received_ns, cal) VALUES (?,?,?,?,?,?)";

    /** Inserts the readings, the series of reading {@code i} by its id {@code series[i]} ({@link SeriesIds}). */
    static void insertAll(PreparedStatement ins, List<Reading> readings, long[] series, long receivedNs,
                          ReadingRows.Utf8Names names) throws SQLException {
        if (ReadingRows.nativeOf(ins) != null) {
            ReadingRows.insertReadings(ins, readings, series, receivedNs, names);
        } else {
            insertAllJdbc(ins, readings, series, receivedNs);
        }
    }

    /** {@link #insertAll} through JDBC's batch: for a statement not sqlite-jdbc's own, and the reference in tests. */
    static void insertAllJdbc(PreparedStatement ins, List<Reading> readings, long[] series, long receivedNs)
            throws SQLException {
        Long received = receivedNs; // boxed once per commit, not once per reading
        inBatches(ins, readings, (s, i, r) -> {
            s.setLong(1, series[i]);
            s.setLong(2, r.timeNs());
            s.setDouble(3, r.value());
            s.setInt(4, r.qc());
            s.setObject(5, received);
            s.setString(6, r.calibration());
        });
    }

    /** Binds reading {@code index}'s parameters on a statement. */
    @FunctionalInterface
    interface Binder {
        void bind(PreparedStatement statement, int index, Reading r) throws SQLException;
    }

    /**
     * Runs {@code statement} once per reading, in batches of {@link #BATCH_ROWS} rows, after clearing what a failed
     * commit may have left in its batch; each reading's update count, in order.
     */
    static int[] inBatches(PreparedStatement statement, List<Reading> readings, Binder binder) throws SQLException {
        statement.clearBatch();
        int[] counts = new int[readings.size()];
        int from = 0;
        for (int i = 0; i < readings.size(); i++) {
            binder.bind(statement, i, readings.get(i));
            statement.addBatch();
            if (i + 1 - from == BATCH_ROWS || i + 1 == readings.size()) {
                int[] batch = statement.executeBatch();
                if (batch.length != i + 1 - from) {
                    throw new SQLException("batch of " + (i + 1 - from) + " readings answered " + batch.length
                            + " counts");
                }
                System.arraycopy(batch, 0, counts, from, batch.length);
                from = i + 1;
            }
        }
        return counts;
    }

    /**
     * Rows per {@code executeBatch} on a statement kept for good. sqlite-jdbc's {@code clearBatch}, which {@code
     * executeBatch} runs twice, nulls every slot of the statement's batch array, and that array only grows, to the
     * largest batch it ever held ({@code JDBC3Statement.clearBatch}, {@code JDBC3PreparedStatement.addBatch},
     * 3.50.3.0): after one 20,000-reading commit, every later commit of a few messages cleared some 300,000 slots per
     * statement. Batches of this many rows keep the array small and cost about the same per row.
     */
    static final int BATCH_ROWS = 256;

    /** Counts in {@link #depth} the rows inserted up to {@code id} not counted yet (another process's among them). */
    private synchronized void countInsertedThrough(long id) {
        if (id > countedThroughId) {
            depth.addAndGet(id - countedThroughId);
            countedThroughId = id;
        }
    }

    private static final String READ_AFTER =
            "SELECT id, series, time_ns, value, qc, received_ns, cal FROM reading WHERE id > ? ORDER BY id LIMIT ?";

    private void readAfter(long afterId, int limit, List<SpooledReading> batch) {
        Connection cursor = db.cursor;
        PreparedStatement q = readAfter;
        try {
            q.setLong(1, afterId);
            q.setInt(2, limit);
            // One String per distinct name in the batch, not one per row: a batch waits in the forwarder's queues
            // (up to nine of them in a burst), and per-row copies of the site, device, channel and unit were about
            // a quarter of the heap live then (gateway/bench/README.md, "Where the gateway's resident memory goes").
            // The series' names come from their id (SeriesNames, the same Strings batch after batch); the
            // calibration is read as bytes and decoded once per batch (BatchNames): getString per column was most of
            // the read's CPU.
            BatchNames names = new BatchNames();
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    SeriesNames.Series series = seriesNames.of(rs.getLong(2));
                    batch.add(new SpooledReading(rs.getLong(1), new Reading(series.site(), series.device(),
                            series.channel(), series.unit(), rs.getLong(3), rs.getDouble(4), rs.getInt(5),
                            names.of(rs.getBytes(7))), rs.getLong(6)));
                }
            }
            cursor.commit();
        } catch (SQLException e) {
            SpoolDatabase.rollback(cursor);
            throw new SpoolException("spool read failed: " + e.getMessage(), e);
        }
    }

    /**
     * InfluxDB acknowledged these (a run returned by {@link #after} or {@link #oldest}: every row of its id range still
     * in the table is in it, since row ids only grow); they leave the spool, the ones still in it counted as delivered
     * in the hourly counts in the same transaction.
     */
    public void delivered(List<SpooledReading> batch) {
        deliveredRuns(List.of(batch));
    }

    /**
     * As {@link #delivered(List)} for several acknowledged runs at once (the spool settler takes the runs that wait for
     * it together): one transaction, one high-water mark write, one measure of the spool, whatever the number of runs.
     * Each run's range is deleted and checked on its own, so the runs need not follow each other.
     */
    public void deliveredRuns(List<List<SpooledReading>> runs) {
        List<List<SpooledReading>> present = new ArrayList<>(runs.size());
        for (List<SpooledReading> run : runs) {
            if (!run.isEmpty()) {
                present.add(run);
            }
        }
        if (present.isEmpty()) {
            return;
        }
        long[] firstIds = new long[present.size()];
        long[] lastIds = new long[present.size()];
        for (int i = 0; i < present.size(); i++) {
            firstIds[i] = present.get(i).get(0).id();
            lastIds[i] = present.get(i).get(present.get(i).size() - 1).id();
        }
        Connection delivery = db.delivery;
        db.mark.removed(firstIds, lastIds);
        try {
            // the deletes first, so the transaction starts as a write and waits its turn (see HourlyCountStore)
            int removed = 0;
            boolean whole = true;
            for (int i = 0; i < present.size(); i++) {
                int n = deleteRun(deleteRun, firstIds[i], lastIds[i]);
                whole &= n == present.get(i).size();
                removed += n;
            }
            if (whole) {
                // every run was still here whole: counted from the readings in hand, not read back from the table
                deliveredCounts.addRuns(present, deliveredSeriesIds);
            } else {
                // part of a run has left already (quarantined just before): count what was still here
                delivery.rollback();
                removed = 0;
                for (int i = 0; i < present.size(); i++) {
                    HourlyCountStore.addDelivered(delivery, firstIds[i], lastIds[i]);
                    removed += deleteRun(deleteRun, firstIds[i], lastIds[i]);
                }
            }
            delivery.commit();
            deliveredSeriesIds.committed();
            depth.addAndGet(-removed);
        } catch (SQLException e) {
            SpoolDatabase.rollback(delivery);
            deliveredSeriesIds.rolledBack();
            throw new SpoolException("spool delete after delivery failed: " + e.getMessage(), e);
        }
        afterCommitted(deliveryMeasure, false);
    }

    private static final String DELETE_RUN = "DELETE FROM reading WHERE id BETWEEN ? AND ?";

    private static int deleteRun(PreparedStatement del, long firstId, long lastId) throws SQLException {
        del.setLong(1, firstId);
        del.setLong(2, lastId);
        return del.executeUpdate();
    }

    /**
     * InfluxDB refused these for their content: move them aside into the quarantine with the reason, counted, in one
     * transaction, so the rest can flow.
     */
    public void quarantine(List<SpooledReading> refused, String reason, long nowNs) {
        Connection delivery = db.delivery;
        try (PreparedStatement del = delivery.prepareStatement("DELETE FROM reading WHERE id = ?")) {
            for (SpooledReading s : refused) {
                db.mark.removed(s.id(), s.id());
                del.setLong(1, s.id());
                del.addBatch();
            }
            QuarantineStore.insert(delivery, refused, reason, nowNs);
            int removed = 0;
            for (int n : del.executeBatch()) {
                removed += n;
            }
            delivery.commit();
            depth.addAndGet(-removed);
            quarantine.added(refused.size());
        } catch (SQLException e) {
            SpoolDatabase.rollback(delivery);
            throw new SpoolException("spool quarantine failed: " + e.getMessage(), e);
        }
    }

    /** {@link #afterWrite} once the transaction is committed: a failure now is reported, not thrown. */
    private void afterCommitted(PreparedStatement measure, boolean ingestSide) {
        try {
            afterWrite(measure, ingestSide);
        } catch (SpoolException e) {
            LOG.warn("after a spool commit: {}", e.getMessage());
        }
    }

    /**
     * After any write: re-measure and set or clear the full alarm. Only the ingest side grows the spool, so
     * only it applies the drop-oldest policy, on its own connection.
     */
    private void afterWrite(PreparedStatement measure, boolean ingestSide) {
        if (space.measureAfterWrite(measure) && ingestSide && space.fullPolicy() == FullPolicy.DROP_OLDEST) {
            dropOldest();
        }
    }

    /**
     * Drop-oldest policy: drop a tenth of what waits, the oldest rows the forwarder has not read ahead (those may
     * land), recording each series' loss as a gap record and a {@code gap} point for InfluxDB, and counting the
     * readings dropped, in the transaction that drops them.
     */
    private void dropOldest() {
        Connection writer = db.writer;
        long toDrop = Math.max(1, depth.get() / 10);
        long now = System.currentTimeMillis() * 1_000_000L;
        List<GapRecord> gaps = new ArrayList<>();
        int removed;
        synchronized (readAhead) {
            try (PreparedStatement sel = writer.prepareStatement("""
                    SELECT s.site, s.device, s.channel, min(r.time_ns), max(r.time_ns), count(*), min(r.id), max(r.id)
                      FROM (SELECT * FROM reading WHERE id > ? ORDER BY id LIMIT ?) r JOIN series s ON s.id = r.series
                      GROUP BY s.site, s.device, s.channel""")) {
                sel.setLong(1, readAheadThroughId);
                sel.setLong(2, toDrop);
                long firstId = Long.MAX_VALUE;
                long lastId = -1;
                Map<String, Long> lost = new LinkedHashMap<>();
                try (ResultSet rs = sel.executeQuery()) {
                    while (rs.next()) {
                        gaps.add(new GapRecord(0, now, rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4),
                                rs.getLong(5), rs.getLong(6), GapStore.DROP_OLDEST_CAUSE));
                        lost.put(rs.getString(1) + "/" + rs.getString(2) + "/" + rs.getString(3), rs.getLong(6));
                        firstId = Math.min(firstId, rs.getLong(7));
                        lastId = Math.max(lastId, rs.getLong(8));
                    }
                }
                if (lastId < 0) {
                    LOG.warn("spool full, drop-oldest policy: every waiting reading is on its way to InfluxDB, none "
                            + "dropped");
                    writer.commit();
                    return;
                }
                db.mark.removed(firstId, lastId);
                GapStore.insert(writer, gaps);
                DerivedPointStore.insert(writer, GapStore.points(gapPoint, gaps), now);
                try (PreparedStatement del = writer.prepareStatement("DELETE FROM reading WHERE id BETWEEN ? AND ?")) {
                    del.setLong(1, firstId);
                    del.setLong(2, lastId);
                    removed = del.executeUpdate();
                }
                SpoolDatabase.bump(writer, SpoolDatabase.DROPPED_TOTAL, removed);
                writer.commit();
                LOG.warn("spool full, drop-oldest policy dropped {} readings, recorded as gaps: {}", removed, lost);
            } catch (SQLException e) {
                SpoolDatabase.rollback(writer);
                throw new SpoolException("spool drop-oldest failed: " + e.getMessage(), e);
            }
        }
        depth.addAndGet(-removed);
        droppedTotal.addAndGet(removed);
        points.added(gaps.size());
        space.refresh(writerMeasure);
    }

    /** Receipt time of the oldest reading still waiting, if any. */
    public OptionalLong oldestReceivedNs() {
        return db.read("spool query", c -> {
            // the status asks here (every snapshot): rows another process added are counted even while nothing flows
            countInsertedThrough(SpoolDatabase.single(c,
                    "SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = 'reading'"));
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT received_ns FROM reading ORDER BY id LIMIT 1")) {
                return rs.next() ? OptionalLong.of(rs.getLong(1)) : OptionalLong.empty();
            }
        });
    }

    /**
     * Seconds since the oldest reading still waiting was received, 0 when none waits: how far InfluxDB lags behind.
     * One query; for /api/status, the gateway health point and the Prometheus gauge alike.
     */
    public double oldestUndeliveredAgeS(long nowNs) {
        OptionalLong oldest = oldestReceivedNs();
        return oldest.isPresent() ? Math.max(0, nowNs - oldest.getAsLong()) / 1e9 : 0.0;
    }

    /** Readings waiting for InfluxDB. */
    public long depth() {
        return depth.get();
    }

    /** Readings the drop-oldest policy dropped undelivered, over the spool's life. */
    public long droppedTotal() {
        return droppedTotal.get();
    }

    /** Readings received again with the same value at the same series and time (redeliveries), left out. */
    public long duplicatesTotal() {
        return duplicatesTotal.get();
    }

    /** Readings received at a known series and time with another value, kept in the conflict table, not sent. */
    public long conflictsTotal() {
        return conflictsTotal.get();
    }
}
