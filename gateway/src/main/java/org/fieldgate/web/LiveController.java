package org.fieldgate.web;

import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.sse.Event;
import org.reactivestreams.Publisher;

/** The live page's data: a server-sent event stream, and the same sections in one JSON for the fallback poll. */
@Controller("/api/live")
public class LiveController {
    private final LiveView view;

    public LiveController(LiveView view) {
        this.view = view;
    }

    @Get(produces = MediaType.APPLICATION_JSON)
    public String snapshot() {
        return view.snapshotJson();
    }

    @Get(uri = "/stream", produces = MediaType.TEXT_EVENT_STREAM)
    public Publisher<Event<String>> stream() {
        return view::subscribe;
    }
}
