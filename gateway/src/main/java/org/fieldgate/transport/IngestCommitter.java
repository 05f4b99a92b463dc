package org.fieldgate.transport;

import org.fieldgate.config.GatewaySettings;
import org.fieldgate.reading.EpochNanos;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import org.fieldgate.threads.PipelineThreads;
import io.micrometer.core.instrument.MeterRegistry;
import org.fieldgate.reading.Reading;
import org.fieldgate.senml.DecodedPack;
import org.fieldgate.lorawan.LorawanDecoder;
import org.fieldgate.senml.Rejection;
import org.fieldgate.senml.SenmlDecoder;
import org.fieldgate.store.DeadLetterStore;
import org.fieldgate.store.FullPolicy;
import org.fieldgate.store.ReadingStore;
import org.fieldgate.store.SpoolException;
import org.fieldgate.store.SpoolSpace;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Where an MQTT message becomes durable: messages are decoded, a whole group of them is committed to the
 * spool in one transaction, and only then is each one acknowledged to the broker. A message whose commit
 * failed is not acknowledged, so the broker still holds it. When the spool is full under the backpressure
 * policy, nothing is committed or acknowledged until the forwarder makes room, and the broker queues.
 * What is held in memory is bounded by bytes and readings ({@link Bounds}), not only by a count of messages:
 * a few hundred valid maximum-size packs would otherwise be a million decoded readings on a 96 MB heap.
 */
