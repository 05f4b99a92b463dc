package org.fieldgate.site;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;

/**
 * Entry points for the gateway and the checker: load a site file with its sensor models, refusing anything invalid.
 *
 * <pre>{@code
 * SiteConfig site = SiteConfigs.loadOrThrow(Path.of("firmware-config/sites/soil-plot.yaml"),
 *         Path.of("firmware-config/models"));   // InvalidSiteConfigException lists every error, one per line
 * }</pre>
 */
public final class SiteConfigs {
    private SiteConfigs() {
    }

    /** The {@code models/} directory beside the site file's directory ({@code sites/x.yaml} -> {@code models/}). */
    public static Path defaultModelsDir(Path site) {
        Path dir = site.toAbsolutePath().normalize().getParent();
        return dir.resolveSibling("models");
    }

    /** Validates the models in {@code modelsDir} and then the site; errors of both, models first. */
    public static SiteValidator.Result check(Path site, Path modelsDir) {
        return check(site, ModelLoader.loadDir(modelsDir));
    }

    /** As {@link #check(Path, Path)} with models already loaded (their errors are included in the result). */
    public static SiteValidator.Result check(Path site, ModelLoader.ModelSet models) {
        SiteValidator.Result r = SiteValidator.validate(site, models.models());
        if (models.errors().isEmpty()) {
            return r;
        }
        List<ConfigError> all = new ArrayList<>(models.errors());
        all.addAll(r.errors());
        return new SiteValidator.Result(null, r.probes(), r.channels(), List.copyOf(all));
    }

    /** The site, or an {@link InvalidSiteConfigException} whose message lists every error; for start-up. */
    public static SiteConfig loadOrThrow(Path site, Path modelsDir) {
        SiteValidator.Result r = check(site, modelsDir);
        if (!r.ok()) {
            throw new InvalidSiteConfigException(r.errors());
        }
        return r.config();
    }

    /** The {@code kind:} of a YAML file ({@code site} or {@code sensor-model}), or null when it has none. */
    static String kindOf(Path file) {
        Node root = YamlTree.compose(file, new ArrayList<>());
        if (root instanceof MappingNode m) {
            for (NodeTuple t : m.getValue()) {
                if ("kind".equals(YamlTree.text(t.getKeyNode()))) {
                    return YamlTree.text(t.getValueNode());
                }
            }
        }
        return null;
    }
}
