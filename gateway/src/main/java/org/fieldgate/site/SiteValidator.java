package org.fieldgate.site;

import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.fieldgate.calc.flux.Gas;
import org.fieldgate.site.SensorModel.Interface;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Validates a site file against the sensor models and collects every error (never stops at the first): unknown
 * keys (with "did you mean"), missing fields, wrong types, out-of-range values, unknown model, bus, probe, channel
 * and calibration references, duplicate ids and channel names, two probes on one bus address, a GPIO pin used
 * twice, dates that are not ISO-8601, units that are not SenML, and chamber schedules that do not fit their cycle.
 */
public final class SiteValidator {
    static final List<String> BUS_TYPES = List.of("i2c", "modbus-rtu", "sdi12", "gpio", "serial");
    static final String PIN_ALLOWED = "a BCM GPIO number of the 40-pin header, 0-27";

    static final String[] LOCATION_KEYS = {"latitude", "longitude", "elevation-m", "description"};
    static final String[] BUS_KEYS = {"type", "device", "baud", "parity", "data-bits", "stop-bits", "description"};
    static final String[] CALIBRATION_KEYS = {"id", "valid-from", "equation", "coefficients", "input", "unit",
        "reference", "supersedes", "accuracy", "notes"};
    static final String[] PROBE_KEYS = {"id", "model", "bus", "address", "pin", "interval-s", "depth-cm", "channels",
        "settings", "description"};
    static final String[] PROBE_CHANNEL_KEYS = {"name", "calibration", "enabled", "description"};
    static final String[] ANALYSER_KEYS = {"co2", "ch4", "n2o", "h2o", "temperature", "pressure"};
    static final String[] SCHEDULE_KEYS = {"close-s", "dead-band-s", "observation-s", "open-s", "purge-s", "cycle-s"};
    static final String[] CHAMBER_KEYS = {"id", "relay-pin", "relay-model", "area-cm2", "volume-cm3",
        "collar-offset-cm", "volume-accuracy-pct", "area-accuracy-pct", "description"};
    static final String[] HOUSE_KEYS = {"inlet-co2", "outlet-co2", "airflow", "temperature", "humidity", "pressure",
        "fan-power", "fan-energy", "grid-factor-kg-per-kwh", "batches"};
    static final String[] BATCH_KEYS = {"id", "start-date", "rock-type", "mass-kg", "co2-potential-kg-per-kg",
        "handling-emissions-kg-co2", "notes"};
    static final String[] SITE_KEYS = {"kind", "id", "name", "location", "timezone", "sampling", "buses",
        "probes", "remote-nodes", "calibrations", "analyser", "schedule", "chambers", "house", "notes", "lorawan"};
    static final String[] REMOTE_NODE_KEYS = {"id", "channels", "description"};
    static final String[] REMOTE_CHANNEL_KEYS = {"unit", "description"};
    static final String[] REF_KEYS = {"probe", "channel"};

    /** The outcome of a check: the configuration when there were no errors (else null), and the errors in file order. */
    public record Result(SiteConfig config, int probes, int channels, List<ConfigError> errors) {
        public boolean ok() {
            return errors.isEmpty();
        }
    }

    private final YamlTree t;
    private final Map<String, SensorModel> models;
    private final Map<Integer, String> pins = new HashMap<>();
    private final Map<String, ProbeConfig> probes = new LinkedHashMap<>();
    private final Map<String, Calibration> calibrations = new LinkedHashMap<>();
    private final Map<String, Node> calibrationNodes = new HashMap<>();

    private SiteValidator(YamlTree t, Map<String, SensorModel> models) {
        this.t = t;
        this.models = models;
    }

    /** Validates {@code site} with the models already loaded (their own errors are not repeated here). */
    public static Result validate(Path site, Map<String, SensorModel> models) {
        List<ConfigError> errors = new ArrayList<>();
        Node root = YamlTree.compose(site, errors);
        SiteConfig config = null;
        SiteValidator v = new SiteValidator(YamlTree.of(site.toString(), errors), models);
        if (root != null) {
            config = v.site(root);
        }
        List<ConfigError> sorted = new ArrayList<>(errors);
        Collections.sort(sorted);
        int channels = v.probes.values().stream().mapToInt(p -> p.channels().size()).sum();
        return new Result(sorted.isEmpty() ? config : null, v.probes.size(), channels, List.copyOf(sorted));
    }

