package org.fieldgate.site;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * A YAML file read as SnakeYAML's node tree, so that every value keeps its line, and typed accessors that record
 * a {@link ConfigError} instead of throwing, so one pass reports every problem in the file.
 */
final class YamlTree {
    final String file;
    final List<ConfigError> errors;

    private YamlTree(String file, List<ConfigError> errors) {
        this.file = file;
        this.errors = errors;
    }

    /** Parses {@code path}; returns the root node, or null after recording why there is none. */
    static Node compose(Path path, List<ConfigError> errors) {
        String file = path.toString();
        try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            LoaderOptions options = new LoaderOptions();
            options.setAllowRecursiveKeys(false);
            Node root = new Yaml(options).compose(reader);
            if (root == null) {
                errors.add(new ConfigError(file, 1, "(document)", "", "an empty file; a YAML mapping is required"));
            }
            return root;
        } catch (MarkedYAMLException e) {
            Mark m = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            int line = m == null ? 1 : m.getLine() + 1;
            String problem = e.getProblem() == null ? e.getMessage() : e.getProblem();
            if (e.getContext() != null && e.getContextMark() != null && e.getContextMark() != m) {
                problem += " (" + e.getContext() + " at line " + (e.getContextMark().getLine() + 1) + ")";
            }
            errors.add(new ConfigError(file, line, "(yaml)", m == null ? "" : snippet(m), "not valid YAML: " + problem));
            return null;
        } catch (YAMLException e) {
            errors.add(new ConfigError(file, 1, "(yaml)", "", "not valid YAML: " + e.getMessage()));
            return null;
        } catch (IOException e) {
            errors.add(new ConfigError(file, 1, "(file)", file, "cannot be read: " + e));
            return null;
        }
    }

    private static String snippet(Mark m) {
        String s = m.get_snippet(0, 60).strip();
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl).strip();
    }

    static YamlTree of(String file, List<ConfigError> errors) {
        return new YamlTree(file, errors);
    }

    static int line(Node n) {
        return n.getStartMark().getLine() + 1;
    }

    void error(Node at, String field, String value, String allowed) {
        errors.add(new ConfigError(file, line(at), field, value, allowed));
    }

    static String text(Node n) {
        if (n instanceof ScalarNode s) {
            return s.getValue();
        }
        return n instanceof MappingNode ? "{...}" : "[...]";
    }

    static boolean isPlain(ScalarNode s) {
        return s.getScalarStyle() == DumperOptions.ScalarStyle.PLAIN;
    }

    /** A mapping node as an object with a fixed set of keys; unknown and duplicate keys are reported at once. */
    Obj obj(Node node, String path, String... known) {
        if (!(node instanceof MappingNode m)) {
            error(node, path.isEmpty() ? "(document)" : path, text(node), "a mapping (key: value lines) is required");
            return null;
        }
        Obj o = new Obj(node, path);
        Set<String> knownSet = new LinkedHashSet<>(Arrays.asList(known));
        for (NodeTuple t : m.getValue()) {
            Node k = t.getKeyNode();
            String key = k instanceof ScalarNode s ? s.getValue() : text(k);
            if (o.entries.containsKey(key)) {
                error(k, o.field(key), text(t.getValueNode()), "duplicate key (first at line "
                        + line(o.keys.get(key)) + ")");
                continue;
            }
            o.entries.put(key, t.getValueNode());
            o.keys.put(key, k);
            if (known.length > 0 && !knownSet.contains(key)) {
                error(k, o.field(key), text(t.getValueNode()), "unknown key" + Names.didYouMean(key, knownSet)
                        + " (allowed: " + String.join(", ", knownSet) + ")");
            }
        }
        return o;
    }

    /** Every key of a mapping, in order, for maps whose keys are names (registers, buses, ...). */
    Map<String, Node> entries(Node node, String path) {
        Obj o = obj(node, path);
        return o == null ? Map.of() : o.entries;
    }

    Map<String, Node> keyNodes(Node node) {
        Map<String, Node> keys = new LinkedHashMap<>();
        if (node instanceof MappingNode m) {
            for (NodeTuple t : m.getValue()) {
                keys.putIfAbsent(text(t.getKeyNode()), t.getKeyNode());
            }
        }
        return keys;
    }

    List<Node> seq(Node node, String field) {
        if (node instanceof SequenceNode s) {
            return s.getValue();
        }
        error(node, field, text(node), "a list (lines starting with '- ') is required");
        return null;
    }

    /** A mapping with typed accessors; each accessor returns null (after recording an error) when it cannot. */
    final class Obj {
        final Node node;
        final String path;
        final Map<String, Node> entries = new LinkedHashMap<>();
        final Map<String, Node> keys = new LinkedHashMap<>();

        Obj(Node node, String path) {
            this.node = node;
            this.path = path;
        }

        String field(String key) {
            return path.isEmpty() ? key : path + "." + key;
        }

        boolean has(String key) {
            return entries.containsKey(key);
        }

        Node get(String key) {
            return entries.get(key);
        }

        /** Where to point for this key: its value, or the mapping itself when the key is absent. */
        Node at(String key) {
            Node n = entries.get(key);
            return n != null ? n : node;
        }

        YamlTree tree() {
            return YamlTree.this;
        }

        private Node need(String key, boolean required, String allowed) {
            Node n = entries.get(key);
            if (n == null && required) {
                error(node, field(key), null, "required; " + allowed);
            }
            return n;
        }

        String str(String key, boolean required, Pattern pattern, String allowed) {
            Node n = need(key, required, allowed);
            if (n == null) {
                return null;
            }
            if (!(n instanceof ScalarNode s) || s.getValue().isEmpty() && isPlain(s)) {
                error(n, field(key), text(n), allowed);
                return null;
            }
            if (pattern != null && !pattern.matcher(s.getValue()).matches()) {
                error(n, field(key), s.getValue(), allowed);
                return null;
            }
            return s.getValue();
        }

        String oneOf(String key, boolean required, List<String> values) {
            String allowed = "one of " + String.join(", ", values);
            String v = str(key, required, null, allowed);
            if (v != null && !values.contains(v)) {
                error(entries.get(key), field(key), v, allowed + Names.didYouMean(v, values));
                return null;
            }
            return v;
        }

        Double num(String key, boolean required, double min, double max, String allowed) {
            Node n = need(key, required, allowed);
            if (n == null) {
                return null;
            }
            Double d = number(n);
            if (d == null) {
                error(n, field(key), text(n), "not a number; " + allowed);
                return null;
            }
            if (d < min || d > max) {
                error(n, field(key), text(n), "out of range; " + allowed);
                return null;
            }
            return d;
        }

        Long integer(String key, boolean required, long min, long max, String allowed) {
            Node n = need(key, required, allowed);
            if (n == null) {
                return null;
            }
            Long v = integerValue(n);
            if (v == null) {
                error(n, field(key), text(n), "not an integer; " + allowed);
                return null;
            }
            if (v < min || v > max) {
                error(n, field(key), text(n), "out of range; " + allowed);
                return null;
            }
            return v;
        }

        Boolean bool(String key, boolean required) {
            Node n = need(key, required, "true or false");
            if (n == null) {
                return null;
            }
            if (n instanceof ScalarNode s && isPlain(s) && (s.getValue().equals("true") || s.getValue().equals("false"))) {
                return Boolean.valueOf(s.getValue());
            }
            error(n, field(key), text(n), "true or false");
            return null;
        }

        LocalDate date(String key, boolean required) {
            String allowed = "an ISO-8601 calendar date, YYYY-MM-DD";
            String v = str(key, required, null, allowed);
            if (v == null) {
                return null;
            }
            try {
                return LocalDate.parse(v);
            } catch (DateTimeParseException e) {
                error(entries.get(key), field(key), v, allowed);
                return null;
            }
        }

        Obj obj(String key, boolean required, String... known) {
            Node n = need(key, required, "a mapping with " + String.join(", ", known));
            return n == null ? null : YamlTree.this.obj(n, field(key), known);
        }

        List<Node> seq(String key, boolean required, String allowed) {
            Node n = need(key, required, allowed);
            return n == null ? null : YamlTree.this.seq(n, field(key));
        }

        /** A list of numbers; null (after an error) when any is not a number. */
        List<Double> numbers(String key, boolean required, String allowed) {
            List<Node> items = seq(key, required, allowed);
            if (items == null) {
                return null;
            }
            List<Double> out = new ArrayList<>();
            boolean ok = true;
            for (int i = 0; i < items.size(); i++) {
                Double d = number(items.get(i));
                if (d == null) {
                    error(items.get(i), field(key) + "[" + i + "]", text(items.get(i)), "not a number; " + allowed);
                    ok = false;
                }
                out.add(d);
            }
            return ok ? out : null;
        }
    }

    /** A plain scalar that reads as a finite number (decimal, 0x hex, 0b binary, exponent), else null. */
    static Double number(Node n) {
        if (!(n instanceof ScalarNode s) || !isPlain(s)) {
            return null;
        }
        Long l = integerValue(n);
        if (l != null) {
            return l.doubleValue();
        }
        String v = s.getValue().replace("_", "");
        if (!v.matches("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?")) {
            return null;
        }
        double d = Double.parseDouble(v);
        return Double.isFinite(d) ? d : null;
    }

    static Long integerValue(Node n) {
        if (!(n instanceof ScalarNode s) || !isPlain(s)) {
            return null;
        }
        String v = s.getValue().replace("_", "");
        boolean neg = v.startsWith("-");
        if (v.startsWith("-") || v.startsWith("+")) {
            v = v.substring(1);
        }
        try {
            long r;
            if (v.matches("0[xX][0-9a-fA-F]+")) {
                r = Long.parseLong(v.substring(2), 16);
            } else if (v.matches("0[bB][01]+")) {
                r = Long.parseLong(v.substring(2), 2);
            } else if (v.matches("\\d+")) {
                r = Long.parseLong(v);
            } else {
                return null;
            }
            return neg ? -r : r;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    static boolean isTag(Node n, Tag tag) {
        return n.getTag().equals(tag);
    }
}
