package org.fieldgate.web;

import io.micronaut.http.sse.Event;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Hands the same already-serialised events to every connected page. Each client gets what it asks for (Reactive
 * Streams demand, which the HTTP server raises as the socket drains); a client more than {@code maxPending} events
 * behind is dropped: its stream ends with {@link FellBehind}, on which the HTTP server closes the connection (freeing
 * what its socket still holds), and its browser reconnects and starts again from the current state, since every event
 * is a whole snapshot of its section. So a stalled phone costs at most {@code maxPending} shared strings.
 *
 * <p>Not thread-safe for publishers: {@link #subscribe} and {@link #publish} are called under one lock (the
 * {@link LiveView}'s), so a new client's greeting is never overtaken by a newer event. Demand and cancellation may
 * come from any thread.
 */
final class LiveBroadcast {
    private static final Logger LOG = LoggerFactory.getLogger(LiveBroadcast.class);

    private final int maxPending;
    private final Set<Client> clients = ConcurrentHashMap.newKeySet();
    private final AtomicLong dropped = new AtomicLong();

    LiveBroadcast(int maxPending) {
        if (maxPending < 1) {
            throw new IllegalArgumentException("maxPending must be at least 1, got " + maxPending);
        }
        this.maxPending = maxPending;
    }

    /** Connects a client and queues {@code greeting} (the current state) as its first events. */
    void subscribe(Subscriber<? super Event<String>> subscriber, List<Event<String>> greeting) {
        Client c = new Client(subscriber);
        clients.add(c);
        subscriber.onSubscribe(c);
        for (Event<String> e : greeting) {
            c.offer(e);
        }
    }

    void publish(Event<String> event) {
        for (Client c : clients) {
            c.offer(event);
        }
    }

    int clients() {
        return clients.size();
    }

    /** Clients dropped for falling behind, since start. */
    long dropped() {
        return dropped.get();
    }

    /** Why a client's stream ended; no stack trace, it is not a fault of the gateway. */
    static final class FellBehind extends RuntimeException {
        FellBehind(int maxPending) {
            super("live page client dropped: more than " + maxPending + " events behind; its browser reconnects", null,
                    false, false);
        }
    }

    private final class Client implements Subscription {
        private final Subscriber<? super Event<String>> subscriber;
        private final Queue<Event<String>> queue = new ConcurrentLinkedQueue<>();
        private final AtomicInteger pending = new AtomicInteger();
        private final AtomicLong requested = new AtomicLong();
        private final AtomicInteger wip = new AtomicInteger();
        private volatile boolean fellBehind;
        private volatile Throwable badRequest;
        private volatile boolean done;

        Client(Subscriber<? super Event<String>> subscriber) {
            this.subscriber = subscriber;
        }

        void offer(Event<String> e) {
            if (done || fellBehind) {
                return;
            }
            if (pending.incrementAndGet() > maxPending) {
                fellBehind = true;
                clients.remove(this);
                queue.clear();
                LOG.info("live page client dropped: more than {} events behind; its browser reconnects", maxPending);
                dropped.incrementAndGet();
            } else {
                queue.offer(e);
            }
            drain();
        }

        @Override
        public void request(long n) {
            if (n <= 0) {
                // Reactive Streams 3.9: a non-positive request is signalled as an error
                badRequest = new IllegalArgumentException("request(" + n + "): demand must be positive");
            } else {
                requested.accumulateAndGet(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
            }
            drain();
        }

        @Override
        public void cancel() {
            done = true;
            clients.remove(this);
            queue.clear();
        }

        /** Emits what is both queued and asked for; one thread at a time, re-entrant calls just loop again. */
        private void drain() {
            if (wip.getAndIncrement() != 0) {
                return;
            }
            int missed = 1;
            do {
                while (!done) {
                    if (badRequest != null || fellBehind) {
                        done = true;
                        clients.remove(this);
                        queue.clear();
                        subscriber.onError(badRequest != null ? badRequest : new FellBehind(maxPending));
                        break;
                    }
                    long r = requested.get();
                    if (r == 0) {
                        break;
                    }
                    Event<String> e = queue.poll();
                    if (e == null) {
                        break;
                    }
                    pending.decrementAndGet();
                    if (r != Long.MAX_VALUE) {
                        requested.decrementAndGet();
                    }
                    subscriber.onNext(e);
                }
                missed = wip.addAndGet(-missed);
            } while (missed != 0);
        }
    }
}
