package org.fieldgate.lorawan;

import com.fasterxml.jackson.databind.JsonNode;
import org.fieldgate.lorawan.FrameCounterStore.LastFrame;
import org.fieldgate.reading.QcFlags;
import org.fieldgate.reading.Reading;
import org.fieldgate.senml.DecodedPack;
import org.fieldgate.senml.Rejection;
import org.fieldgate.site.Calibration;
import org.fieldgate.site.LorawanMapping;
import org.fieldgate.site.SiteConfig;

import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * Turns ChirpStack v4 and The Things Stack v3 uplink events (formats: {@link UplinkFormats}) into readings, by the
 * {@code lorawan} sections of the site files (see README.md in this package):
 * <ul>
 * <li>the site is the one whose {@code lorawan.applications} lists the uplink's application;</li>
 * <li>each field of the decoded payload the device's (or its profile's) map names becomes a reading of that channel
 * and unit, converted by the map's calibration in force on the reading's day, like a local probe's;</li>
 * <li>the reading time is the network's receive time, flagged {@link QcFlags#NETWORK_TIME};</li>
 * <li>the receiving gateway with the best SNR gives two more readings, {@code rssi} (dBm) and {@code snr} (dB);</li>
 * <li>an uplink with the frame counter of the last one and another receive time is a duplicate and is dropped (a
 * redelivered MQTT message has the same time and the spool's reading keys collapse it, after a restart too);</li>
 * <li>a frame counter below the last one is a reset (the node rejoined or rebooted) and one above it by more than one
 * means uplinks were lost: either is a gap record;</li>
 * <li>an uplink without a decoded payload, of an application or device no site file maps, or with a field its map
 * leaves out, is a dead letter with the reason (what is mapped of the last still becomes readings).</li>
 * </ul>
 * Plain Java: no MQTT client here; the transport hands each message's topic and payload in.
 */
public final class LorawanDecoder {
    /** The subscriptions for both networks' uplinks. */
    public static final List<String> TOPIC_FILTERS = List.of(UplinkFormats.CHIRPSTACK_FILTER, UplinkFormats.TTS_FILTER);
    public static final String RSSI_CHANNEL = "rssi";
    public static final String SNR_CHANNEL = "snr";
    private static final Pattern DECIMAL = Pattern.compile("-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?");
    private static final Pattern DEVICE = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final int RAW_KEPT_BYTES = 1024;
    /** Frame-counter state kept for at most this many devices (the oldest forgotten first). */
    private static final int MAX_DEVICES = 10_000;

    /** Where a frame-counter reset or lost uplinks are recorded (the spool's gap store in the gateway). */
    @FunctionalInterface
    public interface GapSink {
        void gap(String site, String device, long firstNs, long lastNs, long missing, String cause);
    }

    private final UplinkFormats formats = new UplinkFormats();
    private final List<SiteConfig> sites;
    private final GapSink gaps;
    private final FrameCounterStore frameCounters;
    /** Touched by the ingest committer's thread only. */
    private final Map<String, LastFrame> lastFrames = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, LastFrame> eldest) {
            return size() > MAX_DEVICES;
        }
    };
    private final AtomicLong duplicates = new AtomicLong();

    /** Frame counters kept in memory only: after a restart the first uplink of each device starts afresh. */
    public LorawanDecoder(List<SiteConfig> sites, GapSink gaps) {
        this(sites, gaps, FrameCounterStore.inMemory());
    }

    /** Frame counters kept in {@code frameCounters} too, and continued from what it holds. */
    public LorawanDecoder(List<SiteConfig> sites, GapSink gaps, FrameCounterStore frameCounters) {
        this.sites = List.copyOf(sites);
        this.gaps = gaps;
        this.frameCounters = frameCounters;
        lastFrames.putAll(frameCounters.load());
    }

    /** True for a topic of either network's uplinks. */
    public static boolean matches(String topic) {
        return UplinkFormats.matches(topic);
    }

    /** True when some site file maps LoRaWAN applications: only then does the gateway subscribe to uplinks. */
    public boolean hasApplications() {
        return sites.stream().anyMatch(s -> s.lorawan() != null && !s.lorawan().applications().isEmpty());
    }

    /** Uplinks dropped as duplicates (same device and frame counter, another receive time) since start. */
    public long duplicates() {
        return duplicates.get();
    }

    public DecodedPack decode(String topic, byte[] payload) {
        Uplink up;
        try {
            up = formats.read(topic, payload);
        } catch (UplinkFormats.BadUplink e) {
            return refused(topic, payload, e.getMessage());
        }
        SiteConfig site = siteOf(up.application());
        if (site == null) {
            return refused(topic, payload, "application '" + up.application() + "' (" + up.network()
                    + ") is in no site file's lorawan.applications");
        }
        LorawanMapping.FieldMap map = site.lorawan().mapFor(up.deviceNames(), up.profile());
        if (map == null) {
            return refused(topic, payload, "device '" + up.device() + "' (profile '" + up.profile() + "') is mapped "
                    + "neither under lorawan.devices nor lorawan.profiles of site file " + site.file());
        }
        if (!DEVICE.matcher(up.device()).matches()) {
            return refused(topic, payload, "device name '" + up.device() + "' is not a fieldgate device name "
                    + "(letters, digits, _ . -, at most 64); map and name it by one");
        }
        if (up.decoded() == null) {
            return refused(topic, payload, (up.network().equals("chirpstack") ? "object" : "uplink_message.decoded_payload")
                    + ": absent: the uplink was not decoded (no payload codec on the network server, or it failed); "
                    + "fCnt " + up.fCnt());
        }
        if (!up.decoded().isObject()) {
            return refused(topic, payload, "decoded payload: " + UplinkFormats.shown(up.decoded()) + " is not an object");
        }
        if (!frameCounter(site, up)) {
            return new DecodedPack(List.of(), List.of());
        }
        return readings(topic, site, map, up);
    }

    /** False for a duplicate; records resets and lost uplinks as gaps. */
    private boolean frameCounter(SiteConfig site, Uplink up) {
        String key = up.network() + "/" + up.application() + "/" + up.device();
        LastFrame last = lastFrames.get(key);
        if (last != null && last.fCnt() == up.fCnt() && last.receivedNs() != up.receivedNs()) {
            duplicates.incrementAndGet();
            return false;
        }
        if (last != null && up.fCnt() < last.fCnt()) {
            gaps.gap(site.id(), up.device(), last.receivedNs(), up.receivedNs(), 0, "LoRaWAN frame counter reset from "
                    + last.fCnt() + " to " + up.fCnt() + " (node rejoined or restarted)");
        } else if (last != null && up.fCnt() > last.fCnt() + 1) {
            long lost = up.fCnt() - last.fCnt() - 1;
            gaps.gap(site.id(), up.device(), last.receivedNs(), up.receivedNs(), lost, "LoRaWAN uplinks lost: frame "
                    + "counter " + last.fCnt() + " then " + up.fCnt());
        }
        if (last == null || up.fCnt() != last.fCnt() || up.receivedNs() != last.receivedNs()) {
            LastFrame frame = new LastFrame(up.fCnt(), up.receivedNs());
            // saved before the readings are committed: a crash between the two leaves the uplink unacknowledged, and
            // its redelivery (same counter, same time) is not taken for a duplicate
            frameCounters.save(key, frame);
            lastFrames.put(key, frame);
        }
        return true;
    }

    private DecodedPack readings(String topic, SiteConfig site, LorawanMapping.FieldMap map, Uplink up) {
        List<Reading> out = new ArrayList<>();
        List<Rejection> refused = new ArrayList<>();
        Map<String, JsonNode> fields = new LinkedHashMap<>();
        flatten("", up.decoded(), fields);
        LocalDate day = Instant.ofEpochSecond(0, up.receivedNs()).atZone(site.timezone()).toLocalDate();
        int qc = QcFlags.NETWORK_TIME;
        List<String> unmapped = new ArrayList<>();
        for (Map.Entry<String, JsonNode> f : fields.entrySet()) {
            LorawanMapping.Field field = map.fields().get(f.getKey());
            if (field == null) {
                unmapped.add(f.getKey() + "=" + UplinkFormats.shown(f.getValue()));
                continue;
            }
            JsonNode v = f.getValue();
            Double x = number(v);
            if (x == null) {
                refused.add(rejection(topic, "decoded field '" + f.getKey() + "': " + UplinkFormats.shown(v)
                        + " is not a number (device " + up.device() + ", fCnt " + up.fCnt() + ")", v.toString().getBytes()));
                continue;
            }
            Calibration cal = field.calibrationOn(day);
            out.add(new Reading(site.id(), up.device(), field.channel(), field.unit(), up.receivedNs(),
                    cal == null ? x : cal.apply(x), qc, cal == null ? null : cal.id()));
        }
        if (!unmapped.isEmpty()) {
            refused.add(rejection(topic, "decoded fields not in the site file's map for device " + up.device()
                    + " (line " + map.line() + " of " + site.file() + "): " + String.join(", ", unmapped)
                    + "; fCnt " + up.fCnt(), up.decoded().toString().getBytes()));
        }
        Uplink.Gateway g = up.bestGateway();
        if (g != null && g.rssiDbm() != null) {
            out.add(new Reading(site.id(), up.device(), RSSI_CHANNEL, "dBm", up.receivedNs(), g.rssiDbm(), qc));
        }
        if (g != null && g.snrDb() != null) {
            out.add(new Reading(site.id(), up.device(), SNR_CHANNEL, "dB", up.receivedNs(), g.snrDb(), qc));
        }
        return new DecodedPack(out, refused);
    }

    /**
     * A JSON number, a boolean (1/0), or a string holding a decimal number: payload codecs often format with
     * JavaScript's toFixed, which returns a string (TheThingsNetwork/lorawan-devices vendor/dragino/lse01.js:
     * {@code data.water_SOIL=(value/100).toFixed(2)}). Null for anything else, and for NaN or infinities.
     */
    private static Double number(JsonNode v) {
        if (v.isNumber()) {
            return Double.isFinite(v.asDouble()) ? v.asDouble() : null;
        }
        if (v.isBoolean()) {
            return v.asBoolean() ? 1.0 : 0.0;
        }
        if (v.isTextual() && DECIMAL.matcher(v.asText()).matches()) {
            double d = Double.parseDouble(v.asText());
            return Double.isFinite(d) ? d : null;
        }
        return null;
    }

    /** Nested objects as dotted names: Cayenne LPP's {"temperatureSensor": {"1": 25}} is field temperatureSensor.1. */
    private static void flatten(String prefix, JsonNode node, Map<String, JsonNode> out) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = prefix + e.getKey();
            if (e.getValue().isObject()) {
                flatten(name + ".", e.getValue(), out);
            } else {
                out.put(name, e.getValue());
            }
        }
    }

    private SiteConfig siteOf(String application) {
        for (SiteConfig s : sites) {
            if (s.lorawan() != null && s.lorawan().applications().contains(application)) {
                return s;
            }
        }
        return null;
    }

    private static DecodedPack refused(String topic, byte[] payload, String reason) {
        return new DecodedPack(List.of(), List.of(rejection(topic, reason, payload)));
    }

    private static Rejection rejection(String topic, String reason, byte[] raw) {
        byte[] kept = raw.length <= RAW_KEPT_BYTES ? raw : java.util.Arrays.copyOf(raw, RAW_KEPT_BYTES);
        return new Rejection(topic, reason, kept, raw.length);
    }
}
