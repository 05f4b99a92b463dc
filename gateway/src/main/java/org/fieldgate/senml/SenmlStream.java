package org.fieldgate.senml;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import org.fieldgate.reading.QcFlags;
import org.fieldgate.reading.Reading;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/**
 * The fast path of {@link SenmlDecoder}: one pass of Jackson's streaming parser over a JSON pack, no tree, for the
 * packs every field of which is good (nearly all of them). It accepts a pack only where the tree path of RFC 8428
 * rules in {@link SenmlDecoder} accepts it whole, with the same readings; at the first thing it does not take (CBOR,
 * a record that is refused, a field of an unexpected type, a syntax error, a limit reached) it answers null and the
 * tree path decodes the message, so every refusal keeps its exact reason and the record's raw JSON. Its checks may be
 * stricter than the tree's (a stricter one only sends a pack down the slow path), never looser.
 */
final class SenmlStream {
    private static final BigDecimal RELATIVE_TIME_LIMIT_S = BigDecimal.valueOf(1L << 28);
    private static final long RELATIVE_TIME_LIMIT_NS = (1L << 28) * 1_000_000_000L;
    private static final BigDecimal NS_PER_S = BigDecimal.valueOf(1_000_000_000L);
    private static final int SENML_VERSION = 10;

    private final JsonFactory json;
    private final int maxRecords;
    private final DeclaredUnits declaredUnits;
    /** Names and units as read, shared by the records of every pack (a node sends the same ones each time). */
    private final NameCache names = new NameCache(4096);

    SenmlStream(StreamReadConstraints limits, int maxRecords, DeclaredUnits declaredUnits) {
        // No STRICT_DUPLICATE_DETECTION here: it built a HashSet per record of three fields or more. record() finds a
        // field given twice itself and leaves the pack to the tree path, whose parser refuses it with Jackson's reason.
        this.json = JsonFactory.builder()
                .streamReadConstraints(limits)
                .build();
        this.maxRecords = maxRecords;
        this.declaredUnits = declaredUnits;
    }

    /** Thrown for anything the fast path leaves to the tree path; never escapes this class. */
    private static final class NotPlain extends Exception {
        static final NotPlain INSTANCE = new NotPlain();

        private NotPlain() {
            super(null, null, false, false);
        }
    }