    private SiteConfig site(Node root) {
        YamlTree.Obj o = t.obj(root, "", SITE_KEYS);
        if (o == null) {
            return null;
        }
        ModelLoader.kind(o, "site");
        String id = o.str("id", true, Names.ID, Names.ID_ALLOWED);
        String name = o.str("name", false, null, "a display name");
        o.str("notes", false, null, "free text");
        YamlTree.Obj loc = o.obj("location", true, LOCATION_KEYS);
        Double lat = null;
        Double lon = null;
        Double elevation = null;
        if (loc != null) {
            lat = loc.num("latitude", true, -90, 90, "decimal degrees north, -90 to 90");
            lon = loc.num("longitude", true, -180, 180, "decimal degrees east, -180 to 180");
            elevation = loc.num("elevation-m", false, -500, 9000, "metres above sea level, -500 to 9000");
            loc.str("description", false, null, "free text");
        }
        ZoneId zone = zone(o);
        Double defaultInterval = null;
        YamlTree.Obj sampling = o.obj("sampling", false, "default-interval-s");
        if (sampling != null) {
            defaultInterval = sampling.num("default-interval-s", true, 0.001, 86400, "seconds, 0.001-86400");
        }
        Map<String, BusConfig> buses = buses(o);
        calibrations(o);
        // a site of remote nodes only (e.g. LwM2M nodes) has no probes of its own
        boolean remoteOnly = o.has("remote-nodes") || o.has("lorawan");
        List<Node> probeNodes = o.seq("probes", !remoteOnly,
                "a list of probes, each with id, model and bus/address or pin (or remote-nodes)");
        if (probeNodes != null) {
            if (probeNodes.isEmpty() && !remoteOnly) {
                t.error(o.get("probes"), "probes", "[]", "at least one probe (or remote-nodes)");
            }
            Map<String, Node> busAddresses = new HashMap<>();
            for (int i = 0; i < probeNodes.size(); i++) {
                probe(probeNodes.get(i), "probes[" + i + "]", buses, busAddresses, defaultInterval);
            }
        }
        List<RemoteNode> remoteNodes = remoteNodes(o);
        ChamberSystem chambers = chambers(o);
        HouseConfig house = house(o);
        LorawanMapping lorawan = LorawanSection.parse(t, o, calibrations, calibrationNodes);
        return new SiteConfig(id, name, lat == null ? 0 : lat, lon == null ? 0 : lon, elevation, zone, buses,
                List.copyOf(probes.values()), Map.copyOf(calibrations), chambers, house, t.file, remoteNodes, lorawan);
    }

    /** {@code remote-nodes}: MQTT device names not taken by a probe, each channel a SenML name with a SenML unit. */
    private List<RemoteNode> remoteNodes(YamlTree.Obj o) {
        List<Node> items = o.seq("remote-nodes", false, "a list of remote nodes, each with id and channels");
        List<RemoteNode> out = new ArrayList<>();
        if (items == null) {
            return out;
        }
        if (items.isEmpty()) {
            t.error(o.get("remote-nodes"), "remote-nodes", "[]", "at least one remote node, or leave remote-nodes out");
        }
        Map<String, Node> ids = new HashMap<>();
        for (int i = 0; i < items.size(); i++) {
            YamlTree.Obj n = t.obj(items.get(i), "remote-nodes[" + i + "]", REMOTE_NODE_KEYS);
            if (n == null) {
                continue;
            }
            String id = n.str("id", true, Names.ID, "a device name: " + Names.ID_ALLOWED);
            n.str("description", false, null, "free text");
            if (id != null && probes.containsKey(id)) {
                t.error(n.get("id"), n.field("id"), id, "already a probe of this site (line " + probes.get(id).line()
                        + "); device names must be unique");
                id = null;
            } else if (id != null && ids.putIfAbsent(id, n.get("id")) != null) {
                t.error(n.get("id"), n.field("id"), id, "duplicate remote node id (first at line "
                        + YamlTree.line(ids.get(id)) + ")");
                id = null;
            }
            Map<String, String> units = new LinkedHashMap<>();
            if (!n.has("channels")) {
                t.error(n.node, n.field("channels"), null, "required; each channel's name and unit, "
                        + "e.g. 3303/0/5700: {unit: Cel}");
                continue;
            }
            YamlTree.Obj channels = t.obj(n.get("channels"), n.field("channels"));
            if (channels == null) {
                continue;
            }
            for (Map.Entry<String, Node> e : channels.entries.entrySet()) {
                String path = channels.field(e.getKey());
                if (!Names.CHANNEL.matcher(e.getKey()).matches()) {
                    t.error(channels.keys.get(e.getKey()), path, e.getKey(), "a channel name: " + Names.CHANNEL_ALLOWED);
                    continue;
                }
                YamlTree.Obj c = t.obj(e.getValue(), path, REMOTE_CHANNEL_KEYS);
                if (c == null) {
                    continue;
                }
                c.str("description", false, null, "free text");
                String unit = ModelLoader.unit(c, "unit", true);
                if (unit != null) {
                    units.put(e.getKey(), unit);
                }
            }
            if (id != null) {
                out.add(new RemoteNode(id, units, YamlTree.line(items.get(i))));
            }
        }
        return out;
    }

    private ZoneId zone(YamlTree.Obj o) {
        String allowed = "an IANA time zone such as Asia/Tokyo, Europe/Berlin or UTC";
        String tz = o.str("timezone", true, null, allowed);
        if (tz == null) {
            return null;
        }
        try {
            if (!tz.contains("/") && !tz.equals("UTC")) {
                throw new DateTimeException("not a region id");
            }
            return ZoneId.of(tz);
        } catch (DateTimeException e) {
            t.error(o.get("timezone"), "timezone", tz, allowed + Names.didYouMean(tz, ZoneId.getAvailableZoneIds()));
            return null;
        }
    }

