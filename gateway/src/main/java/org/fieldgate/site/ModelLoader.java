package org.fieldgate.site;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.fieldgate.site.SensorModel.Interface;
import org.fieldgate.senml.SenmlUnits;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;

/** Reads and validates the sensor-model files of a {@code models/} directory. */
public final class ModelLoader {
    static final Pattern MODEL_ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");
    static final List<String> INTERFACES = List.of("i2c", "modbus-rtu", "sdi12", "gpio-pulse", "gpio-relay", "serial",
            "tcp");
    static final List<String> REGISTER_TYPES =
            List.of("uint8", "int8", "uint16", "int16", "uint20", "uint24", "int32", "uint32", "float32", "bytes");
    static final List<Long> BAUDS = List.of(1200L, 2400L, 4800L, 9600L, 19200L, 38400L, 57600L, 115200L);
    static final String TCP_ADDRESS = "the instrument's host name or IP address, optionally with :port (1-65535), "
            + "e.g. 192.168.10.1 or li7810.local:1883";
    /** A DNS name or IPv4 address, or an IPv6 address in brackets, optionally followed by {@code :port}. */
    static final Pattern TCP_HOST_PORT = Pattern.compile(
            "([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*"
            + "|\\[[0-9A-Fa-f:.]{2,45}\\])(:[0-9]{1,5})?");
    static final Pattern SDI12_COMMAND = Pattern.compile("[a?][A-Za-z0-9]*!");

    static final String[] REGISTER_KEYS = {"address", "type", "function", "length", "access", "description"};
    static final String[] COMMAND_KEYS = {"code", "wait-ms", "response", "description"};
    static final String[] CHANNEL_KEYS = {"name", "unit", "source", "index", "gain", "offset", "formula", "range",
        "accuracy", "description"};
    static final String[] MODEL_KEYS = {"kind", "id", "name", "manufacturer", "interface", "datasheet",
        "warmup-s", "min-interval-s", "defaults", "registers", "commands", "channels", "notes"};
    static final Map<Interface, String[]> DEFAULT_KEYS = Map.of(
            Interface.I2C, new String[] {"address", "alt-addresses", "clock-hz"},
            Interface.MODBUS_RTU, new String[] {"address", "baud", "parity", "data-bits", "stop-bits", "word-order"},
            Interface.SDI12, new String[] {"address"},
            Interface.SERIAL, new String[] {"baud", "parity", "data-bits", "stop-bits"},
            Interface.GPIO_PULSE, new String[] {"pulses-per-revolution", "edge", "pull", "debounce-ms"},
            Interface.GPIO_RELAY, new String[] {"active-low", "actuation-s"},
            Interface.TCP, new String[] {"port"});

    /** The models of one directory and the problems found in their files. */
    public record ModelSet(Path dir, Map<String, SensorModel> models, List<ConfigError> errors) {
    }

    private ModelLoader() {
    }

