package org.fieldgate.lorawan;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the two network servers' uplink events into an {@link Uplink}.
 *
 * <p>ChirpStack v4: MQTT integration, topic {@code application/APPLICATION_ID/device/DEV_EUI/event/up}
 * (chirpstack.io/docs/chirpstack/integrations/mqtt.html), payload the JSON form of {@code integration.UplinkEvent}
 * (chirpstack/api proto/chirpstack/integration/integration.proto): {@code deduplicationId}, {@code time},
 * {@code deviceInfo} {tenantId, applicationId, deviceProfileName, deviceName, devEui, ...}, {@code devAddr},
 * {@code fCnt}, {@code fPort}, {@code data} (base64), {@code object} (the codec's output, absent without a codec or
 * when it failed), {@code rxInfo[]} {gatewayId, rssi, snr, nsTime, ...}, {@code txInfo}. Proto3 JSON leaves out
 * zero values, so an absent {@code fCnt} is 0.
 *
 * <p>The Things Stack v3: MQTT server, topic {@code v3/{application id}[@{tenant id}]/devices/{device id}/up}
 * (thethingsindustries.com/docs/integrations/other-integrations/mqtt/; the tenant part is absent on the open-source
 * deployment), payload as in "Data Formats" (thethingsindustries.com/docs/integrations/data-formats/):
 * {@code end_device_ids} {device_id, application_ids.application_id, dev_eui, ...}, {@code received_at},
 * {@code uplink_message} {f_cnt, f_port, frm_payload, decoded_payload, rx_metadata[] {gateway_ids.gateway_id, rssi,
 * snr, received_at}, settings, received_at, version_ids}. "Empty fields are omitted": an absent {@code f_cnt} is 0.
 */
final class UplinkFormats {
    static final String CHIRPSTACK_FILTER = "application/+/device/+/event/up";
    static final String TTS_FILTER = "v3/+/devices/+/up";
    private static final Pattern CHIRPSTACK = Pattern.compile("application/([^/]+)/device/([^/]+)/event/up");
    private static final Pattern TTS = Pattern.compile("v3/([^/@]+)(?:@([^/]+))?/devices/([^/]+)/up");

    private final ObjectMapper json = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    /** The uplink's problem, worded for a dead letter: names the field and its value. */
    static final class BadUplink extends Exception {
        BadUplink(String reason) {
            super(reason, null, false, false);
        }
    }

    static boolean matches(String topic) {
        return CHIRPSTACK.matcher(topic).matches() || TTS.matcher(topic).matches();
    }

    Uplink read(String topic, byte[] payload) throws BadUplink {
        Matcher cs = CHIRPSTACK.matcher(topic);
        if (cs.matches()) {
            return chirpstack(cs.group(1), cs.group(2), tree(payload, "ChirpStack uplink event"));
        }
        Matcher tts = TTS.matcher(topic);
        if (tts.matches()) {
            return theThingsStack(tts.group(1), tts.group(3), tree(payload, "The Things Stack uplink message"));
        }
        throw new BadUplink("topic '" + topic + "' is neither " + CHIRPSTACK_FILTER + " nor " + TTS_FILTER);
    }

    private JsonNode tree(byte[] payload, String what) throws BadUplink {
        try {
            JsonNode root = json.readTree(payload);
            if (root == null || !root.isObject()) {
                throw new BadUplink(what + ": not a JSON object (" + (root == null ? "empty" : root.getNodeType()) + ")");
            }
            return root;
        } catch (JsonProcessingException e) {
            throw new BadUplink(what + ": not JSON: " + e.getOriginalMessage() + " at line "
                    + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr());
        } catch (IOException e) {
            throw new BadUplink(what + ": unreadable: " + e.getMessage());
        }
    }

    private static Uplink chirpstack(String topicApplication, String topicDevEui, JsonNode root) throws BadUplink {
        JsonNode info = root.path("deviceInfo");
        if (!info.isObject()) {
            throw new BadUplink("deviceInfo: " + shown(root.get("deviceInfo")) + " is not the object ChirpStack v4 sends");
        }
        String application = text(info, "applicationId", "deviceInfo.applicationId", topicApplication);
        String devEui = text(info, "devEui", "deviceInfo.devEui", topicDevEui);
        String name = text(info, "deviceName", "deviceInfo.deviceName", devEui);
        String profile = text(info, "deviceProfileName", "deviceInfo.deviceProfileName", null);
        long fCnt = counter(root, "fCnt", "fCnt");
        List<Uplink.Gateway> gateways = new ArrayList<>();
        String nsTime = null;
        JsonNode rx = root.path("rxInfo");
        for (int i = 0; i < rx.size(); i++) {
            JsonNode g = rx.get(i);
            gateways.add(new Uplink.Gateway(text(g, "gatewayId", "rxInfo[" + i + "].gatewayId", null),
                    number(g, "rssi", "rxInfo[" + i + "].rssi"), number(g, "snr", "rxInfo[" + i + "].snr")));
            if (nsTime == null && g.hasNonNull("nsTime")) {
                nsTime = "rxInfo[" + i + "].nsTime";
            }
        }
        // time: the network server's receive time of the uplink; rxInfo's nsTime when an older server leaves it out
        long receivedNs;
        String source;
        if (root.hasNonNull("time")) {
            source = "time";
            receivedNs = instant(root.get("time"), source);
        } else if (nsTime != null) {
            source = nsTime;
            receivedNs = instant(rx.get(Integer.parseInt(nsTime.substring(7, nsTime.indexOf(']')))).get("nsTime"), source);
        } else {
            throw new BadUplink("time: absent, and no rxInfo[].nsTime: the uplink has no network receive time");
        }
        JsonNode object = root.get("object");
        return new Uplink("chirpstack", application, names(name, devEui), name, profile, fCnt, receivedNs, source,
                object == null || object.isNull() ? null : object, best(gateways));
    }