    private Map<String, BusConfig> buses(YamlTree.Obj o) {
        Map<String, BusConfig> out = new LinkedHashMap<>();
        Node node = o.get("buses");
        if (node == null) {
            return out;
        }
        for (Map.Entry<String, Node> e : t.entries(node, "buses").entrySet()) {
            String path = "buses." + e.getKey();
            if (!Names.ID.matcher(e.getKey()).matches()) {
                t.error(t.keyNodes(node).get(e.getKey()), path, e.getKey(), "a bus name: " + Names.ID_ALLOWED);
            }
            YamlTree.Obj b = t.obj(e.getValue(), path, BUS_KEYS);
            if (b == null) {
                continue;
            }
            String type = b.oneOf("type", true, BUS_TYPES);
            String device = b.str("device", true, null, "the Linux device, e.g. /dev/i2c-1, /dev/ttyUSB0, /dev/gpiochip0");
            b.str("description", false, null, "free text");
            boolean serial = "modbus-rtu".equals(type) || "serial".equals(type);
            for (String k : List.of("baud", "parity", "data-bits", "stop-bits")) {
                if (b.has(k) && type != null && !serial) {
                    t.error(b.get(k), b.field(k), YamlTree.text(b.get(k)), "only a modbus-rtu or serial bus has serial settings");
                }
            }
            if (serial) {
                Long baud = b.integer("baud", true, 1200, 115200, "one of " + ModelLoader.BAUDS);
                if (baud != null && !ModelLoader.BAUDS.contains(baud)) {
                    t.error(b.get("baud"), b.field("baud"), baud.toString(), "one of " + ModelLoader.BAUDS);
                }
                b.oneOf("parity", true, List.of("none", "even", "odd"));
                b.integer("data-bits", false, 7, 8, "7 or 8");
                b.integer("stop-bits", true, 1, 2, "1 or 2");
            }
            Map<String, String> settings = new LinkedHashMap<>();
            b.entries.forEach((k, v) -> settings.put(k, YamlTree.text(v)));
            if (type != null) {
                out.put(e.getKey(), new BusConfig(e.getKey(), type, device, settings));
            }
        }
        return out;
    }

    private void calibrations(YamlTree.Obj o) {
        List<Node> items = o.seq("calibrations", false, "a list of calibrations");
        if (items == null) {
            return;
        }
        Map<String, YamlTree.Obj> supersedes = new LinkedHashMap<>();
        for (int i = 0; i < items.size(); i++) {
            String path = "calibrations[" + i + "]";
            YamlTree.Obj c = t.obj(items.get(i), path, CALIBRATION_KEYS);
            if (c == null) {
                continue;
            }
            String id = c.str("id", true, Names.ID, "a calibration id: " + Names.ID_ALLOWED);
            var validFrom = c.date("valid-from", true);
            String equation = c.oneOf("equation", true, List.of("linear", "polynomial"));
            String allowedCoefficients = "linear".equals(equation)
                    ? "[c0, c1] for value = c0 + c1 x" : "[c0, c1, ...] for value = c0 + c1 x + c2 x^2 ..., 1-6 numbers";
            List<Double> coefficients = c.numbers("coefficients", true, allowedCoefficients);
            if (coefficients != null && equation != null) {
                boolean ok = "linear".equals(equation) ? coefficients.size() == 2
                        : coefficients.size() >= 1 && coefficients.size() <= 6;
                if (!ok) {
                    t.error(c.get("coefficients"), c.field("coefficients"), coefficients.size() + " numbers",
                            allowedCoefficients);
                    coefficients = null;
                }
            }
            String input = c.oneOf("input", false, List.of("scaled", "raw"));
            String unit = ModelLoader.unit(c, "unit", false);
            String reference = c.str("reference", true, null,
                    "the reference used: standard gas, reference instrument, samples or the manual's equation");
            String sup = c.str("supersedes", false, null, "the id of an earlier calibration this one corrects");
            Accuracy accuracy = ModelLoader.accuracy(c, "accuracy");
            c.str("notes", false, null, "free text");
            if (id == null) {
                continue;
            }
            if (calibrationNodes.containsKey(id)) {
                t.error(c.get("id"), c.field("id"), id, "duplicate calibration id (first at line "
                        + YamlTree.line(calibrationNodes.get(id)) + "); a correction needs a new id");
                continue;
            }
            calibrationNodes.put(id, c.get("id"));
            if (sup != null) {
                supersedes.put(id, c);
            }
            if (validFrom != null && coefficients != null && reference != null) {
                calibrations.put(id, new Calibration(id, validFrom, coefficients, "raw".equals(input), unit,
                        reference, sup, accuracy));
            }
        }
        supersedes.forEach((id, c) -> {
            Node node = c.get("supersedes");
            String old = YamlTree.text(node);
            String field = c.field("supersedes");
            if (!calibrationNodes.containsKey(old)) {
                t.error(node, field, old, "not a calibration defined in this file"
                        + Names.didYouMean(old, calibrationNodes.keySet()));
            } else if (calibrations.containsKey(id) && calibrations.containsKey(old)
                    && !calibrations.get(old).validFrom().isBefore(calibrations.get(id).validFrom())) {
                t.error(node, field, old, "the superseded calibration must have an earlier valid-from than "
                        + calibrations.get(id).validFrom());
            }
        });
    }

