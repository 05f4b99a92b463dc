package org.fieldgate.it;

import org.fieldgate.testkit.AttachGatewayLogs;
import org.fieldgate.testkit.Cleanup;
import org.fieldgate.testkit.GatewayProcess;
import org.fieldgate.testkit.GatewayStatus;
import org.fieldgate.testkit.InfluxdProcess;
import org.fieldgate.testkit.LandedReadings;
import org.fieldgate.testkit.LandedReadings.Landed;
import org.fieldgate.testkit.MosquittoProcess;
import org.fieldgate.testkit.Pack;
import org.fieldgate.testkit.Poll;
import org.fieldgate.testkit.Reading;
import org.fieldgate.testkit.SenmlPacks;
import org.fieldgate.testkit.SenmlPublisher;
import org.fieldgate.testkit.StartsProcesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A misbehaving fleet: 10,000 malformed messages of 16 kinds, interleaved with good packs. Each bad message (or bad
 * record inside an otherwise valid pack) becomes exactly one dead letter with a reason that names the problem; the
 * good records, including those sharing a pack with a bad record, all land exactly; /health stays UP.
 */
@ExtendWith(AttachGatewayLogs.class)
@Timeout(value = 300, unit = TimeUnit.SECONDS)
@StartsProcesses
class MalformedMessagesTest {
    private static final int BAD_MESSAGES = 10_000;
    private static final int HUGE_EVERY = 500;
    private static final int GOOD_PACK_EVERY = 4;
    private static final int MISMATCH_EVERY = 200;
    private static final long MAX_MESSAGE_BYTES = 262_144;

    /** The ways a probe (or a stray client) gets it wrong. Whole-message kinds spoil one message; the others one record. */
    enum Kind {
        NOT_JSON(true, "json|pars|syntax|malformed|unexpected|invalid|token"),
        TRUNCATED_JSON(true, "json|pars|syntax|malformed|unexpected|invalid|end|eof|token"),
        NAN_LITERAL(true, "json|pars|nan|finite|malformed|unexpected|invalid|token"),
        BINARY_GARBAGE(true, "json|pars|utf|encod|binary|malformed|unexpected|invalid|printable|token"),
        EMPTY_ARRAY(true, "empty|no record|\\[\\]"),
        OBJECT_NOT_ARRAY(true, "array|object"),
        HUGE_PAYLOAD(true, "size|large|bytes|limit|262144|too big|too long|max"),
        YEAR_1979(true, "time|\\bbt\\b|range|1979|300000000|2015|past|old"),
        YEAR_3000(true, "time|\\bbt\\b|range|3000|32503680000|future"),
        MISSING_TIME(true, "time|\\bbt\\b|\\bt\\b"),
        INFINITE_VALUE(false, "finite|infinit|nan|overflow|1e999"),
        STRING_VALUE(false, "\\bv\\b|value|number|numeric|string|type"),
        MISSING_NAME(false, "\\bn\\b|name|channel"),
        MISSING_VALUE(false, "\\bv\\b|value"),
        NAME_NOT_STRING(false, "\\bn\\b|name|channel|string|type"),
        UNKNOWN_UNIT(false, "unit|\\bu\\b|furlong");

        final boolean wholeMessage;
        final Pattern reason;

        Kind(boolean wholeMessage, String reasonPattern) {
            this.wholeMessage = wholeMessage;
            this.reason = Pattern.compile(reasonPattern, Pattern.CASE_INSENSITIVE);
        }

