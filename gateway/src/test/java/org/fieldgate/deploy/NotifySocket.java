package org.fieldgate.deploy;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainDatagramPacket;
import io.netty.channel.unix.DomainSocketAddress;
import org.fieldgate.testkit.Poll;
import org.junit.jupiter.api.Assumptions;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What systemd's notify socket sees: an AF_UNIX datagram socket that records every message. Java 17 has no
 * AF_UNIX datagrams, so it uses Netty's epoll transport (on the test classpath; Linux x86_64 only).
 * systemd-notify's BARRIER=1 messages are dropped: their pipe descriptor is closed by the kernel as nobody takes
 * it, which is the answer systemd-notify waits for.
 */
final class NotifySocket implements AutoCloseable {
    private final Path path;
    private final EventLoopGroup group;
    private final Channel channel;
    private final List<String> messages = new ArrayList<>();

    /** Whether this machine can host one (see the class comment); callers skip their notify checks otherwise. */
    static boolean available() {
        return Epoll.isAvailable();
    }

    NotifySocket(Path dir) throws InterruptedException {
        Assumptions.assumeTrue(available(),
                "a notify socket needs Netty's epoll transport, whose native library is only on the classpath for Linux x86_64: "
                        + Epoll.unavailabilityCause());
        path = dir.resolve("notify.sock");
        group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        channel = new Bootstrap().group(group).channel(EpollDomainDatagramChannel.class)
                .handler(new SimpleChannelInboundHandler<DomainDatagramPacket>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, DomainDatagramPacket packet) {
                        String text = packet.content().toString(StandardCharsets.UTF_8);
                        // one datagram may carry several newline-separated assignments
                        for (String line : text.split("\n")) {
                            if (!line.isBlank() && !line.equals("BARRIER=1")) {
                                synchronized (messages) {
                                    messages.add(line);
                                }
                            }
                        }
                    }
                })
                .bind(new DomainSocketAddress(path.toFile())).sync().channel();
    }

    /** The value for NOTIFY_SOCKET. */
    String address() {
        return path.toString();
    }

    List<String> messages() {
        synchronized (messages) {
            return List.copyOf(messages);
        }
    }

    long count(String message) {
        return messages().stream().filter(message::equals).count();
    }

    /** Waits until {@code message} has arrived at least {@code times} times. */
    void await(String message, long times, Duration timeout) {
        Poll.until(times + " x " + message + " on " + path, timeout, () -> count(message) >= times,
                () -> "received: " + messages());
    }

    @Override
    public void close() throws Exception {
        try {
            channel.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
            Files.deleteIfExists(path);
        }
    }
}