    private void probe(Node node, String path, Map<String, BusConfig> buses, Map<String, Node> busAddresses,
                       Double defaultInterval) {
        YamlTree.Obj p = t.obj(node, path, PROBE_KEYS);
        if (p == null) {
            return;
        }
        String id = p.str("id", true, Names.ID, "a device name: " + Names.ID_ALLOWED);
        if (id != null && probes.containsKey(id)) {
            t.error(p.get("id"), p.field("id"), id, "duplicate probe id (first at line " + probes.get(id).line()
                    + "); probe ids are MQTT device names and must be unique");
            id = null;
        }
        String modelId = p.str("model", true, null, "a model id from models/: " + String.join(", ", models.keySet()));
        SensorModel model = null;
        if (modelId != null) {
            model = models.get(modelId);
            if (model == null) {
                t.error(p.get("model"), p.field("model"), modelId, "not a model in models/"
                        + Names.didYouMean(modelId, models.keySet()) + " (known: " + String.join(", ", models.keySet()) + ")");
            }
        }
        p.str("description", false, null, "free text");
        p.num("depth-cm", false, 0, 1000, "installation depth below the surface, 0-1000 cm");
        Double depth = p.has("depth-cm") ? YamlTree.number(p.get("depth-cm")) : null;
        Interface iface = model == null ? null : model.iface();
        String bus = null;
        String address = null;
        Integer pin = null;
        if (iface != null && iface.gpio()) {
            for (String k : List.of("bus", "address")) {
                if (p.has(k)) {
                    t.error(p.get(k), p.field(k), YamlTree.text(p.get(k)),
                            "a " + iface.yaml + " model is wired to a GPIO pin: use pin, not " + k);
                }
            }
            pin = pin(p, "pin", id == null ? path : "probe " + id);
        } else if (iface == Interface.TCP) {
            for (String k : List.of("bus", "pin")) {
                if (p.has(k)) {
                    t.error(p.get(k), p.field(k), YamlTree.text(p.get(k)), "a tcp model is reached over the network: "
                            + "use address (" + ModelLoader.TCP_ADDRESS + "), not " + k);
                }
            }
            address = tcpAddress(p, model);
            if (address != null) {
                Node first = busAddresses.putIfAbsent("tcp@" + address, p.get("address"));
                if (first != null) {
                    t.error(p.get("address"), p.field("address"), YamlTree.text(p.get("address")),
                            "the instrument at " + address + " is already the probe at line " + YamlTree.line(first)
                                    + "; one probe per instrument");
                }
            }
        } else if (iface != null) {
            if (p.has("pin")) {
                t.error(p.get("pin"), p.field("pin"), YamlTree.text(p.get("pin")),
                        "a " + iface.yaml + " model sits on a bus: use bus and address, not pin");
            }
            String busName = p.str("bus", true, null, "a " + iface.busType() + " bus from buses: "
                    + busesOfType(buses, iface.busType()));
            if (busName != null) {
                BusConfig b = buses.get(busName);
                if (b == null) {
                    t.error(p.get("bus"), p.field("bus"), busName, "not a bus defined under buses"
                            + Names.didYouMean(busName, buses.keySet()) + " (defined: " + String.join(", ", buses.keySet()) + ")");
                } else if (!b.type().equals(iface.busType())) {
                    t.error(p.get("bus"), p.field("bus"), busName, "a " + b.type() + " bus; model " + model.id()
                            + " needs a " + iface.busType() + " bus: " + busesOfType(buses, iface.busType()));
                } else {
                    bus = busName;
                }
            }
            address = p.has("address") ? ModelLoader.address(p, "address", iface, false) : model.defaultAddress();
            if (bus != null && iface == Interface.SERIAL) {
                Node first = busAddresses.putIfAbsent(bus + "@port", p.get("bus"));
                if (first != null) {
                    t.error(p.get("bus"), p.field("bus"), bus, "already used by the probe at line "
                            + YamlTree.line(first) + "; a serial bus carries one instrument");
                }
            } else if (bus != null && address != null) {
                String key = bus + "@" + address;
                Node first = busAddresses.putIfAbsent(key, p.at("address"));
                if (first != null) {
                    t.error(p.at("address"), p.field("address"), p.has("address") ? YamlTree.text(p.get("address"))
                            : address + " (the model's default)", "already used on bus " + bus + " by the probe at line "
                            + YamlTree.line(first) + "; each probe on a bus needs its own address");
                }
            }
        }
        Double interval = p.num("interval-s", defaultInterval == null, 0.001, 86400, "seconds between samples, "
                + (model == null ? "" : "at least the model's minimum " + fmt(model.minIntervalS()) + " s, ") + "at most 86400");
        if (interval != null && model != null && interval < model.minIntervalS()) {
            t.error(p.get("interval-s"), p.field("interval-s"), YamlTree.text(p.get("interval-s")),
                    "shorter than the shortest interval model " + model.id() + " supports (" + fmt(model.minIntervalS()) + " s)");
        }
        if (interval == null) {
            interval = defaultInterval;
        }
        List<ChannelConfig> channels = model == null ? List.of() : channels(p, model);
        Map<String, String> settings = model == null ? Map.of() : settings(p, model);
        if (id != null) {
            probes.put(id, new ProbeConfig(id, model, bus, address, pin, interval == null ? 0 : interval, depth,
                    channels, YamlTree.line(node), settings));
        }
    }

