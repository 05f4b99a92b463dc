package org.fieldgate.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The repository's deploy/mosquitto as installed on a site box, in a work directory: {@link #etc()} stands in for
 * /etc/mosquitto and is filled by the shipped scripts (make-ca, add-node) and files (fieldgate.acl, conf.d
 * snippets). {@link #config(int)} starts mosquitto from the shipped fieldgate.conf with only what must differ on a
 * test machine rewritten: /etc/mosquitto, /var/lib, /var/log and /run paths moved into the work directories,
 * listener ports 1883/8883 replaced by free loopback ports, and values the caller names (a bridge's address and
 * credentials). Any other absolute path left in a rewritten file fails the test, so a new setting in the shipped
 * files cannot silently point the test broker at the real /etc.
 *
 * <p>{@link #installed(Path)} does the same for what the Debian package installed under a root directory: its
 * main file, every snippet in its /etc/mosquitto/conf.d, and the password file, ACL and certificates in its
 * /etc/mosquitto, which are read where they are (the rewritten snippets go to the broker's work directory).
 */
public final class DeployedMosquitto implements AutoCloseable {
    private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(60);
    private static final String PASSWD = "fieldgate.passwd";

    private final Path deploy = deployDir();
    /** the main configuration file and the folder of make-ca, add-node, set-password */
    private final Path main;
    private final Path tools;
    private final Path etc;
    private final boolean ownsEtc;
    private final Map<String, Snippet> snippets = new LinkedHashMap<>();

    /** One node's files as add-node left them for the node. */
    public record Node(String identity, String password, Path dir) {
        public Path certificate() {
            return dir.resolve("node.crt");
        }

        public Path key() {
            return dir.resolve("node.key");
        }
    }

    private record Snippet(Path source, Map<String, String> overrides) {
    }

    private DeployedMosquitto() {
        main = deploy.resolve("fieldgate.conf");
        tools = deploy;
        etc = ChildProcess.newWorkDir("site-etc");
        ownsEtc = true;
        try {
            Files.createDirectories(etc.resolve("conf.d"));
            Files.copy(deploy.resolve("fieldgate.acl"), etc.resolve("fieldgate.acl"));
        } catch (IOException e) {
            ChildProcess.deleteWorkDir(etc);
            throw new UncheckedIOException("could not install fieldgate.acl into " + etc, e);
        }
    }

    private DeployedMosquitto(Path root) {
        main = root.resolve("etc/fieldgate/mosquitto/fieldgate.conf");
        tools = root.resolve("usr/share/fieldgate/mosquitto");
        etc = root.resolve("etc/mosquitto");
        ownsEtc = false;
        // what include_dir reads: every *.conf, in the order mosquitto reads them
        try (var files = Files.list(etc.resolve("conf.d"))) {
            files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".conf")).sorted()
                    .forEach(n -> snippets.put(n, new Snippet(etc.resolve("conf.d").resolve(n), Map.of())));
        } catch (IOException e) {
            throw new UncheckedIOException("could not list " + etc.resolve("conf.d"), e);
        }
        if (!Files.isRegularFile(main)) {
            throw new AssertionError("no installed main configuration " + main);
        }
    }

    /** A fresh stand-in for /etc/mosquitto holding the shipped fieldgate.acl. */
    public static DeployedMosquitto create() {
        return new DeployedMosquitto();
    }

    /**
     * The broker configuration the Debian package installed under {@code root} ("/" for a real install, or a
     * {@code dpkg --root} directory), with its tools in usr/share/fieldgate/mosquitto; {@link #close()} leaves
     * those files alone.
     */
    public static DeployedMosquitto installed(Path root) {
        return new DeployedMosquitto(root);
    }

    /** deploy/mosquitto of this repository (tests run in gateway/, the repository is its parent). */
    public static Path deployDir() {
        Path dir = Paths.get(System.getProperty("user.dir")).toAbsolutePath();
        for (int up = 0; up < 3 && dir != null; up++, dir = dir.getParent()) {
            Path candidate = dir.resolve("deploy/mosquitto");
            if (Files.isRegularFile(candidate.resolve("fieldgate.conf"))) {
                return candidate;
            }
        }
        throw new AssertionError("no deploy/mosquitto/fieldgate.conf above " + System.getProperty("user.dir"));
    }

    public Path etc() {
        return etc;
    }

    /** Runs the shipped make-ca: site CA and server certificate for {@code names} in etc/certs. */
    public DeployedMosquitto makeCa(String... names) {
        List<String> command = new ArrayList<>(List.of(script("make-ca"), "--dir", etc.resolve("certs").toString()));
        command.addAll(List.of(names));
        Command.run(command, Map.of(), SCRIPT_TIMEOUT);
        return this;
    }

    /** Runs the shipped add-node for SITE/DEVICE (with a client certificate from the site CA when {@code cert}). */
    public Node addNode(String site, String device, boolean cert) {
        Path out = etc.resolve("nodes").resolve(site + "-" + device);
        List<String> command = new ArrayList<>(List.of(script("add-node"), "--etc", etc.toString(), "--out", out.toString()));
        if (!cert) {
            command.add("--no-cert");
        }
        command.addAll(List.of(site, device));
        Command.run(command, Map.of(), SCRIPT_TIMEOUT);
        try {
            return new Node(site + "/" + device, Files.readString(out.resolve("password")).strip(), out);
        } catch (IOException e) {
            throw new UncheckedIOException("add-node left no password file in " + out, e);
        }
    }

    /** Sets a user's password the way deploy/README.md says for the gateway's own user. */
    public DeployedMosquitto setPassword(String user, String password) {
        Path file = etc.resolve(PASSWD);
        List<String> command = new ArrayList<>(List.of("mosquitto_passwd", "-b"));
        if (!Files.exists(file)) {
            command.add("-c");
        }
        command.addAll(List.of(file.toString(), user, password));
        Command.run(command, Map.of(), SCRIPT_TIMEOUT);
        return this;
    }

    /** Installs deploy/mosquitto/conf.d/{@code name} as is (ports and paths rewritten when the broker starts). */
    public DeployedMosquitto install(String name) {
        return install("conf.d/" + name, name, Map.of());
    }

    /**
     * Installs the shipped file {@code source} (relative to deploy/mosquitto) as conf.d/{@code name}, replacing the
     * value of each directive in {@code overrides}; every override must match a directive in the file.
     */
    public DeployedMosquitto install(String source, String name, Map<String, String> overrides) {
        if (!name.endsWith(".conf")) {
            throw new IllegalArgumentException("name = '" + name + "': mosquitto's include_dir reads only *.conf files");
        }
        snippets.put(name, new Snippet(deploy.resolve(source), Map.copyOf(overrides)));
        return this;
    }

    /**
     * The shipped fieldgate.conf and installed snippets, written for a broker whose work directory and loopback port
     * the test kit picks; the TLS listener (8883 in the shipped files) moves to {@code tlsPort}.
     */
    public MosquittoProcess.ConfigWriter config(int tlsPort) {
        return (brokerDir, port) -> {
            Files.createDirectories(brokerDir.resolve("data"));
            Rewrite rewrite = new Rewrite(brokerDir, port, tlsPort);
            // beside the broker, not in etc/conf.d: there an installed package's own snippets are the sources
            Path confD = Files.createDirectories(brokerDir.resolve("conf.d"));
            for (Map.Entry<String, Snippet> snippet : snippets.entrySet()) {
                Snippet s = snippet.getValue();
                Files.writeString(confD.resolve(snippet.getKey()), rewrite.file(s.source(), s.overrides()));
            }
            Path conf = brokerDir.resolve("mosquitto.conf");
            // as root mosquitto would switch to user 'mosquitto' and lose access to the work directories
            Files.writeString(conf, "user " + System.getProperty("user.name") + "\n" + rewrite.file(main, Map.of()));
            return conf;
        };
    }

    private String script(String name) {
        Path path = tools.resolve(name);
        if (!Files.isExecutable(path)) {
            throw new AssertionError(path + " is missing or not executable");
        }
        return path.toString();
    }

    @Override
    public void close() {
        if (ownsEtc) {
            ChildProcess.deleteWorkDir(etc);
        }
    }

    /** Line-by-line rewriting of one shipped file for the test broker. */
    private final class Rewrite {
        private final Map<String, String> pathPrefixes = new LinkedHashMap<>();
        private final Path confD;
        private final int port;
        private final int tlsPort;

        Rewrite(Path brokerDir, int port, int tlsPort) {
            this.port = port;
            this.tlsPort = tlsPort;
            confD = brokerDir.resolve("conf.d");
            pathPrefixes.put("/etc/mosquitto/", etc + "/");
            pathPrefixes.put("/var/lib/mosquitto/", brokerDir.resolve("data") + "/");
            pathPrefixes.put("/var/log/mosquitto/", brokerDir + "/");
            pathPrefixes.put("/run/mosquitto/", brokerDir + "/");
        }

        String file(Path source, Map<String, String> overrides) throws IOException {
            Set<String> used = new HashSet<>();
            StringBuilder out = new StringBuilder("# rewritten for a test broker from ").append(source).append('\n');
            for (String line : Files.readAllLines(source)) {
                out.append(line(source, line, overrides, used)).append('\n');
            }
            for (String directive : new java.util.TreeSet<>(overrides.keySet())) {
                if (!used.contains(directive)) {
                    throw new AssertionError(source + " has no '" + directive + "' line to set for the test");
                }
            }
            return out.toString();
        }

        private String line(Path source, String line, Map<String, String> overrides, Set<String> used) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                return line;
            }
            String[] words = trimmed.split("\\s+");
            String directive = words[0];
            if (overrides.containsKey(directive)) {
                used.add(directive);
                return directive + " " + overrides.get(directive);
            }
            if (directive.equals("listener")) {
                return "listener " + listenerPort(source, words) + " 127.0.0.1";
            }
            if (directive.equals("include_dir")) {
                if (!trimmed.equals("include_dir /etc/mosquitto/conf.d")) {
                    throw new AssertionError(source + ": '" + trimmed + "' is not the conf.d the test installs snippets into");
                }
                return "include_dir " + confD;
            }
            String rewritten = trimmed;
            for (Map.Entry<String, String> prefix : pathPrefixes.entrySet()) {
                rewritten = rewritten.replace(" " + prefix.getKey(), " " + prefix.getValue());
            }
            for (String word : rewritten.split("\\s+")) {
                if (word.startsWith("/") && pathPrefixes.values().stream().noneMatch(word::startsWith)) {
                    throw new AssertionError(source + ": '" + trimmed + "' names a path the test cannot move: " + word);
                }
            }
            return rewritten;
        }

        private int listenerPort(Path source, String[] words) {
            return switch (words[1]) {
                case "1883" -> port;
                case "8883" -> tlsPort;
                default -> throw new AssertionError(source + ": listener port " + words[1] + " is neither 1883 nor 8883");
            };
        }
    }
}
