package org.fieldgate.bench;

import org.fieldgate.testkit.Pack;
import org.fieldgate.testkit.SenmlPacks;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The messages of one end-to-end run, generated before the clock starts: topics and SenML payloads. Two shapes:
 * {@code burst} = SenmlPacks' packs of 100 readings (one device, 10 channels x 10 seconds; devices x 10 series), and
 * {@code single} = one reading per message, device k % devices, channel (k / devices) % 10, one second per
 * devices x 10 messages (devices x 10 series). Every (series, time) occurs once, so stored counts are exact.
 */
final class Load {
    final String site;
    final int readingsPerMessage;
    final int devices;
    final List<String> devicesOf = new ArrayList<>();
    final List<byte[]> payloads = new ArrayList<>();

    private Load(String site, int readingsPerMessage, int devices) {
        this.site = site;
        this.readingsPerMessage = readingsPerMessage;
        this.devices = devices;
    }

    long readings() {
        return (long) payloads.size() * readingsPerMessage;
    }

    int series() {
        return devices * SenmlPacks.CHANNELS.length;
    }

    String topic(String prefix, int k) {
        return prefix + "/" + site + "/" + devicesOf.get(k) + "/senml";
    }

    /** Every message's topic, in order. */
    List<String> topics(String prefix) {
        List<String> topics = new ArrayList<>(payloads.size());
        for (int k = 0; k < payloads.size(); k++) {
            topics.add(topic(prefix, k));
        }
        return topics;
    }

    static Load burst(String site, int devices, long readings, long seed) {
        Load load = new Load(site, 100, devices);
        SenmlPacks packs = new SenmlPacks(site, "dev", devices, 100, SenmlPacks.anHourAgo() - 600, seed);
        for (int i = 0; (long) i * 100 < readings; i++) {
            Pack p = packs.pack(i);
            load.devicesOf.add(p.readings().get(0).device());
            load.payloads.add(p.payload());
        }
        return load;
    }

    static Load single(String site, int devices, long readings, long seed) {
        Load load = new Load(site, 1, devices);
        String[][] channels = SenmlPacks.CHANNELS;
        long base = SenmlPacks.anHourAgo() - 600;
        Random random = new Random(seed);
        for (int k = 0; k < readings; k++) {
            int device = k % devices;
            String[] channel = channels[(k / devices) % channels.length];
            long second = base + k / ((long) devices * channels.length);
            double value = Math.round(random.nextDouble() * 1e6) / 1e3;
            String name = "dev-" + device;
            load.devicesOf.add(name);
            load.payloads.add(message(name, second, channel[0], channel[1], value));
        }
        return load;
    }

    /** One SenML record: {@code [{"bn":"dev-1/","bt":1700000000.5,"n":"co2_10cm","u":"ppm","v":412.345}]}. */
    static byte[] message(String device, long second, String channel, String unit, double value) {
        return ("[{\"bn\":\"" + device + "/\",\"bt\":" + second + ".5,\"n\":\"" + channel + "\",\"u\":\"" + unit
                + "\",\"v\":" + value + "}]").getBytes(StandardCharsets.UTF_8);
    }
}
