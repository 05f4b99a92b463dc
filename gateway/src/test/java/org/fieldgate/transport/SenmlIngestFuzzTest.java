package org.fieldgate.transport;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.fieldgate.forward.InfluxLines;
import org.fieldgate.store.FullPolicy;
import org.fieldgate.reading.QcFlags;
import org.fieldgate.reading.Reading;
import org.fieldgate.senml.DecodedPack;
import org.fieldgate.senml.Rejection;
import org.fieldgate.senml.SenmlDecoder;
import org.fieldgate.senml.SenmlUnits;
import org.fieldgate.store.Spool;
import org.fieldgate.store.SpooledReading;
import org.fieldgate.testkit.StartsProcesses;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import com.fasterxml.jackson.core.io.JsonStringEncoder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Coverage-guided fuzzing (Jazzer) of the ingest path: any topic and payload through {@link SenmlDecoder} and into
 * a real {@link Spool}. A plain {@code mvn test} replays the seeds in
 * {@code src/test/resources/org/fieldgate/transport/SenmlIngestFuzzTestInputs/decodeAndSpool} (and any finding
 * saved there); with {@code JAZZER_FUZZ=1} Jazzer fuzzes for at most {@code maxDuration}.
 *
 * <p>Invariants: the decoder never throws; every message ends as readings, rejections or both; every accepted
 * reading is finite, in the time window, named and united as the wire contract says; each rejection keeps at most
 * 1 KiB of the raw bytes; and the spool stores exactly the accepted readings, bit for bit, and gives the space back.
 */
