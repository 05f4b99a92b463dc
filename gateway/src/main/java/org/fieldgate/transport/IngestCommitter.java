package org.fieldgate.transport;

import org.fieldgate.reading.EpochNanos;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.fieldgate.config.GatewaySettings.FullPolicy;
import org.fieldgate.reading.Reading;
import org.fieldgate.store.Spool;
import org.fieldgate.store.SpoolException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Where an MQTT message becomes durable: messages are decoded, a whole group of them is committed to the
 * spool in one transaction, and only then is each one acknowledged to the broker. A message whose commit
 * failed is not acknowledged, so the broker still holds it. When the spool is full under the backpressure
 * policy, nothing is committed or acknowledged until the forwarder makes room, and the broker queues.
 */
public final class IngestCommitter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IngestCommitter.class);

    /** A message waiting for its commit; {@code ack} tells the broker it may forget it. */
    public record Incoming(String topic, byte[] payload, Runnable ack) {
    }

    private final SenmlDecoder decoder;
    private final Spool spool;
    private final int batchMessages;
    private final BlockingQueue<Incoming> queue;
    private final List<Consumer<List<Reading>>> committedListeners = new CopyOnWriteArrayList<>();
    private final Counter ingestedCounter;
    private final Counter deadLetterCounter;
    private final Counter commitFailures;
    private final AtomicLong ingested = new AtomicLong();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean waitingForRoom;
    private volatile String lastCommitError = "";

    public IngestCommitter(SenmlDecoder decoder, Spool spool, int batchMessages, MeterRegistry metrics) {
        this.decoder = decoder;
        this.spool = spool;
        this.batchMessages = batchMessages;
        this.queue = new ArrayBlockingQueue<>(Math.max(2 * batchMessages, 64));
        this.ingestedCounter = Counter.builder("fieldgate.ingest.readings").description("readings committed to the spool")
                .register(metrics);
        this.deadLetterCounter = Counter.builder("fieldgate.ingest.dead.letters")
                .description("messages or records refused and dead-lettered").register(metrics);
        this.commitFailures = Counter.builder("fieldgate.ingest.commit.failures")
                .description("spool commits that failed; their messages stay unacknowledged").register(metrics);
        this.thread = new Thread(this::commitLoop, "ingest-committer");
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    public void onCommitted(Consumer<List<Reading>> listener) {
        committedListeners.add(listener);
    }

    /** Called on the MQTT client's thread; blocks when the committer is behind, which slows the broker down. */
    public void accept(Incoming message) throws InterruptedException {
        queue.put(message);
    }

    /**
     * For the gateway's own acquisition: waits at most {@code timeout} for room in the queue (it is full only while
     * the spool is full under backpressure), so a sampling thread is never held for long; false if not taken.
     */
    public boolean offer(Incoming message, java.time.Duration timeout) throws InterruptedException {
        return running && queue.offer(message, timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void commitLoop() {
        List<Incoming> group = new ArrayList<>(batchMessages);
        while (running) {
            try {
                Incoming first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                group.add(first);
                queue.drainTo(group, batchMessages - 1);
                commitGroup(group);
                group.clear();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void commitGroup(List<Incoming> group) throws InterruptedException {
        long nowNs = EpochNanos.now();
        List<DecodedPack> packs = new ArrayList<>(group.size());
        for (Incoming m : group) {
            packs.add(decoder.decode(m.topic(), m.payload(), nowNs));
        }
        int done = 0;
        while (done < group.size() && running) {
            int upTo = admissible(packs, done);
            if (upTo == done) {
                if (!waitingForRoom) {
                    LOG.warn("spool full ({} of {} bytes): holding {} messages unacknowledged; the broker keeps the rest",
                            spool.usedBytes(), spool.maxBytes(), group.size() - done);
                }
                waitingForRoom = true;
                spool.refuseForRoom();
                Thread.sleep(250);
                continue;
            }
            waitingForRoom = false;
            commitAndAcknowledge(group.subList(done, upTo), packs.subList(done, upTo), nowNs);
            done = upTo;
        }
    }

    /** End of the run of messages from {@code from} that the spool takes now (all of them unless backpressure bites). */
    private int admissible(List<DecodedPack> packs, int from) {
        if (spool.fullPolicy() != FullPolicy.BACKPRESSURE) {
            return packs.size();
        }
        long room = spool.admissibleBytes();
        int upTo = from;
        while (upTo < packs.size()) {
            long need = Spool.estimatedBytes(packs.get(upTo).readings());
            if (need > room) {
                break;
            }
            room -= need;
            upTo++;
        }
        if (upTo == from && spool.depth() == 0) {
            // A message larger than the whole bound still goes into an empty spool, or ingest would wedge on it.
            upTo = from + 1;
        }
        return upTo;
    }

    private void commitAndAcknowledge(List<Incoming> messages, List<DecodedPack> packs, long nowNs)
            throws InterruptedException {
        List<Reading> readings = new ArrayList<>();
        List<Rejection> rejections = new ArrayList<>();
        for (DecodedPack pack : packs) {
            readings.addAll(pack.readings());
            rejections.addAll(pack.rejections());
        }
        long retryMs = 100;
        while (running) {
            try {
                spool.commit(readings, rejections, nowNs);
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
        ingested.addAndGet(readings.size());
        ingestedCounter.increment(readings.size());
        deadLetterCounter.increment(rejections.size());
        for (Consumer<List<Reading>> listener : committedListeners) {
            listener.accept(readings);
        }
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
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
