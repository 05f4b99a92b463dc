package org.fieldgate.forward;

import org.fieldgate.store.SpooledReading;

import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Encodes a batch into a /write body: line protocol straight into a reused byte buffer as UTF-8, then, when it
 * gzips, gzip (as influxdb-java's client did for every write: a cellular link pays per byte, and repetitive tags
 * compress about ten-fold) with a reused Deflater at {@link #GZIP_LEVEL}; when it does not (InfluxDB on the same box,
 * {@code fieldgate.influx.gzip}), the plain bytes. One per thread; {@link #close} frees zlib's memory.
 */
final class LineEncoder implements AutoCloseable {
    private static final int GZIP_HEADER_AND_TRAILER = 18;

    private final LineBuffer plain;
    /**
     * zlib's level 5, not its default 6 (influxdb-java's): on 5,000-reading bodies of the benchmark's series it took
     * 0.64x the CPU for 1.026x the bytes with full-precision values, 0.50x for 1.043x with one-decimal values; gzip
     * was the largest part of the preparer's CPU after the spool read (gateway/bench/README.md, "Cheaper batch
     * preparer"). Level 1 would take 0.29x for 1.14-1.26x the bytes, too many for a link paid per byte.
     */
    static final int GZIP_LEVEL = 5;

    /** Null when the bodies go plain. */
    private final Deflater deflater;
    private final CRC32 crc = new CRC32();

    LineEncoder(int initialBytes, boolean gzip) {
        this.plain = new LineBuffer(initialBytes);
        this.deflater = gzip ? new Deflater(GZIP_LEVEL, true) : null;
    }

    boolean gzips() {
        return deflater != null;
    }

    /** The readings' lines, each ended by a newline, gzipped or not into {@code into} (emptied first). */
    WriteBody encode(List<SpooledReading> batch, WriteBody into) {
        plain.clear();
        for (SpooledReading s : batch) {
            InfluxLines.appendReading(plain, s.reading());
            plain.append('\n');
        }
        return body(into);
    }

    /** Ready-made line protocol (derived points), gzipped or not into {@code into}. */
    WriteBody encode(String lines, WriteBody into) {
        plain.clear();
        plain.appendUtf8(lines);
        return body(into);
    }

    private WriteBody body(WriteBody into) {
        if (deflater != null) {
            return gzip(into);
        }
        int n = plain.length();
        into.clear(n, false);
        System.arraycopy(plain.array(), 0, into.room(n), 0, n);
        into.advance(n);
        return into;
    }

    /** The plain line protocol of the last encode (for tests). */
    byte[] lastPlain() {
        return plain.toByteArray();
    }

    private WriteBody gzip(WriteBody into) {
        int n = plain.length();
        into.clear(n, true);
        byte[] out = into.room(n / 4 + 64 + GZIP_HEADER_AND_TRAILER);
        // RFC 1952 header: magic, deflate, no flags, no mtime, no extra flags, OS unknown... as GZIPOutputStream writes it
        out[0] = 0x1f;
        out[1] = (byte) 0x8b;
        out[2] = Deflater.DEFLATED;
        for (int i = 3; i < 10; i++) {
            out[i] = 0;
        }
        into.advance(10);
        deflater.reset();
        deflater.setInput(plain.array(), 0, n);
        deflater.finish();
        while (!deflater.finished()) {
            out = into.room(Math.max(8192, n / 8));
            into.advance(deflater.deflate(out, into.length(), out.length - into.length()));
        }
        crc.reset();
        crc.update(plain.array(), 0, n);
        out = into.room(8);
        int at = into.length();
        writeIntLe(out, at, (int) crc.getValue());
        writeIntLe(out, at + 4, n);
        into.advance(8);
        return into;
    }

    private static void writeIntLe(byte[] b, int at, int v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >>> 8);
        b[at + 2] = (byte) (v >>> 16);
        b[at + 3] = (byte) (v >>> 24);
    }

    @Override
    public void close() {
        if (deflater != null) {
            deflater.end();
        }
    }
}
