package org.fieldgate.senml;

import org.fieldgate.reading.Reading;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The streaming decoder against the tree decoder it replaced on the fast path, as an oracle: over hand-picked edge
 * cases and randomized packs (good and subtly bad fields mixed), both must give the same readings, bit for bit, and
 * the same refusals with the same reasons and raw bytes.
 */
class SenmlStreamDifferentialTest {
    private static final String TOPIC = "fieldgate/plot-a/probe-1/senml";
    private static final long NOW_NS = 1_763_856_000L * 1_000_000_000L;
    private final SenmlDecoder decoder = new SenmlDecoder(4096, 100, 1_420_070_400L, 86_400L * 1_000_000_000L,
            (site, device, channel) -> channel.equals("declared") ? "kPa" : null);

    private static final String[][] VALUES = {
            // bn
            {"\"probe-1/\"", "\"\"", "\"probe-1:\"", "\"/3303/0/\"", "\"x y/\"", "5", "\"urn:dev:mac:0024be:\"", "\"probe-1\""},
            // bt
            {"1763855000.123456789", "1763855000", "1e9", "100", "-1", "\"s\"", "1.7638550001234567891e9", "1763855000.0000000005",
                    "1763855000.0000000015", "1763942401", "1e999", "17638550000000000000000000000"},
            // bu, u
            {"\"ppm\"", "\"Cel\"", "\"bogus\"", "7", "\"W\"", "\"%RH\"", "null"},
            // bv, bs, v, s
            {"0", "-0", "-0.0", "0.0", "1", "12.5", "-3.75", "1e999", "1e-500", "\"12\"", "12.5e2", "0.30000000000000004",
                    "1.00000000000000000000000001", "123456789012345678901234", "9007199254740993", "1E2", "true", "null",
                    "1.7976931348623157e308", "4.9e-324", "2.4e-324", "[1]", "{}", "123456789012345.6789"},
            // t
            {"0", "1.5", "-2", "\"x\"", "0.000000001", "1e-12", "86400", "1e3"},
            // qc
            {"0", "1", "2047", "2048", "-1", "1.5", "99999999999", "\"1\"", "256"},
            // cal
            {"\"model:x\"", "\"bad cal\"", "3", "\"-x\"", "\"" + "c".repeat(64) + "\"", "\"" + "c".repeat(65) + "\""},
            // n
            {"\"co2\"", "\"a/b\"", "\"\"", "\"_x\"", "\"/5700\"", "3", "\"declared\"", "\"" + "n".repeat(128) + "\"",
                    "\"" + "n".repeat(129) + "\"", "\"probe-1/t\""},
            // bver
            {"10", "11", "0", "\"x\"", "1", "2.0"},
    };
    private static final String[] NAMES = {"bn", "bt", "bu", "u", "bv", "bs", "v", "s", "t", "qc", "cal", "n", "bver",
            "ut", "x_", "foo", "vs", "vb"};