        /** Each kind arrives on its own device topic, so a dead letter's topic tells which kind it is. */
        String device() {
            return (wholeMessage ? "bad-" : "mixed-") + name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** Kinds that are not a SenML pack at all: the dead letter's rawLength is the whole payload's. */
    private static final Set<Kind> NOT_A_PACK = EnumSet.of(Kind.NOT_JSON, Kind.TRUNCATED_JSON, Kind.NAN_LITERAL,
            Kind.BINARY_GARBAGE, Kind.EMPTY_ARRAY, Kind.OBJECT_NOT_ARRAY, Kind.HUGE_PAYLOAD);

    private final Cleanup cleanup = new Cleanup();

    @AfterEach
    void stopEverything() throws Exception {
        cleanup.close();
    }

    @Test
    void tenThousandMalformedMessagesAreDeadLetteredAndGoodReadingsStillLand() {
        MosquittoProcess broker = cleanup.add(MosquittoProcess.started());
        InfluxdProcess influx = cleanup.add(InfluxdProcess.started());
        GatewayProcess gateway = cleanup.add(Site.gateway(broker, influx, "it-gw-malformed").start());
        var diagnostics = Site.diagnostics(gateway, broker, influx);

        long now = System.currentTimeMillis() / 1000;
        SenmlPacks probes = new SenmlPacks(Site.NAME, "probe", 10, 10, now - 3600, 10_000);
        long mixedBase = now - 4 * 3600;
        long mismatchBase = now - 5 * 3600;

        // build the whole traffic plan first: bad messages in kind rotation, a good pack after every 4th, a
        // topic/bn mismatch (not an error) after every 200th, and a final roll call of one message per kind
        List<Kind> rotation = new ArrayList<>(EnumSet.allOf(Kind.class));
        rotation.remove(Kind.HUGE_PAYLOAD); // ~300 KB each: sent only every 500th message
        List<Pack> traffic = new ArrayList<>();
        Map<Reading.Key, Reading> goodReadings = new HashMap<>();
        List<Reading> mismatchReadings = new ArrayList<>();
        Map<Kind, Integer> badByKind = new java.util.EnumMap<>(Kind.class);
        int goodPacks = 0;
        for (int m = 0; m < BAD_MESSAGES; m++) {
            Kind kind;
            int rollCall = m - (BAD_MESSAGES - Kind.values().length);
            if (rollCall >= 0) {
                kind = Kind.values()[rollCall];
            } else if (m % HUGE_EVERY == 7) {
                kind = Kind.HUGE_PAYLOAD;
            } else {
                kind = rotation.get(m % rotation.size());
            }
            Pack bad = badMessage(kind, m, mixedBase);
            traffic.add(bad);
            bad.readings().forEach(r -> goodReadings.put(r.key(), r));
            badByKind.merge(kind, 1, Integer::sum);
            if (m % GOOD_PACK_EVERY == GOOD_PACK_EVERY - 1) {
                Pack good = probes.pack(goodPacks++);
                traffic.add(good);
                good.readings().forEach(r -> goodReadings.put(r.key(), r));
            }
            if (m % MISMATCH_EVERY == 0) {
                Pack mismatch = topicDeviceMismatch(m / MISMATCH_EVERY, mismatchBase);
                traffic.add(mismatch);
                mismatchReadings.addAll(mismatch.readings());
            }
        }
        assertEquals(BAD_MESSAGES, badByKind.values().stream().mapToInt(Integer::intValue).sum());
        assertTrue(badByKind.keySet().size() >= 12, "kinds of malformed message: " + badByKind);

        try (SenmlPublisher publisher = new SenmlPublisher(broker.url(), "it-probe-malformed").connect()) {
            int published = 0;
            for (Pack pack : traffic) {
                publisher.publish(pack);
                if (++published % 2_000 == 0) {
                    assertHealthUp(gateway, "after " + published + " messages");
                }
            }
            publisher.flush(Duration.ofSeconds(60));
            // exact dead-letter counts need every message delivered to the broker exactly once
            assertEquals(traffic.size(), publisher.acknowledgedPackCount(), "messages acknowledged; events " + publisher.events());
            assertEquals(0, publisher.failedAttempts(), "failed deliveries (would mean possible duplicates)");
        }

        long expectedPoints = goodReadings.size() + mismatchReadings.size();
        LandedReadings.awaitAtLeast(influx, Site.DB, expectedPoints, Duration.ofSeconds(150), diagnostics);
        // good readings exact (including those sharing a pack with a bad record); topic/bn mismatches landed too
        Map<Reading.Key, Landed> landed = new HashMap<>(LandedReadings.fetch(influx, Site.DB));
        assertMismatchReadingsLanded(mismatchReadings, landed);
        LandedReadings.assertExactly(Site.NAME, goodReadings, landed);

        Poll.value("the gateway to count exactly " + BAD_MESSAGES + " dead letters", Duration.ofSeconds(60),
                () -> {
                    GatewayStatus s = gateway.status();
                    if (s.deadLetters() > BAD_MESSAGES) {
                        throw new AssertionError("more dead letters than bad messages/records sent (" + BAD_MESSAGES + "): "
                                + s + "\n" + gateway.logTail());
                    }
                    return s;
                }, s -> s.deadLetters() == BAD_MESSAGES, diagnostics);

        assertDeadLetterReasons(gateway, traffic);
        assertHealthUp(gateway, "at the end");
        GatewayStatus status = Site.awaitSpoolDrained(gateway, Duration.ofSeconds(30));
        assertEquals(expectedPoints, status.ingested(), "good readings ingested since start: " + status);
    }

    /** One bad message of the given kind; for record-level kinds a valid pack: good record, bad record, good record. */
    private static Pack badMessage(Kind kind, int m, long mixedBase) {
        String topic = SenmlPacks.topic(Site.NAME, kind.device());
        String dev = kind.device();
        String head = "{\"bn\":\"" + dev + "/\",\"bt\":" + (mixedBase + 2L * m) + ".5,";
        if (!kind.wholeMessage) {
            Random random = new Random(m);
            double v0 = 400 + random.nextDouble() * 600;
            double v2 = -5 + random.nextDouble() * 30;
            long btNs = (mixedBase + 2L * m) * 1_000_000_000L + 500_000_000L;
            String badRecord = switch (kind) {
                case INFINITE_VALUE -> "{\"n\":\"co2_30cm\",\"u\":\"ppm\",\"v\":" + (m % 2 == 0 ? "1e999" : "-1e999") + ",\"t\":0}";
                case STRING_VALUE -> "{\"n\":\"co2_30cm\",\"u\":\"ppm\",\"v\":\"12\",\"t\":0}";
                case MISSING_NAME -> "{\"u\":\"ppm\",\"v\":12.5,\"t\":0}";
                case MISSING_VALUE -> "{\"n\":\"co2_30cm\",\"u\":\"ppm\",\"t\":0}";
                case NAME_NOT_STRING -> "{\"n\":42,\"u\":\"ppm\",\"v\":12.5,\"t\":0}";
                case UNKNOWN_UNIT -> "{\"n\":\"co2_30cm\",\"u\":\"furlong/fortnight\",\"v\":12.5,\"t\":0}";
                default -> throw new IllegalStateException(kind.name());
            };
            String json = "[" + head + "\"n\":\"co2_10cm\",\"u\":\"ppm\",\"v\":" + v0 + ",\"t\":0},"
                    + badRecord + ","
                    + "{\"n\":\"soil_temp_10cm\",\"u\":\"Cel\",\"v\":" + v2 + ",\"t\":1}]";
            return Pack.of(topic, json, List.of(
                    new Reading(dev, "co2_10cm", "ppm", btNs, v0),
                    new Reading(dev, "soil_temp_10cm", "Cel", btNs + 1_000_000_000L, v2)), kind.name());
        }
        return switch (kind) {
            case NOT_JSON -> Pack.of(topic, "co2_10cm=612.5ppm t=" + m, List.of(), kind.name());
            case TRUNCATED_JSON -> Pack.of(topic, "[" + head + "\"n\":\"co2_10cm\",\"u\":\"ppm\",\"v\":61", List.of(), kind.name());
            case NAN_LITERAL -> Pack.of(topic, "[" + head + "\"n\":\"co2_10cm\",\"u\":\"ppm\",\"v\":NaN,\"t\":0}]", List.of(), kind.name());
            case BINARY_GARBAGE -> new Pack(topic, garbage(m), List.of(), kind.name());
            case EMPTY_ARRAY -> Pack.of(topic, "[]", List.of(), kind.name());
            case OBJECT_NOT_ARRAY -> Pack.of(topic, head + "\"n\":\"co2_10cm\",\"u\":\"ppm\",\"v\":612.5,\"t\":0}", List.of(), kind.name());
            case HUGE_PAYLOAD -> Pack.of(topic, huge(head), List.of(), kind.name());
            case YEAR_1979 -> Pack.of(topic, "[{\"bn\":\"" + dev + "/\",\"bt\":300000000,\"n\":\"co2_10cm\",\"u\":\"ppm\",\"v\":612.5,\"t\":" + m + "}]",
                    List.of(), kind.name());
            case YEAR_3000 -> Pack.of(topic, "[{\"bn\":\"" + dev + "/\",\"bt\":32503680000,\"n\":\"co2_10cm\",\"u\":\"ppm\",\"v\":612.5,\"t\":" + m + "}]",
                    List.of(), kind.name());
            case MISSING_TIME -> Pack.of(topic, "[{\"bn\":\"" + dev + "/\",\"n\":\"co2_10cm\",\"u\":\"ppm\",\"v\":612.5}]", List.of(), kind.name());
            default -> throw new IllegalStateException(kind.name());
        };
    }

    /** Random bytes with NUL, 0xFF, an invalid UTF-8 sequence and an escape character. */
    private static byte[] garbage(int m) {
        byte[] bytes = new byte[64 + m % 64];
        new Random(m).nextBytes(bytes);
        bytes[0] = (byte) 0xFF;
        bytes[1] = 0x00;
        bytes[2] = (byte) 0xC3;
        bytes[3] = 0x28;
        bytes[4] = 0x1B;
        return bytes;
    }

    /** A well-formed pack of ~300 KB: only its size is wrong, so if it is not rejected its readings show up as unexpected. */
    private static String huge(String head) {
        StringBuilder json = new StringBuilder("[").append(head).append("\"n\":\"co2_10cm\",\"u\":\"ppm\",\"v\":500.25,\"t\":0}");
        for (int t = 1; json.length() <= MAX_MESSAGE_BYTES + 40_000; t++) {
            json.append(",{\"n\":\"co2_10cm\",\"u\":\"ppm\",\"v\":500.25,\"t\":").append(t).append('}');
        }
        return json.append(']').toString();
    }

    /** Topic says one device, bn another: the contract says this is not an error. */
    private static Pack topicDeviceMismatch(int k, long base) {
        double value = 700 + k * 0.125;
        long bt = base + k;
        String json = "[{\"bn\":\"probe-bn/\",\"bt\":" + bt + ".5,\"n\":\"co2_10cm\",\"u\":\"ppm\",\"v\":" + value + ",\"t\":0}]";
        return Pack.of(SenmlPacks.topic(Site.NAME, "probe-topic"), json,
                List.of(new Reading("probe-topic", "co2_10cm", "ppm", bt * 1_000_000_000L + 500_000_000L, value)), "mismatch " + k);
    }

    /**
     * Checks and removes the mismatch readings. The contract only says a topic/bn mismatch is not an error, so any
     * reasonable naming is accepted: device from the topic or from bn, channel "co2_10cm" or bn + n
     * ("probe-bn/co2_10cm", RFC 8428 name concatenation). It must land exactly once with its exact value.
     */
    private static void assertMismatchReadingsLanded(List<Reading> sent, Map<Reading.Key, Landed> landed) {
        for (Reading r : sent) {
            List<Reading.Key> matches = landed.keySet().stream()
                    .filter(k -> k.timeNs() == r.timeNs())
                    .filter(k -> k.device().equals("probe-topic") || k.device().equals("probe-bn"))
                    .filter(k -> k.channel().equals("co2_10cm") || k.channel().equals("probe-bn/co2_10cm"))
                    .toList();
            assertEquals(1, matches.size(), "points for the reading sent on topic device 'probe-topic' with bn 'probe-bn/': "
                    + matches + " for " + r);
            Landed point = landed.remove(matches.get(0));
            assertEquals(Double.doubleToRawLongBits(r.value()), Double.doubleToRawLongBits(((Number) point.value()).doubleValue()),
                    "value of " + point);
            assertEquals("ppm", point.unit());
        }
    }

    private static void assertHealthUp(GatewayProcess gateway, String when) {
        GatewayProcess.Health health = gateway.health();
        if (health.httpStatus() != 200 || !"UP".equals(health.status())) {
            throw gateway.failure("/health should be 200 UP " + when + " (malformed input is not a fault of the gateway) but was " + health);
        }
    }

    private static void assertDeadLetterReasons(GatewayProcess gateway, List<Pack> traffic) {
        Map<String, Kind> kindByDevice = new HashMap<>();
        for (Kind kind : Kind.values()) {
            kindByDevice.put(kind.device(), kind);
        }
        Map<Kind, Set<Long>> payloadLengths = new java.util.EnumMap<>(Kind.class);
        for (Pack pack : traffic) {
            for (Kind kind : Kind.values()) {
                if (pack.label().equals(kind.name())) {
                    payloadLengths.computeIfAbsent(kind, k -> new java.util.HashSet<>()).add((long) pack.payload().length);
                }
            }
        }

        int limit = 500;
        List<Map<String, Object>> letters = gateway.deadLetters(limit);
        assertEquals(limit, letters.size(), "GET /api/dead-letters?limit=" + limit + " with " + BAD_MESSAGES + " dead letters");
        Set<Kind> seen = EnumSet.noneOf(Kind.class);
        List<String> problems = new ArrayList<>();
        OffsetDateTime previous = null;
        for (Iterator<Map<String, Object>> it = letters.iterator(); it.hasNext() && problems.size() < 20; ) {
            Map<String, Object> letter = it.next();
            String topic = String.valueOf(letter.get("topic"));
            String reason = String.valueOf(letter.get("reason"));
            Object raw = letter.get("raw");
            String[] levels = topic.split("/");
            Kind kind = levels.length == 4 ? kindByDevice.get(levels[2]) : null;
            if (kind == null) {
                problems.add("dead letter on a topic that only carried good data: " + letter);
                continue;
            }
            seen.add(kind);
            if (letter.get("id") == null) {
                problems.add("no id: " + letter);
            }
            if (reason.isBlank() || "null".equals(reason) || !kind.reason.matcher(reason).find()) {
                problems.add(kind + ": reason does not name the field or problem (/" + kind.reason + "/): " + reason);
            }
            OffsetDateTime receivedAt;
            try {
                receivedAt = OffsetDateTime.parse(String.valueOf(letter.get("receivedAt")));
            } catch (java.time.format.DateTimeParseException e) {
                problems.add("receivedAt is not ISO-8601 with offset: " + letter.get("receivedAt"));
                continue;
            }
            if (previous != null && receivedAt.isAfter(previous)) {
                problems.add("not newest first: " + receivedAt + " after " + previous);
            }
            previous = receivedAt;
            if (!(letter.get("rawLength") instanceof Number rawLength) || !(raw instanceof String rawText)) {
                problems.add("rawLength/raw missing or mistyped: " + letter);
                continue;
            }
            // tab and line breaks may stay as they are (pretty-printed JSON); other control characters must be escaped
            if (rawText.chars().anyMatch(c -> (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F)) {
                problems.add(kind + ": raw text carries unescaped control characters: " + rawText);
            }
            // a message that is not a pack at all is stored whole; a pack with one bad record may keep just the record
            if (NOT_A_PACK.contains(kind) && !payloadLengths.get(kind).contains(rawLength.longValue())) {
                problems.add(kind + ": rawLength " + rawLength + " is not the length of any payload of this kind sent");
            }
            // the garbage starts with byte 0xFF: its escaped form must say so, not show some other byte
            if (kind == Kind.BINARY_GARBAGE && !rawText.substring(0, Math.min(8, rawText.length())).toLowerCase(Locale.ROOT).contains("ff")) {
                problems.add(kind + ": raw text of a payload starting with bytes ff 00 c3 28 1b does not show byte 0xff first: "
                        + rawText.substring(0, Math.min(40, rawText.length())));
            }
            if (kind == Kind.HUGE_PAYLOAD && rawText.length() >= rawLength.longValue()) {
                problems.add("raw text of a " + rawLength + "-byte payload is not truncated (" + rawText.length() + " chars)");
            }
        }
        if (!problems.isEmpty()) {
            throw gateway.failure("dead letters do not meet the contract:\n  " + String.join("\n  ", problems));
        }
        assertEquals(EnumSet.allOf(Kind.class), seen, "every kind of malformed message among the newest " + limit + " dead letters");
    }
}
