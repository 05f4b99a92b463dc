package org.fieldgate.senml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.fieldgate.reading.QcFlags;
import org.fieldgate.reading.Reading;
import org.junit.jupiter.api.Test;

/** Local acquisitions travel in the wire contract: what is encoded decodes to exactly the same readings. */
class SenmlPackTest {
    private static final long T0 = 1_763_856_000_123_456_789L;
    private final SenmlDecoder decoder = new SenmlDecoder(262_144, 10_000, 1_420_070_400L, 86_400_000_000_000L);

    @Test
    void aPackDecodesToTheSameReadingsWithTimeQcAndCalibration() {
        List<SenmlPack.Record> records = List.of(
                new SenmlPack.Record("co2", "ppm", 612.5, 0, "analyser-2025-03", T0),
                new SenmlPack.Record("temp", "Cel", 11.62, QcFlags.OUT_OF_RANGE | QcFlags.CLOCK_UNSYNCED,
                        "model:gmp252", T0),
                new SenmlPack.Record("co2", "ppm", 613.25, QcFlags.REDATED, "analyser-2025-03", T0 + 2_000_000_001L));
        byte[] pack = SenmlPack.encode("analyser", records);
        DecodedPack d = decoder.decode(SenmlPack.topic("soil-plot", "analyser"), pack, T0 + 5_000_000_000L);
        assertEquals(List.of(), d.rejections(), new String(pack, StandardCharsets.UTF_8));
        assertEquals(List.of(
                new Reading("soil-plot", "analyser", "co2", "ppm", T0, 612.5, 0, "analyser-2025-03"),
                new Reading("soil-plot", "analyser", "temp", "Cel", T0, 11.62, 2 | 256, "model:gmp252"),
                new Reading("soil-plot", "analyser", "co2", "ppm", T0 + 2_000_000_001L, 613.25, 512,
                        "analyser-2025-03")), d.readings());
    }

    @Test
    void theDecoderRefusesQcBitsAboveTheTimeBitsAndMalformedCalibrationIds() {
        String over = "[{\"bn\":\"a/\",\"bt\":1763856000,\"n\":\"co2\",\"u\":\"ppm\",\"v\":1,\"qc\":2048}]";
        DecodedPack d = decoder.decode("fieldgate/s/a/senml", over.getBytes(StandardCharsets.UTF_8), T0);
        assertEquals("record 0: qc = '2048' is not an integer from 0 to 2047 (source bits 0-7, time bits 8-10)",
                d.rejections().get(0).reason());
        String cal = "[{\"bn\":\"a/\",\"bt\":1763856000,\"n\":\"co2\",\"u\":\"ppm\",\"v\":1,\"cal\":\"a b\"}]";
        d = decoder.decode("fieldgate/s/a/senml", cal.getBytes(StandardCharsets.UTF_8), T0);
        assertTrue(d.rejections().get(0).reason().startsWith("record 0: cal = 'a b' is not a calibration id"),
                d.rejections().get(0).reason());
        assertThrows(IllegalArgumentException.class, () -> SenmlPack.encode("a", List.of()));
    }
}
