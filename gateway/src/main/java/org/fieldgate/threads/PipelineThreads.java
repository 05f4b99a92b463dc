package org.fieldgate.threads;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;

/**
 * The threads that move readings, watched for death and for silence: a thread that died of an exception, or
 * one that has not reported progress for longer than its limit, is a pipeline that no longer moves data while
 * the process looks healthy. /health turns DOWN and the systemd watchdog stops being fed, so systemd restarts.
 */
public final class PipelineThreads {
    private static final Logger LOG = LoggerFactory.getLogger(PipelineThreads.class);

    private final List<Watched> watched = new CopyOnWriteArrayList<>();
    private final LongSupplier nanoClock;
    private volatile boolean stopping;

    public PipelineThreads() {
        this(System::nanoTime);
    }

    PipelineThreads(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    /**
     * A daemon thread running {@code loop}, watched from its start until {@link Beat#retire()}. The loop calls
     * {@link Beat#beat()} at least every {@code maxSilence}; null: only its death is watched (threads whose
     * waits are legitimately unbounded, such as a writer backing off).
     */
    public Beat thread(String name, Duration maxSilence, java.util.function.Consumer<Beat> loop) {
        Watched w = new Watched(name, maxSilence == null ? 0 : maxSilence.toNanos());
        Thread t = new Thread(() -> loop.accept(w), name);
        t.setDaemon(true);
        t.setUncaughtExceptionHandler((thread, e) -> {
            w.death = e.toString();
            LOG.error("pipeline thread {} died: {}", name, e.toString(), e);
        });
        w.thread = t;
        watched.add(w);
        return w;
    }

    /** An outside liveness check (e.g. a library's thread seen through what it reads), named like a thread. */
    public void watch(String name, java.util.function.Supplier<Optional<String>> problem) {
        watched.add(new Watched(name, 0) {
            @Override
            Optional<String> problem(long nowNs) {
                return problem.get().map(p -> name + ": " + p);
            }
        });
    }

    /** A thread made elsewhere, watched for death once started (threads whose waits are legitimately unbounded). */
    public void watch(Thread thread) {
        java.util.concurrent.atomic.AtomicReference<String> death = new java.util.concurrent.atomic.AtomicReference<>();
        Thread.UncaughtExceptionHandler previous = thread.getUncaughtExceptionHandler();
        thread.setUncaughtExceptionHandler((t, e) -> {
            death.set(e.toString());
            previous.uncaughtException(t, e);
        });
        watch(thread.getName(), () -> thread.getState() == Thread.State.TERMINATED
                ? Optional.of("thread died" + (death.get() == null ? "" : ": " + death.get())) : Optional.empty());
    }

    /** The pipeline is stopping: threads end on purpose from now on. */
    public void stopping() {
        stopping = true;
    }

    /** The first thread that died or went silent, described; empty while all move. */
    public Optional<String> problem() {
        if (stopping) {
            return Optional.empty();
        }
        long now = nanoClock.getAsLong();
        for (Watched w : watched) {
            Optional<String> p = w.problem(now);
            if (p.isPresent()) {
                return p;
            }
        }
        return Optional.empty();
    }

    /** What a watched loop holds: its thread, and the progress it reports. */
    public interface Beat {
        /** The loop made progress (or is waiting in a bounded way). */
        void beat();

        void start();

        /** The thread is being stopped on purpose: neither its end nor its silence is a fault any more. */
        void retire();

        Thread thread();
    }

    private class Watched implements Beat {
        final String name;
        final long maxSilenceNs;
        volatile Thread thread;
        volatile long lastBeatNs;
        volatile boolean started;
        volatile boolean retired;
        volatile String death;

        Watched(String name, long maxSilenceNs) {
            this.name = name;
            this.maxSilenceNs = maxSilenceNs;
        }

        @Override
        public void beat() {
            lastBeatNs = nanoClock.getAsLong();
        }

        @Override
        public void start() {
            beat();
            started = true;
            thread.start();
        }

        @Override
        public void retire() {
            retired = true;
        }

        @Override
        public Thread thread() {
            return thread;
        }

        Optional<String> problem(long nowNs) {
            if (!started || retired) {
                return Optional.empty();
            }
            if (!thread.isAlive()) {
                return Optional.of("pipeline thread " + name + " died" + (death == null ? "" : ": " + death));
            }
            long silentNs = nowNs - lastBeatNs;
            if (maxSilenceNs > 0 && silentNs > maxSilenceNs) {
                return Optional.of("pipeline thread " + name + " made no progress for " + silentNs / 1_000_000_000L
                        + " s (limit " + maxSilenceNs / 1_000_000_000L + " s)");
            }
            return Optional.empty();
        }
    }
}
