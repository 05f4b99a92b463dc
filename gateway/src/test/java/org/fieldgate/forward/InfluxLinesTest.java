package org.fieldgate.forward;

import org.fieldgate.reading.Reading;
import org.fieldgate.store.SpooledReading;
import org.junit.jupiter.api.Test;

import org.influxdb.dto.Point;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The line encoder against influxdb-java's own {@code Point.lineProtocol}, byte for byte. */
class InfluxLinesTest {
    private static final long T0 = 1_763_000_000_123_456_789L;

    private static String viaPoint(Reading r) {
        return InfluxPoints.reading(r).lineProtocol(TimeUnit.NANOSECONDS);
    }

    private static String encoded(Reading r) {
        LineBuffer out = new LineBuffer(8);
        InfluxLines.appendReading(out, r);
        return new String(out.array(), 0, out.length(), StandardCharsets.UTF_8);
    }

    @Test
    void escapingEdgeCasesMatchPointLineProtocol() {
        List<Reading> readings = List.of(
                new Reading("site", "probe-1", "co2", "ppm", T0, 412.5, 0),
                new Reading("my site", "probe,1", "a=b", "µmol m⁻² s⁻¹", T0, -3.25, 5, "model:GMP252"),
                new Reading("quote\"s", "back\\slash", "tab\tand\\ space", "°C", 0, 1e-7, 1 << 20, "cal 2026,v=3"),
                new Reading("日本", "Gerät-ä", "ch=,\\ ", "%", -1, 0.0, 0, ""),
                new Reading("s", "d", "c", "", T0, -0.0, 0),
                new Reading("s", "d", "c", "u", Long.MAX_VALUE, Double.NaN, 3),
                new Reading("s", "d", "c", "u", T0, Double.POSITIVE_INFINITY, 3),
                new Reading("s", "d", "c", "u", T0, Double.NEGATIVE_INFINITY, Integer.MAX_VALUE),
                new Reading("s", "d", "c", "u", T0, Double.MAX_VALUE, 0),
                new Reading("s", "d", "c", "u", T0, Double.MIN_VALUE, 0),
                new Reading("s", "d", "c", "u", T0, -1.5e300, 0),
                new Reading("s", "d", "c", "u", T0, 1e7, 0),
                new Reading("s", "d", "c", "u", T0, 9999999.999, 0),
                new Reading("s", "d", "c", "u", T0, 0.001, 0),
                new Reading("s", "d", "c", "u", T0, 0.00099, 0),
                new Reading("s", "d", "c", "u", T0, 123456789.125, 0),
                new Reading("s", "d", "c", "u", T0, 1.0E22, 0),
                new Reading("s", "d", "c", "u", T0, 2.5E-5, 0));
        for (Reading r : readings) {
            assertSameLine(viaPoint(r), encoded(r), r.value());
        }
    }

    @Test
    void randomValuesOfEveryMagnitudeMatchPointLineProtocol() {
        SplittableRandom random = new SplittableRandom(12);
        for (int i = 0; i < 200_000; i++) {
            double value = i % 2 == 0
                    ? Double.longBitsToDouble(random.nextLong()) // any bit pattern: every exponent, NaNs, subnormals
                    : Math.round(random.nextDouble(-1e4, 1e4) * 1000) / 1000.0; // instrument-like values
            Reading r = new Reading("s", "d", "c", "u", random.nextLong(), value, random.nextInt());
            assertSameLine(viaPoint(r), encoded(r), r.value());
        }
    }