    /** Loads every {@code *.yaml} / {@code *.yml} in {@code dir}; a missing directory is one error. */
    public static ModelSet loadDir(Path dir) {
        List<ConfigError> errors = new ArrayList<>();
        Map<String, SensorModel> models = new TreeMap<>();
        if (!Files.isDirectory(dir)) {
            errors.add(new ConfigError(dir.toString(), 1, "(models)", dir.toString(),
                    "not a directory; sensor models are read from the site file's sibling models/ directory or --models DIR"));
            return new ModelSet(dir, models, errors);
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().matches(".*\\.ya?ml")).sorted().toList();
        } catch (IOException e) {
            errors.add(new ConfigError(dir.toString(), 1, "(models)", dir.toString(), "cannot be listed: " + e));
            return new ModelSet(dir, models, errors);
        }
        for (Path f : files) {
            SensorModel m = load(f, errors);
            if (m != null && m.id() != null) {
                SensorModel before = models.putIfAbsent(m.id(), m);
                if (before != null) {
                    errors.add(new ConfigError(f.toString(), 1, "id", m.id(), "already defined in " + before.file()));
                }
            }
        }
        return new ModelSet(dir, models, errors);
    }

    /** Reads one model file; problems go to {@code errors}; returns what could be read (null without an id). */
    public static SensorModel load(Path file, List<ConfigError> errors) {
        Node root = YamlTree.compose(file, errors);
        if (root == null) {
            return null;
        }
        return parse(YamlTree.of(file.toString(), errors), root, stem(file));
    }

    static String stem(Path file) {
        return file.getFileName().toString().replaceFirst("\\.ya?ml$", "");
    }

    static SensorModel parse(YamlTree t, Node root, String stem) {
        YamlTree.Obj o = t.obj(root, "", MODEL_KEYS);
        if (o == null) {
            return null;
        }
        kind(o, "sensor-model");
        String id = o.str("id", true, MODEL_ID, "lower-case letters, digits and '-', the file name without .yaml");
        if (id != null && !id.equals(stem)) {
            t.error(o.get("id"), "id", id, "must equal the file name without .yaml ('" + stem + "')");
        }
        String name = o.str("name", true, null, "the model's name");
        String manufacturer = o.str("manufacturer", false, null, "the manufacturer");
        String ifaceText = o.oneOf("interface", true, INTERFACES);
        Interface iface = Interface.of(ifaceText);
        String datasheet = o.str("datasheet", true, null, "the datasheet or manual the values come from");
        Double warmup = o.num("warmup-s", true, 0, 3600, "seconds from power-on to specified accuracy, 0-3600");
        Double minInterval = o.num("min-interval-s", false, 0.001, 86400, "shortest sampling interval, s, 0.001-86400");
        o.str("notes", false, null, "free text");

        String defaultAddress = null;
        Map<String, String> settings = new LinkedHashMap<>();
        if (iface != null) {
            String[] keys = DEFAULT_KEYS.get(iface);
            YamlTree.Obj d = o.obj("defaults", !iface.gpio(), keys);
            if (d != null) {
                if (!iface.gpio() && iface != Interface.SERIAL && iface != Interface.TCP) {
                    defaultAddress = address(d, "address", iface, true);
                }
                if (iface == Interface.MODBUS_RTU || iface == Interface.SERIAL) {
                    Long baud = d.integer("baud", true, 1200, 115200, "one of " + BAUDS);
                    if (baud != null && !BAUDS.contains(baud)) {
                        t.error(d.get("baud"), d.field("baud"), baud.toString(), "one of " + BAUDS);
                    }
                    d.oneOf("parity", true, List.of("none", "even", "odd"));
                    d.integer("data-bits", false, 7, 8, "7 or 8");
                    d.integer("stop-bits", true, 1, 2, "1 or 2");
                    if (iface == Interface.MODBUS_RTU) {
                        d.oneOf("word-order", false, List.of("msw-first", "lsw-first"));
                    }
                } else if (iface == Interface.I2C) {
                    d.integer("clock-hz", false, 10_000, 1_000_000, "bus clock, 10000-1000000 Hz");
                    List<Node> alts = d.seq("alt-addresses", false, "other addresses the part can be strapped to");
                    if (alts != null) {
                        for (int i = 0; i < alts.size(); i++) {
                            Long a = YamlTree.integerValue(alts.get(i));
                            if (a == null || a < 0x08 || a > 0x77) {
                                t.error(alts.get(i), d.field("alt-addresses") + "[" + i + "]", YamlTree.text(alts.get(i)),
                                        "a 7-bit I2C address, 0x08-0x77");
                            }
                        }
                    }
                } else if (iface == Interface.TCP) {
                    d.integer("port", true, 1, 65535, "the instrument's TCP port, 1-65535");
                } else if (iface == Interface.GPIO_PULSE) {
                    d.num("pulses-per-revolution", false, 0.001, 1000, "pulses per revolution, 0.001-1000");
                    d.oneOf("edge", false, List.of("rising", "falling", "both"));
                    d.oneOf("pull", false, List.of("up", "down", "none"));
                    d.num("debounce-ms", false, 0, 1000, "0-1000 ms");
                } else if (iface == Interface.GPIO_RELAY) {
                    d.bool("active-low", false);
                    d.num("actuation-s", false, 0, 600, "seconds the actuator needs, 0-600");
                }
                d.entries.forEach((k, v) -> settings.put(k, YamlTree.text(v)));
            }
        }

        Map<String, SensorModel.Register> registers = registers(t, o, iface);
        Map<String, SensorModel.Command> commands = commands(t, o, iface);
        Map<String, Accuracy> accuracies = new LinkedHashMap<>();
        List<SensorModel.Channel> channels = channels(t, o, registers, commands, accuracies);
        return new SensorModel(id, name, manufacturer, iface, datasheet, warmup == null ? 0 : warmup,
                minInterval == null ? 0.001 : minInterval, defaultAddress, settings, registers, commands, channels,
                t.file, accuracies);
    }

    static void kind(YamlTree.Obj o, String expected) {
        String k = o.str("kind", true, null, "'" + expected + "'");
        if (k != null && !k.equals(expected)) {
            o.tree().error(o.get("kind"), "kind", k, "'" + expected + "' in this file");
        }
    }

    /** Reads an address for {@code iface} and returns its canonical text, or null after an error. */
    static String address(YamlTree.Obj o, String key, Interface iface, boolean required) {
        String allowed = switch (iface) {
            case I2C -> "a 7-bit I2C address, 0x08-0x77";
            case MODBUS_RTU -> "a Modbus slave id, 1-247";
            case SDI12 -> "one SDI-12 address character, 0-9, a-z or A-Z";
            case SERIAL -> "no address: a serial bus carries one instrument";
            case TCP -> TCP_ADDRESS;
            default -> "no address: GPIO models use pin";
        };
        Node n = o.get(key);
        if (n == null) {
            if (required) {
                o.tree().error(o.node, o.field(key), null, "required; " + allowed);
            }
            return null;
        }
        switch (iface) {
            case I2C, MODBUS_RTU -> {
                Long v = YamlTree.integerValue(n);
                long lo = iface == Interface.I2C ? 0x08 : 1;
                long hi = iface == Interface.I2C ? 0x77 : 247;
                if (v == null || v < lo || v > hi) {
                    o.tree().error(n, o.field(key), YamlTree.text(n), allowed);
                    return null;
                }
                return SensorModel.canonicalAddress(iface, v);
            }
            case TCP -> {
                if (n instanceof ScalarNode s && TCP_HOST_PORT.matcher(s.getValue()).matches()) {
                    String v = s.getValue();
                    int colon = v.lastIndexOf(':');
                    if (colon < 0 || v.endsWith("]")) {
                        return v;
                    }
                    long port = Long.parseLong(v.substring(colon + 1));
                    if (port >= 1 && port <= 65535) {
                        return v;
                    }
                }
                o.tree().error(n, o.field(key), YamlTree.text(n), allowed);
                return null;
            }
            case SDI12 -> {
                if (n instanceof ScalarNode s && s.getValue().matches("[0-9A-Za-z]")) {
                    return s.getValue();
                }
                o.tree().error(n, o.field(key), YamlTree.text(n), allowed);
                return null;
            }
            default -> {
                o.tree().error(n, o.field(key), YamlTree.text(n), allowed);
                return null;
            }
        }
    }

    private static Map<String, SensorModel.Register> registers(YamlTree t, YamlTree.Obj o, Interface iface) {
        Map<String, SensorModel.Register> out = new LinkedHashMap<>();
        Node node = o.get("registers");
        if (node == null) {
            return out;
        }
        for (Map.Entry<String, Node> e : t.entries(node, "registers").entrySet()) {
            String path = "registers." + e.getKey();
            YamlTree.Obj r = t.obj(e.getValue(), path, REGISTER_KEYS);
            if (r == null) {
                continue;
            }
            long max = iface == Interface.I2C ? 0xFF : 0xFFFF;
            Long address = r.integer("address", true, 0, max, iface == Interface.I2C
                    ? "an I2C register address, 0x00-0xFF" : "a 0-based register address, 0-65535");
            String type = r.oneOf("type", true, REGISTER_TYPES);
            String function = null;
            if (iface == Interface.MODBUS_RTU) {
                function = r.oneOf("function", true, List.of("holding", "input"));
            } else if (r.has("function")) {
                t.error(r.get("function"), r.field("function"), YamlTree.text(r.get("function")),
                        "only Modbus registers have a function (holding or input)");
            }
            r.integer("length", false, 1, 64, "bytes, 1-64");
            String access = r.oneOf("access", false, List.of("r", "w", "rw"));
            String description = r.str("description", false, null, "free text");
            out.put(e.getKey(), new SensorModel.Register(e.getKey(), address == null ? -1 : address.intValue(),
                    type, function, access == null ? "r" : access, description));
        }
        return out;
    }

    private static Map<String, SensorModel.Command> commands(YamlTree t, YamlTree.Obj o, Interface iface) {
        Map<String, SensorModel.Command> out = new LinkedHashMap<>();
        Node node = o.get("commands");
        if (node == null) {
            return out;
        }
        for (Map.Entry<String, Node> e : t.entries(node, "commands").entrySet()) {
            String path = "commands." + e.getKey();
            YamlTree.Obj c = t.obj(e.getValue(), path, COMMAND_KEYS);
            if (c == null) {
                continue;
            }
            String code;
            if (iface == Interface.I2C) {
                Long v = c.integer("code", true, 0, 0xFFFF, "a 16-bit I2C command word, 0x0000-0xFFFF");
                code = v == null ? null : String.format("0x%04x", v);
            } else if (iface == Interface.SDI12) {
                code = c.str("code", true, SDI12_COMMAND,
                        "an SDI-12 command: 'a' (the address) or '?', letters and digits, ending in '!', e.g. aD0!");
            } else {
                code = c.str("code", true, null, "the command code");
            }
            Double wait = c.num("wait-ms", false, 0, 600_000, "milliseconds to wait before the response, 0-600000");
            List<String> response = new ArrayList<>();
            List<Node> items = c.seq("response", false, "names of the values in the response, in order");
            if (items != null) {
                for (Node n : items) {
                    response.add(YamlTree.text(n));
                }
            }
            String description = c.str("description", false, null, "free text");
            out.put(e.getKey(), new SensorModel.Command(e.getKey(), code, wait, response, description));
        }
        return out;
    }

    private static List<SensorModel.Channel> channels(YamlTree t, YamlTree.Obj o,
                                                      Map<String, SensorModel.Register> registers,
                                                      Map<String, SensorModel.Command> commands,
                                                      Map<String, Accuracy> accuracies) {
        List<SensorModel.Channel> out = new ArrayList<>();
        List<Node> items = o.seq("channels", true, "a list of channels, each with name, unit, source and range");
        if (items == null) {
            return out;
        }
        if (items.isEmpty()) {
            t.error(o.get("channels"), "channels", "[]", "at least one channel");
        }
        Map<String, Node> seen = new HashMap<>();
        Set<String> sources = new java.util.TreeSet<>(registers.keySet());
        sources.addAll(commands.keySet());
        for (int i = 0; i < items.size(); i++) {
            String path = "channels[" + i + "]";
            YamlTree.Obj c = t.obj(items.get(i), path, CHANNEL_KEYS);
            if (c == null) {
                continue;
            }
            String name = c.str("name", true, Names.CHANNEL, Names.CHANNEL_ALLOWED);
            if (name != null) {
                Node first = seen.putIfAbsent(name, c.get("name"));
                if (first != null) {
                    t.error(c.get("name"), c.field("name"), name,
                            "duplicate channel name (first at line " + YamlTree.line(first) + "); names must be unique");
                }
            }
            String unit = unit(c, "unit", true);
            String source = c.str("source", true, null, "a register or command of this model: " + String.join(", ", sources));
            if (source != null && !sources.contains(source)) {
                t.error(c.get("source"), c.field("source"), source, "not a register or command of this model"
                        + Names.didYouMean(source, sources) + " (defined: " + String.join(", ", sources) + ")");
            }
            Long index = c.integer("index", false, 0, 63, "position in the response, 0-63");
            Double gain = c.num("gain", false, -1e12, 1e12, "a finite number");
            Double offset = c.num("offset", false, -1e12, 1e12, "a finite number");
            String formula = c.str("formula", false, null, "the conversion the driver applies, as text");
            String description = c.str("description", false, null, "free text");
            double[] range = range(c, "range", true);
            Accuracy accuracy = accuracy(c, "accuracy");
            if (accuracy != null && name != null) {
                accuracies.put(name, accuracy);
            }
            out.add(new SensorModel.Channel(name, unit, source, index == null ? 0 : index.intValue(),
                    gain == null ? 1 : gain, offset == null ? 0 : offset, formula,
                    range == null ? Double.NEGATIVE_INFINITY : range[0], range == null ? Double.POSITIVE_INFINITY : range[1],
                    description));
        }
        return out;
    }

    /** A unit from {@link SenmlUnits#KNOWN}. */
    static String unit(YamlTree.Obj c, String key, boolean required) {
        String allowed = "a SenML unit (transport/SenmlUnits.java: ppm, Cel, %RH, kPa, Pa, m3/m3, W, kWh, ...)";
        String unit = c.str(key, required, null, allowed);
        if (unit != null && !SenmlUnits.KNOWN.contains(unit)) {
            c.tree().error(c.get(key), c.field(key), unit, "not " + allowed + Names.didYouMean(unit, SenmlUnits.KNOWN));
            return null;
        }
        return unit;
    }

    /**
     * An optional {@code accuracy:} block (docs/science.md §7.1): datasheet limits, each >= 0, at least one of them,
     * and the source they come from. Errors name the file, line, field and value.
     */
    static Accuracy accuracy(YamlTree.Obj c, String key) {
        YamlTree.Obj a = c.obj(key, false, Accuracy.KEYS.toArray(String[]::new));
        if (a == null) {
            return null;
        }
        String limit = "a datasheet limit (+-, as printed) >= 0 in the channel's unit";
        String pct = "a datasheet limit (+-, as printed) in % of reading, 0-100";
        Double random = a.num("random", false, 0, 1e9, limit + " (random: repeatability, noise)");
        Double randomPct = a.num("random-of-reading-pct", false, 0, 100, pct + " (random)");
        Double systematic = a.num("systematic", false, 0, 1e9, limit + " (systematic: calibration offset)");
        Double ofReading = a.num("of-reading-pct", false, 0, 100, pct + " (systematic: gain)");
        String source = a.str("source", true, null, "the datasheet section or table the figures come from");
        if (random == null && randomPct == null && systematic == null && ofReading == null) {
            if (Accuracy.KEYS.stream().filter(k -> !k.equals("source")).noneMatch(a::has)) {
                c.tree().error(c.get(key), c.field(key), YamlTree.text(c.get(key)),
                        "at least one of random, random-of-reading-pct, systematic, of-reading-pct");
            }
            return null;
        }
        if (source == null || a.has("random") && random == null || a.has("random-of-reading-pct") && randomPct == null
                || a.has("systematic") && systematic == null || a.has("of-reading-pct") && ofReading == null) {
            return null;
        }
        return new Accuracy(orZero(random), orZero(randomPct), orZero(systematic), orZero(ofReading), source);
    }

    private static double orZero(Double d) {
        return d == null ? 0 : d;
    }

    /** {@code {min: a, max: b}} with a < b. */
    static double[] range(YamlTree.Obj c, String key, boolean required) {
        YamlTree.Obj r = c.obj(key, required, "min", "max");
        if (r == null) {
            return null;
        }
        Double min = r.num("min", true, -1e12, 1e12, "the lowest valid value");
        Double max = r.num("max", true, -1e12, 1e12, "the highest valid value");
        if (min == null || max == null) {
            return null;
        }
        if (min >= max) {
            c.tree().error(r.get("max"), r.field("max"), YamlTree.text(r.get("max")),
                    "must be greater than min (" + YamlTree.text(r.get("min")) + ")");
            return null;
        }
        return new double[] {min, max};
    }
}
