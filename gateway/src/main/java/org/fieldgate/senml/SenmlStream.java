package org.fieldgate.senml;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
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
    private static final BigDecimal NS_PER_S = BigDecimal.valueOf(1_000_000_000L);
    private static final int SENML_VERSION = 10;
    /** Numbers this short and without an exponent parse straight to a double, as their decimal would round. */
    private static final int PLAIN_NUMBER_CHARS = 24;

    private final JsonFactory json;
    private final int maxRecords;
    private final DeclaredUnits declaredUnits;

    SenmlStream(StreamReadConstraints limits, int maxRecords, DeclaredUnits declaredUnits) {
        this.json = JsonFactory.builder()
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
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

    /** The pack's readings, or null when the tree path must decide (a refusal, CBOR, anything unusual). */
    List<Reading> readings(String site, String device, byte[] payload, BigDecimal notBeforeS, BigDecimal latestS) {
        if (payload.length == 0 || (payload[0] & 0xe0) == 0x80) {
            return null;
        }
        try (JsonParser p = json.createParser(payload)) {
            if (p.nextToken() != JsonToken.START_ARRAY) {
                return null;
            }
            List<Reading> out = new ArrayList<>();
            Pack pack = new Pack(site, device, notBeforeS, latestS);
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
        final BigDecimal notBeforeS;
        final BigDecimal latestS;
        String baseName = "";
        BigDecimal baseTimeS;
        String baseUnit;
        BigDecimal baseValue;
        BigDecimal baseSum;
        int version = SENML_VERSION;
        // the last record's resolved time, reused while bt stays and records carry no t
        BigDecimal lastTimeS;
        long lastTimeNs;

        Pack(String site, String device, BigDecimal notBeforeS, BigDecimal latestS) {
            this.site = site;
            this.device = device;
            this.notBeforeS = notBeforeS;
            this.latestS = latestS;
        }
    }

    private void record(JsonParser p, Pack pack, List<Reading> out) throws IOException, NotPlain {
        String n = null;
        String u = null;
        BigDecimal t = null;
        String cal = null;
        int qc = 0;
        boolean hasValue = false;
        boolean hasSum = false;
        boolean hasUnsupported = false;
        // v and s kept as read: their bases (bv, bs) may come later in the same record
        JsonToken vToken = null;
        String vText = null;
        BigDecimal vDecimal = null;
        BigDecimal sDecimal = null;
        JsonToken field;
        while ((field = p.nextToken()) == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            switch (name) {
                case "bver" -> {
                    if (value != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT
                            || p.getIntValue() < 1 || p.getIntValue() > SENML_VERSION) {
                        throw NotPlain.INSTANCE;
                    }
                    pack.version = p.getIntValue();
                }
                case "bn" -> pack.baseName = text(p, value);
                case "bt" -> pack.baseTimeS = decimal(p, value);
                case "bu" -> pack.baseUnit = text(p, value);
                case "bv" -> pack.baseValue = decimal(p, value);
                case "bs" -> pack.baseSum = decimal(p, value);
                case "n" -> n = text(p, value);
                case "u" -> u = text(p, value);
                case "t" -> t = decimal(p, value);
                case "cal" -> cal = text(p, value);
                case "v" -> {
                    hasValue = true;
                    if (value != JsonToken.VALUE_NUMBER_INT && value != JsonToken.VALUE_NUMBER_FLOAT) {
                        throw NotPlain.INSTANCE;
                    }
                    vToken = value;
                    vText = p.getText();
                    if (vText.length() > PLAIN_NUMBER_CHARS || hasExponent(vText)) {
                        vDecimal = bounded(p.getDecimalValue());
                    }
                }
                case "s" -> {
                    hasSum = true;
                    sDecimal = decimal(p, value);
                }
                case "qc" -> {
                    if (value != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT
                            || p.getIntValue() < 0 || (p.getIntValue() & ~QcFlags.WIRE_MASK) != 0) {
                        throw NotPlain.INSTANCE;
                    }
                    qc = p.getIntValue();
                }
                case "vs", "vb", "vd" -> {
                    hasUnsupported = true;
                    ignored(p, value);
                }
                default -> {
                    if (name.endsWith("_")) {
                        throw NotPlain.INSTANCE;
                    }
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
        String channel = channelOf(n == null ? pack.baseName : pack.baseName.concat(n), pack.device);
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
        double value = hasValue ? value(vToken, vText, vDecimal, pack.baseValue) : 0;
        double sum = hasSum ? finite(pack.baseSum == null ? sDecimal : sDecimal.add(pack.baseSum)) : 0;
        long timeNs = timeNs(pack, t);
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

    /** bt + t in ns, checked against the window; the tree path's BigDecimal arithmetic, skipped while bt stays. */
    private static long timeNs(Pack pack, BigDecimal t) throws NotPlain {
        if (t == null && pack.baseTimeS != null && pack.baseTimeS == pack.lastTimeS) {
            return pack.lastTimeNs;
        }
        BigDecimal timeS = t == null ? (pack.baseTimeS == null ? BigDecimal.ZERO : pack.baseTimeS)
                : pack.baseTimeS == null ? t : pack.baseTimeS.add(t);
        if (timeS.compareTo(RELATIVE_TIME_LIMIT_S) < 0 || timeS.compareTo(pack.notBeforeS) < 0
                || timeS.compareTo(pack.latestS) > 0) {
            throw NotPlain.INSTANCE;
        }
        long ns = timeS.multiply(NS_PER_S).setScale(0, RoundingMode.HALF_EVEN).longValueExact();
        if (t == null) {
            pack.lastTimeS = pack.baseTimeS;
            pack.lastTimeNs = ns;
        }
        return ns;
    }

    /**
     * v (+ bv) as the tree path computes it, {@code BigDecimal.doubleValue()}: a short plain number parses straight to
     * the same correctly rounded double; BigDecimal has no negative zero, so neither has this.
     */
    private static double value(JsonToken token, String text, BigDecimal decimal, BigDecimal base) throws NotPlain {
        if (base != null || decimal != null) {
            BigDecimal d = decimal != null ? decimal : new BigDecimal(text);
            return finite(base == null ? d : d.add(base));
        }
        double v = token == JsonToken.VALUE_NUMBER_INT && text.length() < 16 ? Long.parseLong(text) : Double.parseDouble(text);
        return v == 0 ? 0.0 : v;
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

    private static boolean hasExponent(String number) {
        for (int i = 0; i < number.length(); i++) {
            char c = number.charAt(i);
            if (c == 'e' || c == 'E') {
                return true;
            }
        }
        return false;
    }

    private static String text(JsonParser p, JsonToken value) throws IOException, NotPlain {
        if (value != JsonToken.VALUE_STRING) {
            throw NotPlain.INSTANCE;
        }
        return p.getText();
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