    @Test
    void aBodyIsOneLinePerReadingInSpoolOrderGzippedAndTheReusedBuffersAreEmptiedFirst() throws IOException {
        List<SpooledReading> batch = new ArrayList<>();
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            Reading r = new Reading("s", "d" + i, "c", "u", T0 + i, i / 3.0, i);
            batch.add(new SpooledReading(i + 1, r, 0));
            expected.append(viaPoint(r)).append('\n');
        }
        try (LineEncoder encoder = new LineEncoder(8, true)) {
            WriteBody body = new WriteBody(8);
            encoder.encode(List.of(new SpooledReading(9, new Reading("x", "y", "z", "w", T0, 1, 0), 0)), body);
            encoder.encode(batch, body);
            assertEquals(expected.toString(), gunzip(body));
            assertEquals(expected.toString(), gunzip(encoder.encode(batch, body)));
            assertEquals(expected.toString(), InfluxWriter.lineProtocol(batch));
            assertEquals(expected.length(), body.plainLength());
        }
    }

    /**
     * The bytes on the wire against Point's lines as UTF-8 (what influxdb-java sent), on generated readings: names from an alphabet with every escaped character, non-ASCII, 4-byte characters and an unpaired
     * surrogate, values of every magnitude; whole bodies gzipped, read back with the JDK's GZIPInputStream.
     */
    @Test
    void bytesOnTheWireArePointsLinesInUtf8OnGeneratedReadings() throws IOException {
        SplittableRandom random = new SplittableRandom(34);
        String[] alphabet = {"a", "Z", "0", "_", "-", " ", ",", "=", "\\", "\"", "\t", "µ", "°", "⁻²", "日", "\uD83C\uDF31", "\uD800", ":"};
        try (LineEncoder encoder = new LineEncoder(64, true)) {
            WriteBody body = new WriteBody(64);
            for (int round = 0; round < 200; round++) {
                List<SpooledReading> batch = new ArrayList<>();
                StringBuilder expected = new StringBuilder();
                for (int i = 0, n = 1 + random.nextInt(300); i < n; i++) {
                    double value = value(random);
                    Reading r = new Reading(name(random, alphabet), name(random, alphabet), name(random, alphabet),
                            random.nextInt(4) == 0 ? "" : name(random, alphabet), random.nextLong(), value,
                            random.nextInt(), random.nextBoolean() ? null : name(random, alphabet));
                    batch.add(new SpooledReading(i + 1, r, 0));
                    expected.append(viaPoint(r)).append('\n');
                }
                encoder.encode(batch, body);
                byte[] utf8 = expected.toString().getBytes(StandardCharsets.UTF_8); // an unpaired surrogate as '?'
                if (!Arrays.equals(utf8, encoder.lastPlain())) {
                    assertSameLines(new String(utf8, StandardCharsets.UTF_8), batch,
                            new String(encoder.lastPlain(), StandardCharsets.UTF_8));
                }
                assertEquals(new String(encoder.lastPlain(), StandardCharsets.UTF_8), gunzip(body));
            }
        }
    }

    /**
     * Values as the field sends them and beyond: instrument-like short decimals, full-precision doubles, integer-valued
     * doubles, zeros, negatives, huge and tiny, subnormal, NaN and infinities (left out of the line).
     */
    static double value(SplittableRandom random) {
        return switch (random.nextInt(8)) {
            case 0 -> Double.longBitsToDouble(random.nextLong());
            case 1 -> Math.round(random.nextDouble(-1e4, 1e4) * 1000) / 1000.0;
            case 2 -> 400 + random.nextDouble() * 9600;
            case 3 -> (double) (random.nextLong() >> random.nextInt(64));
            case 4 -> random.nextBoolean() ? 0.0 : -0.0;
            case 5 -> random.nextDouble(-1, 1) * Math.pow(10, random.nextInt(-320, 309));
            case 6 -> Double.longBitsToDouble(random.nextLong(1L << 52)) * (random.nextBoolean() ? 1 : -1);
            default -> new double[]{Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1e22, 1e23,
                    Double.MAX_VALUE, Double.MIN_VALUE, Double.MIN_NORMAL}[random.nextInt(8)];
        };
    }

    /**
     * Point's line (what influxdb-java sent), or that line with the value's digits as {@link ShortestDecimalTest}
     * allows them to differ from Java 17's (the same double in no more digits, where Java 17's were not the shortest).
     */
    static void assertSameLine(String expected, String actual, double value) {
        if (expected.equals(actual)) {
            return;
        }
        String before = ",value=" + ShortestDecimalTest.java17Plain(value) + " ";
        int at = expected.indexOf(before);
        assertTrue(at >= 0 && Double.isFinite(value), () -> "line " + actual + " where Point wrote " + expected);
        String after = ",value=" + new String(new LineBuffer(8).appendPlainDecimal(value).toByteArray(),
                StandardCharsets.US_ASCII) + " ";
        ShortestDecimalTest.assertSameAsJava17(value, after.substring(7, after.length() - 1));
        assertEquals(expected.substring(0, at) + after + expected.substring(at + before.length()), actual);
    }

    /** A body line by line against Point's lines, each with {@link #assertSameLine}. */
    static void assertSameLines(String expected, List<SpooledReading> batch, String actual) {
        String[] want = expected.split("\n", -1);
        String[] got = actual.split("\n", -1);
        assertEquals(want.length, got.length, "lines in the body");
        for (int i = 0; i < batch.size(); i++) {
            assertSameLine(want[i], got[i], batch.get(i).reading().value());
        }
        assertEquals("", got[got.length - 1]);
    }

    private static String name(SplittableRandom random, String[] alphabet) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0, n = 1 + random.nextInt(12); i < n; i++) {
            sb.append(alphabet[random.nextInt(alphabet.length)]);
        }
        return sb.toString();
    }

    static String gunzip(WriteBody body) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(body.array(), 0, body.length()))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Derived points (closures, fluxes, gaps) against Point.lineProtocol on generated tags and fields. */
    @Test
    void derivedLinesMatchPointLineProtocol() {
        SplittableRandom random = new SplittableRandom(56);
        String[] alphabet = {"a", "b", "Z", "_", " ", ",", "=", "\\", "\"", "µ", "日"};
        for (int i = 0; i < 20_000; i++) {
            Map<String, String> tags = new LinkedHashMap<>();
            for (int t = 0, n = random.nextInt(4); t < n; t++) {
                tags.put(name(random, alphabet), random.nextInt(6) == 0 ? (random.nextBoolean() ? null : "") : name(random, alphabet));
            }
            Map<String, Object> fields = new LinkedHashMap<>();
            for (int f = 0, n = 1 + random.nextInt(5); f < n; f++) {
                Object v = switch (random.nextInt(6)) {
                    case 0 -> random.nextBoolean() ? Double.longBitsToDouble(random.nextLong()) : random.nextDouble(-10, 10);
                    case 1 -> random.nextInt();
                    case 2 -> random.nextLong();
                    case 3 -> name(random, alphabet);
                    case 4 -> random.nextBoolean();
                    default -> random.nextInt(3) == 0 ? null : Double.NaN;
                };
                fields.put(name(random, alphabet), v);
            }
            String measurement = random.nextBoolean() ? "flux" : name(random, alphabet);
            long timeNs = random.nextLong();
            Point.Builder p = Point.measurement(measurement).time(timeNs, TimeUnit.NANOSECONDS);
            tags.forEach((k, v) -> {
                if (v != null) {
                    p.tag(k, v);
                }
            });
            int finite = 0;
            for (Map.Entry<String, Object> f : fields.entrySet()) {
                Object v = f.getValue();
                if (v instanceof Double d && Double.isFinite(d)) {
                    p.addField(f.getKey(), d);
                    finite++;
                } else if (v instanceof Integer n) {
                    p.addField(f.getKey(), (long) n);
                    finite++;
                } else if (v instanceof Long n) {
                    p.addField(f.getKey(), n);
                    finite++;
                } else if (v instanceof String text) {
                    p.addField(f.getKey(), text);
                    finite++;
                } else if (v instanceof Boolean b) {
                    p.addField(f.getKey(), b);
                    finite++;
                }
            }
            if (finite == 0) {
                assertThrows(IllegalArgumentException.class, () -> InfluxLines.derived(measurement, timeNs, tags, fields));
                continue;
            }
            String expected = p.build().lineProtocol(TimeUnit.NANOSECONDS);
            assertEquals(expected, InfluxLines.derived(measurement, timeNs, tags, fields).line(),
                    () -> measurement + " " + tags + " " + fields);
        }
    }

    @Test
    void aMissingTagIsRefusedAsInfluxdbJavaRefusesIt() {
        Reading noUnit = new Reading("s", "d", "c", null, T0, 1.0, 0);
        assertThrows(NullPointerException.class, () -> viaPoint(noUnit));
        assertThrows(NullPointerException.class, () -> encoded(noUnit));
    }
}
