package org.fieldgate.web;

import io.micronaut.http.HttpRequest;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.server.netty.NettyHttpRequest;
import io.micronaut.http.sse.Event;
import io.netty.channel.ChannelOption;
import org.reactivestreams.Publisher;

/** The live page's data: a server-sent event stream, and the same sections in one JSON for the fallback poll. */
@Controller("/api/live")
public class LiveController {
    /**
     * Send buffer of an event-stream connection. Linux lets a socket's buffer grow to 4 MB (tcp_wmem), minutes of
     * events for a page that stopped reading; capped, the server stops asking for events within seconds and
     * {@link LiveBroadcast}'s bound drops the page about half a minute later. A live page needs a few kB a second.
     */
    static final int STREAM_SEND_BUFFER_BYTES = 64 * 1024;

    private final LiveView view;

    public LiveController(LiveView view) {
        this.view = view;
    }

    @Get(produces = MediaType.APPLICATION_JSON)
    public String snapshot() {
        return view.snapshotJson();
    }

    @Get(uri = "/stream", produces = MediaType.TEXT_EVENT_STREAM)
    public Publisher<Event<String>> stream(HttpRequest<?> request) {
        if (request instanceof NettyHttpRequest<?> netty) {
            netty.getChannelHandlerContext().channel().config().setOption(ChannelOption.SO_SNDBUF,
                    STREAM_SEND_BUFFER_BYTES);
        }
        return view::subscribe;
    }
}
