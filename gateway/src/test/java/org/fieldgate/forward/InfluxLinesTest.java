package org.fieldgate.forward;

import org.fieldgate.reading.Reading;
import org.fieldgate.store.SpooledReading;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The line encoder against influxdb-java's own {@code Point.lineProtocol}, byte for byte. */
class InfluxLinesTest {
    private static final long T0 = 1_763_000_000_123_456_789L;

    private static String viaPoint(Reading r) {
        return InfluxLines.reading(r).lineProtocol(TimeUnit.NANOSECONDS);
    }

    private static String encoded(Reading r) {
        StringBuilder sb = new StringBuilder();
        InfluxLines.appendReading(sb, r);
        return sb.toString();
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
            assertEquals(viaPoint(r), encoded(r), () -> "line of " + r);
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
            assertEquals(viaPoint(r), encoded(r), () -> "line of " + r);
        }
    }

    @Test
    void aBodyIsOneLinePerReadingInSpoolOrderAndTheReusedBufferIsEmptiedFirst() {
        List<SpooledReading> batch = new ArrayList<>();
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            Reading r = new Reading("s", "d" + i, "c", "u", T0 + i, i / 3.0, i);
            batch.add(new SpooledReading(i + 1, r, 0));
            expected.append(viaPoint(r)).append('\n');
        }
        StringBuilder reused = new StringBuilder("left over from the last batch");
        assertEquals(expected.toString(), InfluxWriter.lineProtocol(batch, reused));
        assertEquals(expected.toString(), InfluxWriter.lineProtocol(batch, reused));
        assertEquals(expected.toString(), InfluxWriter.lineProtocol(batch));
    }

    @Test
    void aMissingTagIsRefusedAsInfluxdbJavaRefusesIt() {
        Reading noUnit = new Reading("s", "d", "c", null, T0, 1.0, 0);
        assertThrows(NullPointerException.class, () -> viaPoint(noUnit));
        assertThrows(NullPointerException.class, () -> encoded(noUnit));
    }
}
