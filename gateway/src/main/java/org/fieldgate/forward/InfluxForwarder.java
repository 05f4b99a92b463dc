package org.fieldgate.forward;

import org.fieldgate.reading.EpochNanos;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import okhttp3.OkHttpClient;
import org.fieldgate.config.GatewaySettings;
import org.fieldgate.config.TlsFiles;
import org.fieldgate.reading.Reading;
import org.fieldgate.store.PointLine;
import org.fieldgate.store.Spool;
import org.fieldgate.store.SpooledReading;
import org.influxdb.InfluxDB;
import org.influxdb.InfluxDBException;
import org.influxdb.InfluxDBFactory;
import org.influxdb.InfluxDBIOException;
import org.influxdb.dto.BatchPoints;
import org.influxdb.dto.Point;
import org.influxdb.dto.Query;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
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
 * jitter; a batch refused for its content is halved until the offending points are isolated and
 * quarantined with InfluxDB's reason, and the rest goes through. Re-sending is harmless because InfluxDB
 * keys a point by measurement + tags + timestamp.
 */
public final class InfluxForwarder implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(InfluxForwarder.class);
    public static final String MEASUREMENT = InfluxLines.READING;
    private static final int POINTS_PER_WRITE = 1000;
    private static final long IDLE_PING_NS = TimeUnit.SECONDS.toNanos(10);

    private final GatewaySettings.Influx influx;
    private final GatewaySettings.Forward settings;
    private final Spool spool;
    private final InfluxDB client;
    private final Counter deliveredCounter;
    private final Counter quarantinedCounter;
    private final Counter failedWrites;
    private final Timer deliveryLatency;
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong quarantined = new AtomicLong();
    private final AtomicLong pointsDelivered = new AtomicLong();
    private final Object wake = new Object();
    private final Object stop = new Object();
    private final Thread thread;
    private final Thread preparer;
    private final Thread settler;
    private final BlockingQueue<AcknowledgedBatch> acknowledged = new ArrayBlockingQueue<>(4);
    /** Encoded batches waiting for the wire; two keep the writer busy without holding much memory. */
    private final BlockingQueue<PreparedBatch> prepared = new ArrayBlockingQueue<>(2);
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
        OkHttpClient.Builder http = new OkHttpClient.Builder()
                .connectTimeout(5, TimeUnit.SECONDS)
                .readTimeout(30, TimeUnit.SECONDS)
                .writeTimeout(30, TimeUnit.SECONDS);
        if (influx.caFile() != null) {
            trustOnly(http, influx.caFile());
        }
        this.client = influx.username() == null && influx.password() == null
                ? InfluxDBFactory.connect(influx.url(), http)
                // InfluxDB 2.x/3.x v1 compatibility: the token goes in the password, any user name works.
                : InfluxDBFactory.connect(influx.url(), influx.username() == null ? "fieldgate" : influx.username(),
                influx.password() == null ? "" : influx.password(), http);
        client.setLogLevel(InfluxDB.LogLevel.NONE);
        // A cellular link pays per byte; line protocol of repetitive tags compresses about ten-fold.
        client.enableGzip();
        this.deliveredCounter = Counter.builder("fieldgate.forward.delivered").description("readings InfluxDB acknowledged")
                .register(metrics);
        this.quarantinedCounter = Counter.builder("fieldgate.forward.quarantined")
                .description("readings InfluxDB refused for their content, kept in the quarantine table").register(metrics);
        this.failedWrites = Counter.builder("fieldgate.forward.failed.writes")
                .description("write attempts that failed and will be retried").register(metrics);
        this.deliveryLatency = Timer.builder("fieldgate.forward.latency")
                .description("acquisition time to InfluxDB acknowledgement, per reading")
                .publishPercentiles(0.5, 0.99).register(metrics);
        this.thread = new Thread(this::drainLoop, "influx-forwarder");
        this.thread.setDaemon(true);
        this.preparer = new Thread(this::prepareLoop, "influx-batch-preparer");
        this.preparer.setDaemon(true);
        this.settler = new Thread(this::settleLoop, "spool-settler");
        this.settler.setDaemon(true);
    }

    public void start() {
        preparer.start();
        settler.start();
        thread.start();
    }

    /** A batch InfluxDB answered 2xx for, with the readings it refused for their content and why. */
    private record AcknowledgedBatch(List<SpooledReading> readings, Map<SpooledReading, String> refused, long ackNs) {
    }

    /** Spooled readings in order, with their line protocol ready for /write. */
    private record PreparedBatch(List<SpooledReading> readings, String lines) {
    }

    /** https:// with the site's own CA: OkHttp then trusts only it, and still checks the host name. */
    private static void trustOnly(OkHttpClient.Builder http, Path caFile) {
        try {
            X509TrustManager trust = TlsFiles.trustManager(caFile);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[]{trust}, null);
            http.sslSocketFactory(context.getSocketFactory(), trust);
        } catch (IOException | GeneralSecurityException e) {
            // The file passed the start-up check; it changed since.
            throw new IllegalStateException("fieldgate.influx.ca-file unusable: " + e.getMessage(), e);
        }
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
     * protocol and InfluxDB's answer overlap rather than queue behind each other.
     */
    private void prepareLoop() {
        long afterId = 0;
        while (running) {
            try {
                List<SpooledReading> batch = spool.after(afterId, settings.batchSize());
                if (batch.isEmpty()) {
                    idle(Duration.ofSeconds(1));
                    continue;
                }
                prepared.put(new PreparedBatch(batch, lineProtocol(batch)));
                afterId = batch.get(batch.size() - 1).id();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.error("reading the spool for InfluxDB failed: {}; retrying", e.getMessage());
                pause(Duration.ofSeconds(1));
            }
        }
    }

    /**
     * Takes acknowledged batches out of the spool: quarantines what InfluxDB refused, deletes the run, and
     * counts. The only user of the spool's delivery connection.
     */
    private void settleLoop() {
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
            settleUntilDone(done);
        }
    }

    /**
     * Settles one batch, retrying while the spool cannot write (a full disk): each failed try rolled back whole, so a
     * retry neither loses nor double-counts, and the run leaves the spool as soon as there is room again.
     */
    private void settleUntilDone(AcknowledgedBatch done) {
        String lastFailure = "";
        boolean refusedSettled = false;
        while (true) {
            try {
                if (!refusedSettled) {
                    quarantineRefused(done);
                    refusedSettled = true;
                }
                settleDelivered(done);
                if (!lastFailure.isEmpty()) {
                    LOG.info("removed {} delivered readings from the spool after retrying", done.readings().size());
                }
                return;
            } catch (RuntimeException e) {
                if (!String.valueOf(e.getMessage()).equals(lastFailure)) {
                    LOG.error("removing {} delivered readings from the spool failed: {}; retrying (they stay in the "
                            + "spool meanwhile)", done.readings().size(), e.getMessage());
                }
                lastFailure = String.valueOf(e.getMessage());
                if (!running) {
                    LOG.error("stopping with {} delivered readings still in the spool: they are sent again after the "
                            + "restart (InfluxDB collapses the copies)", done.readings().size());
                    return;
                }
                pause(Duration.ofMillis(500));
            }
        }
    }

    private void quarantineRefused(AcknowledgedBatch done) {
        Map<String, List<SpooledReading>> byReason = new java.util.LinkedHashMap<>();
        done.refused().forEach((reading, reason) -> byReason.computeIfAbsent(reason, r -> new java.util.ArrayList<>()).add(reading));
        byReason.forEach((reason, readings) -> {
            LOG.warn("quarantined {} reading(s), first {}: {}", readings.size(), readings.get(0).reading(), reason);
            spool.quarantine(readings, reason, done.ackNs());
        });
        quarantined.addAndGet(done.refused().size());
        quarantinedCounter.increment(done.refused().size());
    }

    private void settleDelivered(AcknowledgedBatch done) {
        spool.delivered(done.readings());
        for (SpooledReading s : done.readings()) {
            if (!done.refused().containsKey(s)) {
                deliveryLatency.record(Math.max(0, done.ackNs() - s.reading().timeNs()), TimeUnit.NANOSECONDS);
            }
        }
        int landed = done.readings().size() - done.refused().size();
        delivered.addAndGet(landed);
        deliveredCounter.increment(landed);
    }

    private void drainLoop() {
        Duration backoff = settings.minBackoff();
        long lastContact = 0;
        PreparedBatch current = null;
        while (running) {
            try {
                if (!databaseReady) {
                    ensureDatabase();
                }
                if (spool.pointDepth() > 0) {
                    deliverPoints();
                }
                if (current == null) {
                    current = prepared.poll(1, TimeUnit.SECONDS);
                }
                if (current == null) {
                    if (System.nanoTime() - lastContact > IDLE_PING_NS) {
                        ping();
                        lastContact = System.nanoTime();
                    }
                    continue;
                }
                List<SpooledReading> batch = current.readings();
                Map<SpooledReading, String> refused = new IdentityHashMap<>();
                try {
                    client.write(influx.database(), null, InfluxDB.ConsistencyLevel.ONE, TimeUnit.NANOSECONDS, current.lines());
                } catch (InfluxDBException e) {
                    if (!isContentError(e)) {
                        throw e;
                    }
                    deliver(batch, refused);
                }
                // InfluxDB has it: the spool bookkeeping runs beside the next write, not before it.
                acknowledged.put(new AcknowledgedBatch(batch, refused, EpochNanos.now()));
                current = null;
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
                if (e instanceof InfluxDBException.DatabaseNotFoundException) {
                    databaseReady = false;
                }
                reachable = false;
                failedWrites.increment();
                String error = describe(e);
                if (!error.equals(lastError)) {
                    LOG.warn("InfluxDB {} not taking writes ({}); {} readings wait in the spool, retrying with backoff",
                            influx.url(), error, spool.depth());
                }
                lastError = error;
                // Full jitter between half and all of the backoff spreads a fleet's retries after an outage.
                long ms = backoff.toMillis();
                boolean retryRequestedByOperator = backoffPause(
                        Duration.ofMillis(ms / 2 + ThreadLocalRandom.current().nextLong(ms / 2 + 1)),
                        e instanceof InfluxDBIOException);
                backoff = retryRequestedByOperator ? settings.minBackoff()
                        : backoff.multipliedBy(2).compareTo(settings.maxBackoff()) > 0 ? settings.maxBackoff()
                        : backoff.multipliedBy(2);
            }
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

    private static String lineProtocol(List<SpooledReading> batch) {
        StringBuilder lines = new StringBuilder(batch.size() * 110);
        for (SpooledReading s : batch) {
            lines.append(toPoint(s.reading()).lineProtocol(TimeUnit.NANOSECONDS)).append('\n');
        }
        return lines.toString();
    }

    /**
     * Writes the derived points that wait (few: a flux per closure, a rate per hour), on the writer's thread between
     * reading batches. A content error is isolated point by point; the refused ones are quarantined with the reason.
     */
    private void deliverPoints() {
        List<PointLine> pending = spool.pendingPoints(POINTS_PER_WRITE);
        if (pending.isEmpty()) {
            return;
        }
        List<PointLine> refused = new java.util.ArrayList<>();
        String reason = null;
        try {
            client.write(influx.database(), null, InfluxDB.ConsistencyLevel.ONE, TimeUnit.NANOSECONDS, lines(pending));
        } catch (InfluxDBException e) {
            if (!isContentError(e)) {
                throw e;
            }
            for (PointLine p : pending) {
                try {
                    client.write(influx.database(), null, InfluxDB.ConsistencyLevel.ONE, TimeUnit.NANOSECONDS,
                            p.line());
                } catch (InfluxDBException one) {
                    if (!isContentError(one)) {
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
        spool.pointsSettled(landed, refused, reason);
        pointsDelivered.addAndGet(landed.size());
    }

    private static String lines(List<PointLine> points) {
        StringBuilder b = new StringBuilder(points.size() * 200);
        for (PointLine p : points) {
            b.append(p.line()).append('\n');
        }
        return b.toString();
    }

    /** Writes a run of readings, isolating and quarantining any that InfluxDB refuses for their content. */
    private void deliver(List<SpooledReading> part, Map<SpooledReading, String> refused) {
        try {
            write(part);
        } catch (InfluxDBException e) {
            if (!isContentError(e)) {
                throw e;
            }
            if (part.size() == 1) {
                refused.put(part.get(0), "InfluxDB refused the point: " + e.getMessage());
                return;
            }
            int half = part.size() / 2;
            deliver(part.subList(0, half), refused);
            deliver(part.subList(half, part.size()), refused);
        }
    }

    static boolean isContentError(InfluxDBException e) {
        if (e instanceof InfluxDBException.FieldTypeConflictException
                || e instanceof InfluxDBException.UnableToParseException
                || e instanceof InfluxDBException.PointsBeyondRetentionPolicyException) {
            return true;
        }
        String message = String.valueOf(e.getMessage());
        return message.contains("partial write") || message.contains("max-values-per-tag")
                || message.contains("invalid field") || message.contains("invalid tag");
    }

    private void write(List<SpooledReading> part) {
        BatchPoints.Builder batch = BatchPoints.database(influx.database()).precision(TimeUnit.NANOSECONDS);
        for (SpooledReading s : part) {
            batch.point(toPoint(s.reading()));
        }
        client.write(batch.build());
    }

    static Point toPoint(Reading r) {
        return InfluxLines.reading(r);
    }

    private void ensureDatabase() {
        try {
            // Idempotent on 1.x; 2.x/3.x map the database to a bucket that must exist, and may refuse this.
            client.query(new Query("CREATE DATABASE \"" + influx.database() + "\""));
            databaseReady = true;
            markReachable();
        } catch (InfluxDBException e) {
            if (e instanceof InfluxDBException.AuthorizationFailedException || isIoFailure(e)) {
                throw e;
            }
            LOG.info("CREATE DATABASE {} refused ({}); assuming it exists (InfluxDB 2.x/3.x bucket mapping)",
                    influx.database(), e.getMessage());
            databaseReady = true;
        }
    }

    private boolean ping() {
        try {
            boolean up = client.ping().isGood();
            if (up) {
                markReachable();
            } else {
                reachable = false;
            }
            return up;
        } catch (InfluxDBException e) {
            reachable = false;
            lastError = describe(e);
            return false;
        }
    }

    private void markReachable() {
        if (!reachable) {
            LOG.info("InfluxDB {} reachable; database {}", influx.url(), influx.database());
        }
        reachable = true;
        lastError = "";
    }

    private static boolean isIoFailure(InfluxDBException e) {
        return e instanceof InfluxDBIOException;
    }

    private static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
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

    public long quarantined() {
        return quarantined.get();
    }

    public Timer deliveryLatency() {
        return deliveryLatency;
    }

    @Override
    public void close() {
        running = false;
        wake();
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
        client.close();
    }
}
