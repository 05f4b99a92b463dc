package org.fieldgate.acquire.site;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.fieldgate.acquire.Measurement;
import org.fieldgate.reading.QcFlags;
import org.fieldgate.reading.Reading;
import org.fieldgate.site.ProbeConfig;
import org.fieldgate.site.SiteConfig;
import org.fieldgate.senml.DecodedPack;
import org.fieldgate.senml.SenmlDecoder;
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

    @Test
    void channelsAreRenamedAndConvertedByTheCalibrationInForceThatDay() {
        SiteConfig soil = ExampleSites.soil();
        ProbeConfig teros = soil.probe("soil-water-10cm");
        ChannelMapper mapper = new ChannelMapper(teros, ZoneId.of("Asia/Tokyo"));
        double raw = 2368;
        double modelVwc = 3.879e-4 * raw - 0.6956;
        List<Measurement> m = List.of(new Measurement("vwc_raw", "count", raw, 0),
                new Measurement("vwc", "m3/m3", modelVwc, 0), new Measurement("temp", "Cel", 13.8, 0),
                new Measurement("ec", "dS/m", 0.33, 0));
        // 2025-06-14 in Tokyo: the manual's mineral-soil equation; from 2025-06-15 the site's gravimetric one
        long june14 = LocalDate.of(2025, 6, 14).atTime(23, 0).atZone(ZoneId.of("Asia/Tokyo")).toEpochSecond()
                * 1_000_000_000L;
        long june15 = june14 + 3_600_000_000_000L;
        List<String> problems = new ArrayList<>();
        List<SenmlPack.Record> before = mapper.map(m, june14, 0, problems);
        List<SenmlPack.Record> after = mapper.map(m, june15, QcFlags.CLOCK_UNSYNCED, problems);
        assertEquals(List.of(), problems);
        assertEquals(List.of("vwc_raw_10cm", "vwc_10cm", "soil_temp_10cm", "ec_10cm"),
                before.stream().map(SenmlPack.Record::channel).toList());
        assertEquals("teros-mineral-2025-03", before.get(1).calibration());
        assertEquals(-0.6956 + 3.879e-4 * raw, before.get(1).value(), 1e-12);
        assertEquals("teros-site-2025-06", after.get(1).calibration());
        assertEquals(-0.7284 + 4.012e-4 * raw, after.get(1).value(), 1e-9);
        assertEquals(QcFlags.CLOCK_UNSYNCED, after.get(1).qc());
        assertEquals("model:teros12", after.get(0).calibration());
        assertEquals(raw, after.get(0).value());
    }

    @Test
    void disabledChannelsAreDroppedAndPascalsBecomeTheModelsKilopascals() {
        SiteConfig house = ExampleSites.house();
        List<String> problems = new ArrayList<>();
        List<SenmlPack.Record> inlet = new ChannelMapper(house.probe("co2-inlet"), house.timezone()).map(List.of(
                new Measurement("co2", "ppm", 420, 0), new Measurement("temp", "Cel", 18, 0)), T0, 0, problems);
        assertEquals(1, inlet.size());
        assertEquals(1.8 + 0.9974 * 420, inlet.get(0).value(), 1e-9);
        List<SenmlPack.Record> air = new ChannelMapper(house.probe("air"), house.timezone()).map(List.of(
                new Measurement("pressure", "Pa", 101_325, 0), new Measurement("temp", "Cel", 18, 0),
                new Measurement("rh", "%", 60, 0)), T0, 0, problems);
        assertEquals(101.325, air.get(0).value(), 1e-9);
        assertEquals("kPa", air.get(0).unit());
        assertEquals(List.of("air rh: driver reports '%', model file says '%RH'"), problems);
        assertEquals(2, air.size());
    }
}