    /** A tcp probe's {@code host:port}, the model's default port when the address names none; null after an error. */
    private static String tcpAddress(YamlTree.Obj p, SensorModel model) {
        String a = ModelLoader.address(p, "address", Interface.TCP, true);
        if (a == null) {
            return null;
        }
        boolean hasPort = a.startsWith("[") ? a.contains("]:") : a.contains(":");
        return hasPort ? a : a + ":" + model.settings().getOrDefault("port", "1883");
    }

    /** The probe's driver settings, each key one its model accepts and each value one that setting allows. */
    private Map<String, String> settings(YamlTree.Obj p, SensorModel model) {
        Map<String, String> out = new LinkedHashMap<>();
        Node node = p.get("settings");
        if (node == null) {
            return out;
        }
        List<String> keys = DriverSettings.of(model.id()).stream().map(DriverSettings.Setting::key).toList();
        for (Map.Entry<String, Node> e : t.entries(node, p.field("settings")).entrySet()) {
            String field = p.field("settings") + "." + e.getKey();
            DriverSettings.Setting s = DriverSettings.find(model.id(), e.getKey());
            if (s == null) {
                t.error(t.keyNodes(node).get(e.getKey()), field, YamlTree.text(e.getValue()), "not a setting of model "
                        + model.id() + Names.didYouMean(e.getKey(), keys) + " (settings: "
                        + (keys.isEmpty() ? "none" : String.join(", ", keys)) + ")");
                continue;
            }
            String v = YamlTree.text(e.getValue());
            if (!(e.getValue() instanceof ScalarNode) || !s.valid().test(v)) {
                t.error(e.getValue(), field, v, s.allowed());
                continue;
            }
            out.put(e.getKey(), v);
        }
        return out;
    }