@StartsProcesses
class SenmlIngestFuzzTest {
    private static final long NOW_NS = 1_763_856_000_000_000_000L;
    private static final long NOT_BEFORE_S = 1_420_070_400L;
    private static final long SKEW_NS = 86_400_000_000_000L;
    private static final int MAX_BYTES = 16_384;
    private static final int MAX_RECORDS = 200;
    /** A SenML name, or a sum's channel: its record's name (up to 128 characters) and ":sum". */
    private static final Pattern CHANNEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9\\-:./_]{0,127}(:sum)?");
    private static final String[] TOPICS = {"fieldgate/plot-a/probe-1/senml", "fieldgate/plot-a/probe-1", "fieldgate/+/x/senml"};

    private static final long MAX_ALLOCATED_BYTES = 64L << 20;
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();

    private static Path dir;
    private static Spool spool;
    private static long executions;
    private static long readingsSpooled;
    private static long rejected;

    private final SenmlDecoder decoder = new SenmlDecoder(MAX_BYTES, MAX_RECORDS, NOT_BEFORE_S, SKEW_NS);

    private static final String[] NUMBER_KEYS = {"bt", "bv", "v", "t", "qc"};
    private static final String[] KEYS = {"bn", "bt", "bu", "bv", "n", "u", "v", "t", "qc", "cal", "vs", "x_"};
    private static final String[] WORDS = {"probe-1/", "probe-1:", "probe-2/", "co2_10cm", "temp_10cm", "ppm", "Cel",
            "%RH", "m3/m3", "", "a b", "ok-name_1.2:3/4"};

    /**
     * A SenML-shaped JSON array: each record has some of the known fields (and an unknown one), each value mostly
     * of the right type and near the right range, so that valid, nearly valid and subtly wrong records are all common.
     */
    private static byte[] structuredPack(FuzzedDataProvider data) {
        StringBuilder json = new StringBuilder("[");
        int records = data.consumeInt(1, 6);
        for (int r = 0; r < records; r++) {
            json.append(r == 0 ? "{" : ",{");
            boolean first = true;
            for (String key : KEYS) {
                if (!data.consumeBoolean()) {
                    continue;
                }
                json.append(first ? "\"" : ",\"").append(key).append("\":");
                first = false;
                boolean number = Arrays.asList(NUMBER_KEYS).contains(key);
                int kind = data.consumeInt(0, 7);
                if (kind < 4) {
                    kind = number ? (key.equals("bt") ? 0 : 1) : 3;
                }
                switch (kind) {
                    case 0 -> json.append(1_763_856_000L + data.consumeInt(-400_000_000, 200_000)).append('.')
                            .append(data.consumeInt(0, 999_999_999));
                    case 1, 4 -> {
                        // two appends, not one with ?: which would print every int as a double ("7.0")
                        if (data.consumeBoolean()) {
                            json.append(data.consumeInt(-2, 300));
                        } else {
                            json.append(data.consumeDouble());
                        }
                    }
                    case 3, 5 -> json.append('"').append(data.pickValue(WORDS)).append('"');
                    case 6 -> json.append('"').append(JsonStringEncoder.getInstance().quoteAsString(data.consumeString(24)))
                            .append('"');
                    default -> json.append(data.consumeAsciiString(12));
                }
            }
            json.append('}');
        }
        return json.append(']').toString().getBytes(StandardCharsets.UTF_8);
    }

    @BeforeAll
    static void openSpool() throws IOException {
        // On tmpfs when there is one: the spool's fsync per commit would otherwise cap fuzzing at ~100 inputs/s.
        Path shm = Path.of("/dev/shm");
        dir = Files.isDirectory(shm) && Files.isWritable(shm) ? Files.createTempDirectory(shm, "fieldgate-fuzz-")
                : Files.createTempDirectory("fieldgate-fuzz-");
        spool = new Spool(dir, 64L << 20, FullPolicy.BACKPRESSURE, InfluxLines::gap);
    }

    @AfterAll
    static void closeSpool() throws IOException {
        // Proof of fuzzing for the CI log: a regression run shows the seed count, a fuzzing run many thousands.
        System.out.printf("SenmlIngestFuzzTest: %d executions, %d readings spooled and delivered, %d rejections%n",
                executions, readingsSpooled, rejected);
        assertEquals(0, spool.readings().depth(), "every spooled reading was taken out again");
        spool.close();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** SenML's words, so the fuzzer builds packs rather than random bytes; Jackson itself is not instrumented. */
    @DictionaryEntries({"[{", "}]", "},{", "\"bn\":", "\"bt\":", "\"bu\":", "\"bv\":", "\"n\":", "\"u\":",
            "\"v\":", "\"t\":", "\"qc\":", "\"vs\":", "\"probe-1/\"", "\"ppm\"", "\"Cel\"", "\"%RH\"",
            "1763856000", "1e400", "-0.5", "null", "true"})
    @FuzzTest(maxDuration = "45s")
    void decodeAndSpool(FuzzedDataProvider data) {
        int topicChoice = data.consumeInt(0, TOPICS.length);
        String topic = topicChoice < TOPICS.length ? TOPICS[topicChoice] : data.consumeString(100);
        // Half the inputs are packs built from the fuzzer's choices, so valid and nearly valid records are common;
        // the other half are raw bytes, for everything that is not even JSON.
        byte[] payload = data.consumeBoolean() ? structuredPack(data) : data.consumeRemainingAsBytes();
        executions++;

        long allocatedBefore = THREADS.getCurrentThreadAllocatedBytes();
        DecodedPack pack = decoder.decode(topic, payload, NOW_NS);
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - allocatedBefore;
        // Memory bound: a message of at most 16 KiB may not make the decoder allocate without bound (huge exponents,
        // deep nesting, long numbers are capped before any arithmetic).
        assertTrue(allocated < MAX_ALLOCATED_BYTES, payload.length + " bytes of payload allocated " + allocated + " bytes");

        assertTrue(!pack.readings().isEmpty() || !pack.rejections().isEmpty(), "a message vanished without a trace");
        assertTrue(pack.readings().size() <= MAX_RECORDS, "more readings than records allowed");
        for (Reading r : pack.readings()) {
            assertTrue(topic.equals("fieldgate/" + r.site() + "/" + r.device() + "/senml"), "site/device not from topic: " + r);
            assertTrue(Double.isFinite(r.value()), "non-finite value: " + r);
            assertTrue(r.timeNs() >= NOT_BEFORE_S * 1_000_000_000L && r.timeNs() <= NOW_NS + SKEW_NS, "time outside window: " + r);
            assertTrue(CHANNEL.matcher(r.channel()).matches(), "channel not a SenML name: " + r);
            // a sum's reading carries its record's unit times seconds (RFC 8428 4.2), e.g. Cel*s or J for W; a value
            // record may itself be named "<x>:sum" (':' is a SenML name character) and carry a registry unit
            assertTrue(SenmlUnits.KNOWN.contains(r.unit()) || r.channel().endsWith(SenmlDecoder.SUM_SUFFIX)
                            && SenmlUnits.KNOWN.stream().anyMatch(u -> SenmlUnits.timesSeconds(u).equals(r.unit())),
                    "unknown unit: " + r);
            assertTrue(r.qc() >= 0 && (r.qc() & ~QcFlags.WIRE_MASK) == 0, "qc out of range: " + r);
            assertTrue(r.calibration() == null || r.calibration().matches("[A-Za-z0-9][A-Za-z0-9:._-]{0,63}"),
                    "calibration id not as the contract says: " + r);
        }
        for (Rejection j : pack.rejections()) {
            assertTrue(j.reason() != null && !j.reason().isBlank(), "rejection without a reason");
            assertTrue(j.raw().length <= 1024 && j.raw().length <= j.rawLength(), "rejection keeps too much: " + j.raw().length);
            assertEquals(topic, j.topic());
        }

        // Every pack with readings goes through the spool; of the rest one in sixteen (chosen by content, so a
        // finding replays): each commit costs milliseconds, a decode microseconds.
        if (pack.readings().isEmpty() && (Arrays.hashCode(payload) & 15) != 0) {
            rejected += pack.rejections().size();
            return;
        }
        long leftOutBefore = spool.readings().duplicatesTotal() + spool.readings().conflictsTotal();
        spool.readings().commit(pack.readings(), IngestCommitter.deadLetters(pack.rejections()), NOW_NS);
        List<SpooledReading> stored = spool.readings().oldest(MAX_RECORDS + 1);
        // a series and time seen before (in an earlier input or earlier in this pack) is left out and counted as a
        // duplicate or a conflict, never stored twice: what is stored is the rest, bit for bit and in order
        long leftOut = spool.readings().duplicatesTotal() + spool.readings().conflictsTotal() - leftOutBefore;
        List<Reading> kept = stored.stream().map(SpooledReading::reading).toList();
        assertEquals(pack.readings().size(), kept.size() + leftOut, "readings neither stored nor counted: " + kept);
        int next = 0;
        for (Reading r : pack.readings()) {
            if (next < kept.size() && kept.get(next).equals(r)) {
                next++;
            }
        }
        assertEquals(kept.size(), next, "spool changed readings: " + kept + " is not a subsequence of " + pack.readings());
        spool.readings().delivered(stored);
        readingsSpooled += stored.size();
        rejected += pack.rejections().size();
    }
}