    /**
     * The pack's readings, or null when the tree path must decide (a refusal, CBOR, anything unusual); times are
     * accepted from {@code notBeforeNs} to {@code latestNs}.
     */
    List<Reading> readings(String site, String device, byte[] payload, long notBeforeNs, long latestNs) {
        if (payload.length == 0 || (payload[0] & 0xe0) == 0x80) {
            return null;
        }
        try (JsonParser p = json.createParser(payload)) {
            if (p.nextToken() != JsonToken.START_ARRAY) {
                return null;
            }
            List<Reading> out = new ArrayList<>();
            Pack pack = new Pack(site, device, notBeforeNs, latestNs);
            int records = 0;
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.START_OBJECT) {
                if (++records > maxRecords) {
                    return null;
                }
                record(p, pack, out);
            }
            if (t != JsonToken.END_ARRAY || records == 0 || p.nextToken() != null) {
                return null;
            }
            return out;
        } catch (NotPlain | IOException | RuntimeException slowPath) {
            return null;
        }
    }

    /** Base fields in force, and what one pack's records share. */
    private static final class Pack {
        final String site;
        final String device;
        final long notBeforeNs;
        final long latestNs;
        String baseName = "";
        /** bn is {@code "<device>/"} or {@code "<device>:"}: a record's channel is then its n as it stands. */
        boolean baseNamesDevice;
        /** bt in ns when exact that way ({@link PlainDecimal}), else {@link PlainDecimal#NOT_PLAIN} and {@link #baseTimeS}. */
        boolean hasBaseTime;
        long baseTimeNs;
        BigDecimal baseTimeS;
        String baseUnit;
        BigDecimal baseValue;
        BigDecimal baseSum;
        int version = SENML_VERSION;

        Pack(String site, String device, long notBeforeNs, long latestNs) {
            this.site = site;
            this.device = device;
            this.notBeforeNs = notBeforeNs;
            this.latestNs = latestNs;
        }
    }

    /** Bits of the fields a record may give once ({@link #fieldBit}). */
    private static final int FIELD_BVER = 1, FIELD_BN = 1 << 1, FIELD_BT = 1 << 2, FIELD_BU = 1 << 3, FIELD_BV = 1 << 4,
            FIELD_BS = 1 << 5, FIELD_N = 1 << 6, FIELD_U = 1 << 7, FIELD_T = 1 << 8, FIELD_CAL = 1 << 9,
            FIELD_V = 1 << 10, FIELD_S = 1 << 11, FIELD_QC = 1 << 12, FIELD_VS = 1 << 13, FIELD_VB = 1 << 14,
            FIELD_VD = 1 << 15;

    private void record(JsonParser p, Pack pack, List<Reading> out) throws IOException, NotPlain {
        String n = null;
        String u = null;
        boolean hasTime = false;
        long tNs = 0;
        BigDecimal t = null;
        String cal = null;
        int qc = 0;
        boolean hasValue = false;
        boolean hasSum = false;
        boolean hasUnsupported = false;
        // v as a double when exact that way and no bv applies; else as read, for bv (which may come later) to add to
        double vPlain = Double.NaN;
        BigDecimal vDecimal = null;
        BigDecimal sDecimal = null;
        int seen = 0;
        List<String> otherFields = null;
        JsonToken field;
        while ((field = p.nextToken()) == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            int bit = fieldBit(name);
            if ((seen & bit) != 0) {
                throw NotPlain.INSTANCE; // given twice: the tree path refuses the pack
            }
            seen |= bit;
            switch (bit) { // the field's name was matched once, by fieldBit
                case FIELD_BVER -> {
                    if (value != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT
                            || p.getIntValue() < 1 || p.getIntValue() > SENML_VERSION) {
                        throw NotPlain.INSTANCE;
                    }
                    pack.version = p.getIntValue();
                }
                case FIELD_BN -> {
                    pack.baseName = text(p, value);
                    String bn = pack.baseName;
                    int length = pack.device.length();
                    pack.baseNamesDevice = bn.length() == length + 1 && bn.startsWith(pack.device)
                            && (bn.charAt(length) == '/' || bn.charAt(length) == ':');
                }
                case FIELD_BT -> {
                    pack.hasBaseTime = true;
                    pack.baseTimeNs = plainTimeNs(p, value);
                    pack.baseTimeS = pack.baseTimeNs == PlainDecimal.NOT_PLAIN ? decimal(p, value) : null;
                }
                case FIELD_BU -> pack.baseUnit = text(p, value);
                case FIELD_BV -> {
                    if (hasValue && vDecimal == null) {
                        throw NotPlain.INSTANCE; // v was read as a double before its base came: the tree path adds them
                    }
                    pack.baseValue = decimal(p, value);
                }
                case FIELD_BS -> pack.baseSum = decimal(p, value);
                case FIELD_N -> n = text(p, value);
                case FIELD_U -> u = text(p, value);
                case FIELD_T -> {
                    hasTime = true;
                    tNs = plainTimeNs(p, value);
                    t = tNs == PlainDecimal.NOT_PLAIN ? decimal(p, value) : null;
                }
                case FIELD_CAL -> cal = text(p, value);
                case FIELD_V -> {
                    hasValue = true;
                    if (value != JsonToken.VALUE_NUMBER_INT && value != JsonToken.VALUE_NUMBER_FLOAT) {
                        throw NotPlain.INSTANCE;
                    }
                    if (pack.baseValue == null) {
                        char[] text = p.getTextCharacters();
                        int offset = p.getTextOffset();
                        int length = p.getTextLength();
                        vPlain = PlainDecimal.value(text, offset, length);
                        if (Double.isNaN(vPlain)) {
                            // a float printed in full (17 digits): parsed, not made a BigDecimal and printed again
                            vPlain = PlainDecimal.valueBeyondExact(text, offset, length);
                        }
                    }
                    if (Double.isNaN(vPlain)) {
                        vDecimal = bounded(p.getDecimalValue());
                    }
                }
                case FIELD_S -> {
                    hasSum = true;
                    sDecimal = decimal(p, value);
                }
                case FIELD_QC -> {
                    if (value != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT
                            || p.getIntValue() < 0 || (p.getIntValue() & ~QcFlags.WIRE_MASK) != 0) {
                        throw NotPlain.INSTANCE;
                    }
                    qc = p.getIntValue();
                }
                case FIELD_VS, FIELD_VB, FIELD_VD -> {
                    hasUnsupported = true;
                    ignored(p, value);
                }
                default -> {
                    if (name.endsWith("_")) {
                        throw NotPlain.INSTANCE;
                    }
                    if (otherFields == null) {
                        otherFields = new ArrayList<>(2);
                    } else if (otherFields.contains(name)) {
                        throw NotPlain.INSTANCE;
                    }
                    otherFields.add(name);
                    ignored(p, value);
                }
            }
        }
        if (field != JsonToken.END_OBJECT || pack.version > SENML_VERSION) {
            throw NotPlain.INSTANCE;
        }
        if ((hasUnsupported && !hasValue && !hasSum) || (!hasValue && !hasSum)) {
            throw NotPlain.INSTANCE;
        }
        if (n == null && pack.baseName.isEmpty()) {
            throw NotPlain.INSTANCE;
        }
        String channel = n == null ? channelOf(pack.baseName, pack.device)
                : pack.baseNamesDevice && !n.isEmpty() ? n : channelOf(pack.baseName.concat(n), pack.device);
        if (!isName(channel, 128, true)) {
            throw NotPlain.INSTANCE;
        }
        String unit = u != null ? u : pack.baseUnit;
        if (unit == null) {
            unit = declaredUnits.unitOf(pack.site, pack.device, channel);
        }
        if (unit == null || !SenmlUnits.KNOWN.contains(unit)) {
            throw NotPlain.INSTANCE;
        }
        double value = !hasValue ? 0 : vDecimal == null ? vPlain
                : finite(pack.baseValue == null ? vDecimal : vDecimal.add(pack.baseValue));
        double sum = hasSum ? finite(pack.baseSum == null ? sDecimal : sDecimal.add(pack.baseSum)) : 0;
        long timeNs = timeNs(pack, hasTime, tNs, t);
        if (cal != null && !isName(cal, 64, false)) {
            throw NotPlain.INSTANCE;
        }
        if (hasValue) {
            out.add(new Reading(pack.site, pack.device, channel, unit, timeNs, value, qc, cal));
        }
        if (hasSum) {
            out.add(new Reading(pack.site, pack.device, channel + SenmlDecoder.SUM_SUFFIX, SenmlUnits.timesSeconds(unit),
                    timeNs, sum, qc, cal));
        }
    }

    /**
     * bt + t in ns, checked against the window: in whole ns when both are exact that way (the tree path's decimals,
     * compared and multiplied, give the same), else with the tree path's BigDecimal arithmetic.
     */
    private static long timeNs(Pack pack, boolean hasTime, long tNs, BigDecimal t) throws NotPlain {
        boolean plainBase = !pack.hasBaseTime || pack.baseTimeS == null;
        if (plainBase && t == null) {
            long ns = Math.addExact(pack.hasBaseTime ? pack.baseTimeNs : 0, hasTime ? tNs : 0);
            if (ns < RELATIVE_TIME_LIMIT_NS || ns < pack.notBeforeNs || ns > pack.latestNs) {
                throw NotPlain.INSTANCE;
            }
            return ns;
        }
        BigDecimal base = !pack.hasBaseTime ? null
                : pack.baseTimeS != null ? pack.baseTimeS : BigDecimal.valueOf(pack.baseTimeNs, 9);
        BigDecimal offset = !hasTime ? BigDecimal.ZERO : t != null ? t : BigDecimal.valueOf(tNs, 9);
        BigDecimal timeS = base == null ? offset : base.add(offset);
        if (timeS.compareTo(RELATIVE_TIME_LIMIT_S) < 0 || timeS.compareTo(BigDecimal.valueOf(pack.notBeforeNs, 9)) < 0
                || timeS.compareTo(BigDecimal.valueOf(pack.latestNs, 9)) > 0) {
            throw NotPlain.INSTANCE;
        }
        return timeS.multiply(NS_PER_S).setScale(0, RoundingMode.HALF_EVEN).longValueExact();
    }

    /** A time field in whole ns ({@link PlainDecimal#timeNs}), or {@link PlainDecimal#NOT_PLAIN}. */
    private static long plainTimeNs(JsonParser p, JsonToken value) throws IOException, NotPlain {
        if (value != JsonToken.VALUE_NUMBER_INT && value != JsonToken.VALUE_NUMBER_FLOAT) {
            throw NotPlain.INSTANCE;
        }
        return PlainDecimal.timeNs(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
    }

    /** A field's bit in a record's fields seen; 0 for the fields the decoder does not use (checked by name). */
    private static int fieldBit(String name) {
        return switch (name) {
            case "bver" -> FIELD_BVER;
            case "bn" -> FIELD_BN;
            case "bt" -> FIELD_BT;
            case "bu" -> FIELD_BU;
            case "bv" -> FIELD_BV;
            case "bs" -> FIELD_BS;
            case "n" -> FIELD_N;
            case "u" -> FIELD_U;
            case "t" -> FIELD_T;
            case "cal" -> FIELD_CAL;
            case "v" -> FIELD_V;
            case "s" -> FIELD_S;
            case "qc" -> FIELD_QC;
            case "vs" -> FIELD_VS;
            case "vb" -> FIELD_VB;
            case "vd" -> FIELD_VD;
            default -> 0;
        };
    }

    private static double finite(BigDecimal d) throws NotPlain {
        double v = d.doubleValue();
        if (!Double.isFinite(v)) {
            throw NotPlain.INSTANCE;
        }
        return v;
    }

    /**
     * A field the decoder does not use: a scalar is read as the tree would read it (a number the tree could not hold
     * goes down the tree path); an array or object goes down the tree path too.
     */
    private static void ignored(JsonParser p, JsonToken value) throws IOException, NotPlain {
        if (value == JsonToken.VALUE_NUMBER_FLOAT) {
            bounded(p.getDecimalValue());
        } else if (value == JsonToken.VALUE_NUMBER_INT) {
            p.getNumberValue();
        } else if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
            throw NotPlain.INSTANCE;
        }
    }

    /** A string field, the same String as the last time these characters came when {@link #names} holds it. */
    private String text(JsonParser p, JsonToken value) throws IOException, NotPlain {
        if (value != JsonToken.VALUE_STRING) {
            throw NotPlain.INSTANCE;
        }
        return names.of(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
    }

    private static BigDecimal decimal(JsonParser p, JsonToken value) throws IOException, NotPlain {
        if (value != JsonToken.VALUE_NUMBER_INT && value != JsonToken.VALUE_NUMBER_FLOAT) {
            throw NotPlain.INSTANCE;
        }
        return bounded(p.getDecimalValue());
    }

    /** The tree path's bound on exponents (past +-1e400 is no measurement), here on the unstripped decimal: stricter. */
    private static BigDecimal bounded(BigDecimal value) throws NotPlain {
        if (value.signum() != 0 && (value.precision() - value.scale() > 400 || value.scale() > 400)) {
            throw NotPlain.INSTANCE;
        }
        return value;
    }

    /** The channel part of a resolved name; "" when it names the device alone ({@code "<device>/"}). */
    static String channelOf(String resolvedName, String device) {
        if (resolvedName.length() > device.length() && resolvedName.startsWith(device)) {
            char separator = resolvedName.charAt(device.length());
            if (separator == '/' || separator == ':') {
                return resolvedName.substring(device.length() + 1);
            }
        }
        // LwM2M stacks (Eclipse Leshan among them) name records by object path, "/3303/0/5700".
        if (resolvedName.length() > 1 && resolvedName.charAt(0) == '/') {
            return resolvedName.substring(1);
        }
        return resolvedName;
    }

    /**
     * The NAME (RFC 8428 section 4.5.1, {@code slash} true) and CALIBRATION patterns of {@link SenmlDecoder} without a
     * regex: a letter or digit, then letters, digits and {@code - : . _} (and {@code /}), at most {@code max} in all.
     */
    static boolean isName(String s, int max, boolean slash) {
        int length = s.length();
        if (length == 0 || length > max) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || (i > 0 && (c == '-' || c == ':' || c == '.' || c == '_' || (slash && c == '/')));
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