    private static String busesOfType(Map<String, BusConfig> buses, String type) {
        List<String> names = buses.values().stream().filter(b -> b.type().equals(type)).map(BusConfig::name).toList();
        return names.isEmpty() ? "(none defined)" : String.join(", ", names);
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    private Integer pin(YamlTree.Obj o, String key, String user) {
        Long pin = o.integer(key, true, 0, 27, PIN_ALLOWED);
        if (pin == null) {
            return null;
        }
        String previous = pins.putIfAbsent(pin.intValue(), user + " (line " + YamlTree.line(o.get(key)) + ")");
        if (previous != null) {
            t.error(o.get(key), o.field(key), pin.toString(), "GPIO " + pin + " is already used by " + previous
                    + "; each pin drives one thing");
        }
        return pin.intValue();
    }

    private List<ChannelConfig> channels(YamlTree.Obj p, SensorModel model) {
        Map<String, YamlTree.Obj> overrides = new LinkedHashMap<>();
        Node node = p.get("channels");
        if (node != null) {
            List<String> modelChannels = model.channels().stream().map(SensorModel.Channel::name).toList();
            for (Map.Entry<String, Node> e : t.entries(node, p.field("channels")).entrySet()) {
                String path = p.field("channels") + "." + e.getKey();
                if (model.channel(e.getKey()) == null) {
                    t.error(t.keyNodes(node).get(e.getKey()), path, e.getKey(), "not a channel of model " + model.id()
                            + Names.didYouMean(e.getKey(), modelChannels) + " (channels: " + String.join(", ", modelChannels) + ")");
                    continue;
                }
                YamlTree.Obj c = t.obj(e.getValue(), path, PROBE_CHANNEL_KEYS);
                if (c != null) {
                    overrides.put(e.getKey(), c);
                }
            }
        }
        List<ChannelConfig> out = new ArrayList<>();
        Map<String, Node> names = new HashMap<>();
        for (SensorModel.Channel mc : model.channels()) {
            if (mc.name() == null) {
                continue;
            }
            YamlTree.Obj c = overrides.get(mc.name());
            String name = mc.name();
            List<Calibration> cals = new ArrayList<>();
            Node at = p.at("model");
            if (c != null) {
                c.str("description", false, null, "free text");
                Boolean enabled = c.bool("enabled", false);
                if (Boolean.FALSE.equals(enabled)) {
                    continue;
                }
                if (c.has("name")) {
                    String n = c.str("name", false, Names.CHANNEL, Names.CHANNEL_ALLOWED);
                    if (n == null) {
                        continue;
                    }
                    name = n;
                    at = c.get("name");
                }
                cals = calibrationRefs(c, mc);
            }
            Node first = names.putIfAbsent(name, at);
            if (first != null) {
                t.error(at, c != null && c.has("name") ? c.field("name") : p.field("channels"), name,
                        "duplicate channel name in this probe (also at line " + YamlTree.line(first)
                                + "); each channel of a device needs its own name");
                continue;
            }
            String unit = mc.unit();
            if (!cals.isEmpty() && cals.get(cals.size() - 1).unit() != null) {
                unit = cals.get(cals.size() - 1).unit();
            }
            out.add(new ChannelConfig(mc, name, unit, cals));
        }
        return out;
    }

    private List<Calibration> calibrationRefs(YamlTree.Obj c, SensorModel.Channel mc) {
        Node n = c.get("calibration");
        List<Calibration> out = new ArrayList<>();
        if (n == null) {
            return out;
        }
        List<Node> refs = n instanceof SequenceNode s ? s.getValue() : List.of(n);
        String units = null;
        for (int i = 0; i < refs.size(); i++) {
            Node r = refs.get(i);
            String field = c.field("calibration") + (n instanceof SequenceNode ? "[" + i + "]" : "");
            if (!(r instanceof ScalarNode)) {
                t.error(r, field, YamlTree.text(r), "a calibration id, or a list of them");
                continue;
            }
            String id = YamlTree.text(r);
            if (!calibrationNodes.containsKey(id)) {
                t.error(r, field, id, "not a calibration defined under calibrations"
                        + Names.didYouMean(id, calibrationNodes.keySet())
                        + (calibrationNodes.isEmpty() ? " (none defined)" : " (defined: "
                        + String.join(", ", new TreeSet<>(calibrationNodes.keySet())) + ")"));
                continue;
            }
            Calibration cal = calibrations.get(id);
            if (cal == null) {
                continue;
            }
            String unit = cal.unit() != null ? cal.unit() : mc.unit();
            if (units != null && !units.equals(unit)) {
                t.error(r, field, id, "gives " + unit + " but an earlier calibration of this channel gives " + units
                        + "; every version must give the same unit");
            }
            units = unit;
            for (Calibration other : out) {
                if (other.validFrom().equals(cal.validFrom())) {
                    t.error(r, field, id, "same valid-from (" + cal.validFrom() + ") as " + other.id()
                            + "; versions of one channel need distinct dates");
                }
            }
            out.add(cal);
        }
        out.sort((a, b) -> a.validFrom().compareTo(b.validFrom()));
        return out;
    }

    private ChannelRef ref(YamlTree.Obj parent, String key, boolean required, Set<String> units) {
        YamlTree.Obj r = parent.obj(key, required, REF_KEYS);
        if (r == null) {
            return null;
        }
        return ref(r, key, units);
    }

    private ChannelRef ref(YamlTree.Obj r, String key, Set<String> units) {
        String probe = r.str("probe", true, null, "a probe id: " + String.join(", ", probes.keySet()));
        String channel = r.str("channel", true, null, "a published channel name of that probe");
        if (probe == null || channel == null) {
            return null;
        }
        ProbeConfig p = probes.get(probe);
        if (p == null) {
            t.error(r.get("probe"), r.field("probe"), probe, "not a probe of this site"
                    + Names.didYouMean(probe, probes.keySet()) + " (probes: " + String.join(", ", probes.keySet()) + ")");
            return null;
        }
        ChannelConfig c = p.channel(channel);
        List<String> names = p.channels().stream().map(ChannelConfig::name).toList();
        if (c == null) {
            if (!p.channels().isEmpty()) {
                t.error(r.get("channel"), r.field("channel"), channel, "not a channel of probe " + probe
                        + Names.didYouMean(channel, names) + " (channels: " + String.join(", ", names) + ")");
            }
            return null;
        }
        if (c.unit() != null && !units.contains(c.unit())) {
            t.error(r.get("channel"), r.field("channel"), channel, "its unit is " + c.unit() + "; " + key
                    + " needs one of " + String.join(", ", new TreeSet<>(units)));
            return null;
        }
        return new ChannelRef(probe, channel);
    }

    private static final Set<String> CO2 = Set.of("ppm", "umol/mol");
    private static final Set<String> TEMP = Set.of("Cel", "K");
    private static final Set<String> PRESSURE = Set.of("kPa", "hPa", "Pa");
    private static final Set<String> HUMIDITY = Set.of("%RH", "mmol/mol");

    /** A trace gas's mole fraction: ppb (nmol mol-1) as the LI-7810/7820 report it, or ppm (converted to ppb). */
    private static final Set<String> TRACE_GAS = Set.of("ppb", "ppm");
    private static final List<String> GAS_NAMES = List.of("co2", "ch4", "n2o", "h2o");

    /**
     * The optional {@code analyser.ch4}/{@code analyser.n2o}: a channel of a probe of this site in ppb or ppm, and not
     * one whose name says it is another gas (e.g. {@code n2o_dry} as analyser.ch4).
     */
    private ChannelRef traceGas(YamlTree.Obj a, Gas gas) {
        YamlTree.Obj o = a.obj(gas.key(), false, REF_KEYS);
        ChannelRef r = o == null ? null : ref(o, gas.key(), TRACE_GAS);
        if (r == null) {
            return null;
        }
        String name = probes.get(r.probe()).channel(r.channel()).model().name().toLowerCase(Locale.ROOT);
        for (String other : GAS_NAMES) {
            if (!other.equals(gas.key()) && name.contains(other) && !name.contains(gas.key())) {
                t.error(o.get("channel"), o.field("channel"), r.channel(),
                        "a " + other.toUpperCase(Locale.ROOT) + " channel, not " + gas.key()
                                .toUpperCase(Locale.ROOT) + "; use the analyser's " + gas.key() + " channel");
                return null;
            }
        }
        return r;
    }

    private ChamberSystem chambers(YamlTree.Obj o) {
        List<Node> items = o.seq("chambers", false, "a list of chambers");
        if (items == null) {
            for (String k : List.of("analyser", "schedule")) {
                if (o.has(k)) {
                    t.error(o.get(k), k, "{...}", "only used with chambers; add the chambers list or remove " + k);
                }
            }
            return null;
        }
        YamlTree.Obj a = o.obj("analyser", true, ANALYSER_KEYS);
        ChannelRef co2 = null;
        ChannelRef h2o = null;
        ChannelRef temp = null;
        ChannelRef pres = null;
        Map<Gas, ChannelRef> traces = new EnumMap<>(Gas.class);
        if (a != null) {
            co2 = ref(a, "co2", true, CO2);
            h2o = ref(a, "h2o", false, HUMIDITY);
            temp = ref(a, "temperature", true, TEMP);
            pres = ref(a, "pressure", true, PRESSURE);
            if (temp != null && "cell_temp".equals(probes.get(temp.probe()).channel(temp.channel()).model().name())) {
                // an analyser's optical cell is held at its own temperature: the chamber air's is needed (§1.3)
                t.error(a.get("temperature"), a.field("temperature") + ".channel", temp.channel(), "the analyser's cell temperature, "
                        + "not the chamber air's; use an air temperature channel in or beside the chamber");
                temp = null;
            }
            if (pres != null && "cell_pressure".equals(probes.get(pres.probe()).channel(pres.channel()).model().name())
                    && probes.get(pres.probe()).model().iface() == Interface.TCP) {
                // a trace gas analyser's optical cavity is held at its own pressure (CAVITY_P), not the chamber's
                t.error(a.get("pressure"), a.field("pressure") + ".channel", pres.channel(), "the analyser's cavity "
                        + "pressure, held at its own set point, not the chamber's; use a barometer in or beside the chamber");
                pres = null;
            }
            for (Gas g : List.of(Gas.CH4, Gas.N2O)) {
                ChannelRef r = traceGas(a, g);
                if (r != null) {
                    traces.put(g, r);
                }
            }
            Map<String, ChannelRef> gases = new LinkedHashMap<>();
            gases.put("co2", co2);
            traces.forEach((g, r) -> gases.put(g.key(), r));
            for (Map.Entry<String, ChannelRef> g : gases.entrySet()) {
                ChannelRef r = g.getValue();
                if (r != null && h2o == null && !a.has("h2o")
                        && probes.get(r.probe()).channel(r.channel()).model().name().endsWith("_dry")) {
                    // a dry mole fraction (e.g. the LI-7810's co2_dry) is used as it is, but the flux's dry-air
                    // factor (1 - W0/1000) still needs the chamber's water vapour (docs/science.md §1.3, §1.9)
                    t.error(a.node, a.field("h2o"), null, "required: analyser." + g.getKey() + " is " + r.channel()
                            + ", a dry mole fraction; the flux's dry-air factor needs the water vapour, e.g. {probe: "
                            + r.probe() + ", channel: h2o}");
                    break;
                }
            }
        }
        YamlTree.Obj s = o.obj("schedule", true, SCHEDULE_KEYS);
        ChamberSchedule schedule = null;
        if (s != null) {
            Double close = s.num("close-s", true, 0, 600, "seconds for the lid to close, 0-600");
            Double dead = s.num("dead-band-s", true, 0, 600, "seconds discarded after closing, 0-600");
            Double obs = s.num("observation-s", true, 1, 3600, "seconds of the fit window, 1-3600");
            Double open = s.num("open-s", true, 0, 600, "seconds for the lid to open, 0-600");
            Double purge = s.num("purge-s", true, 0, 3600, "seconds of flushing before the next chamber, 0-3600");
            Double cycle = s.num("cycle-s", true, 1, 86400, "seconds between two measurements of a chamber, 1-86400");
            if (close != null && dead != null && obs != null && open != null && purge != null && cycle != null) {
                schedule = new ChamberSchedule(close, dead, obs, open, purge, cycle);
                double need = schedule.slotS() * items.size();
                if (need > cycle) {
                    t.error(s.get("cycle-s"), s.field("cycle-s"), YamlTree.text(s.get("cycle-s")),
                            "too short for " + items.size() + " chambers x " + fmt(schedule.slotS())
                                    + " s (close + dead band + observation + open + purge); at least " + fmt(need) + " s");
                    schedule = null;
                }
            }
        }
        if (items.isEmpty()) {
            t.error(o.get("chambers"), "chambers", "[]", "at least one chamber");
        }
        List<ChamberConfig> chambers = new ArrayList<>();
        Map<String, Node> ids = new HashMap<>();
        for (int i = 0; i < items.size(); i++) {
            String path = "chambers[" + i + "]";
            YamlTree.Obj c = t.obj(items.get(i), path, CHAMBER_KEYS);
            if (c == null) {
                continue;
            }
            String id = c.str("id", true, Names.ID, "a chamber id: " + Names.ID_ALLOWED);
            if (id != null && ids.putIfAbsent(id, c.get("id")) != null) {
                t.error(c.get("id"), c.field("id"), id, "duplicate chamber id (first at line "
                        + YamlTree.line(ids.get(id)) + ")");
            }
            Integer pin = pin(c, "relay-pin", "chamber " + (id == null ? path : id));
            String relayModelId = c.has("relay-model") ? c.str("relay-model", false, null, "a gpio-relay model") : "gpio-relay";
            SensorModel relay = relayModelId == null ? null : models.get(relayModelId);
            if (relayModelId != null && (relay == null || relay.iface() != Interface.GPIO_RELAY)) {
                List<String> relays = models.values().stream().filter(m -> m.iface() == Interface.GPIO_RELAY)
                        .map(SensorModel::id).toList();
                t.error(c.at("relay-model"), c.field("relay-model"), relayModelId,
                        "a gpio-relay model from models/: " + (relays.isEmpty() ? "(none)" : String.join(", ", relays)));
            }
            c.str("description", false, null, "free text");
            Double area = c.num("area-cm2", true, 1, 100_000, "soil area inside the collar, 1-100000 cm2");
            Double volume = c.num("volume-cm3", true, 1, 10_000_000, "chamber headspace volume, 1-10000000 cm3");
            Double offset = c.num("collar-offset-cm", true, 0, 100, "collar height above the soil, 0-100 cm");
            // +- limits as calc flux's --volume-accuracy-pct/--area-accuracy-pct (docs/science.md §7.2)
            Double volumeAcc = c.num("volume-accuracy-pct", false, 0, 100,
                    "+- limit of the headspace volume (collar offset included), 0-100 % of V");
            Double areaAcc = c.num("area-accuracy-pct", false, 0, 100, "+- limit of the soil area, 0-100 % of S");
            if (c.has("volume-accuracy-pct") != c.has("area-accuracy-pct")) {
                String given = c.has("volume-accuracy-pct") ? "volume-accuracy-pct" : "area-accuracy-pct";
                String other = given.equals("volume-accuracy-pct") ? "area-accuracy-pct" : "volume-accuracy-pct";
                t.error(c.get(given), c.field(given), YamlTree.text(c.get(given)),
                        "state " + other + " too (0 if exact); with one alone the geometry would count half");
            }
            if (id != null && pin != null && area != null && volume != null && offset != null) {
                chambers.add(new ChamberConfig(id, pin, relay, area, volume, offset, volumeAcc, areaAcc));
            }
        }
        return new ChamberSystem(co2, h2o, temp, pres, traces, schedule, chambers);
    }

    private HouseConfig house(YamlTree.Obj o) {
        YamlTree.Obj h = o.obj("house", false, HOUSE_KEYS);
        if (h == null) {
            return null;
        }
        ChannelRef in = ref(h, "inlet-co2", true, CO2);
        ChannelRef out = ref(h, "outlet-co2", true, CO2);
        YamlTree.Obj af = h.obj("airflow", true, "probe", "channel", "duct-factor");
        ChannelRef airflow = af == null ? null : ref(af, "airflow", Set.of("Pa"));
        Double duct = af == null ? null : af.num("duct-factor", true, 1e-9, 100,
                "Q [m3/s] = duct-factor x sqrt(dP [Pa]); a positive number up to 100");
        ChannelRef temp = ref(h, "temperature", true, TEMP);
        ChannelRef hum = ref(h, "humidity", false, HUMIDITY);
        ChannelRef pres = ref(h, "pressure", true, PRESSURE);
        ChannelRef power = ref(h, "fan-power", true, Set.of("W", "kW"));
        ChannelRef energy = ref(h, "fan-energy", false, Set.of("kWh", "Wh"));
        Double grid = h.num("grid-factor-kg-per-kwh", true, 0, 2, "kg CO2 per kWh of grid power, 0-2 (Japan: 0.462)");
        List<RockBatch> batches = new ArrayList<>();
        List<Node> items = h.seq("batches", true, "a list of rock batches");
        if (items != null) {
            Map<String, Node> ids = new HashMap<>();
            for (int i = 0; i < items.size(); i++) {
                YamlTree.Obj b = t.obj(items.get(i), h.field("batches") + "[" + i + "]", BATCH_KEYS);
                if (b == null) {
                    continue;
                }
                String id = b.str("id", true, Names.ID, "a batch id: " + Names.ID_ALLOWED);
                if (id != null && ids.putIfAbsent(id, b.get("id")) != null) {
                    t.error(b.get("id"), b.field("id"), id, "duplicate batch id (first at line "
                            + YamlTree.line(ids.get(id)) + ")");
                }
                var start = b.date("start-date", true);
                String rock = b.str("rock-type", true, null, "the rock, e.g. serpentinite, peridotite, basalt");
                Double mass = b.num("mass-kg", true, 0.001, 1e9, "kg of rock, greater than 0");
                Double pot = b.num("co2-potential-kg-per-kg", true, 0.001, 1.1,
                        "kg CO2 per kg rock from its Ca/Mg content, 0.001-1.1 (typically 0.485-0.602)");
                Double handling = b.num("handling-emissions-kg-co2", true, 0, 1e9, "kg CO2, 0 or more");
                b.str("notes", false, null, "free text");
                if (id != null && start != null && rock != null && mass != null && pot != null && handling != null) {
                    batches.add(new RockBatch(id, start, rock, mass, pot, handling));
                }
            }
        }
        return new HouseConfig(in, out, airflow, duct == null ? 0 : duct, temp, hum, pres, power, energy,
                grid == null ? 0 : grid, batches);
    }
}
