package org.fieldgate.web;

import io.micronaut.http.sse.Event;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every client gets the shared events in order; one that stops asking is dropped after a bounded backlog. */
class LiveBroadcastTest {
    /** Records what arrives; asks for {@code initial} events on subscribe, and more only when told. */
    static final class Client implements Subscriber<Event<String>> {
        final List<String> received = new ArrayList<>();
        final long initial;
        Subscription subscription;
        boolean completed;
        Throwable error;

        Client(long initial) {
            this.initial = initial;
        }

        @Override
        public void onSubscribe(Subscription s) {
            subscription = s;
            if (initial > 0) {
                s.request(initial);
            }
        }

        @Override
        public void onNext(Event<String> e) {
            assertFalse(completed || error != null, "no event after the end");
            received.add(e.getName() + ":" + e.getData());
        }

        @Override
        public void onError(Throwable t) {
            error = t;
        }

        @Override
        public void onComplete() {
            completed = true;
        }
    }

    private static Event<String> event(String name, int n) {
        return Event.of("{\"n\":" + n + "}").name(name);
    }

    @Test
    void greetingFirstThenEveryPublishedEventInOrder() {
        LiveBroadcast b = new LiveBroadcast(8);
        Client fast = new Client(Long.MAX_VALUE);
        b.subscribe(fast, List.of(event("status", 0), event("latest", 0)));
        for (int i = 1; i <= 100; i++) {
            b.publish(event("status", i));
        }
        assertEquals(102, fast.received.size());
        assertEquals(List.of("status:{\"n\":0}", "latest:{\"n\":0}", "status:{\"n\":1}"), fast.received.subList(0, 3));
        assertEquals("status:{\"n\":100}", fast.received.get(101));
        assertFalse(fast.completed);
        assertEquals(1, b.clients());
        assertEquals(0, b.dropped());
    }

    @Test
    void aClientThatStopsAskingIsDroppedWhenItsBacklogPassesTheBoundWhileOthersGetEverything() {
        int bound = 8;
        LiveBroadcast b = new LiveBroadcast(bound);
        Client fast = new Client(Long.MAX_VALUE);
        Client stalled = new Client(1);
        Client silent = new Client(0);
        b.subscribe(fast, List.of());
        b.subscribe(stalled, List.of());
        b.subscribe(silent, List.of());
        b.publish(event("latest", 0)); // the stalled client's one requested event
        for (int i = 1; i <= bound; i++) {
            b.publish(event("latest", i));
        }
        assertEquals(1, stalled.received.size(), "delivers only what was asked for");
        assertNull(stalled.error, "a backlog of exactly the bound is kept");
        assertTrue(silent.error instanceof LiveBroadcast.FellBehind,
                "a backlog of bound + 1 is not: dropped, the server closes the connection, the browser reconnects");
        assertEquals(List.of(), silent.received);
        assertEquals(2, b.clients());
        assertEquals(1, b.dropped());

        b.publish(event("latest", bound + 1)); // one more: the stalled client is over the bound too
        assertTrue(stalled.error instanceof LiveBroadcast.FellBehind, String.valueOf(stalled.error));
        assertFalse(stalled.completed);
        assertEquals(1, stalled.received.size(), "the backlog is discarded, not delivered");
        assertEquals(1, b.clients());
        assertEquals(2, b.dropped());
        for (int i = 0; i < 50; i++) {
            b.publish(event("latest", 100 + i));
        }
        stalled.subscription.request(100); // late demand after the drop changes nothing
        assertEquals(1, stalled.received.size());
        assertEquals(bound + 2 + 50, fast.received.size());
        assertFalse(fast.completed);
        assertNull(fast.error);
    }

    @Test
    void demandArrivingLaterDrainsTheBacklogInOrder() {
        LiveBroadcast b = new LiveBroadcast(8);
        Client c = new Client(0);
        b.subscribe(c, List.of(event("status", 0)));
        for (int i = 1; i <= 5; i++) {
            b.publish(event("status", i));
        }
        assertEquals(List.of(), c.received);
        c.subscription.request(4);
        assertEquals(4, c.received.size());
        c.subscription.request(10);
        assertEquals(6, c.received.size());
        assertEquals("status:{\"n\":5}", c.received.get(5));
        b.publish(event("status", 6));
        assertEquals(7, c.received.size(), "outstanding demand takes the next event at once");
    }

    @Test
    void cancelledClientsLeaveAndBadDemandIsAnError() {
        LiveBroadcast b = new LiveBroadcast(4);
        Client gone = new Client(Long.MAX_VALUE);
        b.subscribe(gone, List.of());
        gone.subscription.cancel();
        b.publish(event("status", 1));
        assertEquals(0, b.clients());
        assertEquals(List.of(), gone.received);
        assertEquals(0, b.dropped(), "a page closed by its user is not a dropped client");

        Client bad = new Client(0);
        b.subscribe(bad, List.of());
        bad.subscription.request(0);
        assertTrue(bad.error instanceof IllegalArgumentException, String.valueOf(bad.error));
        assertEquals(0, b.clients());
    }
}
