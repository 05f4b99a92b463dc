package org.fieldgate.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.TreeMap;

/**
 * Kept beside the spool database ({@code spool.hwm}), so that a damaged database can be told from a drained one: the
 * highest reading row committed (and so acknowledged to the broker), and which rows have left since (delivered,
 * quarantined or dropped) as "all through R" plus the ranges above R. Rows left the spool in row order, give or take
 * the batches on their way to InfluxDB, so the ranges stay few. Written in place and synced: a commit is recorded once
 * it is on disk, a removal before it is, so neither a crash nor a damaged file can hide an acknowledged reading.
 */
final class HighWaterMark implements AutoCloseable {
    private static final String MAGIC = "fieldgate-spool-hwm 1";

    private final Path path;
    private final boolean existed;
    private FileChannel channel;
    private long committedThrough;
    private long removedThrough;
    /** Removed rows above {@link #removedThrough}: first id to last id, disjoint and not adjacent. */
    private final TreeMap<Long, Long> removedAbove = new TreeMap<>();
    private int writtenLength;

    HighWaterMark(Path path) {
        this.path = path;
        this.existed = Files.exists(path);
        if (existed) {
            parse(path);
        }
    }

    /**
     * For a command working beside the running gateway ({@code export}, {@code quarantine replay}): the mark is the
     * gateway's alone, so this one is kept in memory and never read or written. Rows such a command commits are taken
     * into the gateway's mark at its next commit or start (both take the database's sequence).
     */
    static HighWaterMark notKept() {
        return new HighWaterMark();
    }

    private HighWaterMark() {
        this.path = null;
        this.existed = false;
    }

    private void parse(Path path) {
        String text;
        try {
            text = Files.readString(path, StandardCharsets.US_ASCII);
            writtenLength = text.length();
            text = text.trim();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
        String[] words = text.split(" ");
        if (!text.startsWith(MAGIC + " ") || words.length < 5) {
            throw new SpoolException(path + " is not a spool high-water mark: '" + text + "'");
        }
        try {
            committedThrough = Long.parseLong(words[2].substring("committed=".length()));
            removedThrough = Long.parseLong(words[3].substring("removed-through=".length()));
            String ranges = words[4].substring("removed=".length());
            for (String range : ranges.isEmpty() ? new String[0] : ranges.split(",")) {
                String[] ends = range.split("-");
                removedAbove.put(Long.parseLong(ends[0]), Long.parseLong(ends[1]));
            }
        } catch (RuntimeException e) {
            throw new SpoolException(path + " is not a spool high-water mark: '" + text + "'", e);
        }
    }

    /** False for a spool written before the mark was kept, or a new one. */
    boolean existed() {
        return existed;
    }

    synchronized long committedThrough() {
        return committedThrough;
    }

    synchronized long removedThrough() {
        return removedThrough;
    }

    /** Whether row {@code id} has left the spool. */
    synchronized boolean removed(long id) {
        if (id <= removedThrough) {
            return true;
        }
        Map.Entry<Long, Long> range = removedAbove.floorEntry(id);
        return range != null && range.getValue() >= id;
    }

    /** Rows from removed-through to {@code throughId} that should still be in the spool. */
    synchronized long expectedThrough(long throughId) {
        long expected = Math.max(0, throughId - removedThrough);
        for (Map.Entry<Long, Long> r : removedAbove.entrySet()) {
            if (r.getKey() <= throughId) {
                expected -= Math.min(r.getValue(), throughId) - r.getKey() + 1;
            }
        }
        return expected;
    }

    /** Rows through {@code throughId} are committed: record it once they are on disk. */
    synchronized void committed(long throughId) {
        if (throughId > committedThrough) {
            committedThrough = throughId;
            write();
        }
    }

    /** Rows {@code firstId} to {@code lastId} leave the spool: record it before they do. */
    synchronized void removed(long firstId, long lastId) {
        if (take(firstId, lastId)) {
            write();
        }
    }

    /**
     * Rows {@code firstIds[i]} to {@code lastIds[i]}, for every i, leave the spool in one transaction: recorded before
     * they do, in one write and one sync (the spool settler's several acknowledged runs at a time).
     */
    synchronized void removed(long[] firstIds, long[] lastIds) {
        boolean changed = false;
        for (int i = 0; i < firstIds.length; i++) {
            changed |= take(firstIds[i], lastIds[i]);
        }
        if (changed) {
            write();
        }
    }

    /** Takes the removal of rows {@code firstId} to {@code lastId} into the ranges; false when it changes nothing. */
    private boolean take(long firstId, long lastId) {
        long first = Math.max(firstId, removedThrough + 1);
        long last = lastId;
        if (last < first) {
            return false;
        }
        Map.Entry<Long, Long> before = removedAbove.floorEntry(first);
        if (before != null && before.getValue() >= first - 1) {
            first = before.getKey();
            last = Math.max(last, before.getValue());
            removedAbove.remove(before.getKey());
        }
        Long next;
        while ((next = removedAbove.ceilingKey(first)) != null && next <= last + 1) {
            last = Math.max(last, removedAbove.remove(next));
        }
        if (first == removedThrough + 1) {
            removedThrough = last;
        } else {
            removedAbove.put(first, last);
        }
        return true;
    }

    /** Starts over from what a (new, salvaged or older) database holds: present rows expected, the rest removed. */
    synchronized void baseline(long sequence, long[] presentIds) {
        committedThrough = sequence;
        removedAbove.clear();
        removedThrough = presentIds.length == 0 ? sequence : presentIds[0] - 1;
        for (int i = 1; i <= presentIds.length; i++) {
            long holeFrom = presentIds[i - 1] + 1;
            long holeTo = i < presentIds.length ? presentIds[i] - 1 : sequence;
            if (holeTo >= holeFrom) {
                removedAbove.put(holeFrom, holeTo);
            }
        }
        write();
    }

    private void write() {
        if (path == null) {
            return;
        }
        StringBuilder text = new StringBuilder(MAGIC).append(" committed=").append(committedThrough)
                .append(" removed-through=").append(removedThrough).append(" removed=");
        removedAbove.forEach((first, last) -> text.append(text.charAt(text.length() - 1) == '=' ? "" : ",")
                .append(first).append('-').append(last));
        text.append('\n');
        // in place, padded over a longer previous text: one small write, no window without a mark
        while (text.length() < writtenLength) {
            text.append(' ');
        }
        byte[] bytes = text.toString().getBytes(StandardCharsets.US_ASCII);
        try {
            if (channel == null) {
                channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            }
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            long position = 0;
            while (buffer.hasRemaining()) {
                position += channel.write(buffer, position);
            }
            channel.force(false);
            writtenLength = bytes.length;
        } catch (IOException e) {
            throw new SpoolException("cannot write the spool high-water mark " + path + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot close " + path, e);
            }
        }
    }
}
