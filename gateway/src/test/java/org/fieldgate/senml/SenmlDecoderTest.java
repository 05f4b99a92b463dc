package org.fieldgate.senml;

import org.fieldgate.reading.Reading;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SenmlDecoderTest {
    private static final String TOPIC = "fieldgate/plot-a/probe-1/senml";
    /** 2025-11-23T00:00:00Z; "now" for the window checks. */
    private static final long NOW_NS = 1_763_856_000L * 1_000_000_000L;
    private final SenmlDecoder decoder = new SenmlDecoder(4096, 100, 1_420_070_400L, 86_400L * 1_000_000_000L);

    private DecodedPack decode(String json) {
        return decoder.decode(TOPIC, json.getBytes(StandardCharsets.UTF_8), NOW_NS);
    }

    @Test
    void basePackResolvesNamesTimesAndUnitsPerRfc8428() {
        DecodedPack pack = decode("""
                [{"bn":"probe-1/","bt":1763855000.123456789,"bu":"ppm","n":"co2_10cm","v":612.5},
                 {"n":"co2_30cm","v":1200.25,"t":1.5},
                 {"n":"temp_10cm","u":"Cel","v":-3.75,"t":-2,"qc":1}]""");
        assertEquals(List.of(), pack.rejections());
        assertEquals(List.of(
                new Reading("plot-a", "probe-1", "co2_10cm", "ppm", 1_763_855_000_123_456_789L, 612.5, 0),
                new Reading("plot-a", "probe-1", "co2_30cm", "ppm", 1_763_855_001_623_456_789L, 1200.25, 0),
                new Reading("plot-a", "probe-1", "temp_10cm", "Cel", 1_763_854_998_123_456_789L, -3.75, 1)),
                pack.readings());
    }

    @Test
    void baseValueIsAddedAndAForeignBaseNameIsKeptWhole() {
        DecodedPack pack = decode("[{\"bn\":\"urn:dev:mac:0024befffe804ff1:\",\"bt\":1763855000,\"bv\":400,\"n\":\"co2\",\"u\":\"ppm\",\"v\":12.5}]");
        assertEquals(List.of(new Reading("plot-a", "probe-1", "urn:dev:mac:0024befffe804ff1:co2", "ppm",
                1_763_855_000_000_000_000L, 412.5, 0)), pack.readings());
    }

    @Test
    void valuesKeepEveryBitOfTheirDouble() {
        double awkward = 0.1 + 0.2;
        DecodedPack pack = decode("[{\"bt\":1763855000,\"n\":\"x\",\"u\":\"/\",\"v\":" + awkward + "}]");
        assertEquals(Double.doubleToRawLongBits(awkward), Double.doubleToRawLongBits(pack.readings().get(0).value()));
    }

    @Test
    void wholeMessageFailuresNameTheProblem() {
        assertRefused("{not json", "not JSON");
        assertRefused("[{\"bt\":1763855000,\"n\":\"x\",\"u\":\"ppm\",\"v\":NaN}]", "not JSON");
        assertRefused("{\"n\":\"x\"}", "a JSON object, a SenML pack must be a JSON array");
        assertRefused("[]", "empty array");
        assertRefused("", "payload is empty");
        assertRefused("x".repeat(5000), "5000 bytes, more than the 4096 allowed (fieldgate.ingest.max-message-bytes)");
        assertRefused("[1]" + "", "record 0: is number '1', a SenML record must be a JSON object");
        DecodedPack badTopic = decoder.decode("fieldgate/plot-a/senml", "[]".getBytes(StandardCharsets.UTF_8), NOW_NS);
        assertEquals("topic 'fieldgate/plot-a/senml' is not fieldgate/<site>/<device>/senml", badTopic.rejections().get(0).reason());
    }

    @Test
    void binaryGarbageIsRefusedAndKeptRaw() {
        byte[] garbage = {(byte) 0xff, 0x00, 0x13, (byte) 0x80, 0x7f};
        DecodedPack pack = decoder.decode(TOPIC, garbage, NOW_NS);
        assertEquals(0, pack.readings().size());
        assertTrue(pack.rejections().get(0).reason().startsWith("payload is not JSON"), pack.rejections().get(0).reason());
        assertArrayEquals(garbage, pack.rejections().get(0).raw());
        assertEquals(5, pack.rejections().get(0).rawLength());
    }

    @Test
    void badRecordsAreRefusedOneByOneWhileGoodOnesInTheSamePackLand() {
        DecodedPack pack = decode("""
                [{"bt":1763855000,"n":"ok1","u":"ppm","v":1},
                 {"n":"s","u":"ppm","v":"12"},
                 {"n":"inf","u":"ppm","v":1e999},
                 {"u":"ppm","v":3},
                 {"n":"nounit","v":3},
                 {"n":"furl","u":"furlongs","v":3},
                 {"n":"old","u":"ppm","v":3,"t":-1000000000},
                 {"n":"future","u":"ppm","v":3,"t":31536000000},
                 {"n":"novalue","u":"ppm"},
                 {"n":"bad name!","u":"ppm","v":3},
                 {"n":"text","u":"ppm","vs":"hello"},
                 {"n":"must","u":"ppm","v":3,"unknown_":1},
                 {"n":"qc","u":"ppm","v":3,"qc":2.5},
                 {"n":"ok2","u":"ppm","v":2}]""");
        assertEquals(List.of("ok1", "ok2"), pack.readings().stream().map(Reading::channel).toList());
        List<String> reasons = pack.rejections().stream().map(Rejection::reason).toList();
        assertEquals(List.of(
                "record 1: v = '\"12\"' is not a number",
                "record 2: v = '1E+999' is not a finite number",
                "record 3: missing field 'n' (and no 'bn'): a reading needs a channel name",
                "record 4: missing field 'u' (and no 'bu'): channel 'nounit' needs a unit; send 'u', or declare it in "
                        + "the site file of site 'plot-a' under remote-nodes: id probe-1, channels: nounit: unit",
                "record 5: u = 'furlongs' is not a known SenML unit",
                "record 6: time bt+t = 763855000 s (1994-03-16T21:56:40Z) is outside the accepted window from 2015-01-01T00:00:00Z to now + 86400 s",
                "record 7: time bt+t = 33299855000 s (3025-03-25T23:43:20Z) is outside the accepted window from 2015-01-01T00:00:00Z to now + 86400 s",
                "record 8: missing field 'v': channel 'novalue' has no numeric value (nor a sum 's')",
                "record 9: n = 'bad name!' is not a SenML name (letters, digits and - : . / _, starting with a letter or digit, at most 128 characters)",
                "record 10: has 'vs' but no 'v': fieldgate stores numeric values only",
                "record 11: field 'unknown_' must be understood (RFC 8428 section 4.4) and fieldgate does not know it",
                "record 12: qc = '2.5' is not an integer from 0 to 2047 (source bits 0-7, time bits 8-10)"), reasons);
        assertEquals("{\"n\":\"s\",\"u\":\"ppm\",\"v\":\"12\"}", new String(pack.rejections().get(0).raw(), StandardCharsets.UTF_8));
    }

    @Test
    void aRecordWithoutItsOwnNameIsRefusedEvenUnderABaseName() {
        DecodedPack pack = decode("""
                [{"bn":"probe-1/","bt":1763855000,"n":"co2","u":"ppm","v":1},
                 {"u":"ppm","v":12.5},
                 {"n":"co2","u":"ppm","v":2,"t":1}]""");
        assertEquals(2, pack.readings().size());
        assertEquals(List.of("record 1: name bn+n = 'probe-1/' names the device but no channel: missing field 'n'"),
                pack.rejections().stream().map(Rejection::reason).toList());
    }

    @Test
    void relativeTimesWithoutABaseTimeAreRefused() {
        DecodedPack pack = decode("[{\"n\":\"x\",\"u\":\"ppm\",\"v\":1,\"t\":-5}]");
        assertEquals("record 0: time bt+t = -5 s is relative to 'now' (no absolute 'bt'); fieldgate needs the acquisition time in seconds since 1970",
                pack.rejections().get(0).reason());
    }

    @Test
    void hugeExponentsAreRefusedBeforeAnyArithmetic() {
        DecodedPack pack = decode("[{\"bt\":1763855000,\"bv\":1,\"n\":\"x\",\"u\":\"ppm\",\"v\":1e999999999}]");
        assertEquals("record 0: v = '1E+999999999' is not a finite number", pack.rejections().get(0).reason());
    }

    @Test
    void aBaseNameAloneNamesTheRecordAsRfc8428Allows() {
        // before: "missing field 'n'" for both records; after: both land
        DecodedPack pack = decode("""
                [{"bn":"probe-1/co2_10cm","bt":1763855000,"u":"ppm","v":612.5},
                 {"bn":"/3303/0/5700","u":"Cel","v":21.5,"t":1}]""");
        assertEquals(List.of(), pack.rejections());
        assertEquals(List.of(
                new Reading("plot-a", "probe-1", "co2_10cm", "ppm", 1_763_855_000_000_000_000L, 612.5, 0),
                new Reading("plot-a", "probe-1", "3303/0/5700", "Cel", 1_763_855_001_000_000_000L, 21.5, 0)),
                pack.readings());
    }

    @Test
    void aLaterSenmlVersionIsRefusedWithItsReason() {
        // before: bver ignored, the records landed; after: dead-lettered naming bver
        DecodedPack pack = decode("""
                [{"bt":1763855000,"n":"v10","u":"ppm","v":1,"bver":10},
                 {"bver":11,"n":"v11","u":"ppm","v":2},
                 {"n":"later","u":"ppm","v":3},
                 {"bver":"x","n":"bad","u":"ppm","v":3}]""");
        assertEquals(List.of("v10"), pack.readings().stream().map(Reading::channel).toList());
        String later = "bver = 11: fieldgate reads SenML up to version 10 (RFC 8428); a later version may give fields "
                + "meanings it does not know";
        assertEquals(List.of("record 1: " + later, "record 2: " + later,
                        "record 3: bver = '\"x\"' is not a SenML version number"),
                pack.rejections().stream().map(Rejection::reason).toList());
    }

    @Test
    void sumsAreStoredAsTheirOwnChannelInTheUnitTimesSeconds() {
        // before: a record with s and no v was refused, and s beside v silently dropped
        DecodedPack pack = decode("""
                [{"bn":"probe-1/","bt":1763855000,"bs":1000,"n":"power","u":"W","v":250.5,"s":36.25},
                 {"n":"rain","u":"mm","s":1.5,"t":60}]""");
        assertEquals(List.of(), pack.rejections());
        assertEquals(List.of(
                new Reading("plot-a", "probe-1", "power", "W", 1_763_855_000_000_000_000L, 250.5, 0),
                new Reading("plot-a", "probe-1", "power:sum", "J", 1_763_855_000_000_000_000L, 1036.25, 0),
                new Reading("plot-a", "probe-1", "rain:sum", "mm*s", 1_763_855_060_000_000_000L, 1001.5, 0)),
                pack.readings());
    }

    @Test
    void aMissingUnitIsTakenFromTheSiteFilesDeclaration() {
        SenmlDecoder declared = new SenmlDecoder(4096, 100, 1_420_070_400L, 86_400L * 1_000_000_000L,
                (site, device, channel) -> site.equals("plot-a") && device.equals("probe-1")
                        && channel.equals("3303/0/5700") ? "Cel" : null);
        DecodedPack pack = declared.decode(TOPIC, """
                [{"bn":"/3303/0/","bt":1763855000,"n":"5700","v":21.5},
                 {"n":"5701","v":1}]""".getBytes(StandardCharsets.UTF_8), NOW_NS);
        assertEquals(List.of(new Reading("plot-a", "probe-1", "3303/0/5700", "Cel", 1_763_855_000_000_000_000L, 21.5, 0)),
                pack.readings());
        assertEquals(List.of("record 1: missing field 'u' (and no 'bu'): channel '3303/0/5701' needs a unit; send 'u', "
                        + "or declare it in the site file of site 'plot-a' under remote-nodes: id probe-1, channels: "
                        + "3303/0/5701: unit"), pack.rejections().stream().map(Rejection::reason).toList());
    }

    @Test
    void cborPacksAreDecodedWithTheirIntegerLabels() throws Exception {
        // RFC 8428 section 6: bn -2, bt -3, bu -4, n 0, u 1, v 2, s 5, t 6; extensions such as qc keep their names
        var out = new java.io.ByteArrayOutputStream();
        try (var g = (com.fasterxml.jackson.dataformat.cbor.CBORGenerator)
                new com.fasterxml.jackson.dataformat.cbor.CBORFactory().createGenerator(out)) {
            g.writeStartArray();
            g.writeStartObject();
            g.writeFieldId(-2);
            g.writeString("probe-1/");
            g.writeFieldId(-3);
            g.writeNumber(1763855000.5);
            g.writeFieldId(-4);
            g.writeString("ppm");
            g.writeFieldId(0);
            g.writeString("co2");
            g.writeFieldId(2);
            g.writeNumber(0.1 + 0.2);
            g.writeFieldName("qc");
            g.writeNumber(1);
            g.writeEndObject();
            g.writeStartObject();
            g.writeFieldId(0);
            g.writeString("energy");
            g.writeFieldId(1);
            g.writeString("W");
            g.writeFieldId(5);
            g.writeNumber(7200);
            g.writeFieldId(6);
            g.writeNumber(2);
            g.writeEndObject();
            g.writeStartObject();
            g.writeFieldId(0);
            g.writeString("nan");
            g.writeFieldId(2);
            g.writeNumber(Double.NaN);
            g.writeEndObject();
            g.writeEndArray();
        }
        byte[] payload = out.toByteArray();
        assertEquals(0x9f, payload[0] & 0xff, "a CBOR array (indefinite length, as Jackson writes it)");
        DecodedPack pack = decoder.decode(TOPIC, payload, NOW_NS);
        assertEquals(List.of(
                new Reading("plot-a", "probe-1", "co2", "ppm", 1_763_855_000_500_000_000L, 0.1 + 0.2, 1),
                new Reading("plot-a", "probe-1", "energy:sum", "J", 1_763_855_002_500_000_000L, 7200, 0)),
                pack.readings());
        assertEquals(List.of("record 2: v = 'NaN' is not a finite number"),
                pack.rejections().stream().map(Rejection::reason).toList());
        byte[] truncated = java.util.Arrays.copyOf(payload, 10);
        String reason = decoder.decode(TOPIC, truncated, NOW_NS).rejections().get(0).reason();
        assertTrue(reason.startsWith("payload is not CBOR: "), reason);
    }

    private void assertRefused(String payload, String expectedReasonPart) {
        DecodedPack pack = decode(payload);
        assertEquals(0, pack.readings().size(), payload);
        assertEquals(1, pack.rejections().size(), payload);
        String reason = pack.rejections().get(0).reason();
        assertTrue(reason.contains(expectedReasonPart), "reason '" + reason + "' should contain '" + expectedReasonPart + "'");
    }
}
