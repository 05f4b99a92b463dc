package org.fieldgate.senml;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link NameCache} always answers the characters asked for (from a char array or a part of a String, random names
 * of every length, far more than it holds), and holds the names a site sends: 1,000 devices {@code node-0} to
 * {@code node-999} and their site, in a topic table of 8,192 slots, come back as the same Strings on every later
 * message (the one-slot table of 1,024 made 851 of them anew each time).
 */
class NameCacheTest {
    @Test
    void answersTheCharactersAskedFor() {
        NameCache cache = new NameCache(16);
        Random random = new Random(7);
        for (int i = 0; i < 200_000; i++) {
            int length = random.nextInt(random.nextInt(10) == 0 ? 200 : 12);
            StringBuilder name = new StringBuilder();
            for (int c = 0; c < length; c++) {
                name.append((char) (random.nextInt(20) == 0 ? 'ä' + random.nextInt(40) : 'a' + random.nextInt(3)));
            }
            String expected = name.toString();
            String around = "x/" + expected + "/y";
            char[] chars = around.toCharArray();
            assertEquals(expected, cache.of(chars, 2, length));
            assertEquals(expected, cache.of(around, 2, 2 + length));
        }
    }

    @Test
    void aThousandDevicesKeepTheirStrings() {
        NameCache topics = new NameCache(8192);
        List<String> topicsSent = new ArrayList<>();
        for (int d = 0; d < 1000; d++) {
            topicsSent.add("fieldgate/bench/node-" + d + "/senml");
        }
        IdentityHashMap<String, Boolean> first = new IdentityHashMap<>();
        for (String topic : topicsSent) {
            first.put(device(topics, topic), true);
            first.put(topics.of(topic, 10, 15), true);
        }
        int made = 0;
        for (int round = 0; round < 3; round++) {
            for (String topic : topicsSent) {
                assertSame(topics.of(topic, 10, 15), topics.of("fieldgate/bench/x/senml", 10, 15));
                made += first.containsKey(device(topics, topic)) ? 0 : 1;
            }
        }
        assertTrue(made <= 3 * 2, "device Strings made again in 3 rounds of 1,000 messages: " + made);
    }

    @Test
    void theSingleReadingBenchmarksNamesAndUnitsKeepTheirStrings() {
        // bench/Load's single-reading messages: "bn":"dev-N/", SenmlPacks' ten channels and their units, read
        // by the records' cache of 4,096 slots; in pairs, Cel and m3/s each shared a pair with two devices' base
        // names and were made anew on most records
        NameCache names = new NameCache(4096);
        List<String> sent = new ArrayList<>();
        for (int d = 0; d < 1000; d++) {
            String[] channel = org.fieldgate.testkit.SenmlPacks.CHANNELS[d % 10];
            sent.add("dev-" + d + "/");
            sent.add(channel[0]);
            sent.add(channel[1]);
        }
        IdentityHashMap<String, Boolean> first = new IdentityHashMap<>();
        for (String name : sent) {
            first.put(names.of(name.toCharArray(), 0, name.length()), true);
        }
        int made = 0;
        for (int round = 0; round < 3; round++) {
            for (String name : sent) {
                String got = names.of(name.toCharArray(), 0, name.length());
                assertEquals(name, got);
                made += first.containsKey(got) ? 0 : 1;
            }
        }
        assertEquals(0, made, "names and units made again in 3 rounds");
    }

    private static String device(NameCache topics, String topic) {
        int end = topic.indexOf('/', 16);
        String device = topics.of(topic, 16, end);
        assertEquals(topic.substring(16, end), device);
        return device;
    }
}
