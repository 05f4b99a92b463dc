package org.fieldgate.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.Yaml;

/**
 * One provisioned dashboard file of {@code dashboards/}, read as Grafana reads it: panels (those inside rows
 * included), their InfluxQL targets, the template variables and the default time range.
 */
public final class GrafanaDashboard {
    /** The repository's dashboards folder, from the gateway module's working directory. */
    public static final Path DIR = Path.of("..", "dashboards").toAbsolutePath().normalize();
    /** Grafana provisioning files: datasources/ and dashboards/, as under /etc/grafana/provisioning. */
    public static final Path PROVISIONING = Path.of("..", "deploy", "grafana", "provisioning").toAbsolutePath()
            .normalize();
    private static final Pattern RELATIVE_FROM = Pattern.compile("now-(\\d+)([smhdw])");

    private final Path file;
    private final JsonNode json;

    private GrafanaDashboard(Path file, JsonNode json) {
        this.file = file;
        this.json = json;
    }

    /** Every {@code *.json} in the folder, in file-name order; a file that is not valid JSON fails naming the file. */
    public static List<GrafanaDashboard> loadAll(Path dir) {
        ObjectMapper mapper = new ObjectMapper();
        List<GrafanaDashboard> out = new ArrayList<>();
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList()) {
                try {
                    out.add(new GrafanaDashboard(f, mapper.readTree(f.toFile())));
                } catch (IOException e) {
                    throw new AssertionError(f + " is not valid JSON: " + e.getMessage(), e);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not list " + dir, e);
        }
        return out;
    }

    /** The data source as provisioned (name, uid, type, jsonData); exactly one is. */
    public static Map<String, Object> provisionedDataSource() {
        Path file = PROVISIONING.resolve("datasources/fieldgate.yaml");
        try {
            Map<String, Object> yaml = new Yaml().load(Files.readString(file));
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> sources = (List<Map<String, Object>>) yaml.get("datasources");
            if (sources == null || sources.size() != 1) {
                throw new AssertionError(file + " should provision exactly one data source, not " + sources);
            }
            return sources.get(0);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file, e);
        }
    }

    public String fileName() {
        return file.getFileName().toString();
    }

    public String uid() {
        return json.path("uid").asText("");
    }

    public String title() {
        return json.path("title").asText("");
    }

    public JsonNode json() {
        return json;
    }

    /** Every panel that queries (rows left out, the panels of collapsed rows included), in file order. */
    public List<JsonNode> panels() {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode p : json.path("panels")) {
            if ("row".equals(p.path("type").asText())) {
                p.path("panels").forEach(out::add);
            } else {
                out.add(p);
            }
        }
        return out;
    }

    /** The template variables in file order (Grafana resolves them in that order when each names only earlier ones). */
    public List<JsonNode> variables() {
        List<JsonNode> out = new ArrayList<>();
        json.path("templating").path("list").forEach(out::add);
        return out;
    }

    /** The default time range, from {@code time.from} ({@code now-6h}) to {@code now}. */
    public Duration defaultRange() {
        String from = json.path("time").path("from").asText();
        Matcher m = RELATIVE_FROM.matcher(from);
        if (!m.matches() || !"now".equals(json.path("time").path("to").asText())) {
            throw new AssertionError(fileName() + ": time should be now-<n><unit> to now, not " + json.path("time"));
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> Duration.ofDays(7 * n);
        };
    }

    @Override
    public String toString() {
        return fileName() + " (" + uid() + ")";
    }
}
