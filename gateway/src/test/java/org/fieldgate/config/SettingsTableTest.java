package org.fieldgate.config;

import io.micronaut.core.convert.ArgumentConversionContext;
import io.micronaut.core.value.MapPropertyResolver;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * README.md's configuration table against the one place defaults are written ({@link SettingDefaults}): a row per
 * setting the gateway reads, each with that default. Conventions of the table: several settings in one row as
 * {@code `fieldgate.a.b` / `c`} with defaults {@code `1` / `2`} (or one default for all); a default in backticks is a
 * value, words without backticks (none, JVM trust store, ...) mean unset; {@code (`x` in demo)} states the demo's
 * override, checked against application-demo.yml; {@code micronaut.*} rows are checked against application.yml.
 */
class SettingsTableTest {
    private static final Path README = Path.of("..", "README.md");
    private static final Pattern DEMO = Pattern.compile("\\s*\\(([^()]*) in demo\\)\\s*$");
    private static final Pattern TICKED = Pattern.compile("`([^`]*)`");

    /** One setting of a row: its full name, the default cell's text for it, and the demo's, if stated. */
    record Row(int line, String name, String defaultText, String demoText) {
    }

    @Test
    void everySettingHasARowWithItsDefault() throws IOException {
        List<String> problems = check(Files.readAllLines(README, StandardCharsets.UTF_8));
        assertTrue(problems.isEmpty(), "README.md's configuration table disagrees with SettingDefaults:\n  "
                + String.join("\n  ", problems));
    }

