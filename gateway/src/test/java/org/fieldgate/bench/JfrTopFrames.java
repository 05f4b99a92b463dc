package org.fieldgate.bench;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a JFR recording's CPU samples ({@code jdk.ExecutionSample}, Java code only; the same events {@code jfr print
 * --events jdk.ExecutionSample} lists) fell, split by thread: per thread its share of all samples, its top frames
 * (the method on top of the stack) and its top fieldgate frames (the first {@code org.fieldgate} method from the top,
 * so that library and JDK work is charged to the fieldgate call that asked for it). Thread pools with numbered
 * members (e.g. {@code MQTT Call: ...}, {@code default-nioEventLoopGroup-1-2}) are kept apart by their full name.
 *
 * <p>{@code java -cp ... org.fieldgate.bench.JfrTopFrames FILE.jfr [TOP]} prints the table for one recording.
 */
final class JfrTopFrames {
    private final Map<String, ThreadSamples> byThread = new HashMap<>();
    private long total;

    static JfrTopFrames of(Path recording) throws IOException {
        return of(recording, Instant.MIN, Instant.MAX);
    }

    /**
     * The samples taken from {@code from} (inclusive) to {@code to} (exclusive) only: {@code JFR.dump begin=.. end=..}
     * writes whole chunks, so a dump of a long recording holds samples from around the window too.
     */
    static JfrTopFrames of(Path recording, Instant from, Instant to) throws IOException {
        JfrTopFrames t = new JfrTopFrames();
        for (RecordedEvent e : RecordingFile.readAllEvents(recording)) {
            if (e.getEventType().getName().equals("jdk.ExecutionSample")
                    && !e.getStartTime().isBefore(from) && e.getStartTime().isBefore(to)) {
                t.add(e);
            }
        }
        return t;
    }

    private void add(RecordedEvent e) {
        RecordedThread thread = e.getThread("sampledThread");
        String name = thread == null ? "?" : thread.getJavaName() != null ? thread.getJavaName() : thread.getOSName();
        RecordedStackTrace stack = e.getStackTrace();
        List<RecordedFrame> frames = stack == null ? List.of() : stack.getFrames();
        String top = frames.isEmpty() ? "(no stack)" : frame(frames.get(0));
        String fieldgate = "(no fieldgate frame)";
        for (RecordedFrame f : frames) {
            if (f.isJavaFrame() && f.getMethod().getType().getName().startsWith("org.fieldgate.")) {
                fieldgate = frame(f);
                break;
            }
        }
        add(name, top, fieldgate);
    }

    /** One sample of thread {@code thread} whose top frame is {@code top}, first fieldgate frame {@code fieldgate}. */
    void add(String thread, String top, String fieldgate) {
        ThreadSamples s = byThread.computeIfAbsent(thread, k -> new ThreadSamples());
        s.samples++;
        s.top.merge(top, 1L, Long::sum);
        s.fieldgate.merge(fieldgate, 1L, Long::sum);
        total++;
    }

    private static String frame(RecordedFrame f) {
        String type = f.getMethod().getType().getName();
        return type.substring(type.lastIndexOf('.') + 1) + "." + f.getMethod().getName();
    }

    long total() {
        return total;
    }

    /** Samples per thread, the busiest first. */
    Map<String, Long> threads() {
        Map<String, Long> out = new LinkedHashMap<>();
        byThread.entrySet().stream().sorted(Comparator.comparingLong((Map.Entry<String, ThreadSamples> e) -> e.getValue().samples)
                .reversed()).forEach(e -> out.put(e.getKey(), e.getValue().samples));
        return out;
    }

    /**
     * The table: threads with at least {@code minShare} of the samples, each with its {@code top} busiest frames as %
     * of all samples (so every figure adds up across threads).
     */
    String table(int top, double minShare) {
        StringBuilder b = new StringBuilder();
        b.append(String.format("%,d Java samples; share of all samples per thread, its top frames and first fieldgate frames%n", total));
        for (Map.Entry<String, Long> t : threads().entrySet()) {
            double share = (double) t.getValue() / total;
            if (share < minShare) {
                continue;
            }
            ThreadSamples s = byThread.get(t.getKey());
            b.append(String.format("  %5.1f %%  %s%n", 100 * share, t.getKey()));
            b.append("           top:       ").append(topOf(s.top, top)).append('\n');
            b.append("           fieldgate: ").append(topOf(s.fieldgate, top)).append('\n');
        }
        return b.toString();
    }

    private String topOf(Map<String, Long> counts, int n) {
        List<String> parts = new ArrayList<>();
        counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(n)
                .forEach(e -> parts.add(String.format("%s %.1f", e.getKey(), 100.0 * e.getValue() / total)));
        return String.join(", ", parts);
    }

    private static final class ThreadSamples {
        long samples;
        final Map<String, Long> top = new HashMap<>();
        final Map<String, Long> fieldgate = new HashMap<>();
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: JfrTopFrames FILE.jfr [TOP]");
            System.exit(64);
        }
        System.out.print(of(Path.of(args[0])).table(args.length > 1 ? Integer.parseInt(args[1]) : 6, 0.005));
    }
}
