package org.fieldgate.transport;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import org.fieldgate.reading.QcFlags;
import org.fieldgate.reading.Reading;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Turns a message on {@code fieldgate/<site>/<device>/senml} into readings. The payload is a SenML pack
 * (RFC 8428 JSON): base fields {@code bn}, {@code bt}, {@code bu}, {@code bv} apply to their record and all
 * later ones (section 4.1); the resolved name is {@code bn + n}, less a leading {@code "<device>/"} or
 * {@code "<device>:"}; the resolved time is {@code bt + t} in seconds and must be absolute.
 * Times are read as decimals, not doubles, so a base time like 1763856000.123456789 keeps its nanoseconds.
 */
public final class SenmlDecoder {
    public static final String TOPIC_FILTER = "fieldgate/+/+/senml";
    private static final Pattern TOPIC = Pattern.compile("fieldgate/([^/+#]+)/([^/+#]+)/senml");
    /** RFC 8428 section 4.5.1: name characters, starting with a letter or digit. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9\\-:./_]{0,127}");
    /** RFC 8428 section 4.5.3: resolved times below 2^28 are relative to "now", which we refuse. */
    private static final Pattern CALIBRATION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9\\-:._]{0,63}");
    private static final BigDecimal RELATIVE_TIME_LIMIT_S = BigDecimal.valueOf(1L << 28);
    private static final BigDecimal NS_PER_S = BigDecimal.valueOf(1_000_000_000L);
    private static final int RAW_KEPT_BYTES = 1024;

    private final ObjectMapper json = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();
    private final int maxMessageBytes;
    private final int maxRecords;
    private final long notBeforeNs;
    private final long maxFutureSkewNs;

    public SenmlDecoder(int maxMessageBytes, int maxRecords, long notBeforeEpochS, long maxFutureSkewNs) {
        this.maxMessageBytes = maxMessageBytes;
        this.maxRecords = maxRecords;
        this.notBeforeNs = notBeforeEpochS * 1_000_000_000L;
        this.maxFutureSkewNs = maxFutureSkewNs;
        json.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(16).maxNumberLength(64).maxStringLength(4096).build());
    }

    /** @param nowNs the gateway's wall clock, used only for the "not in the future" check */
    public DecodedPack decode(String topic, byte[] payload, long nowNs) {
        var topicMatch = TOPIC.matcher(topic);
        if (!topicMatch.matches()) {
            return refused(topic, payload, "topic '" + topic + "' is not fieldgate/<site>/<device>/senml");
        }
        String site = topicMatch.group(1);
        String device = topicMatch.group(2);
        if (payload.length > maxMessageBytes) {
            return refused(topic, payload, "payload is " + payload.length + " bytes, more than the "
                    + maxMessageBytes + " allowed (fieldgate.ingest.max-message-bytes)");
        }
        JsonNode pack;
        try {
            pack = json.readTree(payload);
        } catch (Exception e) {
            return refused(topic, payload, "payload is not JSON: " + firstLine(e.getMessage()));
        }
        if (pack == null || pack.isMissingNode()) {
            return refused(topic, payload, "payload is empty: a SenML pack must be a JSON array of records");
        }
        if (!pack.isArray()) {
            return refused(topic, payload, "payload is a JSON " + pack.getNodeType().name().toLowerCase()
                    + ", a SenML pack must be a JSON array of records");
        }
        if (pack.isEmpty()) {
            return refused(topic, payload, "SenML pack is an empty array: no records");
        }
        if (pack.size() > maxRecords) {
            return refused(topic, payload, "SenML pack has " + pack.size() + " records, more than the "
                    + maxRecords + " allowed (fieldgate.ingest.max-records-per-pack)");
        }

        List<Reading> readings = new ArrayList<>(pack.size());
        List<Rejection> rejections = new ArrayList<>(0);
        Base base = new Base();
        // Scale 9 turns ns into seconds without a division: this runs once per pack, not per record.
        Window window = new Window(BigDecimal.valueOf(notBeforeNs, 9), BigDecimal.valueOf(nowNs + maxFutureSkewNs, 9));
        int index = 0;
        for (JsonNode record : pack) {
            try {
                readings.add(record(record, base, site, device, window));
            } catch (BadRecord bad) {
                byte[] raw = record.toString().getBytes(StandardCharsets.UTF_8);
                rejections.add(rejection(topic, "record " + index + ": " + bad.getMessage(), raw));
            }
            index++;
        }
        return new DecodedPack(readings, rejections);
    }

    private Reading record(JsonNode record, Base base, String site, String device, Window window) throws BadRecord {
        if (!record.isObject()) {
            throw new BadRecord("is " + record.getNodeType().name().toLowerCase() + " '" + abbreviate(record.toString())
                    + "', a SenML record must be a JSON object");
        }
        // Base fields first: they apply to this record too (RFC 8428 section 4.1).
        if (record.has("bn")) {
            base.name = text(record, "bn");
        }
        if (record.has("bt")) {
            base.timeS = number(record, "bt");
        }
        if (record.has("bu")) {
            base.unit = text(record, "bu");
        }
        if (record.has("bv")) {
            base.value = number(record, "bv");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = record.fields(); it.hasNext(); ) {
            String field = it.next().getKey();
            if (field.endsWith("_")) {
                throw new BadRecord("field '" + field + "' must be understood (RFC 8428 section 4.4) and fieldgate does not know it");
            }
        }
        for (String unsupported : new String[]{"vs", "vb", "vd", "s"}) {
            if (record.has(unsupported) && !record.has("v")) {
                throw new BadRecord("has '" + unsupported + "' but no 'v': fieldgate stores numeric values only");
            }
        }

        // RFC 8428 lets bn alone name a record; the fieldgate contract wants n on every record, so that a
        // record that lost its n is refused rather than stored under the device's base name.
        if (!record.has("n")) {
            throw new BadRecord("missing field 'n': a reading needs a channel name");
        }
        String channel = channelOf(base.name + text(record, "n"), device);
        if (!NAME.matcher(channel).matches()) {
            throw new BadRecord("n = '" + abbreviate(channel) + "' is not a SenML name (letters, digits and - : . / _, "
                    + "starting with a letter or digit, at most 128 characters)");
        }

        String unit = record.has("u") ? text(record, "u") : base.unit;
        if (unit == null) {
            throw new BadRecord("missing field 'u' (and no 'bu'): channel '" + channel + "' needs a unit");
        }
        if (!SenmlUnits.KNOWN.contains(unit)) {
            throw new BadRecord("u = '" + abbreviate(unit) + "' is not a known SenML unit");
        }

        if (!record.has("v")) {
            throw new BadRecord("missing field 'v': channel '" + channel + "' has no numeric value");
        }
        BigDecimal v = number(record, "v");
        double value = (base.value == null ? v : v.add(base.value)).doubleValue();
        if (!Double.isFinite(value)) {
            throw new BadRecord("v = '" + abbreviate(record.get("v").toString()) + "' is not a finite number");
        }

        BigDecimal t = record.has("t") ? number(record, "t") : BigDecimal.ZERO;
        BigDecimal timeS = base.timeS == null ? t : base.timeS.add(t);
        if (timeS.compareTo(RELATIVE_TIME_LIMIT_S) < 0) {
            throw new BadRecord("time bt+t = " + timeS.toPlainString() + " s is relative to 'now' (no absolute 'bt'); "
                    + "fieldgate needs the acquisition time in seconds since 1970");
        }
        BigDecimal notBeforeS = window.notBeforeS;
        if (timeS.compareTo(notBeforeS) < 0 || timeS.compareTo(window.latestS) > 0) {
            throw new BadRecord("time bt+t = " + abbreviate(timeS.toPlainString()) + " s (" + describe(timeS)
                    + ") is outside the accepted window from " + describe(notBeforeS) + " to now + "
                    + (maxFutureSkewNs / 1_000_000_000L) + " s");
        }
        long timeNs = timeS.multiply(NS_PER_S).setScale(0, RoundingMode.HALF_EVEN).longValueExact();

        int qc = 0;
        if (record.has("qc")) {
            JsonNode q = record.get("qc");
            if (!q.canConvertToInt() || !q.isIntegralNumber() || q.intValue() < 0
                    || (q.intValue() & ~QcFlags.WIRE_MASK) != 0) {
                throw new BadRecord("qc = '" + abbreviate(q.toString()) + "' is not an integer from 0 to "
                        + QcFlags.WIRE_MASK + " (source bits 0-7, time bits 8-10)");
            }
            qc = q.intValue();
        }
        String calibration = null;
        if (record.has("cal")) {
            calibration = text(record, "cal");
            if (!CALIBRATION.matcher(calibration).matches()) {
                throw new BadRecord("cal = '" + abbreviate(calibration) + "' is not a calibration id (letters, digits "
                        + "and - : . _, starting with a letter or digit, at most 64 characters)");
            }
        }
        return new Reading(site, device, channel, unit, timeNs, value, qc, calibration);
    }

    private static String channelOf(String resolvedName, String device) {
        if (resolvedName.length() > device.length() + 1 && resolvedName.startsWith(device)) {
            char separator = resolvedName.charAt(device.length());
            if (separator == '/' || separator == ':') {
                return resolvedName.substring(device.length() + 1);
            }
        }
        return resolvedName;
    }

    private static String text(JsonNode record, String field) throws BadRecord {
        JsonNode node = record.get(field);
        if (!node.isTextual()) {
            throw new BadRecord(field + " = '" + abbreviate(node.toString()) + "' is not a string");
        }
        return node.textValue();
    }

    private static BigDecimal number(JsonNode record, String field) throws BadRecord {
        JsonNode node = record.get(field);
        if (!node.isNumber()) {
            throw new BadRecord(field + " = '" + abbreviate(node.toString()) + "' is not a number");
        }
        BigDecimal value = node.decimalValue();
        // Bound the exponent before any arithmetic: adding 1e999999999 to a base value would build a
        // billion-digit number. Anything past +-1e400 is no measurement anyway.
        if (value.signum() != 0 && (value.precision() - value.scale() > 400 || value.scale() > 400)) {
            throw new BadRecord(field + " = '" + abbreviate(node.toString()) + "' is not a finite number");
        }
        return value;
    }

    /** The whole message refused for {@code reason}: one dead letter, no readings. */
    public DecodedPack refused(String topic, byte[] payload, String reason) {
        return new DecodedPack(List.of(), List.of(rejection(topic, reason, payload)));
    }

    private static Rejection rejection(String topic, String reason, byte[] raw) {
        byte[] kept = raw.length <= RAW_KEPT_BYTES ? raw : java.util.Arrays.copyOf(raw, RAW_KEPT_BYTES);
        return new Rejection(topic, reason, kept, raw.length);
    }

    private static String describe(BigDecimal epochS) {
        if (epochS.abs().compareTo(BigDecimal.valueOf(31_556_889_864_403_199L)) > 0) {
            return "beyond any calendar";
        }
        return java.time.Instant.ofEpochSecond(epochS.setScale(0, RoundingMode.FLOOR).longValue()).toString();
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int nl = message.indexOf('\n');
        return abbreviate(nl < 0 ? message : message.substring(0, nl)).replaceAll("\\p{Cntrl}", "?");
    }

    /** Accepted acquisition times for one pack, in seconds since the epoch. */
    private record Window(BigDecimal notBeforeS, BigDecimal latestS) {
    }

    /** Base fields in force while walking a pack. */
    private static final class Base {
        String name = "";
        BigDecimal timeS;
        String unit;
        BigDecimal value;
    }

    private static final class BadRecord extends Exception {
        BadRecord(String message) {
            super(message, null, false, false);
        }
    }
}
