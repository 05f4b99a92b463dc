package org.fieldgate.site;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code config check [--models DIR] FILE...}: validates site files (and sensor-model files named directly), printing
 * {@code OK file (N probes, M channels)} per good file or every error as {@code file:line: field: value 'x': allowed}.
 * Models are read from the site's sibling {@code models/} directory unless {@code --models DIR} is given.
 * Exit codes: 0 all valid, 1 any error, 64 bad usage. Run as
 * {@code java -cp fieldgate-gateway.jar org.fieldgate.site.ConfigCheck FILE...}.
 */
public final class ConfigCheck {
    public static final int OK = 0;
    public static final int INVALID = 1;
    public static final int USAGE = 64;

    static final String USAGE_TEXT = String.join("\n",
            "usage: config check [--models DIR] FILE...",
            "  FILE  a site file (kind: site) or a sensor-model file (kind: sensor-model)",
            "  --models DIR  sensor models to check sites against (default: the site's ../models/)",
            "  prints 'OK file (N probes, M channels)' or every error as 'file:line: field: value 'x': what is allowed';",
            "  exit 0 when every file is valid, 1 on any error, 64 on bad usage");

    private ConfigCheck() {
    }

    public static void main(String[] args) {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(System.err, true, StandardCharsets.UTF_8);
        System.exit(run(args, out, err));
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        Path models = null;
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h")) {
                out.println(USAGE_TEXT);
                return OK;
            } else if (a.equals("--models")) {
                if (i + 1 >= args.length) {
                    err.println("config check: --models needs a directory\n" + USAGE_TEXT);
                    return USAGE;
                }
                models = Path.of(args[++i]);
            } else if (a.startsWith("--models=")) {
                models = Path.of(a.substring("--models=".length()));
            } else if (a.startsWith("-") && a.length() > 1) {
                err.println("config check: unknown option " + a + "\n" + USAGE_TEXT);
                return USAGE;
            } else {
                files.add(Path.of(a));
            }
        }
        if (files.isEmpty()) {
            err.println("config check: no FILE given\n" + USAGE_TEXT);
            return USAGE;
        }
        Map<Path, ModelLoader.ModelSet> modelSets = new HashMap<>();
        Set<Path> reported = new HashSet<>();
        int bad = 0;
        for (Path file : files) {
            List<ConfigError> errors;
            String summary;
            if ("sensor-model".equals(SiteConfigs.kindOf(file))) {
                errors = new ArrayList<>();
                SensorModel m = ModelLoader.load(file, errors);
                errors.sort(null);
                summary = m == null ? "" : "model " + m.id() + ", " + m.channels().size() + " channels";
            } else {
                Path dir = (models != null ? models : SiteConfigs.defaultModelsDir(file)).toAbsolutePath().normalize();
                ModelLoader.ModelSet set = modelSets.computeIfAbsent(dir, ModelLoader::loadDir);
                SiteValidator.Result r = SiteValidator.validate(file, set.models());
                errors = new ArrayList<>();
                if (!set.errors().isEmpty()) {
                    if (reported.add(dir)) {
                        errors.addAll(set.errors());
                    } else {
                        errors.add(new ConfigError(file.toString(), 1, "(models)", dir.toString(),
                                "the sensor models above have errors"));
                    }
                }
                errors.addAll(r.errors());
                summary = r.probes() + " probes, " + r.channels() + " channels";
            }
            if (errors.isEmpty()) {
                out.println("OK " + file + " (" + summary + ")");
            } else {
                bad++;
                errors.forEach(e -> out.println(e));
            }
        }
        if (bad > 0) {
            err.println("config check: " + bad + " of " + files.size() + " files invalid");
            return INVALID;
        }
        return OK;
    }
}
