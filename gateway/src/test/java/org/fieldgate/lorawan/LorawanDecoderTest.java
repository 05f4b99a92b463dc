package org.fieldgate.lorawan;

import org.fieldgate.reading.QcFlags;
import org.fieldgate.reading.Reading;
import org.fieldgate.senml.DecodedPack;
import org.fieldgate.senml.Rejection;
import org.fieldgate.site.SiteConfig;
import org.fieldgate.site.SiteConfigs;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.fieldgate.lorawan.Uplinks.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LorawanDecoderTest {
    static final Path CONFIG = Path.of("..", "firmware-config").toAbsolutePath().normalize();
    static final SiteConfig SITE = SiteConfigs.loadOrThrow(CONFIG.resolve("sites/lorawan-soil-example.yaml"),
            CONFIG.resolve("models"));
    private static final String T1 = "2026-12-05T09:00:00.123456789Z";
    private static final String T2 = "2026-12-05T09:20:00.5Z";
    private static final String EUI_A = "a84041000181c5e1";

    private final List<String> gaps = new ArrayList<>();
    private final LorawanDecoder decoder = new LorawanDecoder(List.of(SITE),
            (site, device, firstNs, lastNs, missing, cause) -> gaps.add(site + " " + device + " " + firstNs + ".." + lastNs
                    + " missing " + missing + ": " + cause));

    private static long ns(String t) {
        Instant i = Instant.parse(t);
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    private static Reading r(String device, String channel, String unit, String time, double value, String cal) {
        return new Reading(Uplinks.SITE, device, channel, unit, ns(time), value, QcFlags.NETWORK_TIME, cal);
    }

    private DecodedPack chirpstack(Integer fCnt, String time, String object) {
        return decoder.decode(Uplinks.chirpstackTopic(EUI_A),
                bytes(Uplinks.chirpstack("lse01-plot-a-1", EUI_A, fCnt, time, object)));
    }

    private static List<String> reasons(DecodedPack pack) {
        return pack.rejections().stream().map(Rejection::reason).toList();
    }

    @Test
    void aChirpstackUplinkBecomesReadingsOfItsProfilesMapAtTheNetworkReceiveTime() {
        DecodedPack pack = chirpstack(17, T1, Uplinks.lse01("25.52", "9.12", 124));
        String dev = "lse01-plot-a-1";
        // December 2026: the loam calibration (valid from 2026-06-01) supersedes the unit conversion
        assertEquals(List.of(
                r(dev, "battery", "V", T1, 3.305, null),
                r(dev, "probe_temp", "Cel", T1, 8.6, null),
                r(dev, "vwc", "m3/m3", T1, 0.012 + 0.0094 * 25.52, "lse01-vwc-loam-2026"),
                r(dev, "soil_temp", "Cel", T1, 9.12, null),
                r(dev, "ec", "mS/cm", T1, 0.001 * 124, "lse01-ec-ms-per-cm"),
                // the best of the two gateways by SNR (7.2 dB over -3.5 dB)
                r(dev, "rssi", "dBm", T1, -97, null),
                r(dev, "snr", "dB", T1, 7.2, null)), pack.readings());
        assertEquals(List.of(), pack.rejections());
        assertEquals(List.of("NETWORK_TIME"), QcFlags.words(pack.readings().get(0).qc()));
    }

    @Test
    void aTheThingsStackUplinkWithOrWithoutTenantTakesTheDevicesOwnMap() {
        String t = "2026-12-05T09:10:00.401Z";
        String dev = "lse01-plot-b-1";
        for (boolean tenant : new boolean[] {true, false}) {
            DecodedPack pack = decoder.decode(Uplinks.ttsTopic(dev, tenant),
                    bytes(Uplinks.tts(dev, tenant ? 42 : 43, t.replace("10:00", tenant ? "10:00" : "30:00"),
                            Uplinks.lse01("31.07", "-1.50", 2010))));
            String at = tenant ? t : t.replace("10:00", "30:00");
            // uplink_message.received_at (the Network Server's), not the later top-level received_at
            assertEquals(List.of(
                    r(dev, "battery", "V", at, 3.305, null),
                    r(dev, "probe_temp", "Cel", at, 8.6, null),
                    r(dev, "vwc", "m3/m3", at, 0.01 * 31.07, "lse01-vwc-percent"),
                    r(dev, "soil_temp", "Cel", at, -1.5, null),
                    r(dev, "ec", "mS/cm", at, 0.001 * 2010, "lse01-ec-ms-per-cm"),
                    r(dev, "rssi", "dBm", at, -51, null),
                    r(dev, "snr", "dB", at, 9.5, null)), pack.readings(), "tenant " + tenant);
            assertEquals(List.of(), pack.rejections());
        }
        assertEquals(List.of(), gaps, "the frame counter went up by one: no gap");
    }

    @Test
    void anUplinkWithoutADecodedObjectIsADeadLetterThatSaysSo() {
        DecodedPack cs = chirpstack(18, T1, null);
        assertEquals(List.of(), cs.readings());
        assertEquals(List.of("object: absent: the uplink was not decoded (no payload codec on the network server, or "
                + "it failed); fCnt 18"), reasons(cs));
        assertEquals(Uplinks.chirpstackTopic(EUI_A), cs.rejections().get(0).topic());
        DecodedPack tts = decoder.decode(Uplinks.ttsTopic("lse01-plot-b-1", true),
                bytes(Uplinks.tts("lse01-plot-b-1", 5, "2026-12-05T09:10:00.401Z", null)));
        assertEquals(List.of("uplink_message.decoded_payload: absent: the uplink was not decoded (no payload codec on "
                + "the network server, or it failed); fCnt 5"), reasons(tts));
    }

    @Test
    void unmappedFieldsDevicesAndApplicationsAreDeadLettersWhatIsMappedStillLands() {
        DecodedPack pack = chirpstack(19, T1, "{\"water_SOIL\": \"20.00\", \"Mod\": 0, \"i_flag\": {\"a\": true}}");
        assertEquals(List.of("vwc", "rssi", "snr"), pack.readings().stream().map(Reading::channel).toList());
        assertEquals(List.of("decoded fields not in the site file's map for device lse01-plot-a-1 (line "
                + SITE.lorawan().profiles().get("LSE01").line() + " of " + SITE.file() + "): Mod=0, i_flag.a=true; fCnt 19"),
                reasons(pack));

        DecodedPack device = decoder.decode(Uplinks.chirpstackTopic("0000000000000001"), bytes(
                Uplinks.chirpstack("stranger", "0000000000000001", 3, T1, "{\"x\": 1}").replace("\"LSE01\"", "\"LHT65\"")));
        assertEquals(List.of("device 'stranger' (profile 'LHT65') is mapped neither under lorawan.devices nor "
                + "lorawan.profiles of site file " + SITE.file()), reasons(device));

        DecodedPack app = decoder.decode("application/11111111-2222-3333-4444-555555555555/device/" + EUI_A + "/event/up",
                bytes(Uplinks.chirpstack("lse01-plot-a-1", EUI_A, 3, T1, "{}")
                        .replace(Uplinks.CHIRPSTACK_APP, "11111111-2222-3333-4444-555555555555")));
        assertEquals(List.of("application '11111111-2222-3333-4444-555555555555' (chirpstack) is in no site file's "
                + "lorawan.applications"), reasons(app));

        DecodedPack text = chirpstack(20, T1, "{\"water_SOIL\": \"wet\"}");
        assertEquals(List.of("decoded field 'water_SOIL': \"wet\" is not a number (device lse01-plot-a-1, fCnt 20)"),
                reasons(text));
    }

    @Test
    void badJsonAndBadFieldsNameTheFieldAndTheValue() {
        String topic = Uplinks.chirpstackTopic(EUI_A);
        assertEquals(List.of("ChirpStack uplink event: not JSON: Unexpected end-of-input within/between Object "
                + "entries at line 1, column 20"),
                reasons(decoder.decode(topic, bytes("{\"deviceInfo\": {}, "))));
        String good = Uplinks.chirpstack("lse01-plot-a-1", EUI_A, 21, T1, Uplinks.lse01("1", "2", 3));
        assertEquals(List.of("fCnt: \"21\" is not a frame counter (an integer 0 to 4294967295)"),
                reasons(decoder.decode(topic, bytes(good.replace("\"fCnt\": 21", "\"fCnt\": \"21\"")))));
        assertEquals(List.of("time: \"yesterday\" is not an RFC 3339 time such as 2026-12-05T10:00:00.123Z"),
                reasons(decoder.decode(topic, bytes(good.replace("\"time\": \"" + T1 + "\"", "\"time\": \"yesterday\"")))));
        assertEquals(List.of("rxInfo[1].rssi: \"-97\" is not a number"),
                reasons(decoder.decode(topic, bytes(good.replace("\"rssi\": -97", "\"rssi\": \"-97\"")))));
        assertEquals(List.of("deviceInfo: absent is not the object ChirpStack v4 sends"),
                reasons(decoder.decode(topic, bytes("{\"time\": \"" + T1 + "\"}"))));
        assertEquals(List.of("The Things Stack uplink message: not a JSON object (ARRAY)"),
                reasons(decoder.decode(Uplinks.ttsTopic("x", false), bytes("[]"))));
        assertEquals(List.of("uplink_message: absent is not an object: not an uplink (a join-accept or downlink event "
                + "on the up topic?)"), reasons(decoder.decode(Uplinks.ttsTopic("x", false), bytes("{\"end_device_ids\": {}}"))));
    }

    @Test
    void theReceiveTimeFallsBackToTheGatewaysNetworkServerTime() {
        String noTime = Uplinks.chirpstack("lse01-plot-a-1", EUI_A, 22, T2, "{\"Bat\": 3.1}")
                .replace("\"time\": \"" + T2 + "\",", "");
        DecodedPack pack = decoder.decode(Uplinks.chirpstackTopic(EUI_A), bytes(noTime));
        assertEquals(ns(T2), pack.readings().get(0).timeNs());
        String none = noTime.replace("\"nsTime\": \"" + T2 + "\",", "");
        assertEquals(List.of("time: absent, and no rxInfo[].nsTime: the uplink has no network receive time"),
                reasons(decoder.decode(Uplinks.chirpstackTopic(EUI_A), bytes(none.replace("\"fCnt\": 22", "\"fCnt\": 23")))));
    }

    @Test
    void aDuplicateIsDroppedARedeliveryPassesForTheSpoolAndResetsAndLostUplinksAreGaps() {
        String object = Uplinks.lse01("25.52", "9.12", 124);
        assertEquals(7, chirpstack(100, T1, object).readings().size());
        // the same event redelivered by MQTT: same time, the spool's reading keys collapse it
        assertEquals(7, chirpstack(100, T1, object).readings().size());
        // the same frame counter at another time: a second copy of the uplink
        DecodedPack duplicate = chirpstack(100, "2026-12-05T09:00:02Z", object);
        assertEquals(List.of(), duplicate.readings());
        assertEquals(List.of(), duplicate.rejections());
        assertEquals(1, decoder.duplicates());
        assertEquals(List.of(), gaps);
        // the node rejoined: ChirpStack leaves fCnt 0 out of the JSON
        assertEquals(7, chirpstack(null, T2, object).readings().size());
        assertEquals(List.of("lorawan-soil-example lse01-plot-a-1 " + ns(T1) + ".." + ns(T2)
                + " missing 0: LoRaWAN frame counter reset from 100 to 0 (node rejoined or restarted)"), gaps);
        String t3 = "2026-12-05T10:20:00Z";
        assertEquals(7, chirpstack(4, t3, object).readings().size());
        assertEquals("lorawan-soil-example lse01-plot-a-1 " + ns(T2) + ".." + ns(t3)
                + " missing 3: LoRaWAN uplinks lost: frame counter 0 then 4", gaps.get(1));
        assertEquals(2, gaps.size());
        assertTrue(LorawanDecoder.matches(Uplinks.ttsTopic("a", true)));
        assertTrue(!LorawanDecoder.matches("fieldgate/site/node/senml"));
    }
}