    private static Uplink theThingsStack(String topicApplication, String topicDevice, JsonNode root) throws BadUplink {
        JsonNode ids = root.path("end_device_ids");
        String device = text(ids, "device_id", "end_device_ids.device_id", topicDevice);
        String devEui = text(ids, "dev_eui", "end_device_ids.dev_eui", null);
        String application = text(ids.path("application_ids"), "application_id",
                "end_device_ids.application_ids.application_id", topicApplication);
        JsonNode up = root.path("uplink_message");
        if (!up.isObject()) {
            throw new BadUplink("uplink_message: " + shown(root.get("uplink_message"))
                    + " is not an object: not an uplink (a join-accept or downlink event on the up topic?)");
        }
        String profile = text(up.path("version_ids"), "model_id", "uplink_message.version_ids.model_id", null);
        long fCnt = counter(up, "f_cnt", "uplink_message.f_cnt");
        List<Uplink.Gateway> gateways = new ArrayList<>();
        JsonNode rx = up.path("rx_metadata");
        for (int i = 0; i < rx.size(); i++) {
            JsonNode g = rx.get(i);
            String at = "uplink_message.rx_metadata[" + i + "]";
            gateways.add(new Uplink.Gateway(text(g.path("gateway_ids"), "gateway_id", at + ".gateway_ids.gateway_id", null),
                    number(g, "rssi", at + ".rssi"), number(g, "snr", at + ".snr")));
        }
        // uplink_message.received_at is the Network Server's receive time; the top-level one the Application
        // Server's, a little later
        long receivedNs;
        String source;
        if (up.hasNonNull("received_at")) {
            source = "uplink_message.received_at";
            receivedNs = instant(up.get("received_at"), source);
        } else if (root.hasNonNull("received_at")) {
            source = "received_at";
            receivedNs = instant(root.get("received_at"), source);
        } else {
            throw new BadUplink("uplink_message.received_at: absent, and no received_at: the uplink has no network "
                    + "receive time");
        }
        JsonNode decoded = up.get("decoded_payload");
        return new Uplink("tts", application, names(device, devEui), device, profile, fCnt, receivedNs, source,
                decoded == null || decoded.isNull() ? null : decoded, best(gateways));
    }

    private static List<String> names(String name, String devEui) {
        List<String> out = new ArrayList<>();
        out.add(name);
        if (devEui != null) {
            out.add(devEui.toLowerCase());
            out.add(devEui.toUpperCase());
        }
        return out;
    }

    private static Uplink.Gateway best(List<Uplink.Gateway> gateways) {
        Uplink.Gateway best = null;
        for (Uplink.Gateway g : gateways) {
            if (best == null || g.snrDb() != null && (best.snrDb() == null || g.snrDb() > best.snrDb())) {
                best = g;
            }
        }
        return best;
    }

    private static String text(JsonNode parent, String key, String field, String fallback) throws BadUplink {
        JsonNode n = parent.get(key);
        if (n == null || n.isNull()) {
            return fallback;
        }
        if (!n.isTextual() || n.asText().isEmpty()) {
            throw new BadUplink(field + ": " + shown(n) + " is not a non-empty string");
        }
        return n.asText();
    }

    private static long counter(JsonNode parent, String key, String field) throws BadUplink {
        JsonNode n = parent.get(key);
        if (n == null || n.isNull()) {
            return 0;
        }
        if (!n.isIntegralNumber() || n.asLong() < 0 || n.asLong() > 0xFFFF_FFFFL) {
            throw new BadUplink(field + ": " + shown(n) + " is not a frame counter (an integer 0 to 4294967295)");
        }
        return n.asLong();
    }

    private static Double number(JsonNode parent, String key, String field) throws BadUplink {
        JsonNode n = parent.get(key);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isNumber()) {
            throw new BadUplink(field + ": " + shown(n) + " is not a number");
        }
        return n.asDouble();
    }

    private static long instant(JsonNode n, String field) throws BadUplink {
        if (!n.isTextual()) {
            throw new BadUplink(field + ": " + shown(n) + " is not an RFC 3339 time string");
        }
        try {
            Instant t = Instant.parse(n.asText());
            return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
        } catch (DateTimeParseException | ArithmeticException e) {
            throw new BadUplink(field + ": " + shown(n) + " is not an RFC 3339 time such as 2026-12-05T10:00:00.123Z");
        }
    }

    static String shown(JsonNode n) {
        if (n == null) {
            return "absent";
        }
        String s = n.toString();
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