public final class IngestCommitter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IngestCommitter.class);

    /**
     * A message waiting for its commit; {@code ack} tells the broker it may forget it. {@code refusal}, when set,
     * is why the transport already knows the message cannot be taken: it is dead-lettered with that reason.
     */
    public record Incoming(String topic, byte[] payload, Runnable ack, String refusal) {
        public Incoming(String topic, byte[] payload, Runnable ack) {
            this(topic, payload, ack, null);
        }
    }

    /**
     * What ingest may hold in memory. A group commits at most {@code groupMessages} messages and stops taking more
     * once it has {@code groupReadings} decoded readings (so at most that plus one pack); the messages taken and not
     * yet committed hold at most {@code queuedBytes}, each counted as its payload plus {@value #MESSAGE_OVERHEAD_BYTES}
     * bytes (one message always fits, however large).
     */
    public record Bounds(int groupMessages, int groupReadings, long queuedBytes) {
        /** What a queued message costs besides its payload (its objects, Paho's message), so tiny ones are bounded too. */
        public static final int MESSAGE_OVERHEAD_BYTES = 256;
    }

    /** The committer thread decodes, commits or waits for room in steps far shorter than this. */
    static final Duration MAX_SILENCE = Duration.ofSeconds(60);
    /**
     * When a group has taken every queued message and holds more than one (they arrive together), it pauses this long
     * and takes those that came meanwhile, again while each pause brings more (up to its bounds and
     * {@link #GATHER_MAX_NS}), so they share one commit: a commit's fixed cost (three fsyncs, the high-water mark, the
     * size check) is about 500 us of CPU, 50 times a 1-reading message's own. A pause, not a wait on the queue, so an
     * arriving message wakes no one; a lone message is committed at once.
     */
    static final long GATHER_PAUSE_NS = 200_000;
    /** A group gathers at most this long after its first message, so a steady stream is not held back. */
    static final long GATHER_MAX_NS = 5_000_000;

    private final SenmlDecoder decoder;
    private final ReadingStore readingStore;
    private final SpoolSpace space;
    private final Bounds bounds;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final Condition roomFreed = lock.newCondition();
    private final ArrayDeque<Incoming> queue = new ArrayDeque<>();
    /**
     * Messages the committer has moved out of {@link #queue} in one go and not yet put in a group (its thread only):
     * one lock for all that are queued, not one per message, which the MQTT callback thread, offering the next one,
     * would often be holding. Still pending: they count against the bounds until committed.
     */
    private final ArrayDeque<Incoming> taken = new ArrayDeque<>();
    /** Messages taken and not yet committed (queued or in the group being committed), and their payload bytes. */
    private int pendingMessages;
    private long pendingBytes;
    private final List<Consumer<List<Reading>>> committedListeners = new CopyOnWriteArrayList<>();
    /** Run on the committer's thread once a group's messages are acknowledged: the MQTT client sends their PUBACKs. */
    private final List<Runnable> acknowledgedListeners = new CopyOnWriteArrayList<>();
    private final Counter ingestedCounter;
    private final Counter deadLetterCounter;
    private final Counter commitFailures;
    private final Counter roomWaitCounter;
    private final AtomicLong ingested = new AtomicLong();
    private final PipelineThreads.Beat thread;
    private volatile boolean running = true;
    private volatile boolean waitingForRoom;
    private volatile String lastCommitError = "";
    /** LoRaWAN network servers' uplinks, when a site file maps some (set before start). */
    private volatile LorawanDecoder lorawan;

    public IngestCommitter(SenmlDecoder decoder, ReadingStore readingStore, int batchMessages, MeterRegistry metrics) {
        this(decoder, readingStore, new Bounds(batchMessages, GatewaySettings.Ingest.DEFAULT_COMMIT_BATCH_READINGS,
                GatewaySettings.Ingest.DEFAULT_MAX_PENDING_BYTES),
                metrics, new PipelineThreads());
    }

    public IngestCommitter(SenmlDecoder decoder, ReadingStore readingStore, Bounds bounds, MeterRegistry metrics,
                           PipelineThreads threads) {
        this.decoder = decoder;
        this.readingStore = readingStore;
        this.space = readingStore.space();
        this.bounds = bounds;
        this.ingestedCounter = Counter.builder("fieldgate.ingest.readings").description("readings committed to the spool")
                .register(metrics);
        this.deadLetterCounter = Counter.builder("fieldgate.ingest.dead.letters")
                .description("messages or records refused and dead-lettered").register(metrics);
        this.commitFailures = Counter.builder("fieldgate.ingest.commit.failures")
                .description("spool commits that failed; their messages stay unacknowledged").register(metrics);
        this.roomWaitCounter = Counter.builder("fieldgate.ingest.room.waits")
                .description("messages that waited for room because ingest held its bound").register(metrics);
        Gauge.builder("fieldgate.ingest.pending.bytes", this, c -> c.pendingBytes())
                .description("payload bytes taken from the broker and not yet committed").register(metrics);
        this.thread = threads.thread("ingest-committer", MAX_SILENCE, this::commitLoop);
    }

    public void start() {
        thread.start();
    }

    /** Decodes ChirpStack and The Things Stack uplinks with {@code decoder} (call before {@link #start()}). */
    public void decodeLorawanWith(LorawanDecoder decoder) {
        this.lorawan = decoder;
    }

    public void onCommitted(Consumer<List<Reading>> listener) {
        committedListeners.add(listener);
    }

    /**
     * {@code listener} runs on the committer's thread after each group's {@link Incoming#ack()}s, so acknowledgements
     * that an ack only queued go out together.
     */
    public void onAcknowledged(Runnable listener) {
        acknowledgedListeners.add(listener);
    }

    /** Waits as long as it takes for room (tests and tools; the MQTT client uses {@link #offer(Incoming, Duration)}). */
    public void accept(Incoming message) throws InterruptedException {
        while (!offer(message, Duration.ofSeconds(1))) {
            if (!running) {
                throw new InterruptedException("ingest committer stopped");
            }
        }
    }

    /**
     * Waits at most {@code timeout} for room (the bounds are reached while a burst is being committed, the spool is
     * full under backpressure or ingest is behind), so neither a sampling thread nor the MQTT client's callback
     * thread (which must get back to reading within its keep-alive, see {@link MqttIngest}) is held for long;
     * false if not taken: the caller leaves it unacknowledged.
     */
    public boolean offer(Incoming message, Duration timeout) throws InterruptedException {
        long leftNs = timeout.toNanos();
        lock.lockInterruptibly();
        try {
            boolean waited = false;
            while (running && !take(message)) {
                if (!waited) {
                    waited = true;
                    roomWaitCounter.increment();
                }
                if (leftNs <= 0) {
                    return false;
                }
                leftNs = roomFreed.awaitNanos(leftNs);
            }
            return running;
        } finally {
            lock.unlock();
        }
    }

    /** Under the lock: queues the message if the bounds allow it. */
    private boolean take(Incoming message) {
        boolean room = pendingMessages == 0 || pendingBytes + cost(message) <= bounds.queuedBytes();
        if (room) {
            queue.add(message);
            pendingMessages++;
            pendingBytes += cost(message);
            arrived.signal();
        }
        return room;
    }

    /** The next message in arrival order, waiting at most {@code waitMs} for one; null if none came. */
    private Incoming next(long waitMs) throws InterruptedException {
        Incoming m = taken.poll();
        if (m != null) {
            return m;
        }
        lock.lockInterruptibly();
        try {
            long leftNs = TimeUnit.MILLISECONDS.toNanos(waitMs);
            while (queue.isEmpty() && leftNs > 0) {
                leftNs = arrived.awaitNanos(leftNs);
            }
            for (Incoming q = queue.poll(); q != null; q = queue.poll()) {
                taken.add(q);
            }
        } finally {
            lock.unlock();
        }
        return taken.poll();
    }

    /** The group's messages are committed (or given up at shutdown): their room is free again. */
    private void release(List<Incoming> group) {
        lock.lock();
        try {
            for (Incoming m : group) {
                pendingMessages--;
                pendingBytes -= cost(m);
            }
            roomFreed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private static long cost(Incoming m) {
        return m.payload().length + (long) Bounds.MESSAGE_OVERHEAD_BYTES;
    }

    /** Bytes of the messages taken and not yet committed, as {@link Bounds} counts them. */
    public long pendingBytes() {
        lock.lock();
        try {
            return pendingBytes;
        } finally {
            lock.unlock();
        }
    }

    /** True when every message taken so far is committed and acknowledged. */
    public boolean isDrained() {
        lock.lock();
        try {
            return pendingMessages == 0;
        } finally {
            lock.unlock();
        }
    }

    private void commitLoop(PipelineThreads.Beat beat) {
        List<Incoming> group = new ArrayList<>();
        List<DecodedPack> packs = new ArrayList<>();
        while (running) {
            beat.beat();
            try {
                Incoming first = next(200);
                if (first == null) {
                    continue;
                }
                long nowNs = EpochNanos.now();
                long gatherUntilNs = System.nanoTime() + GATHER_MAX_NS;
                int readings = 0;
                for (Incoming m = first; m != null; ) {
                    DecodedPack pack = decode(m, nowNs);
                    group.add(m);
                    packs.add(pack);
                    readings += pack.readings().size();
                    m = group.size() < bounds.groupMessages() && readings < bounds.groupReadings() ? next(0) : null;
                    if (m == null && group.size() > 1 && group.size() < bounds.groupMessages()
                            && readings < bounds.groupReadings() && System.nanoTime() < gatherUntilNs) {
                        LockSupport.parkNanos(GATHER_PAUSE_NS);
                        m = next(0);
                    }
                }
                try {
                    commitGroup(group, packs, nowNs, beat);
                } finally {
                    release(group);
                    group.clear();
                    packs.clear();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private DecodedPack decode(Incoming m, long nowNs) {
        LorawanDecoder lora = lorawan;
        if (m.refusal() == null && lora != null && LorawanDecoder.matches(m.topic())) {
            return lora.decode(m.topic(), m.payload());
        }
        return m.refusal() != null ? decoder.refused(m.topic(), m.payload(), m.refusal())
                : decoder.decode(m.topic(), m.payload(), nowNs);
    }

    private void commitGroup(List<Incoming> group, List<DecodedPack> packs, long nowNs, PipelineThreads.Beat beat)
            throws InterruptedException {
        int done = 0;
        while (done < group.size() && running) {
            beat.beat();
            int upTo = admissible(packs, done);
            if (upTo == done) {
                if (!waitingForRoom) {
                    LOG.warn("spool full ({} of {} bytes): holding {} messages unacknowledged; the broker keeps the rest",
                            space.usedBytes(), space.maxBytes(), group.size() - done);
                }
                waitingForRoom = true;
                space.refuseForRoom();
                Thread.sleep(250);
                continue;
            }
            waitingForRoom = false;
            commitAndAcknowledge(group.subList(done, upTo), packs.subList(done, upTo), nowNs, beat);
            done = upTo;
        }
    }

    /** End of the run of messages from {@code from} that the spool takes now (all of them unless backpressure bites). */
    private int admissible(List<DecodedPack> packs, int from) {
        if (space.fullPolicy() != FullPolicy.BACKPRESSURE) {
            return packs.size();
        }
        long room = space.admissibleBytes();
        int upTo = from;
        while (upTo < packs.size()) {
            long need = SpoolSpace.estimatedBytes(packs.get(upTo).readings());
            if (need > room) {
                break;
            }
            room -= need;
            upTo++;
        }
        if (upTo == from && readingStore.depth() == 0) {
            // A message larger than the whole bound still goes into an empty spool, or ingest would wedge on it.
            upTo = from + 1;
        }
        return upTo;
    }

    private void commitAndAcknowledge(List<Incoming> messages, List<DecodedPack> packs, long nowNs,
                                      PipelineThreads.Beat beat) throws InterruptedException {
        int total = 0;
        for (DecodedPack pack : packs) {
            total += pack.readings().size();
        }
        List<Reading> readings = new ArrayList<>(total); // sized once, not grown copy by copy to 20,000
        List<Rejection> rejections = new ArrayList<>();
        for (DecodedPack pack : packs) {
            readings.addAll(pack.readings());
            rejections.addAll(pack.rejections());
        }
        List<DeadLetterStore.Refused> refused = deadLetters(rejections);
        long retryMs = 100;
        int stored = 0;
        while (running) {
            try {
                stored = readingStore.commit(readings, refused, nowNs);
                lastCommitError = "";
                break;
            } catch (SpoolException e) {
                // Disk full or I/O error: keep the messages unacknowledged and try again; the broker still has them.
                commitFailures.increment();
                if (!e.getMessage().equals(lastCommitError)) {
                    LOG.error("{}; {} messages stay unacknowledged, retrying", e.getMessage(), messages.size());
                }
                lastCommitError = e.getMessage();
                Thread.sleep(retryMs);
                beat.beat();
                retryMs = Math.min(retryMs * 2, 5000);
            }
        }
        if (!running) {
            return;
        }
        for (Rejection r : rejections) {
            LOG.debug("dead-lettered from {}: {}", r.topic(), r.reason());
        }
        for (Incoming m : messages) {
            m.ack().run();
        }
        for (Runnable listener : acknowledgedListeners) {
            listener.run();
        }
        // What the spool took: a pack the broker delivers again (unacknowledged when the connection dropped, e.g. a
        // back-pressure reconnect) is all duplicates, counted by the store, not ingested twice.
        ingested.addAndGet(stored);
        ingestedCounter.increment(stored);
        deadLetterCounter.increment(rejections.size());
        for (Consumer<List<Reading>> listener : committedListeners) {
            listener.accept(readings);
        }
    }

    /** The store keeps a refusal under its own type: it knows nothing of the wire format. */
    static List<DeadLetterStore.Refused> deadLetters(List<Rejection> rejections) {
        return rejections.stream().map(r -> new DeadLetterStore.Refused(r.topic(), r.reason(), r.raw(), r.rawLength()))
                .toList();
    }

    /** Messages that found ingest at its bound and waited for room (taken in the end or not). */
    public long roomWaits() {
        return (long) roomWaitCounter.count();
    }

    public long ingested() {
        return ingested.get();
    }

    /** True while the spool is full and messages are held back from the broker. */
    public boolean isWaitingForRoom() {
        return waitingForRoom;
    }

    public String lastCommitError() {
        return lastCommitError;
    }

    @Override
    public void close() {
        running = false;
        thread.retire();
        thread.thread().interrupt();
        try {
            thread.thread().join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