    @Test
    void handPickedEdgeCasesDecodeAlike() {
        String[] packs = {
                "[{\"bn\":\"probe-1/\",\"bt\":1763855000.123456789,\"bu\":\"ppm\",\"n\":\"co2_10cm\",\"v\":612.5},"
                        + "{\"n\":\"co2_30cm\",\"v\":1200.25,\"t\":1.5},{\"n\":\"temp_10cm\",\"u\":\"Cel\",\"v\":-3.75,\"t\":-2,\"qc\":1}]",
                "[{\"bt\":1763855000,\"n\":\"x\",\"u\":\"W\",\"v\":1,\"s\":2,\"bs\":3}]",
                "[{\"bt\":1763855000,\"n\":\"x\",\"u\":\"W\",\"v\":1,\"v\":2}]",
                "[{\"bt\":1763855000,\"n\":\"x\",\"u\":\"W\",\"v\":1,\"ut\":1,\"ut\":2}]",
                "[{\"bt\":1763855000,\"n\":\"x\",\"u\":\"W\",\"v\":1}] x", "[{\"bt\":1763855000,\"n\":\"x\",\"u\":\"W\",\"v\":1}][]",
                "[{\"bt\":1763855000,\"n\":\"x\",\"u\":\"W\",\"v\":1},]", "[", "[]", "", "  ", "{}", "[1]", "[[]]", "null",
                "[{\"bt\":1763855000,\"n\":\"x\",\"u\":\"W\",\"v\":1,\"ut\":1e9999999999}]",
                "[{\"bt\":1763855000,\"n\":\"x\",\"u\":\"W\",\"v\":1,\"ut\":{\"a\":[1,2]}}]",
                "[{\"bt\":1763855000,\"n\":\"x\",\"u\":\"W\",\"vs\":\"a\"}]",
                "[{\"bt\":1763855000,\"n\":\"x\",\"u\":\"W\",\"vs\":\"a\",\"v\":3}]",
                "[{\"bt\":1763855000,\"n\":\"x\",\"u\":\"W\",\"v\":NaN}]",
                "[{\"bn\":\"probe-1/\",\"bt\":1763855000,\"u\":\"W\",\"v\":1}]",
                "[{\"bn\":\"probe-1/a\",\"bt\":1763855000,\"u\":\"W\",\"v\":1}]",
                "\ufeff[{\"bt\":1763855000,\"n\":\"x\",\"u\":\"W\",\"v\":1}]",
                "[{\"bt\":1763855000,\"n\":\"x\",\"u\":\"W\",\"v\":1}" + ",{\"n\":\"y\",\"v\":1}".repeat(100) + "]",
        };
        for (String pack : packs) {
            assertSame(pack.getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void randomizedPacksDecodeAlike() {
        Random random = new Random(8428);
        SenmlStream stream = new SenmlStream(com.fasterxml.jackson.core.StreamReadConstraints.builder()
                .maxNestingDepth(16).maxNumberLength(64).maxStringLength(4096).build(), 100,
                (site, device, channel) -> channel.equals("declared") ? "kPa" : null);
        long notBeforeNs = 1_420_070_400L * 1_000_000_000L;
        long latestNs = NOW_NS + 86_400L * 1_000_000_000L;
        int treeAccepted = 0;
        int streamAccepted = 0;
        for (int i = 0; i < 30_000; i++) {
            byte[] pack = randomPack(random).getBytes(StandardCharsets.UTF_8);
            DecodedPack tree = assertSame(pack);
            if (tree.rejections().isEmpty()) {
                treeAccepted++;
                if (stream.readings("plot-a", "probe-1", pack, notBeforeNs, latestNs) != null) {
                    streamAccepted++;
                }
            }
        }
        // the generator must give the fast path real work, and the fast path must take the packs the tree takes
        assertTrue(treeAccepted > 3_000, "only " + treeAccepted + " of 30000 random packs were accepted whole");
        assertTrue(streamAccepted > treeAccepted * 0.95, "the streaming path took only " + streamAccepted + " of the "
                + treeAccepted + " packs the tree accepted whole");
    }

    private String randomPack(Random random) {
        StringBuilder out = new StringBuilder("[");
        int records = 1 + random.nextInt(random.nextInt(10) == 0 ? 110 : 4);
        boolean bad = random.nextInt(3) == 0;
        for (int r = 0; r < records; r++) {
            if (r > 0) {
                out.append(',');
            }
            if (bad && random.nextInt(60) == 0) {
                out.append(random.nextBoolean() ? "1" : "[]");
                continue;
            }
            List<String> fields = new ArrayList<>();
            if (r == 0) {
                fields.add("\"bn\":\"probe-1/\"");
                fields.add("\"bt\":" + randomBaseTime(random));
            }
            fields.add("\"n\":\"c" + random.nextInt(20) + "\"");
            fields.add("\"u\":\"ppm\"");
            int shape = random.nextInt(5);
            fields.add("\"v\":" + (shape == 0 ? Double.toString(random.nextGaussian() * 1000)
                    : shape == 1 ? Integer.toString(random.nextInt(100_000) - 50_000)
                    : shape == 2 ? PlainDecimalTest.generated(random)
                    : String.format(java.util.Locale.ROOT, "%." + random.nextInt(8) + "f", random.nextGaussian() * 500)));
            if (random.nextInt(4) == 0) {
                fields.add("\"t\":" + (random.nextInt(3) == 0 ? PlainDecimalTest.generated(random)
                        : (random.nextInt(4) == 0 ? "-" : "") + random.nextInt(60) + "." + random.nextInt(1000)));
            }
            if (random.nextInt(4) == 0) {
                fields.add("\"qc\":" + random.nextInt(8));
            }
            int oddFields = bad ? random.nextInt(3) : 0;
            for (int k = 0; k < oddFields; k++) {
                int name = random.nextInt(NAMES.length);
                String[] values = VALUES[Math.min(valueSet(NAMES[name]), VALUES.length - 1)];
                String field = "\"" + NAMES[name] + "\":" + values[random.nextInt(values.length)];
                String key = "\"" + NAMES[name] + "\":";
                fields.removeIf(f -> f.startsWith(key) && random.nextInt(8) != 0); // sometimes a duplicate
                fields.add(field);
            }
            if (bad && random.nextInt(10) == 0) {
                fields.remove(random.nextInt(fields.size()));
            }
            java.util.Collections.shuffle(fields, random);
            out.append('{').append(String.join(",", fields)).append('}');
        }
        out.append(']');
        if (bad && random.nextInt(50) == 0) {
            out.append(random.nextBoolean() ? " 1" : "]");
        }
        return out.toString();
    }

    /**
     * bt as nodes write it (seconds with 0 to 9 fraction digits), and now and then more digits than ns, an exponent, a
     * value at the edge of the window or rounding onto it.
     */
    private static String randomBaseTime(Random random) {
        long seconds = 1_763_855_000L + random.nextInt(1000);
        return switch (random.nextInt(8)) {
            case 0 -> seconds + "." + "0".repeat(random.nextInt(3)) + random.nextInt(1_000_000_000) + random.nextInt(1000);
            case 1 -> (seconds / 1000) + "." + (seconds % 1000) + random.nextInt(1000) + "e" + (3 + random.nextInt(2));
            case 2 -> random.nextBoolean() ? "1420070400" : "1420070399.9999999995";
            case 3 -> Long.toString(NOW_NS / 1_000_000_000L + 86_400L) + (random.nextBoolean() ? ".0000000004" : ".000000001");
            case 4 -> Long.toString(seconds);
            default -> {
                String fraction = Integer.toString(random.nextInt(1_000_000_000));
                yield seconds + "." + fraction.substring(0, 1 + random.nextInt(fraction.length()));
            }
        };
    }

    private static int valueSet(String name) {
        return switch (name) {
            case "bn" -> 0;
            case "bt" -> 1;
            case "bu", "u" -> 2;
            case "bv", "bs", "v", "s", "ut", "x_", "foo", "vs", "vb" -> 3;
            case "t" -> 4;
            case "qc" -> 5;
            case "cal" -> 6;
            case "n" -> 7;
            default -> 8;
        };
    }

    /** Both paths on one payload; returns the tree's answer. */
    private DecodedPack assertSame(byte[] payload) {
        DecodedPack tree = decoder.decode(TOPIC, payload, NOW_NS, false);
        DecodedPack streamed = decoder.decode(TOPIC, payload, NOW_NS, true);
        String shown = new String(payload, StandardCharsets.UTF_8);
        assertEquals(tree.readings().size(), streamed.readings().size(), shown);
        for (int i = 0; i < tree.readings().size(); i++) {
            Reading a = tree.readings().get(i);
            Reading b = streamed.readings().get(i);
            if (!a.equals(b) || Double.doubleToRawLongBits(a.value()) != Double.doubleToRawLongBits(b.value())) {
                fail("reading " + i + " differs: tree " + a + ", streamed " + b + " of " + shown);
            }
        }
        assertEquals(tree.rejections().size(), streamed.rejections().size(), shown);
        for (int i = 0; i < tree.rejections().size(); i++) {
            Rejection a = tree.rejections().get(i);
            Rejection b = streamed.rejections().get(i);
            assertEquals(a.topic(), b.topic(), shown);
            assertEquals(a.reason(), b.reason(), shown);
            assertEquals(a.rawLength(), b.rawLength(), shown);
            assertTrue(Arrays.equals(a.raw(), b.raw()), shown);
        }
        return tree;
    }
}