    @Test
    void everySettingTheGatewayReadsIsListed() {
        Set<String> asked = new LinkedHashSet<>();
        MapPropertyResolver recording = new MapPropertyResolver(Map.of()) {
            @Override
            public <T> Optional<T> getProperty(String name, ArgumentConversionContext<T> context) {
                asked.add(name);
                return super.getProperty(name, context);
            }
        };
        SettingsFactory.read(recording);
        assertTrue(asked.size() > 40, "the recording saw the reads: " + asked);
        for (String name : asked) {
            assertTrue(SettingDefaults.names().contains(name), name + " is read but not in SettingDefaults");
        }
        IllegalArgumentException unknown = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class, () -> new SettingsReader(recording).string("fieldgate.no-such"));
        assertTrue(unknown.getMessage().startsWith("fieldgate.no-such is read but has no entry in SettingDefaults"),
                unknown.getMessage());
    }

    @Test
    void theDefaultsAreTheValuesReadWhenNothingIsSet() {
        GatewaySettings s = SettingsFactory.read(new MapPropertyResolver(Map.of()));
        assertEquals("demo-plot", s.site());
        assertEquals("fieldgate-demo-plot", s.mqtt().clientId());
        assertEquals(512L << 20, s.spool().maxBytes());
        assertEquals(10_000, s.ingest().maxRecordsPerPack());
        assertEquals(262_144, s.ingest().maxMessageBytes());
        assertEquals(java.time.Duration.ofMillis(500), s.forward().minBackoff());
        assertEquals(4500, s.calc().socGCM2());
        assertEquals(0.55, s.calc().rhFraction());
        assertEquals(Path.of("/var/lib/fieldgate/outbox"), s.export().outbox());
        assertEquals(20_000, s.ingest().commitBatchReadings());
        assertEquals(4L << 20, s.ingest().maxPendingBytes());
        // The constants other stages use are parsed from the same defaults.
        assertEquals(GatewaySettings.Ingest.DEFAULT_COMMIT_BATCH_READINGS, s.ingest().commitBatchReadings());
        assertEquals(GatewaySettings.Ingest.DEFAULT_MAX_PENDING_BYTES, s.ingest().maxPendingBytes());
        assertEquals(GatewaySettings.Mqtt.DEFAULT_KEEP_ALIVE, s.mqtt().keepAlive());
        assertEquals(GatewaySettings.Forward.DEFAULT_DOWN_AFTER, s.forward().downAfter());
    }

    static List<String> check(List<String> readme) throws IOException {
        List<Row> rows = rows(readme);
        List<String> problems = new ArrayList<>();
        Map<String, Object> application = yaml("application.yml");
        Map<String, Object> demo = yaml("application-demo.yml");
        Set<String> seen = new LinkedHashSet<>();
        for (Row row : rows) {
            String where = "README.md:" + row.line() + ": " + row.name();
            if (!seen.add(row.name())) {
                problems.add(where + " has a second row");
            }
            String shown = ticked(row.defaultText());
            String expected;
            if (row.name().startsWith("fieldgate.")) {
                if (!SettingDefaults.names().contains(row.name())) {
                    problems.add(where + " is not a setting the gateway reads (not in SettingDefaults)");
                    continue;
                }
                expected = SettingDefaults.of(row.name());
            } else {
                Object value = application.get(row.name());
                expected = value == null ? null : value.toString();
            }
            if (!java.util.Objects.equals(shown, expected)) {
                problems.add(where + " default " + show(shown, row.defaultText()) + " but "
                        + (row.name().startsWith("fieldgate.") ? "SettingDefaults" : "application.yml") + " has "
                        + (expected == null ? "none (unset)" : "`" + expected + "`"));
            }
            if (row.demoText() != null) {
                String demoShown = ticked(row.demoText());
                Object demoValue = demo.get(row.name());
                if (demoValue == null || !demoValue.toString().equals(demoShown)) {
                    problems.add(where + " says " + show(demoShown, row.demoText()) + " in demo but "
                            + "application-demo.yml has " + (demoValue == null ? "none" : "`" + demoValue + "`"));
                }
            }
        }
        for (String name : SettingDefaults.names()) {
            if (!seen.contains(name)) {
                String value = SettingDefaults.of(name);
                problems.add("README.md has no row for " + name + " (default "
                        + (value == null ? "none" : "`" + value + "`") + ")");
            }
        }
        return problems;
    }

    private static String show(String shown, String text) {
        return shown == null ? "'" + text.trim() + "' (unset)" : "`" + shown + "`";
    }

    /** The value in backticks, or null for words meaning "unset". */
    private static String ticked(String text) {
        Matcher m = TICKED.matcher(text.trim());
        return m.matches() ? m.group(1) : null;
    }

    /** The rows of the table under "## Configuration", one per setting. */
    static List<Row> rows(List<String> readme) {
        int start = readme.indexOf("## Configuration");
        assertTrue(start >= 0, "README.md has no '## Configuration' section");
        List<Row> rows = new ArrayList<>();
        int i = start;
        while (i < readme.size() && !readme.get(i).startsWith("| property | default |")) {
            i++;
        }
        assertTrue(i < readme.size(), "no '| property | default | meaning |' table under ## Configuration");
        for (i += 2; i < readme.size() && readme.get(i).startsWith("|"); i++) {
            String[] cells = readme.get(i).split("(?<!\\\\)\\|", -1);
            int line = i + 1;
            List<String> names = names(cells[1].trim(), line);
            String defaults = cells[2];
            String demoText = null;
            Matcher d = DEMO.matcher(defaults);
            if (d.find()) {
                demoText = d.group(1);
                defaults = defaults.substring(0, d.start());
            }
            List<String> values = List.of(defaults.split(" / "));
            List<String> demos = demoText == null ? null : List.of(demoText.split(" / "));
            for (int k = 0; k < names.size(); k++) {
                rows.add(new Row(line, names.get(k), pick(values, k, names, line),
                        demos == null ? null : pick(demos, k, names, line)));
            }
        }
        return rows;
    }

    /** {@code `fieldgate.a.b` / `c`}: c is fieldgate.a.c. */
    private static List<String> names(String cell, int line) {
        List<String> names = new ArrayList<>();
        String prefix = null;
        for (String part : cell.split(" / ")) {
            String name = ticked(part);
            assertTrue(name != null, "README.md:" + line + ": the property cell '" + cell + "' is not `name` / `name`");
            if (prefix == null) {
                prefix = name.substring(0, name.lastIndexOf('.') + 1);
                names.add(name);
            } else {
                names.add(prefix + name);
            }
        }
        return names;
    }

    private static String pick(List<String> values, int k, List<String> names, int line) {
        if (values.size() == 1) {
            return values.get(0);
        }
        assertEquals(names.size(), values.size(), "README.md:" + line + ": " + names + " but defaults " + values);
        return values.get(k);
    }

    /** A YAML file of the classpath, flattened to dotted names. */
    static Map<String, Object> yaml(String resource) throws IOException {
        try (InputStream in = SettingsTableTest.class.getClassLoader().getResourceAsStream(resource)) {
            assertTrue(in != null, resource + " is not on the classpath");
            Map<String, Object> flat = new LinkedHashMap<>();
            flatten("", new Yaml().load(in), flat);
            return flat;
        }
    }

    private static void flatten(String prefix, Object node, Map<String, Object> flat) {
        if (node instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                flatten(prefix + e.getKey() + ".", e.getValue(), flat);
            }
        } else if (node != null) {
            flat.put(prefix.substring(0, prefix.length() - 1), node);
        }
    }
}
