package org.fieldgate.forward;

import org.fieldgate.reading.EpochNanos;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.fieldgate.config.GatewaySettings;
import org.fieldgate.config.TlsFiles;
import org.fieldgate.store.PointLine;
import org.fieldgate.store.Spool;
import org.fieldgate.store.SpooledReading;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Drains the spool into InfluxDB over the v1 /write API at ns precision (served by InfluxDB 1.x, 2.x and 3.x).
 * Rows leave the spool only after a 2xx. While InfluxDB is unreachable it backs off exponentially with
 * jitter; a batch refused for its content is retried once, then halved until the offending points are isolated
 * and quarantined with InfluxDB's reason, and the rest goes through. Re-sending is harmless because InfluxDB
 * keys a point by measurement + tags + timestamp. Delivered readings are kept for
 * {@code fieldgate.forward.keep-delivered} (see {@link DeliveredArchive}) so that the {@link Reconciler} can re-send
 * what InfluxDB acknowledged and lost.
 */
public final class InfluxForwarder implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(InfluxForwarder.class);
    public static final String MEASUREMENT = InfluxLines.READING;
    private static final int POINTS_PER_WRITE = 1000;
    private static final long IDLE_PING_NS = TimeUnit.SECONDS.toNanos(10);
    private static final int PREPARED_AHEAD = 2;
    /**
     * Writes on the wire at once: while InfluxDB syncs its WAL for one body it already reads the next, so a drain is
     * not one round trip per batch (pipeline-bench --only=drain, gateway/bench/README.md). Only a full batch joins a
     * write on the wire ({@link #nextPrepared}).
     */
    static final int WRITES_IN_FLIGHT = 2;

    private final GatewaySettings.Influx influx;
    private final GatewaySettings.Forward settings;
    private final Spool spool;
    private final InfluxWriter writer;
    /** Null when fieldgate.forward.keep-delivered is 0. */
    private final DeliveredArchive archive;
    /** Wall clock of the last write InfluxDB answered 2xx; the start when there has been none yet. */
    private final AtomicLong lastWriteNs = new AtomicLong();
    private final long startedNs = EpochNanos.now();
    private volatile boolean wroteSinceStart;
    private final Counter deliveredCounter;
    private final Counter quarantinedCounter;
    private final Counter failedWrites;
    private final DeliveryLatency deliveryLatency;
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong pointsDelivered = new AtomicLong();
    /**
     * Readings the preparer has read and the settler has not yet settled (prepared, on the wire, acknowledged): the
     * spool's depth less these is what is still unread, which ends a linger early when it fills a batch.
     */
    private final AtomicLong readingsHeld = new AtomicLong();
    private final Object wake = new Object();
    private final Object stop = new Object();
    /**
     * Notified when a batch is prepared and when a write on the wire ends, so the writer waiting for either sleeps
     * until one happens rather than looking every few ms ({@link #nextPrepared}).
     */
    private final Object progress = new Object();
    private final Thread thread;
    private final Thread preparer;
    private final Thread settler;
    private final BlockingQueue<AcknowledgedBatch> acknowledged = new ArrayBlockingQueue<>(4);
    /** Encoded batches waiting for the wire; two keep the writer busy without holding much memory. */
    private final BlockingQueue<PreparedBatch> prepared = new ArrayBlockingQueue<>(PREPARED_AHEAD);
    /**
     * The bodies' arrays, reused: one per prepared batch, one per write on the wire, one being encoded. The writer
     * hands a body back once InfluxDB has answered 2xx for it; the preparer waits for one.
     */
    private final BlockingQueue<WriteBody> freeBodies = new ArrayBlockingQueue<>(PREPARED_AHEAD + WRITES_IN_FLIGHT + 1);
    private volatile boolean running = true;
    private volatile boolean reachable;
    private volatile String lastError = "not tried yet";
    private volatile boolean databaseReady;
    private volatile boolean backingOff;
    private volatile boolean retryRequested;

    public InfluxForwarder(GatewaySettings.Influx influx, GatewaySettings.Forward settings, Spool spool,
                           MeterRegistry metrics) {
        this.influx = influx;
        this.settings = settings;
        this.spool = spool;
        this.writer = new InfluxWriter(influx, settings.minBackoff());
        this.archive = settings.keepDelivered().isZero() ? null : new DeliveredArchive(spool.file().getParent(), spool.file());
        this.lastWriteNs.set(startedNs);
        this.deliveredCounter = Counter.builder("fieldgate.forward.delivered").description("readings InfluxDB acknowledged")
                .register(metrics);
        this.quarantinedCounter = Counter.builder("fieldgate.forward.quarantined")
                .description("readings InfluxDB refused for their content, kept in the quarantine table").register(metrics);
        this.failedWrites = Counter.builder("fieldgate.forward.failed.writes")
                .description("write attempts that failed and will be retried").register(metrics);
        this.deliveryLatency = new DeliveryLatency(metrics);
        this.thread = new Thread(this::drainLoop, "influx-forwarder");
        this.thread.setDaemon(true);
        this.preparer = new Thread(this::prepareLoop, "influx-batch-preparer");
        this.preparer.setDaemon(true);
        this.settler = new Thread(this::settleLoop, "spool-settler");
        this.settler.setDaemon(true);
    }

    /** Its threads, for the pipeline's watch. */
    public List<Thread> threads() {
        return List.of(thread, preparer, settler);
    }

    public void start() {
        preparer.start();
        settler.start();
        thread.start();
    }

    /** A batch InfluxDB answered 2xx for, with the readings it refused for their content and why. */
    private record AcknowledgedBatch(List<SpooledReading> readings, Map<SpooledReading, String> refused, long ackNs) {
    }

    /** Spooled readings in order, with their body ready for /write. */
    private record PreparedBatch(List<SpooledReading> readings, WriteBody body) {
    }

    /** A batch whose first write is under way. */
    private record InFlight(PreparedBatch batch, InfluxWriter.Write write) {
    }

    /**
     * Ends the current backoff and tries InfluxDB now, with the backoff back at its minimum: for an operator
     * who has just fixed what was wrong (a token, a bucket) and should not wait up to max-backoff.
     *
     * @return whether a backoff was cut short (false: the forwarder was not waiting, it was only woken)
     */
    public boolean retryNow() {
        boolean waiting = backingOff;
        retryRequested = waiting;
        synchronized (stop) {
            stop.notifyAll();
        }
        wake();
        if (waiting) {
            LOG.info("InfluxDB retry requested: ending the backoff and writing now");
        }
        return waiting;
    }

    /** Write attempts that failed (InfluxDB down, refusing, or unreachable) and were retried or will be. */
    public long failedWrites() {
        return (long) failedWrites.count();
    }

    /** New readings are in the spool: drain now rather than at the next idle tick. */
    public void wake() {
        synchronized (wake) {
            wake.notifyAll();
        }
    }

    /**
     * Reads and encodes the next batches while the current one is on the wire, so the spool read, the line
     * protocol and InfluxDB's answer overlap rather than queue behind each other. A batch is read once the spool holds
     * a full one unread or {@code fieldgate.forward.linger} after the previous batch was read ({@link #lingerNs}): at a
     * moderate rate the readings go in a few full writes a second, not in one small write per ingest commit.
     */
    private void prepareLoop() {
        long afterId = 0;
        long lastReadNs = System.nanoTime() - settings.linger().toNanos();
        for (int i = freeBodies.remainingCapacity(); i > 0; i--) {
            freeBodies.add(new WriteBody(settings.batchSize() * (writer.gzips() ? 16 : 110)));
        }
        try (LineEncoder encoder = new LineEncoder(settings.batchSize() * 110, writer.gzips())) {
            while (running) {
                try {
                    long lingerNs = lingerNs(lastReadNs);
                    if (lingerNs > 0) {
                        idle(Duration.ofNanos(lingerNs)); // woken by each ingest commit to look again
                        continue;
                    }
                    List<SpooledReading> batch = spool.readings().after(afterId, settings.batchSize());
                    if (batch.isEmpty()) {
                        idle(Duration.ofSeconds(1));
                        continue;
                    }
                    lastReadNs = System.nanoTime();
                    readingsHeld.addAndGet(batch.size());
                    WriteBody body = freeBodies.take();
                    try {
                        encoder.encode(batch, body);
                    } catch (RuntimeException e) {
                        freeBodies.add(body);
                        throw e;
                    }
                    prepared.put(new PreparedBatch(batch, body));
                    afterId = batch.get(batch.size() - 1).id();
                    progressed();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (RuntimeException e) {
                    LOG.error("reading the spool for InfluxDB failed: {}; retrying", e.getMessage());
                    pause(Duration.ofSeconds(1));
                }
            }
        }
    }

    /**
     * How much longer the preparer waits before it reads: 0 once {@code fieldgate.forward.linger} has passed since the
     * previous read began ({@code lastReadNs}) or once the spool holds a full batch unread. So a reading waits at most
     * the linger before it is read, a trickle is read at once (its previous read was long ago), a backlog goes in full
     * batches without a pause, and a steady stream goes in a batch per linger. While the preparer waits, the writer
     * may still be sending what was read before.
     */
    private long lingerNs(long lastReadNs) {
        long leftNs = lastReadNs + settings.linger().toNanos() - System.nanoTime();
        if (leftNs <= 0) {
            return 0;
        }
        // the depth counts a commit before its wake-up; rows another process added may be counted late (a longer wait)
        long unread = spool.readings().depth() - readingsHeld.get();
        return unread >= settings.batchSize() ? 0 : leftNs;
    }

    /**
     * Takes acknowledged batches out of the spool: quarantines what InfluxDB refused, deletes the runs, and counts.
     * Small batches are settled together ({@link #gather}), in one archive and one spool transaction: at one reading
     * per message the runs are small and each settle's fixed costs (transactions, the high-water mark's sync) were
     * most of the settler's CPU. The only user of the spool's delivery connection.
     */
    private void settleLoop() {
        List<AcknowledgedBatch> group = new java.util.ArrayList<>();
        while (running || !acknowledged.isEmpty()) {
            AcknowledgedBatch done;
            try {
                done = acknowledged.poll(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                if (acknowledged.isEmpty()) {
                    Thread.currentThread().interrupt();
                    return;
                }
                continue;
            }
            if (done == null) {
                continue;
            }
            group.clear();
            group.add(done);
            gather(group);
            settleUntilDone(group);
        }
    }

    /** A settle gathers acknowledged batches until they hold this many readings, ... */
    static final int SETTLE_READINGS = 2000;
    /** ... or this many batches, ... */
    static final int SETTLE_BATCHES = 16;
    /**
     * ... or for this long after the first was taken: the settle's delay, which only holds back the delivered count
     * and the spool's depth (InfluxDB has the readings; the latency figure is taken at its acknowledgement).
     */
    static final long SETTLE_GATHER_NS = TimeUnit.MILLISECONDS.toNanos(50);

    /**
     * Adds to {@code group} (one batch) the batches acknowledged after it within {@link #SETTLE_GATHER_NS}, until they
     * hold {@link #SETTLE_READINGS} readings or {@link #SETTLE_BATCHES} batches; while stopping, only those waiting.
     * The batches taken free the queue, so the writer never waits on a gathering settler.
     */
    private void gather(List<AcknowledgedBatch> group) {
        int readings = group.get(0).readings().size();
        long deadline = System.nanoTime() + SETTLE_GATHER_NS;
        while (readings < SETTLE_READINGS && group.size() < SETTLE_BATCHES) {
            long leftNs = deadline - System.nanoTime();
            AcknowledgedBatch next;
            try {
                next = leftNs <= 0 || !running ? acknowledged.poll() : acknowledged.poll(leftNs, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // seen by the settle loop's next poll
                return;
            }
            if (next == null) {
                return;
            }
            group.add(next);
            readings += next.readings().size();
        }
    }

    /**
     * Settles acknowledged batches, retrying while the spool cannot write (a full disk): each failed try rolled back
     * whole, so a retry neither loses nor double-counts, and the runs leave the spool as soon as there is room again.
     */
    private void settleUntilDone(List<AcknowledgedBatch> group) {
        String lastFailure = "";
        int refusedSettled = 0;
        int readings = 0;
        for (AcknowledgedBatch done : group) {
            readings += done.readings().size();
        }
        while (true) {
            try {
                // each batch's refused readings in a transaction of their own, once, before any run is deleted
                for (; refusedSettled < group.size(); refusedSettled++) {
                    quarantineRefused(group.get(refusedSettled));
                }
                settleDelivered(group);
                readingsHeld.addAndGet(-readings);
                if (!lastFailure.isEmpty()) {
                    LOG.info("removed {} delivered readings from the spool after retrying", readings);
                }
                return;
            } catch (RuntimeException e) {
                if (!String.valueOf(e.getMessage()).equals(lastFailure)) {
                    LOG.error("removing {} delivered readings from the spool failed: {}; retrying (they stay in the "
                            + "spool meanwhile)", readings, e.getMessage());
                }
                lastFailure = String.valueOf(e.getMessage());
                if (!running) {
                    LOG.error("stopping with {} delivered readings still in the spool: they are sent again after the "
                            + "restart (InfluxDB collapses the copies)", readings);
                    return;
                }
                pause(Duration.ofMillis(500));
            }
        }
    }

    private void quarantineRefused(AcknowledgedBatch done) {
        if (done.refused().isEmpty()) {
            return;
        }
        Map<String, List<SpooledReading>> byReason = new java.util.LinkedHashMap<>();
        done.refused().forEach((reading, reason) -> byReason.computeIfAbsent(reason, r -> new java.util.ArrayList<>()).add(reading));
        byReason.forEach((reason, readings) -> {
            LOG.warn("quarantined {} reading(s), first {}: {}", readings.size(), readings.get(0).reading(), reason);
            spool.readings().quarantine(readings, reason, done.ackNs());
        });
        quarantinedCounter.increment(done.refused().size());
    }

    private void settleDelivered(List<AcknowledgedBatch> group) {
        if (archive != null) {
            // kept before the spool lets go of them: a crash in between keeps a copy of a reading sent again
            // (keyed by series and time, so a retried settle keeps it once)
            // the refused readings were quarantined out of the runs just before, so the runs are what landed
            long[] firstIds = new long[group.size()];
            long[] lastIds = new long[group.size()];
            for (int i = 0; i < group.size(); i++) {
                List<SpooledReading> run = group.get(i).readings();
                firstIds[i] = run.get(0).id();
                lastIds[i] = run.get(run.size() - 1).id();
            }
            archive.keepSpoolRuns(firstIds, lastIds);
        }
        // without the refused ones, which have left already, the spool counts the runs from the readings in hand
        List<List<SpooledReading>> landed = new java.util.ArrayList<>(group.size());
        int count = 0;
        for (AcknowledgedBatch done : group) {
            List<SpooledReading> run = done.refused().isEmpty() ? done.readings()
                    : done.readings().stream().filter(s -> !done.refused().containsKey(s)).toList();
            landed.add(run);
            count += run.size();
        }
        spool.readings().deliveredRuns(landed);
        // counted before the latencies are recorded: whoever sees the spool's depth fall sees them delivered too
        delivered.addAndGet(count);
        deliveredCounter.increment(count);
        for (int i = 0; i < group.size(); i++) {
            deliveryLatency.record(group.get(i).ackNs(), landed.get(i));
        }
    }

    private void drainLoop() {
        Duration backoff = settings.minBackoff();
        long lastContact = 0;
        // writes under way, in spool order: they are settled in that order, each only after its own 2xx
        ArrayDeque<InFlight> inFlight = new ArrayDeque<>(WRITES_IN_FLIGHT);
        // batches taken from the preparer that were on the wire when a write failed: sent again first, in order
        ArrayDeque<PreparedBatch> again = new ArrayDeque<>(WRITES_IN_FLIGHT);
        while (running) {
            try {
                if (!databaseReady) {
                    ensureDatabase();
                }
                if (spool.points().depth() > 0) {
                    deliverPoints();
                }
                while (inFlight.size() < WRITES_IN_FLIGHT) {
                    PreparedBatch next = !again.isEmpty() ? again.pollFirst() : nextPrepared(inFlight.peekFirst());
                    if (next == null) {
                        break;
                    }
                    inFlight.addLast(new InFlight(next, writer.startWrite(next.body(), this::progressed)));
                }
                if (inFlight.isEmpty()) {
                    if (System.nanoTime() - lastContact > IDLE_PING_NS) {
                        ping();
                        lastContact = System.nanoTime();
                    }
                    continue;
                }
                InFlight head = inFlight.peekFirst();
                List<SpooledReading> batch = head.batch().readings();
                Map<SpooledReading, String> refused = new IdentityHashMap<>();
                try {
                    writer.deliver(batch, head.batch().body(), head.write(), refused);
                } catch (RuntimeException e) {
                    // The ones behind it go again after the backoff, whatever they were answered (InfluxDB keeps a
                    // point once however often it is written); their bodies stay untouched until their writes end.
                    for (InFlight f = inFlight.pollLast(); f != null; f = inFlight.pollLast()) {
                        f.write().awaitEnd();
                        again.addFirst(f.batch());
                    }
                    throw e;
                }
                inFlight.pollFirst();
                if (refused.size() < batch.size()) {
                    wrote();
                }
                // InfluxDB has it: the spool bookkeeping runs beside the next write, not before it.
                acknowledged.put(new AcknowledgedBatch(batch, refused, EpochNanos.now()));
                freeBodies.add(head.batch().body());
                markReachable();
                lastContact = System.nanoTime();
                backoff = settings.minBackoff();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                if (!running) {
                    break;
                }
                InfluxException.Kind kind = e instanceof InfluxException influxError ? influxError.kind() : null;
                if (kind == InfluxException.Kind.DATABASE_NOT_FOUND) {
                    databaseReady = false;
                }
                reachable = false;
                failedWrites.increment();
                String error = explain(e);
                if (!error.equals(lastError)) {
                    LOG.warn("InfluxDB {} not taking writes ({}); {} readings wait in the spool, retrying with backoff",
                            influx.url(), error, spool.readings().depth());
                }
                lastError = error;
                // Full jitter between half and all of the backoff spreads a fleet's retries after an outage.
                long ms = backoff.toMillis();
                boolean retryRequestedByOperator = backoffPause(
                        Duration.ofMillis(ms / 2 + ThreadLocalRandom.current().nextLong(ms / 2 + 1)),
                        kind == InfluxException.Kind.UNREACHABLE);
                backoff = retryRequestedByOperator ? settings.minBackoff()
                        : backoff.multipliedBy(2).compareTo(settings.maxBackoff()) > 0 ? settings.maxBackoff()
                        : backoff.multipliedBy(2);
            }
        }
    }

    /**
     * The next prepared batch: waiting up to a second when nothing is on the wire, else for as long as the first write
     * under way has no answer yet. A batch joins that write on the wire only when it is full (a backlog, as in a drain
     * after an outage, where the second write doubles the rate); a partial one waits for the answer, so that at a steady
     * rate the readings arriving meanwhile make fewer, larger writes (each write costs the HTTP client, InfluxDB and the
     * settle a fixed amount). Asleep on {@link #progress} until the preparer puts a batch or a write ends; both notify
     * after their change, and the conditions are looked at under the same monitor, so no wake-up is lost. Returns null
     * when the write ended first. (It looked every 2 ms before and took any batch.)
     */
    private PreparedBatch nextPrepared(InFlight head) throws InterruptedException {
        if (head == null) {
            return prepared.poll(1, TimeUnit.SECONDS);
        }
        synchronized (progress) {
            while (!head.write().isDone() && running) {
                PreparedBatch next = prepared.peek();
                if (next != null && next.readings().size() >= settings.batchSize()) {
                    return prepared.poll();
                }
                progress.wait();
            }
            return null;
        }
    }

    /** A batch was prepared or a write ended: wakes the writer in {@link #nextPrepared}. */
    private void progressed() {
        synchronized (progress) {
            progress.notifyAll();
        }
    }

    /**
     * Waits out a backoff. When InfluxDB could not be reached at all, a cheap ping each second ends the wait
     * as soon as it answers, so a long outage does not cost a long backoff once it is over.
     */
    private boolean backoffPause(Duration d, boolean unreachable) {
        long deadline = System.nanoTime() + d.toNanos();
        retryRequested = false;
        backingOff = true;
        try {
            while (running) {
                long leftNs = deadline - System.nanoTime();
                if (leftNs <= 0) {
                    return false;
                }
                pause(Duration.ofNanos(Math.min(leftNs, TimeUnit.SECONDS.toNanos(1))));
                if (retryRequested) {
                    return true;
                }
                if (unreachable && running && ping()) {
                    return false;
                }
            }
            return false;
        } finally {
            backingOff = false;
        }
    }

    /**
     * Writes the derived points that wait (few: a flux per closure, a rate per hour), on the writer's thread between
     * reading batches. A content error is isolated point by point; the refused ones are quarantined with the reason.
     */
    private void deliverPoints() {
        List<PointLine> pending = spool.points().pending(POINTS_PER_WRITE);
        if (pending.isEmpty()) {
            return;
        }
        List<PointLine> refused = new java.util.ArrayList<>();
        String reason = null;
        try {
            writer.writeRetryingRefusal(lines(pending));
        } catch (InfluxException e) {
            if (!e.isContentError()) {
                throw e;
            }
            for (PointLine p : pending) {
                try {
                    writer.writeRetryingRefusal(p.line());
                } catch (InfluxException one) {
                    if (!one.isContentError()) {
                        throw one;
                    }
                    refused.add(p);
                    reason = "InfluxDB refused the point: " + one.getMessage();
                    LOG.warn("quarantined derived point {}: {}", p.line(), one.getMessage());
                }
            }
        }
        List<PointLine> landed = new java.util.ArrayList<>(pending);
        landed.removeAll(refused);
        if (!landed.isEmpty()) {
            wrote();
        }
        spool.points().settled(landed, refused, reason);
        pointsDelivered.addAndGet(landed.size());
    }

    private static String lines(List<PointLine> points) {
        StringBuilder b = new StringBuilder(points.size() * 200);
        for (PointLine p : points) {
            b.append(p.line()).append('\n');
        }
        return b.toString();
    }

    private void ensureDatabase() {
        try {
            // Idempotent on 1.x; 2.x/3.x map the database to a bucket that must exist, and may refuse this.
            writer.execute("CREATE DATABASE \"" + influx.database() + "\"");
            databaseReady = true;
            markReachable();
        } catch (InfluxException e) {
            if (e.kind() == InfluxException.Kind.AUTHORIZATION || e.kind() == InfluxException.Kind.UNREACHABLE) {
                throw e;
            }
            LOG.info("CREATE DATABASE {} refused ({}); assuming it exists (InfluxDB 2.x/3.x bucket mapping)",
                    influx.database(), e.getMessage());
            databaseReady = true;
        }
    }

    private boolean ping() {
        try {
            boolean up = writer.ping();
            if (up) {
                markReachable();
            } else {
                reachable = false;
            }
            return up;
        } catch (InfluxException e) {
            reachable = false;
            lastError = explain(e);
            return false;
        }
    }

    private void markReachable() {
        if (!reachable) {
            LOG.info("InfluxDB {} reachable; database {}; /write bodies {} (fieldgate.influx.gzip {})", influx.url(),
                    influx.database(), writer.gzips() ? "gzipped" : "plain", influx.gzip().label);
        }
        reachable = true;
        lastError = "";
    }

    /**
     * {@link #describe} and, for a failed TLS handshake (a certificate from a CA the gateway does not trust, or for
     * another host), the setting to check: the bare JDK message ("unable to find valid certification path to requested
     * target") does not say which file a technician should look at.
     */
    private String explain(Throwable e) {
        String message = describe(e);
        if (!TlsFiles.isTlsFailure(e)) {
            return message;
        }
        return "TLS handshake failed: " + message + "; check that fieldgate.influx.ca-file ("
                + (influx.caFile() == null ? "unset: the JVM's trust store" : influx.caFile())
                + ") holds the CA that signed InfluxDB's certificate and that the certificate names this host";
    }

    /**
     * The root cause's message, for the operator. The JDK's HttpClient reports a refused connect either as
     * {@code ConnectException: Connection refused} or, when its selector closes the channel before the connect has
     * finished, as a {@code ConnectException} over a {@code ClosedChannelException}: both read "Connection refused".
     */
    static String describe(Throwable e) {
        Throwable root = e;
        boolean connecting = false;
        while (root.getCause() != null && root.getCause() != root) {
            connecting |= root instanceof java.net.ConnectException;
            root = root.getCause();
        }
        if (connecting && root instanceof java.nio.channels.ClosedChannelException) {
            return "Connection refused";
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return message.length() > 200 ? message.substring(0, 200) : message;
    }

    /** Waits for new readings ({@link #wake}) or the idle tick. */
    private void idle(Duration d) {
        waitOn(wake, d);
    }

    /** A backoff pause: new readings arriving must not cut it short, only close() does. */
    private void pause(Duration d) {
        waitOn(stop, d);
    }

    private void waitOn(Object monitor, Duration d) {
        synchronized (monitor) {
            if (!running) {
                return;
            }
            try {
                monitor.wait(Math.max(1, d.toMillis()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
            }
        }
    }

    private void wrote() {
        lastWriteNs.set(EpochNanos.now());
        wroteSinceStart = true;
    }

    /** Wall clock (epoch ns) of the last write InfluxDB answered 2xx, or empty when none since the start. */
    public java.util.OptionalLong lastSuccessfulWriteNs() {
        return wroteSinceStart ? java.util.OptionalLong.of(lastWriteNs.get()) : java.util.OptionalLong.empty();
    }

    /**
     * Why deliveries have stalled, or null while they flow: readings have waited longer than
     * {@code fieldgate.forward.down-after} and no write has succeeded for as long (counted from the start when none
     * has). A long backlog that drains does not count, nor does an idle gateway with nothing to send.
     * {@code oldestS}: the oldest waiting reading's age at {@code nowNs}, as the status snapshot took it.
     */
    public String deliveryStalled(double oldestS, long nowNs) {
        double downAfterS = settings.downAfter().toMillis() / 1000.0;
        double sinceWriteS = Math.max(0, nowNs - lastWriteNs.get()) / 1e9;
        if (oldestS <= downAfterS || sinceWriteS <= downAfterS) {
            return null;
        }
        return String.format(java.util.Locale.ROOT, "no reading delivered for %.0f s: the oldest of %d waiting was "
                + "received %.0f s ago (down after %s); %s", sinceWriteS, spool.readings().depth(), oldestS, settings.downAfter(),
                lastError.isEmpty() ? "InfluxDB answers pings" : "last error: " + lastError);
    }

    DeliveredArchive archive() {
        return archive;
    }

    InfluxWriter writer() {
        return writer;
    }

    GatewaySettings.Influx influx() {
        return influx;
    }

    GatewaySettings.Forward settings() {
        return settings;
    }

    public boolean isReachable() {
        return reachable;
    }

    public String lastError() {
        return lastError;
    }

    public long delivered() {
        return delivered.get();
    }

    /** Derived points InfluxDB acknowledged. */
    public long pointsDelivered() {
        return pointsDelivered.get();
    }

    /** Readings ever quarantined in this spool (kept across restarts), whether replayed since or not. */
    public long quarantined() {
        return spool.quarantine().total();
    }

    @Override
    public void close() {
        running = false;
        wake();
        progressed();
        synchronized (stop) {
            stop.notifyAll();
        }
        preparer.interrupt();
        thread.interrupt();
        try {
            preparer.join(5000);
            thread.join(5000);
            // what InfluxDB already has leaves the spool before we stop
            settler.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        writer.close();
        if (archive != null) {
            archive.close();
        }
    }
}
