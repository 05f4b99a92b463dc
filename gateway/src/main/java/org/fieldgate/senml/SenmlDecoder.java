package org.fieldgate.senml;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
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
 * Turns a message on {@code fieldgate/<site>/<device>/senml} into readings. The payload is a SenML pack, RFC 8428
 * JSON or, when its first byte opens a CBOR array (0x80-0x9f), RFC 8428 CBOR (section 6, integer labels): MQTT 3.1.1
 * carries no content type, and no JSON text can start with such a byte. Base fields {@code bn}, {@code bt},
 * {@code bu}, {@code bv}, {@code bs}, {@code bver} apply to their record and all later ones (section 4.1); the
 * resolved name is {@code bn + n}, less a leading {@code "<device>/"} or {@code "<device>:"} or a leading {@code /}
 * (LwM2M paths); the resolved time is {@code bt + t} in seconds and must be absolute. A record without a unit takes
 * the unit the site files declare for that channel of that device. A sum {@code s} (+ {@code bs}) is stored as its
 * own reading on channel {@code <channel>:sum}. Times are read as decimals, not doubles, so a base time like
 * 1763856000.123456789 keeps its nanoseconds.
 */
public final class SenmlDecoder {
    public static final String TOPIC_FILTER = "fieldgate/+/+/senml";
    /** RFC 8428 section 4.5.1: name characters, starting with a letter or digit. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9\\-:./_]{0,127}");
    /** RFC 8428 section 4.5.3: resolved times below 2^28 are relative to "now", which we refuse. */
    private static final Pattern CALIBRATION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9\\-:._]{0,63}");
    private static final BigDecimal RELATIVE_TIME_LIMIT_S = BigDecimal.valueOf(1L << 28);
    private static final BigDecimal NS_PER_S = BigDecimal.valueOf(1_000_000_000L);
    private static final int RAW_KEPT_BYTES = 1024;
    /** The SenML version of RFC 8428; a higher bver may give fields a meaning this decoder does not know. */
    private static final int SENML_VERSION = 10;
    public static final String SUM_SUFFIX = ":sum";
    /** RFC 8428 section 6, table 6: CBOR integer labels of the fields. */
    private static final Map<String, String> CBOR_LABELS = Map.ofEntries(Map.entry("-1", "bver"), Map.entry("-2", "bn"),
            Map.entry("-3", "bt"), Map.entry("-4", "bu"), Map.entry("-5", "bv"), Map.entry("-6", "bs"), Map.entry("0", "n"),
            Map.entry("1", "u"), Map.entry("2", "v"), Map.entry("3", "vs"), Map.entry("4", "vb"), Map.entry("5", "s"),
            Map.entry("6", "t"), Map.entry("7", "ut"), Map.entry("8", "vd"));

    private final ObjectMapper json = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();
    private final ObjectMapper cbor = CBORMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    private final SenmlStream stream;
    /** Sites and devices of the topics seen, so a device's next message costs no new Strings for them. */
    private final NameCache topics = new NameCache(8192);
    private final int maxMessageBytes;
    private final int maxRecords;
    private final long notBeforeNs;
    private final long maxFutureSkewNs;
    private final DeclaredUnits declaredUnits;

    public SenmlDecoder(int maxMessageBytes, int maxRecords, long notBeforeEpochS, long maxFutureSkewNs) {
        this(maxMessageBytes, maxRecords, notBeforeEpochS, maxFutureSkewNs, DeclaredUnits.NONE);
    }

    /** @param declaredUnits the channel units the site files declare, for records that carry no unit */
    public SenmlDecoder(int maxMessageBytes, int maxRecords, long notBeforeEpochS, long maxFutureSkewNs,
                        DeclaredUnits declaredUnits) {
        this.maxMessageBytes = maxMessageBytes;
        this.maxRecords = maxRecords;
        this.notBeforeNs = notBeforeEpochS * 1_000_000_000L;
        this.maxFutureSkewNs = maxFutureSkewNs;
        this.declaredUnits = declaredUnits;
        StreamReadConstraints limits = StreamReadConstraints.builder()
                .maxNestingDepth(16).maxNumberLength(64).maxStringLength(4096).build();
        json.getFactory().setStreamReadConstraints(limits);
        cbor.getFactory().setStreamReadConstraints(limits);
        this.stream = new SenmlStream(limits, maxRecords, declaredUnits);
    }

    /** @param nowNs the gateway's wall clock, used only for the "not in the future" check */
    public DecodedPack decode(String topic, byte[] payload, long nowNs) {
        return decode(topic, payload, nowNs, true);
    }

    /**
     * {@code streaming} false: the tree path alone, which refusals always take; the differential test and the ingest
     * benchmark compare the two.
     */
    DecodedPack decode(String topic, byte[] payload, long nowNs, boolean streaming) {
        SenmlTopic parsed;
        try {
            parsed = SenmlTopic.parse(topic, topics);
        } catch (IllegalArgumentException badTopic) {
            return refused(topic, payload, badTopic.getMessage());
        }
        String site = parsed.site();
        String device = parsed.device();
        if (payload.length > maxMessageBytes) {
            return refused(topic, payload, "payload is " + payload.length + " bytes, more than the "
                    + maxMessageBytes + " allowed (fieldgate.ingest.max-message-bytes)");
        }
        if (streaming) {
            List<Reading> plain = stream.readings(site, device, payload, notBeforeNs, nowNs + maxFutureSkewNs);
            if (plain != null) {
                return new DecodedPack(plain, List.of());
            }
        }
        // Scale 9 turns ns into seconds without a division: this runs once per pack, not per record.
        Window window = new Window(BigDecimal.valueOf(notBeforeNs, 9), BigDecimal.valueOf(nowNs + maxFutureSkewNs, 9));
        boolean isCbor = payload.length > 0 && (payload[0] & 0xe0) == 0x80;
        String format = isCbor ? "CBOR" : "JSON";
        JsonNode pack;
        try {
            pack = (isCbor ? cbor : json).readTree(payload);
        } catch (Exception e) {
            return refused(topic, payload, "payload is not " + format + ": " + firstLine(e.getMessage()));
        }
        if (pack == null || pack.isMissingNode()) {
            return refused(topic, payload, "payload is empty: a SenML pack must be a JSON array of records");
        }
        if (!pack.isArray()) {
            return refused(topic, payload, "payload is a " + format + " " + pack.getNodeType().name().toLowerCase()
                    + ", a SenML pack must be a " + format + " array of records");
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
        int index = 0;
        for (JsonNode record : pack) {
            try {
                record(isCbor ? namedFields(record) : record, base, site, device, window, readings);
            } catch (BadRecord bad) {
                byte[] raw = record.toString().getBytes(StandardCharsets.UTF_8);
                rejections.add(rejection(topic, "record " + index + ": " + bad.getMessage(), raw));
            }
            index++;
        }
        return new DecodedPack(readings, rejections);
    }

    /** A CBOR record with its integer labels replaced by the JSON field names (RFC 8428 section 6). */
    private static JsonNode namedFields(JsonNode record) throws BadRecord {
        if (!(record instanceof ObjectNode object)) {
            return record;
        }
        ObjectNode named = object.objectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String name = CBOR_LABELS.getOrDefault(field.getKey(), field.getKey());
            if (named.has(name)) {
                throw new BadRecord("field '" + name + "' is given twice (as its CBOR label and by name)");
            }
            named.set(name, field.getValue());
        }
        return named;
    }

    /** Adds the record's reading, and its sum's when it has one, to {@code out}. */
    private void record(JsonNode record, Base base, String site, String device, Window window, List<Reading> out)
            throws BadRecord {
        if (!record.isObject()) {
            throw new BadRecord("is " + record.getNodeType().name().toLowerCase() + " '" + abbreviate(record.toString())
                    + "', a SenML record must be a JSON object");
        }
        // Base fields first: they apply to this record too (RFC 8428 section 4.1).
        if (record.has("bver")) {
            JsonNode bver = record.get("bver");
            if (!bver.isIntegralNumber() || !bver.canConvertToInt() || bver.intValue() < 1) {
                throw new BadRecord("bver = '" + abbreviate(bver.toString()) + "' is not a SenML version number");
            }
            base.version = bver.intValue();
        }
        if (base.version > SENML_VERSION) {
            throw new BadRecord("bver = " + base.version + ": fieldgate reads SenML up to version " + SENML_VERSION
                    + " (RFC 8428); a later version may give fields meanings it does not know");
        }
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
        if (record.has("bs")) {
            base.sum = number(record, "bs");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = record.fields(); it.hasNext(); ) {
            String field = it.next().getKey();
            if (field.endsWith("_")) {
                throw new BadRecord("field '" + field + "' must be understood (RFC 8428 section 4.4) and fieldgate does not know it");
            }
        }
        boolean hasValue = record.has("v");
        boolean hasSum = record.has("s");
        for (String unsupported : new String[]{"vs", "vb", "vd"}) {
            if (record.has(unsupported) && !hasValue && !hasSum) {
                throw new BadRecord("has '" + unsupported + "' but no 'v': fieldgate stores numeric values only");
            }
        }

        // RFC 8428 lets bn alone name a record; a bn that ends in "<device>/" names no channel, so a record that
        // lost its n under the usual base name is still refused rather than stored under the device's name.
        if (!record.has("n") && base.name.isEmpty()) {
            throw new BadRecord("missing field 'n' (and no 'bn'): a reading needs a channel name");
        }
        String resolved = base.name + (record.has("n") ? text(record, "n") : "");
        String channel = SenmlStream.channelOf(resolved, device);
        if (channel.isEmpty()) {
            throw new BadRecord("name bn+n = '" + abbreviate(resolved) + "' names the device but no channel: "
                    + "missing field 'n'");
        }
        if (!NAME.matcher(channel).matches()) {
            throw new BadRecord("n = '" + abbreviate(channel) + "' is not a SenML name (letters, digits and - : . / _, "
                    + "starting with a letter or digit, at most 128 characters)");
        }

        String unit = record.has("u") ? text(record, "u") : base.unit;
        if (unit == null) {
            unit = declaredUnits.unitOf(site, device, channel);
        }
        if (unit == null) {
            throw new BadRecord("missing field 'u' (and no 'bu'): channel '" + channel + "' needs a unit; send 'u', "
                    + "or declare it in the site file of site '" + site + "' under remote-nodes: id " + device
                    + ", channels: " + channel + ": unit");
        }
        if (!SenmlUnits.KNOWN.contains(unit)) {
            throw new BadRecord("u = '" + abbreviate(unit) + "' is not a known SenML unit");
        }

        if (!hasValue && !hasSum) {
            throw new BadRecord("missing field 'v': channel '" + channel + "' has no numeric value (nor a sum 's')");
        }
        Double value = hasValue ? finite(record, "v", base.value) : null;
        Double sum = hasSum ? finite(record, "s", base.sum) : null;

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
        if (value != null) {
            out.add(new Reading(site, device, channel, unit, timeNs, value, qc, calibration));
        }
        if (sum != null) {
            out.add(new Reading(site, device, channel + SUM_SUFFIX, SenmlUnits.timesSeconds(unit), timeNs, sum, qc,
                    calibration));
        }
    }

    /** {@code field} plus its base ({@code bv} for v, {@code bs} for s), as a finite double. */
    private static double finite(JsonNode record, String field, BigDecimal base) throws BadRecord {
        BigDecimal n = number(record, field);
        double value = (base == null ? n : n.add(base)).doubleValue();
        if (!Double.isFinite(value)) {
            throw new BadRecord(field + " = '" + abbreviate(record.get(field).toString()) + "' is not a finite number");
        }
        return value;
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
        if ((node.isDouble() || node.isFloat()) && !Double.isFinite(node.doubleValue())) {
            // CBOR can carry NaN and infinities, which JSON cannot
            throw new BadRecord(field + " = '" + node.doubleValue() + "' is not a finite number");
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
        BigDecimal sum;
        int version = SENML_VERSION;
    }

    private static final class BadRecord extends Exception {
        BadRecord(String message) {
            super(message, null, false, false);
        }
    }
}
