package org.fieldgate.threads;

import org.fieldgate.testkit.Poll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PipelineThreadsTest {
    private final AtomicLong nowNs = new AtomicLong(1_000_000_000L);
    private final PipelineThreads threads = new PipelineThreads(nowNs::get);

    @Test
    void aThreadThatDiesOfAnExceptionIsAProblemNamingItAndTheException() throws Exception {
        CountDownLatch poison = new CountDownLatch(1);
        PipelineThreads.Beat committer = threads.thread("test-committer", Duration.ofSeconds(60), beat -> {
            try {
                poison.await();
            } catch (InterruptedException e) {
                return;
            }
            throw new IllegalStateException("decoded group too large");
        });
        assertEquals(Optional.empty(), threads.problem(), "not started yet");
        committer.start();
        assertEquals(Optional.empty(), threads.problem(), "running");
        poison.countDown();
        committer.thread().join(5000);
        assertEquals(Optional.of("pipeline thread test-committer died: java.lang.IllegalStateException: decoded group too large"),
                threads.problem());
    }

    @Test
    void aThreadSilentLongerThanItsLimitIsAProblemUntilItBeatsAgain() throws Exception {
        CountDownLatch stuck = new CountDownLatch(1);
        CountDownLatch beatAgain = new CountDownLatch(1);
        PipelineThreads.Beat committer = threads.thread("test-committer", Duration.ofSeconds(60), beat -> {
            try {
                stuck.await();
                beat.beat();
                beatAgain.countDown();
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        committer.start();
        nowNs.addAndGet(Duration.ofSeconds(60).toNanos());
        assertEquals(Optional.empty(), threads.problem(), "silent exactly as long as allowed");
        nowNs.addAndGet(Duration.ofSeconds(1).toNanos());
        assertEquals(Optional.of("pipeline thread test-committer made no progress for 61 s (limit 60 s)"), threads.problem());
        stuck.countDown();
        beatAgain.await();
        assertEquals(Optional.empty(), threads.problem(), "after a beat");
        committer.retire();
        committer.thread().interrupt();
        committer.thread().join(5000);
        assertEquals(Optional.empty(), threads.problem(), "a retired thread's end is no fault");
    }

    @Test
    void aWatchedThreadMadeElsewhereIsAProblemOnceItDies() throws Exception {
        Thread forwarder = new Thread(() -> {
            throw new OutOfMemoryError("Java heap space");
        }, "test-forwarder");
        forwarder.setUncaughtExceptionHandler((t, e) -> { });
        threads.watch(forwarder);
        assertEquals(Optional.empty(), threads.problem(), "not started");
        forwarder.start();
        forwarder.join(5000);
        Optional<String> problem = Poll.value("the death to be seen", Duration.ofSeconds(5), threads::problem,
                Optional::isPresent, () -> "");
        assertEquals(Optional.of("test-forwarder: thread died: java.lang.OutOfMemoryError: Java heap space"), problem);
        threads.stopping();
        assertEquals(Optional.empty(), threads.problem(), "while the pipeline stops");
    }
}
