package org.fieldgate.lorawan;

import java.nio.charset.StandardCharsets;

/**
 * Uplink events written from the networks' published formats, for the example site
 * {@code firmware-config/sites/lorawan-soil-example.yaml}.
 * <ul>
 * <li>ChirpStack v4: the JSON form of {@code integration.UplinkEvent} (chirpstack/api,
 * proto/chirpstack/integration/integration.proto) as the MQTT integration publishes it on
 * {@code application/APPLICATION_ID/device/DEV_EUI/event/up} (chirpstack.io/docs/chirpstack/integrations/mqtt.html).</li>
 * <li>The Things Stack v3: the uplink message of "Data Formats" (thethingsindustries.com/docs/integrations/data-formats/)
 * on {@code v3/{application id}@{tenant id}/devices/{device id}/up}.</li>
 * </ul>
 * The decoded objects are what the Dragino LSE01 codec of TheThingsNetwork/lorawan-devices (vendor/dragino/lse01.js)
 * returns: numbers formatted with toFixed arrive as strings.
 */
public final class Uplinks {
    public static final String CHIRPSTACK_APP = "6f0e6e2a-3c1b-4f7e-9a51-2d8f0c3b7a10";
    public static final String TTS_APP = "soil-network";
    public static final String SITE = "lorawan-soil-example";

    private Uplinks() {
    }

    public static String chirpstackTopic(String devEui) {
        return "application/" + CHIRPSTACK_APP + "/device/" + devEui + "/event/up";
    }

    public static String ttsTopic(String deviceId, boolean withTenant) {
        return "v3/" + TTS_APP + (withTenant ? "@ttn" : "") + "/devices/" + deviceId + "/up";
    }

    /** A ChirpStack v4 up event; {@code fCnt} null leaves the field out (proto3 JSON omits 0), {@code object} null too. */
    public static String chirpstack(String deviceName, String devEui, Integer fCnt, String time, String object) {
        return """
                {
                  "deduplicationId": "3ac7e3c4-4401-4b8d-9386-a5c902f9202d",
                  "time": "%s",
                  "deviceInfo": {
                    "tenantId": "52f14cd4-c6f1-4fbd-8f87-4025e1d49242",
                    "tenantName": "ChirpStack",
                    "applicationId": "%s",
                    "applicationName": "soil",
                    "deviceProfileId": "f4b2b1a8-0d7c-4c1e-b1f0-2a4b7c0e9d31",
                    "deviceProfileName": "LSE01",
                    "deviceName": "%s",
                    "devEui": "%s",
                    "deviceClassEnabled": "CLASS_A",
                    "tags": {}
                  },
                  "devAddr": "01fc2a7e",
                  "adr": true,
                  "dr": 5,
                  %s
                  "fPort": 2,
                  "confirmed": false,
                  "data": "DOQAVgn4CQQAfBA=",
                  %s
                  "rxInfo": [
                    {"gatewayId": "0016c001f1500812", "uplinkId": 1172351923, "nsTime": "%s", "rssi": -112, "snr": -3.5,
                     "channel": 2, "location": {}, "context": "EFwMtA==", "crcStatus": "CRC_OK",
                     "metadata": {"region_config_id": "eu868", "region_common_name": "EU868"}},
                    {"gatewayId": "0016c001f153a14c", "uplinkId": 4217106255, "nsTime": "%s", "rssi": -97, "snr": 7.2,
                     "channel": 2, "location": {"latitude": 52.365, "longitude": 4.88}, "context": "EFwMtB==",
                     "crcStatus": "CRC_OK", "metadata": {"region_config_id": "eu868", "region_common_name": "EU868"}}
                  ],
                  "txInfo": {"frequency": 868300000,
                    "modulation": {"lora": {"bandwidth": 125000, "spreadingFactor": 7, "codeRate": "CR_4_5"}}}
                }
                """.formatted(time, CHIRPSTACK_APP, deviceName, devEui, fCnt == null ? "" : "\"fCnt\": " + fCnt + ",",
                object == null ? "" : "\"object\": " + object + ",", time, time);
    }

    /** The LSE01 codec's output. */
    public static String lse01(String waterPercent, String tempSoil, int conductUsPerCm) {
        return "{\"Bat\": 3.305, \"TempC_DS18B20\": \"8.6\", \"water_SOIL\": \"" + waterPercent + "\", \"temp_SOIL\": \""
                + tempSoil + "\", \"conduct_SOIL\": " + conductUsPerCm + "}";
    }

    /** A The Things Stack v3 uplink message; {@code fCnt} null leaves f_cnt out ("empty fields are omitted"). */
    public static String tts(String deviceId, Integer fCnt, String receivedAt, String decoded) {
        return """
                {
                  "end_device_ids": {
                    "device_id": "%s",
                    "application_ids": {"application_id": "%s"},
                    "dev_eui": "A84041000181C5E2",
                    "join_eui": "A840410000000101",
                    "dev_addr": "260B1234"
                  },
                  "correlation_ids": ["as:up:01HKZ3V7Q8X9Y0Z1A2B3C4D5E6", "gs:uplink:01HKZ3V7P0A1B2C3D4E5F6G7H8"],
                  "received_at": "%s",
                  "uplink_message": {
                    "session_key_id": "AYxk2c3d4e5f6g7h8i9j0A==",
                    "f_port": 2,
                    %s
                    "frm_payload": "DOQAVgn4CQQAfBA=",
                    %s
                    "rx_metadata": [
                      {"gateway_ids": {"gateway_id": "plot-gw-1", "eui": "B827EBFFFE8B1234"}, "time": "%s",
                       "timestamp": 2040934975, "rssi": -51, "channel_rssi": -51, "snr": 9.5,
                       "location": {"latitude": 52.3651, "longitude": 4.8802, "source": "SOURCE_REGISTRY"},
                       "uplink_token": "ChIKEAoOcGxvdC1ndy0xEgjYJ+v/", "received_at": "%s"},
                      {"gateway_ids": {"gateway_id": "plot-gw-2"}, "rssi": -118, "snr": -9.25, "received_at": "%s"}
                    ],
                    "settings": {
                      "data_rate": {"lora": {"bandwidth": 125000, "spreading_factor": 7, "coding_rate": "4/5"}},
                      "frequency": "868100000", "timestamp": 2040934975, "time": "%s"
                    },
                    "received_at": "%s",
                    "consumed_airtime": "0.056576s",
                    "version_ids": {"brand_id": "dragino", "model_id": "lse01", "hardware_version": "_unknown_hw_version_",
                      "firmware_version": "1.1.4", "band_id": "EU_863_870"},
                    "network_ids": {"net_id": "000013", "tenant_id": "ttn", "cluster_id": "eu1",
                      "cluster_address": "eu1.cloud.thethings.network"}
                  }
                }
                """.formatted(deviceId, TTS_APP, receivedAt.replace(".401Z", ".456Z"),
                fCnt == null ? "" : "\"f_cnt\": " + fCnt + ",", decoded == null ? "" : "\"decoded_payload\": " + decoded + ",",
                receivedAt, receivedAt, receivedAt, receivedAt, receivedAt);
    }

    public static byte[] bytes(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }
}
