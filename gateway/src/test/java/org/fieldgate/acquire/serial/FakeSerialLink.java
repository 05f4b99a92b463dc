package org.fieldgate.acquire.serial;

import org.fieldgate.acquire.VirtualClock;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;

/**
 * A serial port with an {@link InstrumentFake} on the other end, in virtual time: bytes the instrument sends
 * become readable when they have crossed the wire at the link's baud rate; a read that finds nothing waits
 * (moves the clock) until the timeout. Keeps a transcript for exact assertions: {@code TX 01 03 ...},
 * {@code RX ...} (hex) or, in text mode, {@code TX 0M!}, {@code RX 00013\r\n}, {@code BREAK}.
 */
public final class FakeSerialLink implements SerialLink {
    /** {@code bytes} start crossing the wire at {@code start}; byte i is readable after i + 1 character times. */
    private record Chunk(long start, byte[] bytes) {
    }

    private final VirtualClock clock;
    private final Settings settings;
    private final InstrumentFake instrument;
    private final boolean text;
    private final Deque<Chunk> pending = new ArrayDeque<>();
    private final List<String> transcript = new ArrayList<>();
    private boolean unplugged;

    /** @param text transcript as ASCII (SDI-12) rather than hex (Modbus) */
    public FakeSerialLink(VirtualClock clock, Settings settings, InstrumentFake instrument, boolean text) {
        this.clock = clock;
        this.settings = settings;
        this.instrument = instrument;
        this.text = text;
        instrument.attach(this);
    }

    public List<String> transcript() {
        return transcript;
    }

    /** Only the TX entries, for checking what the driver sent. */
    public List<String> sent() {
        return transcript.stream().filter(t -> t.startsWith("TX")).toList();
    }

    /** The USB adapter vanished: every call fails with an I/O error until plugged back. */
    public void unplug(boolean u) {
        unplugged = u;
    }

    void schedule(Duration after, byte[] bytes) {
        long start = clock.nanoTime() + after.toNanos();
        Chunk last = pending.peekLast();
        if (last != null) {
            // one wire: a later answer starts after the earlier one has finished
            start = Math.max(start, last.start() + last.bytes().length * settings.charNanos());
        }
        transcript.add("RX " + show(bytes));
        pending.add(new Chunk(start, bytes));
    }

    @Override
    public String port() {
        return "/dev/ttyFAKE0";
    }

    @Override
    public Settings settings() {
        return settings;
    }

    @Override
    public void write(byte[] tx) throws IOException {
        check();
        transcript.add("TX " + show(tx));
        clock.advance(Duration.ofNanos(tx.length * settings.charNanos()));
        instrument.onReceive(tx.clone());
    }

    @Override
    public byte[] read(int max, Duration timeout) throws IOException {
        check();
        Chunk first = pending.peek();
        long now = clock.nanoTime();
        long c = settings.charNanos();
        long firstByteAt = first == null ? Long.MAX_VALUE : first.start() + c;
        if (first == null || firstByteAt > now + timeout.toNanos()) {
            clock.advance(timeout);
            return new byte[0];
        }
        if (firstByteAt > now) {
            clock.advance(Duration.ofNanos(firstByteAt - now));
            now = firstByteAt;
        }
        int arrived = (int) Math.min(first.bytes().length, (now - first.start()) / c);
        int n = Math.min(max, arrived);
        pending.poll();
        if (n < first.bytes().length) {
            pending.addFirst(new Chunk(first.start() + n * c, Arrays.copyOfRange(first.bytes(), n, first.bytes().length)));
        }
        return Arrays.copyOf(first.bytes(), n);
    }

    @Override
    public void discardInput() throws IOException {
        check();
        long now = clock.nanoTime();
        long c = settings.charNanos();
        // what has fully arrived is dropped; an answer still crossing the wire keeps its unread tail
        while (!pending.isEmpty() && pending.peek().start() + c <= now) {
            Chunk first = pending.poll();
            int arrived = (int) Math.min(first.bytes().length, (now - first.start()) / c);
            if (arrived < first.bytes().length) {
                pending.addFirst(new Chunk(first.start() + arrived * c,
                        Arrays.copyOfRange(first.bytes(), arrived, first.bytes().length)));
                break;
            }
        }
    }

    @Override
    public void sendBreak(Duration d) throws IOException {
        check();
        transcript.add("BREAK");
        clock.advance(d);
        instrument.onBreak(d);
    }

    @Override
    public void close() {
    }

    private void check() throws IOException {
        if (unplugged) {
            throw new IOException("/dev/ttyFAKE0: No such device");
        }
    }

    private String show(byte[] b) {
        if (text) {
            return new String(b, StandardCharsets.US_ASCII).replace("\r", "\\r").replace("\n", "\\n");
        }
        return HexFormat.ofDelimiter(" ").formatHex(b);
    }
}
