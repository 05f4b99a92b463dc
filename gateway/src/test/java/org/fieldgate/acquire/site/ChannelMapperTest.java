package org.fieldgate.acquire.site;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.fieldgate.acquire.Measurement;
import org.fieldgate.reading.QcFlags;
import org.fieldgate.senml.SenmlPack;
import org.fieldgate.site.ProbeConfig;
import org.fieldgate.site.SiteConfig;
import org.junit.jupiter.api.Test;

/** A probe's measurements become the site file's channels, calibrated as the site file says. */
class ChannelMapperTest {
    private static final long T0 = 1_763_856_000_123_456_789L;

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
