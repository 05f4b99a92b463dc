package org.fieldgate.live;

import org.fieldgate.reading.Reading;
import org.junit.jupiter.api.Test;

import org.fieldgate.testkit.SenmlPacks;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LatestReadingsTest {
    private static final long T0 = 1_763_000_000_000_000_000L;
    private static final long S = 1_000_000_000L;

    private static Reading r(String channel, long timeNs, double value) {
        return new Reading("site", "probe", channel, "ppm", timeNs, value, 0);
    }

    @Test
    void historyIsTheMeanOfEachTenSecondsAndKeepsOnlyTheNewestPoints() {
        LatestReadings latest = new LatestReadings();
        List<Reading> batch = new ArrayList<>();
        for (int s = 0; s < 2000; s++) {
            batch.add(r("co2", T0 + s * S, s));
        }
        latest.update(batch);
        LatestReadings.SeriesView v = latest.views().get(0);
        assertEquals(1999.0, v.latest().value());
        assertEquals(LatestReadings.HISTORY_POINTS, v.history().size(), "bounded");
        // 200 points of 10 readings each were made; the newest 120 are kept, the last one still open
        LatestReadings.Point oldest = v.history().get(0);
        assertEquals(T0 + 800 * S, oldest.timeNs());
        assertEquals((800 + 809) / 2.0, oldest.value(), 1e-9);
        LatestReadings.Point newest = v.history().get(119);
        assertEquals(T0 + 1990 * S, newest.timeNs());
        assertEquals((1990 + 1999) / 2.0, newest.value(), 1e-9);
    }

    @Test
    void aLateReadingNeitherReplacesTheLatestNorRewritesHistoryAndSparseSeriesKeepEveryReading() {
        LatestReadings latest = new LatestReadings();
        latest.update(List.of(r("slow", T0, 1), r("slow", T0 + 300 * S, 2), r("slow", T0 + 600 * S, 3)));
        latest.update(List.of(r("slow", T0 + 100 * S, 99), r("a-fast", T0, 5), r("slow", T0 + 600 * S + 1, Double.NaN)));
        List<LatestReadings.SeriesView> views = latest.views();
        assertEquals(List.of("a-fast", "slow"), views.stream().map(v -> v.latest().channel()).toList());
        LatestReadings.SeriesView slow = views.get(1);
        assertEquals(T0 + 600 * S + 1, slow.latest().timeNs(), "a NaN value is still the newest reading");
        assertEquals(List.of(1.0, 2.0, 3.0), slow.history().stream().map(LatestReadings.Point::value).toList());
    }

    @Test
    void beyondTheCapTheLeastRecentlyUpdatedSeriesIsEvictedAndCounted() {
        LatestReadings latest = new LatestReadings(3);
        latest.update(List.of(r("a", T0, 1), r("b", T0, 2), r("c", T0, 3)));
        latest.update(List.of(r("a", T0 + S, 11))); // a is now the most recently updated, b the least
        latest.update(List.of(r("d", T0 + S, 4)));
        assertEquals(List.of("a", "c", "d"), latest.views().stream().map(v -> v.latest().channel()).toList());
        assertEquals(3, latest.seriesCount());
        assertEquals(1, latest.evictedSeries());
        latest.update(List.of(r("e", T0 + 2 * S, 5), r("f", T0 + 2 * S, 6)));
        assertEquals(List.of("d", "e", "f"), latest.views().stream().map(v -> v.latest().channel()).toList());
        assertEquals(3, latest.evictedSeries());
        // an evicted series that comes back starts a new history
        latest.update(List.of(r("b", T0 + 3 * S, 7)));
        assertEquals(List.of(7.0), latest.views().stream().filter(v -> v.latest().channel().equals("b"))
                .findFirst().orElseThrow().history().stream().map(LatestReadings.Point::value).toList());
        assertEquals(4, latest.evictedSeries());
    }

    @Test
    void theHistoryGrowsWithItsPointsAndKeepsTheirTimesAndMeans() {
        LatestReadings latest = new LatestReadings();
        List<Reading> batch = new ArrayList<>();
        for (int k = 0; k < 130; k++) { // one reading per point, 5 min apart, values with a fraction
            batch.add(r("slow", T0 + k * 300 * S + 123_456_789L, k + 0.25));
            latest.update(batch);
            List<LatestReadings.Point> history = latest.views().get(0).history();
            assertEquals(Math.min(k + 1, LatestReadings.HISTORY_POINTS), history.size(), "after reading " + k);
            batch.clear();
        }
        List<LatestReadings.Point> history = latest.views().get(0).history();
        for (int i = 0; i < history.size(); i++) {
            int k = 130 - LatestReadings.HISTORY_POINTS + i;
            assertEquals(T0 + k * 300 * S + 123_456_789L, history.get(i).timeNs(), "point " + i);
            assertEquals(k + 0.25, history.get(i).value(), 1e-6, "point " + i);
        }
    }

    /**
     * The series map (a probe key compared by reference first, its hash worked out once) against a plain model: a
     * LinkedHashMap in access order keyed by the three names as a list, with the same cap. Names come as the same
     * String and as equal copies, and "Aa" and "BB" share a hash, so a key that compared references only or hashes
     * only would split or merge series; after every commit the held series, their latest readings and the evicted
     * count must be the model's.
     */
    @Test
    void seriesAreFoundByTheirNamesWhateverStringsCarryThem() {
        java.util.Random random = new java.util.Random(7);
        int cap = 40;
        LatestReadings latest = new LatestReadings(cap);
        long[] evicted = new long[1];
        java.util.LinkedHashMap<List<String>, Reading> model = new java.util.LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(java.util.Map.Entry<List<String>, Reading> eldest) {
                if (size() > cap) {
                    evicted[0]++;
                    return true;
                }
                return false;
            }
        };
        String[] names = {"Aa", "BB", "co2", "t", "AaAa", "BBBB", "AaBB"};
        for (int commit = 0; commit < 400; commit++) {
            List<Reading> batch = new ArrayList<>();
            int size = 1 + random.nextInt(random.nextInt(8) == 0 ? 200 : 10);
            for (int i = 0; i < size; i++) {
                String site = random.nextInt(4) == 0 ? "BB" : "Aa";
                String device = names[random.nextInt(names.length)];
                String channel = names[random.nextInt(names.length)];
                if (random.nextBoolean()) {
                    device = new String(device.toCharArray()); // equal, another object
                }
                if (random.nextBoolean()) {
                    channel = new String(channel.toCharArray());
                }
                long timeNs = T0 + (commit * 50L + random.nextInt(60)) * S;
                Reading r = new Reading(site, device, channel, "ppm", timeNs, random.nextInt(1000), 0);
                batch.add(r);
                List<String> key = List.of(site, device, channel);
                Reading held = model.get(key);
                if (held == null || r.timeNs() >= held.timeNs()) {
                    model.put(key, r);
                }
            }
            latest.update(batch);
            java.util.Map<List<String>, Reading> expected = new java.util.TreeMap<>(
                    java.util.Comparator.comparing((List<String> k) -> String.join("\u0000", k)));
            expected.putAll(model);
            java.util.Map<List<String>, Reading> held = new java.util.TreeMap<>(
                    java.util.Comparator.comparing((List<String> k) -> String.join("\u0000", k)));
            for (Reading r : latest.all()) {
                held.put(List.of(r.site(), r.device(), r.channel()), r);
            }
            assertEquals(expected, held, "commit " + commit);
            assertEquals(evicted[0], latest.evictedSeries(), "commit " + commit);
        }
    }

    /** HashMap's bucket of a hash in a table of {@code buckets} (a power of two): its spread and mask. */
    private static int bucket(int hash, int buckets) {
        return (hash ^ (hash >>> 16)) & (buckets - 1);
    }

    @Test
    void namesWhosePolynomialHashesCollideFallInDistinctBuckets() {
        // the old key hash, (site * 31 + device) * 31 + channel, gave these two series the same hash
        int oldA = ("bench".hashCode() * 31 + "dev-100".hashCode()) * 31 + "co2_30cm".hashCode();
        int oldB = ("bench".hashCode() * 31 + "dev-300".hashCode()) * 31 + "co2_10cm".hashCode();
        assertEquals(oldA, oldB, "the collision this test is about");
        int a = LatestReadings.SeriesKey.hash("bench", "dev-100", "co2_30cm");
        int b = LatestReadings.SeriesKey.hash("bench", "dev-300", "co2_10cm");
        assertNotEquals(a, b);
        for (int buckets = 16; buckets <= 1 << 16; buckets <<= 1) {
            assertNotEquals(bucket(a, buckets), bucket(b, buckets), buckets + " buckets");
        }
    }

    @Test
    void theBenchmarksSeriesHaveDistinctHashesSpreadLikeRandomOnes() {
        // the benchmark's single-reading load (bench/Load): devices dev-0..dev-999, SenmlPacks' ten channels
        Set<Integer> hashes = new HashSet<>();
        Map<Integer, Integer> perBucket = new HashMap<>();
        int series = 0;
        for (int d = 0; d < 1000; d++) {
            for (String[] channel : SenmlPacks.CHANNELS) {
                int h = LatestReadings.SeriesKey.hash("bench", "dev-" + d, channel[0]);
                hashes.add(h);
                perBucket.merge(bucket(h, 16_384), 1, Integer::sum);
                series++;
            }
        }
        assertEquals(series, hashes.size(), "every series its own hash (the old one: 9,300 of 10,000)");
        // 10,000 random keys in 16,384 buckets use about 7,470 of them (the old hash: 6,664, up to 8 in one)
        assertTrue(perBucket.size() > 7_300, perBucket.size() + " buckets used");
        assertTrue(perBucket.values().stream().allMatch(n -> n <= 6), "at most 6 keys in a bucket");
    }

    @Test
    void everyOneOfTenThousandSeriesKeepsItsOwnLatestReading() {
        LatestReadings latest = new LatestReadings(20_000);
        for (int round = 0; round < 3; round++) {
            List<Reading> batch = new ArrayList<>();
            for (int d = 0; d < 1000; d++) {
                for (int c = 0; c < SenmlPacks.CHANNELS.length; c++) {
                    // new Strings each round: the keys must match by characters too, not only by reference
                    batch.add(new Reading(new String("bench"), "dev-" + d, new String(SenmlPacks.CHANNELS[c][0]),
                            SenmlPacks.CHANNELS[c][1], T0 + round * S, d * 100 + c + round * 0.25, 0));
                }
            }
            latest.update(batch);
        }
        assertEquals(10_000, latest.seriesCount());
        List<Reading> all = latest.all();
        assertEquals(10_000, all.size());
        for (Reading r : all) {
            int d = Integer.parseInt(r.device().substring("dev-".length()));
            int c = List.of(SenmlPacks.CHANNELS).stream().map(x -> x[0]).toList().indexOf(r.channel());
            assertEquals(d * 100 + c + 0.5, r.value(), r.device() + "/" + r.channel());
            assertEquals(T0 + 2 * S, r.timeNs());
        }
    }
}
