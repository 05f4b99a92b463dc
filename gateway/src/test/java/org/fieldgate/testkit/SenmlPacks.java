package org.fieldgate.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Generates SenML packs (RFC 8428 JSON arrays) the way the field probes send them.
 *
 * <p>Times: each pack has {@code bt = <whole second> + 0.5} and records use whole-second {@code t}, so every
 * resolved time is a multiple of 0.5 s. Such a time is exact as a double in seconds and (×1e9) as a double in
 * nanoseconds, so a gateway that computes {@code (bt + t) * 1e9} in floating point and one that uses exact decimal
 * arithmetic both arrive at the same nanosecond: the tests can compare timestamps exactly.
 *
 * <p>Values: full-precision doubles from a seeded random source (not just "nice" decimals), so any lossy
 * formatting on the way to InfluxDB shows up as a value mismatch.
 */
public final class SenmlPacks {
    public static final String[][] CHANNELS = {
            {"co2_10cm", "ppm"}, {"co2_30cm", "ppm"}, {"soil_temp_10cm", "Cel"}, {"air_temp", "Cel"},
            {"rel_humidity", "%RH"}, {"air_pressure", "hPa"}, {"soil_moisture_10cm", "m3/m3"},
            {"battery", "V"}, {"flow_rate", "m3/s"}, {"conductivity", "S/m"},
    };

    private final String site;
    private final String devicePrefix;
    private final int devices;
    private final int recordsPerPack;
    private final long baseSecond;
    private final long seed;

    /**
     * @param devicePrefix  device names are prefix-0 … prefix-(devices-1)
     * @param baseSecond    epoch second of the first reading; use the recent past (e.g. now − 1 h), inside the
     *                      gateway's accepted window and InfluxDB's default retention
     */
    public SenmlPacks(String site, String devicePrefix, int devices, int recordsPerPack, long baseSecond, long seed) {
        if (recordsPerPack % CHANNELS.length != 0) {
            throw new IllegalArgumentException("recordsPerPack must be a multiple of " + CHANNELS.length);
        }
        this.site = site;
        this.devicePrefix = devicePrefix;
        this.devices = devices;
        this.recordsPerPack = recordsPerPack;
        this.baseSecond = baseSecond;
        this.seed = seed;
    }

    /** Epoch second one hour ago: a safe base time for readings that must be accepted and retained. */
    public static long anHourAgo() {
        return System.currentTimeMillis() / 1000 - 3600;
    }

    public static String topic(String site, String device) {
        return "fieldgate/" + site + "/" + device + "/senml";
    }

    /** Pack number {@code index}; packs rotate over the devices and never share a (device, channel, time). */
    public Pack pack(int index) {
        String device = devicePrefix + "-" + (index % devices);
        int round = index / devices;
        int secondsPerPack = recordsPerPack / CHANNELS.length;
        long btSecond = baseSecond + (long) round * secondsPerPack;
        long btNs = btSecond * 1_000_000_000L + 500_000_000L;
        Random random = new Random(seed * 1_000_003L + index); // pack(i) is the same pack every time it is asked for
        List<Reading> readings = new ArrayList<>(recordsPerPack);
        StringBuilder json = new StringBuilder(recordsPerPack * 64).append('[');
        for (int r = 0; r < recordsPerPack; r++) {
            String[] channel = CHANNELS[r % CHANNELS.length];
            int t = r / CHANNELS.length;
            double value = value(channel[1], random.nextDouble());
            readings.add(new Reading(device, channel[0], channel[1], btNs + t * 1_000_000_000L, value));
            if (r > 0) {
                json.append(',');
            }
            json.append('{');
            if (r == 0) {
                json.append("\"bn\":\"").append(device).append("/\",\"bt\":").append(btSecond).append(".5,");
            }
            json.append("\"n\":\"").append(channel[0]).append("\",\"u\":\"").append(channel[1])
                    .append("\",\"v\":").append(value).append(",\"t\":").append(t);
            if (r % 7 == 3) {
                json.append(",\"qc\":0");
            }
            json.append('}');
        }
        json.append(']');
        return Pack.of(topic(site, device), json.toString(), readings, "pack " + index);
    }

    public List<Pack> packs(int count) {
        List<Pack> packs = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            packs.add(pack(i));
        }
        return packs;
    }

    private static double value(String unit, double u) {
        return switch (unit) {
            case "ppm" -> 400 + u * 9600;
            case "Cel" -> -20 + u * 60;
            case "%RH" -> u * 100;
            case "hPa" -> 950 + u * 100;
            case "m3/m3" -> u * 0.6;
            case "V" -> 3 + u * 1.2;
            case "m3/s" -> u * 1e-3;
            case "S/m" -> u * 2;
            default -> u;
        };
    }
}
