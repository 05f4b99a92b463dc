package org.fieldgate.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.fieldgate.testkit.ChildProcess;
import org.fieldgate.testkit.Cleanup;
import org.fieldgate.testkit.DeployedMosquitto;
import org.fieldgate.testkit.FreePorts;
import org.fieldgate.testkit.InfluxdProcess;
import org.fieldgate.testkit.MosquittoProcess;
import org.fieldgate.testkit.Poll;
import org.fieldgate.testkit.StartsProcesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Debian package that {@code mvn package} builds (target/fieldgate_*_all.deb): its fields, files, modes and
 * conffiles, its maintainer scripts, the systemd units, and the packaged launcher starting the gateway without
 * systemd. Always: unpacked with {@code dpkg --root} into a work directory (no maintainer scripts run, nothing
 * touches this machine). Only with CI=true or -Dfieldgate.it.deb-install=true: a real {@code dpkg -i} on this
 * machine, which runs the maintainer scripts (user, permissions, enable), and a purge that must leave nothing.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
@StartsProcesses
class DebPackageIT {
    private static final Duration DPKG_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final List<String> BROKER_SNIPPETS = List.of("fieldgate-auth.conf", "fieldgate-local.conf", "fieldgate-remote-tls.conf");
    /** application.yml, jvm.options, logback.xml, three example sites, the main broker file, the broker snippets */
    private static final int CONFFILES = 8 + BROKER_SNIPPETS.size();
    private static final String GATEWAY_USER = "fieldgate-gateway";
    /** what the postinst (site-credentials) makes in /etc/mosquitto */
    private static final List<String> BROKER_FILES = List.of("/etc/mosquitto/fieldgate.passwd", "/etc/mosquitto/fieldgate.acl",
            "/etc/mosquitto/certs/fieldgate-ca.crt", "/etc/mosquitto/certs/fieldgate-ca.key", "/etc/mosquitto/certs/fieldgate-ca.srl",
            "/etc/mosquitto/certs/fieldgate-server.crt", "/etc/mosquitto/certs/fieldgate-server.key");
    private static Path deb;

    private final Cleanup cleanup = new Cleanup();

    @BeforeAll
    static void findPackage() throws IOException {
        try (Stream<Path> files = Files.list(Paths.get("target"))) {
            List<Path> debs = files.filter(f -> f.getFileName().toString().matches("fieldgate_.+_all\\.deb")).sorted().toList();
            assertEquals(1, debs.size(), "exactly one target/fieldgate_*_all.deb from the package phase: " + debs);
            deb = debs.get(0).toAbsolutePath();
        }
    }

    @AfterEach
    void stopEverything() throws Exception {
        cleanup.close();
    }

    // ---- the package as a file --------------------------------------------------------------------

    @Test
    void controlFieldsDeclareOnePackageForEveryArchitectureAndItsDependencies() {
        Map<String, String> fields = controlFields(Command.run(DPKG_TIMEOUT, "dpkg-deb", "-f", deb.toString()).ok());
        assertEquals("fieldgate", fields.get("Package"));
        assertEquals("all", fields.get("Architecture"), "the jar carries its native libraries for arm64 and amd64");
        assertTrue(fields.get("Version").startsWith("0.1.0"), fields.toString());
        assertEquals("openjdk-17-jre-headless | openjdk-21-jre-headless | java17-runtime-headless, mosquitto (>= 2.0), openssl, adduser",
                fields.get("Depends"));
        assertEquals("influxdb, curl", fields.get("Recommends"));
        assertFalse(fields.containsKey("Homepage"), "no Homepage inherited from the Maven parent: " + fields.get("Homepage"));
        assertTrue(fields.get("Maintainer").matches(".+ <.+@.+>"), fields.get("Maintainer"));
    }

    @Test
    void filesModesOwnersAndConffiles() {
        Map<String, String> entries = contents(Command.run(DPKG_TIMEOUT, "dpkg-deb", "-c", deb.toString()).ok());
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("/usr/bin/fieldgate", "-rwxr-xr-x");
        expected.put("/usr/share/fieldgate/fieldgate.jar", "-rw-r--r--");
        expected.put("/usr/share/fieldgate/models/scd41.yaml", "-rw-r--r--");
        expected.put("/usr/share/fieldgate/influxdb/create-database.sh", "-rwxr-xr-x");
        expected.put("/usr/share/fieldgate/grafana/datasources/fieldgate.yaml", "-rw-r--r--");
        expected.put("/usr/share/fieldgate/grafana/provisioning-dashboards/fieldgate.yaml", "-rw-r--r--");
        for (String dashboard : List.of("site-overview", "soil-plot", "mineralisation-house", "gateway-health")) {
            expected.put("/usr/share/fieldgate/grafana/dashboards/" + dashboard + ".json", "-rw-r--r--");
        }
        expected.put("/usr/share/fieldgate/site-credentials", "-rwxr-xr-x");
        for (String tool : List.of("make-ca", "add-node", "set-password")) {
            expected.put("/usr/share/fieldgate/mosquitto/" + tool, "-rwxr-xr-x");
        }
        expected.put("/usr/share/fieldgate/mosquitto/fieldgate.acl", "-rw-r--r--");
        expected.put("/usr/share/fieldgate/mosquitto/bridge-central.conf.example", "-rw-r--r--");
        for (String snippet : BROKER_SNIPPETS) {
            expected.put("/etc/mosquitto/conf.d/" + snippet, "-rw-r--r--");
        }
        expected.put("/lib/systemd/system/fieldgate.service", "-rw-r--r--");
        expected.put("/lib/systemd/system/mosquitto.service.d/fieldgate.conf", "-rw-r--r--");
        expected.put("/lib/systemd/system/influxdb.service.d/fieldgate.conf", "-rw-r--r--");
        expected.put("/etc/fieldgate/application.yml", "-rw-r--r--");
        expected.put("/etc/fieldgate/jvm.options", "-rw-r--r--");
        expected.put("/etc/fieldgate/logback.xml", "-rw-r--r--");
        expected.put("/etc/fieldgate/sites/soil-plot-example.yaml", "-rw-r--r--");
        expected.put("/etc/fieldgate/sites/mineralisation-house-example.yaml", "-rw-r--r--");
        expected.put("/etc/fieldgate/mosquitto/fieldgate.conf", "-rw-r--r--");
        expected.put("/etc/fieldgate/models", "lrw-r--r-- -> /usr/share/fieldgate/models");
        expected.put("/usr/share/doc/fieldgate/README.md", "-rw-r--r--");
        expected.put("/usr/share/doc/fieldgate/deploy.md", "-rw-r--r--");
        expected.put("/usr/share/doc/fieldgate/influxdb.md", "-rw-r--r--");
        expected.forEach((path, mode) -> assertEquals(mode + " root/root", entries.get(path), path + " in " + entries.keySet()));

        List<String> outside = entries.keySet().stream()
                .filter(p -> Stream.of("/usr/bin/fieldgate", "/usr/share/fieldgate", "/usr/share/doc/fieldgate", "/etc/fieldgate",
                                "/lib/systemd/system/fieldgate.service", "/lib/systemd/system/mosquitto.service.d",
                                "/lib/systemd/system/influxdb.service.d", "/etc/mosquitto/conf.d/fieldgate-")
                        .noneMatch(p::startsWith))
                .filter(p -> !Stream.of("/usr", "/usr/bin", "/usr/share", "/usr/share/doc", "/etc", "/lib", "/lib/systemd",
                        "/lib/systemd/system", "/etc/mosquitto", "/etc/mosquitto/conf.d").toList().contains(p))
                .toList();
        assertEquals(List.of(), outside, "files outside the package's own places");
        assertTrue(entries.values().stream().allMatch(v -> v.endsWith("root/root")), "every entry root/root: " + entries);

        // every regular file under /etc is a conffile (an upgrade keeps local edits), and nothing else is; the secrets,
        // the password file, the ACL nodes are added to and the certificates are made by the postinst, not shipped
        List<String> conffiles = Command.run(DPKG_TIMEOUT, "dpkg-deb", "-I", deb.toString(), "conffiles").ok().lines()
                .map(String::trim).filter(l -> !l.isEmpty()).sorted().toList();
        List<String> etcFiles = entries.entrySet().stream()
                .filter(e -> e.getKey().startsWith("/etc/") && e.getValue().startsWith("-"))
                .map(Map.Entry::getKey).sorted().toList();
        assertEquals(etcFiles, conffiles);
        assertEquals(CONFFILES, conffiles.size(), conffiles.toString());

        // the example sites are the tracked ones only: a site file of one's own lying in the checkout is no conffile
        List<String> tracked = Command.run(DPKG_TIMEOUT, "git", "-C", "../firmware-config/sites", "ls-files", "--", "*.yaml").ok()
                .lines().map(f -> "/etc/fieldgate/sites/" + f).sorted().toList();
        assertEquals(tracked, etcFiles.stream().filter(f -> f.startsWith("/etc/fieldgate/sites/")).toList());
    }

    @Test
    void maintainerScriptsAreExecutablePosixShell() throws Exception {
        Path control = newWorkDir("deb-control");
        Command.run(DPKG_TIMEOUT, "dpkg-deb", "-e", deb.toString(), control.toString()).ok();
        List<String> scripts = new ArrayList<>();
        try (Stream<Path> files = Files.list(control)) {
            files.map(f -> f.getFileName().toString()).filter(n -> n.matches("preinst|postinst|prerm|postrm")).sorted().forEach(scripts::add);
        }
        assertEquals(List.of("postinst", "postrm", "prerm"), scripts);
        for (String name : scripts) {
            Path script = control.resolve(name);
            assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(script)), name);
            List<String> lines = Files.readAllLines(script, StandardCharsets.UTF_8);
            assertEquals("#!/bin/sh", lines.get(0), name);
            assertTrue(lines.contains("set -e"), name + " must stop at the first failing command");
            // dash is Debian's /bin/sh: -n parses the whole script without running it
            Command.run(DPKG_TIMEOUT, "dash", "-n", script.toString()).ok();
        }
        String postinst = Files.readString(control.resolve("postinst"), StandardCharsets.UTF_8);
        assertTrue(postinst.contains("adduser --system --group --home /var/lib/fieldgate --no-create-home"), postinst);
        assertTrue(postinst.contains("deb-systemd-helper enable fieldgate.service"), postinst);
        assertTrue(postinst.contains("\n  /usr/share/fieldgate/site-credentials\n"), postinst);
    }

    // ---- the unpacked package, without systemd ---------------------------------------------------

    @Test
    void unpackedLauncherRunsTheGatewayWithTheEtcConfigAndNotifiesSystemd() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "dpkg --root --unpack needs root (chown)");
        Path root = newWorkDir("deb-root");
        for (String dir : List.of("var/lib/dpkg/info", "var/lib/dpkg/updates", "var/lib/dpkg/triggers")) {
            Files.createDirectories(root.resolve(dir));
        }
        Files.createFile(root.resolve("var/lib/dpkg/status"));
        Files.createFile(root.resolve("var/lib/dpkg/available"));
        // --force-depends: the empty root has no Java or mosquitto registered; the ones of this machine are used
        Command.run(DPKG_TIMEOUT, "dpkg", "--root=" + root, "--force-depends", "--unpack", deb.toString()).ok();
        String status = Command.run(DPKG_TIMEOUT, "dpkg", "--root=" + root, "-s", "fieldgate").ok();
        assertTrue(status.contains("Status: install ok unpacked"), status);
        assertTrue(status.contains(" /etc/fieldgate/application.yml "), status);
        // dpkg unpacks new conffiles as *.dpkg-new and moves them into place when it configures the package; that
        // step runs the postinst, which would change this machine (only the real install below does), so move them here
        try (Stream<Path> files = Files.walk(root.resolve("etc"))) {
            List<Path> fresh = files.filter(f -> f.getFileName().toString().endsWith(".dpkg-new")).toList();
            assertEquals(CONFFILES, fresh.size(), fresh.toString());
            for (Path f : fresh) {
                String name = f.getFileName().toString();
                Files.move(f, f.resolveSibling(name.substring(0, name.length() - ".dpkg-new".length())));
            }
        }

        Path jar = root.resolve("usr/share/fieldgate/fieldgate.jar");
        try (JarFile shaded = new JarFile(jar.toFile())) {
            assertEquals("org.fieldgate.Application", shaded.getManifest().getMainAttributes().getValue("Main-Class"));
            for (String entry : List.of("org/fieldgate/deploy/SystemdNotifier.class", "io/micronaut/runtime/Micronaut.class",
                    "org/sqlite/native/Linux/aarch64/libsqlitejdbc.so", "org/sqlite/native/Linux/x86_64/libsqlitejdbc.so")) {
                assertNotNull(shaded.getEntry(entry), "the packaged jar lacks " + entry);
            }
        }
        Path launcher = root.resolve("usr/bin/fieldgate");
        String check = Command.run(Duration.ofSeconds(90), launcher.toString(), "config", "check",
                "--models", root.resolve("usr/share/fieldgate/models").toString(),
                root.resolve("etc/fieldgate/sites/soil-plot-example.yaml").toString()).ok();
        assertTrue(check.startsWith("OK "), check);

        // the postinst's credentials step, on the unpacked tree (secrets owned by root here, by fieldgate when installed)
        Path credentials = root.resolve("etc/fieldgate/credentials");
        assertSiteCredentialsAreMadeOnceAndKept(root, credentials);
        String application = Files.readString(root.resolve("etc/fieldgate/application.yml"), StandardCharsets.UTF_8);
        for (String setting : List.of("username: " + GATEWAY_USER, "password-file: /etc/fieldgate/credentials/mqtt.pass",
                "token-file: /etc/fieldgate/credentials/http.token")) {
            assertTrue(application.contains("\n    " + setting + "\n"), setting + " missing from the packaged application.yml");
        }

        // the installed broker configuration (main file, conf.d snippets, ACL, password file, certificates), only
        // ports and the data, log and pid paths moved; it starts, so the TLS listener's files are all there
        int tlsPort = FreePorts.next();
        MosquittoProcess broker = cleanup.add(MosquittoProcess.builder().config(DeployedMosquitto.installed(root).config(tlsPort)).started());
        try (Socket tls = new Socket("127.0.0.1", tlsPort)) {
            assertTrue(tls.isConnected(), "the TLS listener for remote nodes listens");
        }
        String gatewayPassword = Files.readString(credentials.resolve("mqtt.pass"), StandardCharsets.UTF_8).strip();
        assertEquals(MqttException.REASON_CODE_NOT_AUTHORIZED, connack(broker.url(), null, null), "an anonymous client is refused");
        assertEquals(MqttException.REASON_CODE_NOT_AUTHORIZED, connack(broker.url(), GATEWAY_USER, "not-" + gatewayPassword),
                "a wrong password is refused");
        assertEquals(0, connack(broker.url(), GATEWAY_USER, gatewayPassword), "the gateway's user with its password gets in");

        Path work = newWorkDir("deb-run");
        NotifySocket notify = NotifySocket.available() ? cleanup.add(new NotifySocket(work)) : null;
        int port = FreePorts.next();
        List<String> command = new ArrayList<>(List.of("/usr/bin/env",
                "JAVA_HOME=" + System.getProperty("java.home"),
                "FIELDGATE_CONF_DIR=" + root.resolve("etc/fieldgate"),
                "FIELDGATE_SPOOL_DIR=" + work.resolve("spool"),
                "FIELDGATE_MQTT_URL=" + broker.url(),
                "FIELDGATE_MQTT_CLIENT_ID=deb-it-" + port,
                // the user name comes from application.yml; its files' /etc paths are moved into the unpacked tree
                "FIELDGATE_MQTT_PASSWORD_FILE=" + credentials.resolve("mqtt.pass"),
                "FIELDGATE_HTTP_TOKEN_FILE=" + credentials.resolve("http.token"),
                // nothing listens there: readings would wait in the spool, as with InfluxDB down
                "FIELDGATE_INFLUX_URL=http://127.0.0.1:" + FreePorts.next(),
                "MICRONAUT_SERVER_PORT=" + port,
                // the class archive where this run may write it (the package's default is /var/lib/fieldgate/cds)
                "FIELDGATE_CDS_DIR=" + work.resolve("cds")));
        if (notify != null) {
            command.add("NOTIFY_SOCKET=" + notify.address());
            command.add("WATCHDOG_USEC=2000000");
        }
        command.addAll(List.of(launcher.toString(), "run"));
        Path log = work.resolve("gateway.log");
        ChildProcess gateway = new ChildProcess("packaged-gateway:" + port, command, log, null);
        gateway.start();
        stopAtCleanup(gateway);

        awaitHealth(gateway, port);
        assertApiTokenRequired(port, Files.readString(credentials.resolve("http.token"), StandardCharsets.UTF_8).strip());
        HttpResponse<String> api = get(port, "/api/status");
        assertTrue(api.body().contains("\"site\":\"my-site\""), "the site name comes from /etc/fieldgate/application.yml: " + api.body());

        // the launcher exec'ed the JVM (same PID, as systemd's main process must be) with jvm.options and the /etc files
        List<String> cmdline = Arrays.asList(Files.readString(Paths.get("/proc", Long.toString(gateway.pid()), "cmdline"),
                StandardCharsets.UTF_8).split("\0"));
        assertTrue(cmdline.get(0).endsWith("/bin/java"), cmdline.toString());
        for (String option : List.of("-Xmx96m", "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError",
                "-Dlogback.configurationFile=" + root.resolve("etc/fieldgate/logback.xml"), jar.toString())) {
            assertTrue(cmdline.contains(option), option + " missing from " + cmdline);
        }
        // no class archive yet: the launcher asks the JVM to write one when it stops
        String archiveOption = "-XX:ArchiveClassesAtExit=" + work.resolve("cds") + "/fieldgate-";
        assertTrue(cmdline.stream().anyMatch(o -> o.startsWith(archiveOption) && o.endsWith(".jsa")), archiveOption + "... missing from " + cmdline);
        String environ = Files.readString(Paths.get("/proc", Long.toString(gateway.pid()), "environ"), StandardCharsets.UTF_8);
        assertTrue(Arrays.asList(environ.split("\0")).contains("MICRONAUT_CONFIG_FILES=" + root.resolve("etc/fieldgate/application.yml")),
                environ);
        // journald priorities from /etc/fieldgate/logback.xml: <6> for INFO
        assertTrue(Files.readAllLines(log, StandardCharsets.UTF_8).stream().anyMatch(l -> l.startsWith("<6>")), gateway.tail(40));

        if (notify != null) {
            notify.await("READY=1", 1, Duration.ofSeconds(30));
            notify.await("WATCHDOG=1", 2, Duration.ofSeconds(30));
            assertEquals("READY=1", notify.messages().get(0), notify.messages().toString());
        }
        assertEquals(143, gateway.stop(60), "SIGTERM ends the JVM with 143, which the unit counts as success\n" + gateway.tail(40));
        if (notify != null) {
            notify.await("STOPPING=1", 1, Duration.ofSeconds(10));
        }
        try (Stream<Path> archives = Files.list(work.resolve("cds"))) {
            List<Path> written = archives.filter(f -> f.getFileName().toString().endsWith(".jsa")).toList();
            assertTrue(written.size() == 1 && Files.size(written.get(0)) > 1_000_000,
                    "the JVM wrote one class archive at the clean stop, the next start maps it: " + written);
        }
    }

    // ---- systemd ----------------------------------------------------------------------------------

    @Test
    void systemdAnalyzeVerifiesTheUnitAndTheDropInsAndWouldCatchAMistake() throws Exception {
        assertTrue(Files.isExecutable(Paths.get("/usr/bin/systemd-analyze")), "systemd-analyze is missing: apt-get install systemd");
        // systemd-analyze --root needs the system units the package's unit refers to (targets) and checks that
        // every ExecStart= program exists in that root
        Path root = newWorkDir("deb-systemd");
        Path units = root.resolve("lib/systemd/system");
        Files.createDirectories(units);
        Command.run(DPKG_TIMEOUT, "cp", "-a", "/lib/systemd/system/.", units.toString()).ok();
        Command.run(DPKG_TIMEOUT, "dpkg-deb", "-x", deb.toString(), root.toString()).ok();
        List<String> toVerify = new ArrayList<>(List.of("fieldgate.service"));
        // the drop-ins extend the mosquitto and influxdb units of this machine; their own binaries are not what is
        // checked here, so empty scripts stand in for them, and the real mkdir/chown/kill of mosquitto's ExecStartPre
        Files.createDirectories(root.resolve("usr/sbin"));
        Files.createSymbolicLink(root.resolve("bin"), Paths.get("usr/bin"));
        for (String tool : List.of("mkdir", "chown", "kill")) {
            Files.copy(Paths.get("/usr/bin", tool), root.resolve("usr/bin").resolve(tool));
        }
        for (String[] unitAndBinary : new String[][] {{"mosquitto.service", "usr/sbin/mosquitto"}, {"influxdb.service", "usr/bin/influxd"}}) {
            if (Files.exists(units.resolve(unitAndBinary[0]))) {
                Path binary = root.resolve(unitAndBinary[1]);
                Files.writeString(binary, "#!/bin/sh\n");
                binary.toFile().setExecutable(true, false);
                toVerify.add(unitAndBinary[0]);
            }
        }
        if ("true".equals(System.getenv("CI"))) {
            // gateway/fieldgate test installs both, so CI must check their drop-ins too
            assertEquals(List.of("fieldgate.service", "mosquitto.service", "influxdb.service"), toVerify);
        }

        assertEquals("", verify(root, toVerify), "systemd-analyze verify prints nothing for good units");

        // rc stays 0 on an unknown key, so the check above relies on the output; make sure it shows mistakes
        Path unit = units.resolve("fieldgate.service");
        String good = Files.readString(unit, StandardCharsets.UTF_8);
        Files.writeString(unit, good.replace("ProtectSystem=strict", "ProtectSytem=strict"), StandardCharsets.UTF_8);
        assertTrue(verify(root, List.of("fieldgate.service")).contains("Unknown key 'ProtectSytem'"));
        Files.writeString(unit, good, StandardCharsets.UTF_8);

        String security = Command.run(DPKG_TIMEOUT, "systemd-analyze", "security", "--offline=yes", "--root=" + root,
                "fieldgate.service").ok();
        Matcher exposure = Pattern.compile("Overall exposure level for fieldgate\\.service: ([0-9.]+)").matcher(security);
        assertTrue(exposure.find(), security);
        double level = Double.parseDouble(exposure.group(1));
        // systemd's scale: 0 (locked down) .. 10 (unprotected); below 3 it rates "OK"
        assertTrue(level < 3.0, "exposure " + level + "\n" + security);
    }

    private static String verify(Path root, List<String> units) {
        List<String> argv = new ArrayList<>(List.of("systemd-analyze", "verify", "--man=no", "--root=" + root));
        argv.addAll(units);
        Command result = Command.run(DPKG_TIMEOUT, argv);
        assertEquals(0, result.exitCode(), result.output());
        return result.output().trim();
    }

    // ---- InfluxDB ---------------------------------------------------------------------------------

    @Test
    void influxdbScriptCreatesTheDatabaseWithItsRetentionPolicyAndTheDropInsSettingsAreReal() throws Exception {
        Path root = newWorkDir("deb-influx");
        Command.run(DPKG_TIMEOUT, "dpkg-deb", "-x", deb.toString(), root.toString()).ok();
        String script = root.resolve("usr/share/fieldgate/influxdb/create-database.sh").toString();

        Command absent = Command.run(DPKG_TIMEOUT, script, "http://127.0.0.1:" + FreePorts.next());
        assertEquals(69, absent.exitCode(), absent.output());
        assertTrue(absent.output().contains("no InfluxDB answers at"), absent.output());

        InfluxdProcess influxd = cleanup.add(InfluxdProcess.started());
        for (int run = 1; run <= 2; run++) { // the second run finds everything in place and still succeeds
            String out = Command.run(DPKG_TIMEOUT, script, influxd.url()).ok();
            assertTrue(out.contains("database fieldgate with default retention policy raw_400d"), out);
        }
        List<Map<String, Object>> policies = influxd.query("fieldgate", "SHOW RETENTION POLICIES ON fieldgate");
        assertEquals(1, policies.size(), policies.toString());
        Map<String, Object> policy = policies.get(0);
        assertEquals("raw_400d", policy.get("name"));
        assertEquals("9600h0m0s", policy.get("duration"));
        assertEquals("168h0m0s", policy.get("shardGroupDuration"));
        assertEquals(Boolean.TRUE, policy.get("default"));

        // influxd ignores an environment variable whose name matches no setting, so check each one lands; Debian's
        // 1.6 has no series-id-set cache (1.7+) and prints reporting as always off, so those two cannot be seen here
        List<String> env = new ArrayList<>(List.of("env"));
        for (String line : Files.readAllLines(root.resolve("lib/systemd/system/influxdb.service.d/fieldgate.conf"))) {
            if (line.startsWith("Environment=")) {
                env.add(line.substring("Environment=".length()));
            }
        }
        assertEquals(12, env.size() - 1, env.toString());
        env.addAll(List.of("/usr/bin/influxd", "config"));
        List<String> config = Command.run(DPKG_TIMEOUT, env).ok().lines().map(String::trim).toList();
        for (String setting : List.of("bind-address = \"127.0.0.1:8086\"", "bind-address = \"127.0.0.1:8088\"",
                "store-enabled = false", "log-enabled = false", "query-log-enabled = false",
                "index-version = \"tsi1\"", "wal-fsync-delay = \"0s\"",
                "cache-max-memory-size = 67108864", "cache-snapshot-memory-size = 26214400", "max-concurrent-compactions = 1")) {
            assertTrue(config.contains(setting), setting + " not in influxd config:\n" + String.join("\n", config));
        }
    }

    // ---- a real install on this machine (CI or opt-in) -------------------------------------------

    /**
     * Written before the real install's first {@code dpkg -i}, removed once everything the test made is gone. Found at
     * the start, it says that the fieldgate package, user, /var/lib/fieldgate and broker files on this machine are what
     * an earlier run left when it was killed or its cleanup failed, so they may go; without it they are a real
     * installation, which the test leaves alone.
     */
    static final Path INSTALL_MARKER = Paths.get("/var/tmp/fieldgate-DebPackageIT.installed");

    /** CI=true or -Dfieldgate.it.deb-install=true, no systemd as PID 1, root: else the real-install tests are skipped. */
    private static void assumeRealInstallAllowed() {
        boolean ci = "true".equals(System.getenv("CI"));
        boolean optIn = Boolean.getBoolean("fieldgate.it.deb-install");
        Assumptions.assumeTrue(ci || optIn,
                "a real dpkg -i changes this machine: runs only with CI=true or -Dfieldgate.it.deb-install=true");
        Assumptions.assumeFalse(Files.isDirectory(Paths.get("/run/systemd/system")),
                "this machine runs systemd: the postinst would start fieldgate.service and restart its mosquitto and influxdb;"
                        + " the real install runs only where systemd is not PID 1 (CI's container)");
        assertEquals("root", System.getProperty("user.name"), "dpkg -i needs root");
    }

    /** What of a fieldgate installation is on this machine: the package, its user or group, its directories, broker files. */
    static List<String> installationFound() {
        List<String> found = new ArrayList<>();
        Command status = Command.run(DPKG_TIMEOUT, "dpkg-query", "-W", "-f=${db:Status-Abbrev}", "fieldgate");
        // exit 1: dpkg has never heard of it; "un": known but not installed (purged)
        if (status.exitCode() == 0 && !status.output().startsWith("un")) {
            found.add("package fieldgate (" + status.output().trim() + ")");
        }
        for (String db : List.of("passwd", "group")) {
            if (Command.run(DPKG_TIMEOUT, "getent", db, "fieldgate").exitCode() != 2) {
                found.add(db.equals("passwd") ? "user fieldgate" : "group fieldgate");
            }
        }
        found.addAll(leftovers());
        return found;
    }

    /**
     * Makes this machine ready for the real install: returns null when nothing of fieldgate is on it, after removing
     * what an interrupted run of this test left (its marker says so); otherwise why the test must not touch it.
     */
    static String clearLeftoversOfEarlierRuns() throws IOException {
        List<String> found = installationFound();
        if (found.isEmpty()) {
            Files.deleteIfExists(INSTALL_MARKER);
            return null;
        }
        if (!Files.exists(INSTALL_MARKER)) {
            return "a fieldgate installation this test did not make is on this machine (" + String.join(", ", found)
                    + "; no " + INSTALL_MARKER + "): left untouched, the real-install test is skipped";
        }
        System.out.println("DebPackageIT: removing what an interrupted run left (" + INSTALL_MARKER + "): " + found);
        removeEverythingInstalled();
        return null;
    }

    /** Purges the package and removes what a purge keeps (spool, user, group, broker files), then the marker. */
    static void removeEverythingInstalled() throws IOException {
        Command.run(DPKG_TIMEOUT, "dpkg", "--purge", "--force-remove-reinstreq", "fieldgate");
        Command.run(DPKG_TIMEOUT, "dpkg-statoverride", "--remove", "/etc/fieldgate/application.yml");
        Command.run(DPKG_TIMEOUT, Stream.concat(Stream.of("rm", "-rf", "/var/lib/fieldgate", "/etc/fieldgate"),
                Stream.concat(BROKER_FILES.stream(), BROKER_SNIPPETS.stream().map(n -> "/etc/mosquitto/conf.d/" + n))).toList());
        Command.run(DPKG_TIMEOUT, "deluser", "--quiet", "--system", "fieldgate");
        Command.run(DPKG_TIMEOUT, "delgroup", "--quiet", "--system", "fieldgate");
        List<String> left = installationFound();
        // the marker stays while anything is left, so that the next run removes it
        assertEquals(List.of(), left, "could not remove what the real-install test made; " + INSTALL_MARKER + " is kept");
        Files.deleteIfExists(INSTALL_MARKER);
    }

    /** Before the real install: what it will make is owned by this test until removed, even if the JVM is killed. */
    private void markInstalledByThisTest() throws IOException {
        String notOurs = clearLeftoversOfEarlierRuns();
        Assumptions.assumeTrue(notOurs == null, notOurs);
        Files.writeString(INSTALL_MARKER, "fieldgate installed by DebPackageIT (pid " + ProcessHandle.current().pid() + ")\n");
        AutoCloseable removeAll = DebPackageIT::removeEverythingInstalled;
        cleanup.add(removeAll); // added first, so it runs last: after the gateway and broker stopped, even after a failure
    }

    @Test
    void leftoversOfAnInterruptedRunAreRemovedAndARealInstallationIsLeftAlone() throws Exception {
        assumeRealInstallAllowed();
        Assumptions.assumeTrue(installationFound().isEmpty() || Files.exists(INSTALL_MARKER),
                "a fieldgate installation this test did not make is on this machine: " + installationFound());
        clearLeftoversOfEarlierRuns();
        // what a run killed after the postinst left: user and group, a spool root made, the marker
        Files.writeString(INSTALL_MARKER, "planted by " + getClass().getSimpleName() + "\n");
        AutoCloseable removeAll = DebPackageIT::removeEverythingInstalled;
        cleanup.add(removeAll);
        Command.run(DPKG_TIMEOUT, "adduser", "--system", "--group", "--home", "/var/lib/fieldgate", "--no-create-home", "fieldgate").ok();
        Files.createDirectories(Paths.get("/var/lib/fieldgate/spool"));
        Files.writeString(Paths.get("/var/lib/fieldgate/spool/spool.db"), "root's");
        assertEquals(null, clearLeftoversOfEarlierRuns());
        assertEquals(List.of(), installationFound());
        assertFalse(Files.exists(INSTALL_MARKER));

        // the same without the marker: a real installation, which stays as it is
        Command.run(DPKG_TIMEOUT, "adduser", "--system", "--group", "--home", "/var/lib/fieldgate", "--no-create-home", "fieldgate").ok();
        Files.createDirectories(Paths.get("/var/lib/fieldgate/spool"));
        Files.writeString(Paths.get("/var/lib/fieldgate/spool/spool.db"), "the site's");
        String reason = clearLeftoversOfEarlierRuns();
        assertNotNull(reason);
        assertTrue(reason.startsWith("a fieldgate installation this test did not make is on this machine (user fieldgate, group fieldgate,"
                + " /var/lib/fieldgate; no " + INSTALL_MARKER + ")"), reason);
        assertEquals("the site's", Files.readString(Paths.get("/var/lib/fieldgate/spool/spool.db")));
        assertEquals(0, Command.run(DPKG_TIMEOUT, "getent", "passwd", "fieldgate").exitCode());
        Files.writeString(INSTALL_MARKER, "planted by " + getClass().getSimpleName() + "\n"); // so the cleanup removes it
    }

    @Test
    void realInstallCreatesUserAndPermissionsRunsAsThatUserAndPurgeLeavesNothing() throws Exception {
        assumeRealInstallAllowed();
        markInstalledByThisTest();

        // runs after the purge (newest first): what a purge keeps for enrolled nodes goes too, even after a failure
        AutoCloseable removeBrokerFiles = () -> Command.run(DPKG_TIMEOUT, Stream.concat(Stream.of("rm", "-f"), BROKER_FILES.stream()).toList());
        cleanup.add(removeBrokerFiles);
        AutoCloseable purge = () -> Command.run(DPKG_TIMEOUT, "dpkg", "--purge", "fieldgate");
        cleanup.add(purge); // even when an assertion failed
        String installed = Command.run(DPKG_TIMEOUT, "dpkg", "-i", deb.toString()).ok();
        assertFalse(installed.toLowerCase(java.util.Locale.ROOT).contains("warning"), "the first install warns:\n" + installed);

        String[] user = Command.run(DPKG_TIMEOUT, "getent", "passwd", "fieldgate").ok().trim().split(":");
        assertTrue(Integer.parseInt(user[2]) < 1000, "a system user: " + String.join(":", user));
        assertEquals("/var/lib/fieldgate", user[5]);
        assertTrue(user[6].endsWith("nologin") || user[6].equals("/bin/false"), "no login shell: " + user[6]);
        assertEquals("fieldgate fieldgate 750", stat("/var/lib/fieldgate/spool"));
        assertEquals("root fieldgate 640", stat("/etc/fieldgate/application.yml"));
        assertEquals("root fieldgate 640 /etc/fieldgate/application.yml",
                Command.run(DPKG_TIMEOUT, "dpkg-statoverride", "--list", "/etc/fieldgate/application.yml").ok().trim());
        assertEquals(CONFFILES, Command.run(DPKG_TIMEOUT, "dpkg-query", "-W", "-f=${Conffiles}", "fieldgate").ok().lines()
                .filter(l -> l.trim().startsWith("/etc/fieldgate/") || l.trim().startsWith("/etc/mosquitto/conf.d/fieldgate-")).count());

        // the postinst's credentials: the gateway's own, readable by user fieldgate only; the broker's, by mosquitto
        assertEquals("root fieldgate 750", stat("/etc/fieldgate/credentials"));
        assertEquals("fieldgate fieldgate 600", stat("/etc/fieldgate/credentials/mqtt.pass"));
        assertEquals("fieldgate fieldgate 600", stat("/etc/fieldgate/credentials/http.token"));
        assertEquals("root mosquitto 640", stat("/etc/mosquitto/fieldgate.passwd"));
        assertEquals("root mosquitto 640", stat("/etc/mosquitto/fieldgate.acl"));
        assertEquals("root root 600", stat("/etc/mosquitto/certs/fieldgate-ca.key"));
        assertEquals("root mosquitto 640", stat("/etc/mosquitto/certs/fieldgate-server.key"));
        List<Path> secrets = List.of(Paths.get("/etc/fieldgate/credentials/mqtt.pass"), Paths.get("/etc/fieldgate/credentials/http.token"),
                Paths.get("/etc/mosquitto/certs/fieldgate-ca.key"));
        for (Path secret : secrets.subList(0, 2)) {
            assertFalse(installed.contains(Files.readString(secret, StandardCharsets.UTF_8).strip()), "dpkg -i printed the secret in " + secret);
        }
        // the export signing key, made by the postinst as user fieldgate: the private key for that user only, its
        // fingerprint printed (never the key), and `fieldgate key show` shows the same
        Path signingKey = Paths.get("/var/lib/fieldgate/keys/gateway.key.pem");
        Path signingPub = Paths.get("/var/lib/fieldgate/keys/gateway.pub.pem");
        assertEquals("fieldgate fieldgate 700", stat("/var/lib/fieldgate/keys"));
        assertEquals("fieldgate fieldgate 600", stat(signingKey.toString()));
        assertEquals("fieldgate fieldgate 644", stat(signingPub.toString()));
        Matcher printed = Pattern.compile("(?m)^fieldgate export signing key ([0-9a-f]{64}) \\(fieldgate key show\\)$").matcher(installed);
        assertTrue(printed.find(), installed);
        String keyFingerprint = printed.group(1);
        assertEquals(keyFingerprint, sha256(Command.run(DPKG_TIMEOUT, "sh", "-c", "openssl pkey -pubin -in " + signingPub
                + " -outform DER | sha256sum").ok().substring(0, 64)), "the fingerprint as README defines it");
        assertFalse(installed.contains(Files.readString(signingKey, StandardCharsets.UTF_8).lines().skip(1).findFirst().orElseThrow()),
                "dpkg -i printed the private key");
        String shown = Command.run(Duration.ofSeconds(90), "/usr/bin/env", "JAVA_HOME=" + System.getProperty("java.home"),
                "/usr/bin/fieldgate", "key", "show").ok();
        assertTrue(shown.contains("fingerprint " + keyFingerprint + " ") && shown.contains(Files.readString(signingPub)), shown);
        assertFalse(shown.contains("PRIVATE"), shown);

        // an upgrade (here: the same version again) keeps them
        Map<String, String> credentialsBefore = digests(secrets);
        Map<String, String> keyBefore = digests(List.of(signingKey, signingPub));
        Command.run(DPKG_TIMEOUT, "dpkg", "-i", deb.toString()).ok();
        assertEquals(credentialsBefore, digests(secrets), "a reinstall replaced a credential");
        assertEquals(keyBefore, digests(List.of(signingKey, signingPub)), "a reinstall replaced the signing key");
        Path enabled = Paths.get("/etc/systemd/system/multi-user.target.wants/fieldgate.service");
        assertTrue(Files.isSymbolicLink(enabled), "postinst enables the unit (deb-systemd-helper)");
        // on the real system, with the real mosquitto and influxd binaries
        assertEquals("", Command.run(DPKG_TIMEOUT, "systemd-analyze", "verify", "--man=no", "fieldgate.service").ok().trim());
        // the models are found through the /etc/fieldgate/models link
        assertTrue(Command.run(Duration.ofSeconds(90), "/usr/bin/fieldgate", "config", "check",
                "/etc/fieldgate/sites/mineralisation-house-example.yaml").ok().startsWith("OK "));

        // as the service would run: user fieldgate, the installed spool directory, the installed config and credentials,
        // against a broker started from the installed configuration (ports and data paths moved)
        MosquittoProcess broker = cleanup.add(MosquittoProcess.builder()
                .config(DeployedMosquitto.installed(Paths.get("/")).config(FreePorts.next())).started());
        assertEquals(MqttException.REASON_CODE_NOT_AUTHORIZED, connack(broker.url(), null, null), "an anonymous client is refused");
        int port = FreePorts.next();
        Path work = newWorkDir("deb-installed");
        Path log = work.resolve("gateway.log");

        // an export as root, before the service ever ran, with the installed settings and an example site file: the
        // launcher runs it as user fieldgate, so the spool it creates is the service's
        InfluxdProcess influxd = cleanup.add(InfluxdProcess.started());
        influxd.createDatabase("fieldgate");
        String exported = Command.run(Duration.ofSeconds(90), "/usr/bin/env", "JAVA_HOME=" + System.getProperty("java.home"),
                "FIELDGATE_SITE_CONFIG=/etc/fieldgate/sites/soil-plot-example.yaml", "FIELDGATE_INFLUX_URL=" + influxd.url(),
                "/usr/bin/fieldgate", "export", "--from", "2026-11-01", "--to", "2026-11-02", "--force").ok();
        // the window is the site's local day (the example site is in Asia/Tokyo); the export carries the site file's
        // calibrations (it sees the configuration); the ledger expects nothing before the gateway was commissioned
        Matcher window = Pattern.compile("(?m)^(/var/lib/fieldgate/outbox/\\S+) written .*calibrations\\.csv=[1-9]")
                .matcher(exported);
        assertTrue(window.find(), exported);
        String verified = Command.run(Duration.ofSeconds(90), "/usr/bin/env", "JAVA_HOME=" + System.getProperty("java.home"),
                "/usr/bin/fieldgate", "export", "verify", window.group(1), "--key", signingPub.toString()).ok();
        assertTrue(verified.contains(": ok, ") && verified.contains("signed by key " + keyFingerprint + ", first of the chain"),
                verified);
        // a rotation: the next window is signed by the first key and announces the new one; verify follows it
        String rotated = Command.run(Duration.ofSeconds(90), "/usr/bin/env", "JAVA_HOME=" + System.getProperty("java.home"),
                "/usr/bin/fieldgate", "key", "rotate").ok();
        Matcher newKey = Pattern.compile("(?m)^fingerprint ([0-9a-f]{64}) ").matcher(rotated);
        assertTrue(newKey.find() && !newKey.group(1).equals(keyFingerprint), rotated);
        assertEquals("fieldgate fieldgate 600", stat(signingKey.toString()), "the rotated key is the service's too");
        // the first key stays beside it (it signs the next window); the service user can read it, as verify runs as that user
        Path firstKey = Paths.get("/var/lib/fieldgate/keys/previous.pub.pem");
        assertEquals(keyBefore.get(signingPub.toString()), digests(List.of(firstKey)).get(firstKey.toString()));
        Command.run(Duration.ofSeconds(90), "/usr/bin/env", "JAVA_HOME=" + System.getProperty("java.home"),
                "FIELDGATE_SITE_CONFIG=/etc/fieldgate/sites/soil-plot-example.yaml", "FIELDGATE_INFLUX_URL=" + influxd.url(),
                "/usr/bin/fieldgate", "export", "--from", "2026-11-02", "--to", "2026-11-03", "--force").ok();
        String chain = Command.run(Duration.ofSeconds(90), "/usr/bin/env", "JAVA_HOME=" + System.getProperty("java.home"),
                "/usr/bin/fieldgate", "export", "verify", "/var/lib/fieldgate/outbox", "--key", firstKey.toString()).ok();
        assertEquals(2, chain.lines().filter(l -> l.contains(": ok, ")).count(), chain);
        assertTrue(chain.contains("signed by key " + keyFingerprint + ", after ") && chain.contains("announces key " + newKey.group(1)),
                chain);
        // the new key is not the one the chain starts with: exit 1, the window and the signature file named
        Command wrong = Command.run(Duration.ofSeconds(90), "/usr/bin/env", "JAVA_HOME=" + System.getProperty("java.home"),
                "/usr/bin/fieldgate", "export", "verify", "/var/lib/fieldgate/outbox", "--key", signingPub.toString());
        assertEquals(1, wrong.exitCode(), wrong.output());
        assertTrue(wrong.output().contains(window.group(1).substring(window.group(1).lastIndexOf('/') + 1)
                + ": manifest.json.sig: signed by key " + keyFingerprint + ", not by the key given"), wrong.output());
        assertEquals("fieldgate fieldgate", stat("/var/lib/fieldgate/spool/spool.db").substring(0, "fieldgate fieldgate".length()),
                "the spool a root export made belongs to the service");

        ChildProcess gateway = installedGateway(broker, port, log);
        gateway.start();
        stopAtCleanup(gateway);
        awaitHealth(gateway, port);
        assertApiTokenRequired(port, Files.readString(secrets.get(1), StandardCharsets.UTF_8).strip());
        String procStatus = Files.readString(Paths.get("/proc", Long.toString(gateway.pid()), "status"), StandardCharsets.UTF_8);
        assertTrue(procStatus.contains("\nUid:\t" + user[2] + "\t"), "runs as user fieldgate (uid " + user[2] + "):\n" + procStatus);
        assertTrue(Files.exists(Paths.get("/var/lib/fieldgate/spool/spool.db")), "the spool in /var/lib/fieldgate/spool");
        // an analyser's file imported as root while the service runs: the launcher runs it as user fieldgate with the
        // installed settings, into the service's spool, whose gateway counts the rows (InfluxDB is down here: they wait)
        Path analyserFile = Paths.get("/tmp/fieldgate-import-" + port + ".data");
        cleanup.add(() -> Files.deleteIfExists(analyserFile));
        Files.writeString(analyserFile, org.fieldgate.imports.Li7810Files.text(1_796_450_400L, 10, -1), StandardCharsets.UTF_8);
        Command.run(DPKG_TIMEOUT, "chmod", "644", analyserFile.toString()).ok();
        long depthBefore = JSON.readTree(get(port, "/api/status").body()).path("spoolDepth").asLong();
        String imported = Command.run(Duration.ofSeconds(90), "/usr/bin/env", "JAVA_HOME=" + System.getProperty("java.home"),
                "/usr/bin/fieldgate", "import", "--instrument", "li7810", "--input", analyserFile.toString()).ok();
        JsonNode importLine = JSON.readTree(imported.strip().lines().reduce((a, b) -> b).orElseThrow());
        assertEquals(30, importLine.path("added").asLong(), imported);
        assertEquals("/var/lib/fieldgate/spool", importLine.path("spool").asText(), imported);
        assertEquals("li-7810", importLine.path("device").asText(), imported);
        String again = Command.run(Duration.ofSeconds(90), "/usr/bin/env", "JAVA_HOME=" + System.getProperty("java.home"),
                "/usr/bin/fieldgate", "import", "--instrument", "li7810", "--input", analyserFile.toString()).ok();
        assertTrue(again.contains("\"added\":0,\"already_imported\":30"), again);
        assertEquals("", Command.run(DPKG_TIMEOUT, "find", "/var/lib/fieldgate/spool", "!", "-user", "fieldgate").ok().trim(),
                "the import's files are the service's");
        Poll.until("the running gateway to count the imported rows", Duration.ofSeconds(30),
                () -> JSON.readTree(get(port, "/api/status").body()).path("spoolDepth").asLong() == depthBefore + 30,
                () -> gateway.tail(40));
        assertEquals(143, gateway.stop(60), gateway.tail(40));

        // a spool file root made anyway (a sqlite3 session, a gateway started as root by hand): the service stops at
        // once with one line naming the file, its owner and the fix, not SQLITE_READONLY and a stack trace ...
        Command.run(DPKG_TIMEOUT, "chown", "root:root", "/var/lib/fieldgate/spool/spool.db").ok();
        Path refusedLog = work.resolve("refused.log");
        ChildProcess refused = installedGateway(broker, FreePorts.next(), refusedLog);
        refused.start();
        stopAtCleanup(refused);
        assertEquals(73, refused.waitForExit(120), refused.tail(40));
        List<String> refusal = Files.readAllLines(refusedLog, StandardCharsets.UTF_8).stream()
                .filter(l -> l.contains("spool.db") || l.contains("SQLITE") || l.startsWith("\tat ")).toList();
        assertEquals(List.of("spool /var/lib/fieldgate/spool/spool.db is owned by root and not writable by user fieldgate; fix: sudo chown"
                + " -R fieldgate: /var/lib/fieldgate/spool (reinstalling the fieldgate package does the same)"), refusal, refused.tail(40));
        // ... and the postinst of a reinstall gives everything in /var/lib/fieldgate back to the service
        Command.run(DPKG_TIMEOUT, "dpkg", "-i", deb.toString()).ok();
        assertEquals("", Command.run(DPKG_TIMEOUT, "find", "/var/lib/fieldgate", "!", "-user", "fieldgate").ok().trim());

        // a node enrolled with the installed tools: its password, ACL block and CA must survive a purge
        Path node = work.resolve("node");
        Command.run(DPKG_TIMEOUT, "/usr/share/fieldgate/mosquitto/add-node", "--out", node.toString(), "site-a", "soil-07").ok();
        // the spool now holds a database: a purge must keep it (readings may not have reached InfluxDB yet) ...
        Command.run(DPKG_TIMEOUT, "dpkg", "--remove", "fieldgate").ok();
        assertFalse(Files.exists(Paths.get("/usr/bin/fieldgate")));
        assertTrue(Files.exists(Paths.get("/etc/fieldgate/application.yml")), "remove keeps the conffiles");
        String purged = Command.run(DPKG_TIMEOUT, "dpkg", "--purge", "fieldgate").ok();
        assertTrue(purged.contains("kept /var/lib/fieldgate/spool and user fieldgate"), purged);
        assertTrue(purged.contains("kept /etc/mosquitto/fieldgate.passwd, /etc/mosquitto/fieldgate.acl and the site CA"), purged);
        assertEquals(List.of("site-a/soil-07"), Files.readAllLines(Paths.get("/etc/mosquitto/fieldgate.passwd")).stream()
                .map(l -> l.substring(0, l.indexOf(':'))).toList(), "the gateway's user goes, the node's stays");
        assertTrue(Files.readString(Paths.get("/etc/mosquitto/fieldgate.acl")).contains("\nuser site-a/soil-07\n"));
        assertTrue(Files.exists(Paths.get("/etc/mosquitto/certs/fieldgate-ca.key")));
        assertFalse(Files.exists(Paths.get("/etc/mosquitto/conf.d/fieldgate-auth.conf")), "purge removes the broker's conffiles");
        assertTrue(Files.exists(Paths.get("/var/lib/fieldgate/spool/spool.db")));
        assertEquals(0, Command.run(DPKG_TIMEOUT, "getent", "passwd", "fieldgate").exitCode());
        assertFalse(Files.exists(Paths.get("/etc/fieldgate")), "purge removes /etc/fieldgate");
        assertFalse(Files.exists(enabled, java.nio.file.LinkOption.NOFOLLOW_LINKS), "purge removes the enable link");
        assertFalse(Files.exists(Paths.get("/etc/systemd/system/fieldgate.service"), java.nio.file.LinkOption.NOFOLLOW_LINKS),
                "purge removes the mask that remove set");
        assertEquals("", Command.run(DPKG_TIMEOUT, "dpkg-statoverride", "--list", "/etc/fieldgate/application.yml").output().trim());

        // ... and once the technician has emptied it (and retired the node), a purge of a fresh install removes the
        // spool, the user and every credential
        Command.run(DPKG_TIMEOUT, "rm", "-rf", "/var/lib/fieldgate/spool").ok();
        removeBrokerFiles.close();
        Command.run(DPKG_TIMEOUT, "dpkg", "-i", deb.toString()).ok();
        Command.run(DPKG_TIMEOUT, "dpkg", "--purge", "fieldgate").ok();
        assertFalse(Files.exists(Paths.get("/var/lib/fieldgate")), "purge removes an empty spool");
        assertEquals(2, Command.run(DPKG_TIMEOUT, "getent", "passwd", "fieldgate").exitCode(), "purge removes the user");
        assertEquals(2, Command.run(DPKG_TIMEOUT, "getent", "group", "fieldgate").exitCode(), "purge removes the group");
        assertEquals(List.of(), leftovers(), "nothing of the package may remain");
    }

    /** /usr/bin/fieldgate run as the service runs it: user fieldgate, the installed settings; broker and port moved. */
    private static ChildProcess installedGateway(MosquittoProcess broker, int port, Path log) {
        return new ChildProcess("installed-gateway:" + port, List.of("/usr/bin/setpriv",
                "--reuid=fieldgate", "--regid=fieldgate", "--init-groups", "/usr/bin/env",
                "JAVA_HOME=" + System.getProperty("java.home"),
                "FIELDGATE_MQTT_URL=" + broker.url(),
                "FIELDGATE_MQTT_CLIENT_ID=deb-installed-" + port,
                "FIELDGATE_INFLUX_URL=http://127.0.0.1:" + FreePorts.next(),
                "MICRONAUT_SERVER_PORT=" + port,
                "/usr/bin/fieldgate", "run"), log, null);
    }

    /**
     * site-credentials as the postinst runs it, on {@code root}: makes every secret and certificate once, with modes
     * for their readers only, prints no secret; a second run (every upgrade) changes nothing, and a password file
     * that lost the gateway's user gets it back with the password the gateway already has.
     */
    private static void assertSiteCredentialsAreMadeOnceAndKept(Path root, Path credentials) throws IOException {
        String script = root.resolve("usr/share/fieldgate/site-credentials").toString();
        Path etc = root.resolve("etc/mosquitto");
        Path mqttPass = credentials.resolve("mqtt.pass");
        Path token = credentials.resolve("http.token");
        Path passwd = etc.resolve("fieldgate.passwd");
        Path acl = etc.resolve("fieldgate.acl");
        Path certs = etc.resolve("certs");
        List<Path> made = List.of(mqttPass, token, passwd, acl, certs.resolve("fieldgate-ca.crt"), certs.resolve("fieldgate-ca.key"),
                certs.resolve("fieldgate-server.crt"), certs.resolve("fieldgate-server.key"));
        List<String> argv = List.of(script, "--root", root.toString(), "--owner", "root");

        String first = Command.run(DPKG_TIMEOUT, argv).ok();
        String password = Files.readString(mqttPass, StandardCharsets.UTF_8).strip();
        String apiToken = Files.readString(token, StandardCharsets.UTF_8).strip();
        assertTrue(password.matches("[0-9a-f]{64}") && apiToken.matches("[0-9a-f]{64}") && !password.equals(apiToken),
                "mqtt.pass and http.token each hold their own 256 random bits in hex");
        assertFalse(first.contains(password) || first.contains(apiToken), "site-credentials printed a secret");
        assertTrue(first.contains("new broker password for " + GATEWAY_USER) && first.contains("new site CA"), first);
        // secrets for their owner only (the gateway refuses anything else); what mosquitto reads as user mosquitto: its group
        assertEquals("root root 750", stat(credentials.toString()));
        for (Path secret : List.of(mqttPass, token, certs.resolve("fieldgate-ca.key"))) {
            assertEquals("root root 600", stat(secret.toString()), secret.toString());
        }
        for (Path brokerReads : List.of(passwd, acl, certs.resolve("fieldgate-server.key"))) {
            assertEquals("root mosquitto 640", stat(brokerReads.toString()), brokerReads.toString());
        }
        assertEquals("root root 644", stat(certs.resolve("fieldgate-server.crt").toString()));
        assertEquals(List.of(GATEWAY_USER), Files.readAllLines(passwd).stream().map(l -> l.substring(0, l.indexOf(':'))).toList());
        assertEquals(Files.readString(root.resolve("usr/share/fieldgate/mosquitto/fieldgate.acl")), Files.readString(acl));

        Map<String, String> before = digests(made);
        assertEquals("", Command.run(DPKG_TIMEOUT, argv).ok().trim(), "a second run finds everything in place");
        assertEquals(before, digests(made), "a second run replaces nothing");

        Files.delete(passwd);
        String healed = Command.run(DPKG_TIMEOUT, argv).ok();
        assertTrue(healed.contains(GATEWAY_USER + " set in " + passwd), healed);
        assertFalse(healed.contains(password), "site-credentials printed a secret");
        Map<String, String> after = digests(made);
        after.remove(passwd.toString()); // mosquitto_passwd salts each hash anew
        before.remove(passwd.toString());
        assertEquals(before, after, "only the password file was written");
        assertEquals(List.of(GATEWAY_USER), Files.readAllLines(passwd).stream().map(l -> l.substring(0, l.indexOf(':'))).toList());
    }

    /** A hex SHA-256 as printed by sha256sum, checked for its form. */
    private static String sha256(String hex) {
        assertTrue(hex.matches("[0-9a-f]{64}"), hex);
        return hex;
    }

    /** SHA-256 of each file by path: compares contents without putting secrets into a failure message. */
    private static Map<String, String> digests(List<Path> files) throws IOException {
        Map<String, String> digests = new TreeMap<>();
        for (Path file : files) {
            try {
                digests.put(file.toString(), HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file))));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every JDK has SHA-256", e);
            }
        }
        return digests;
    }

    /** The CONNACK return code a fresh client gets from {@code url} (0: accepted), as {@code user} when not null. */
    private static int connack(String url, String user, String password) throws MqttException {
        MqttClient client = new MqttClient(url, "deb-it-probe-" + System.nanoTime(), new MemoryPersistence());
        try {
            MqttConnectOptions options = new MqttConnectOptions();
            options.setConnectionTimeout(10);
            if (user != null) {
                options.setUserName(user);
                options.setPassword(password.toCharArray());
            }
            client.connect(options);
            client.disconnect();
            return 0;
        } catch (MqttException e) {
            return e.getReasonCode();
        } finally {
            client.close();
        }
    }

    /** A state-changing request needs the token from fieldgate.http.token-file (401 without it: a token is configured). */
    private static void assertApiTokenRequired(int port, String token) throws IOException, InterruptedException {
        URI retry = URI.create("http://127.0.0.1:" + port + "/api/forward/retry");
        HttpRequest.Builder post = HttpRequest.newBuilder(retry).timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.noBody());
        assertEquals(401, HTTP.send(post.build(), HttpResponse.BodyHandlers.ofString()).statusCode(), "POST without the token");
        HttpResponse<String> withToken = HTTP.send(post.header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, withToken.statusCode(), "POST with the token from http.token: " + withToken.body());
    }

    /** Paths the package or its scripts create, that still exist. */
    private static List<String> leftovers() {
        return Stream.concat(Stream.of("/usr/bin/fieldgate", "/usr/share/fieldgate", "/usr/share/doc/fieldgate", "/etc/fieldgate",
                        "/var/lib/fieldgate", "/lib/systemd/system/fieldgate.service",
                        "/lib/systemd/system/mosquitto.service.d/fieldgate.conf",
                        "/lib/systemd/system/influxdb.service.d/fieldgate.conf",
                        "/etc/systemd/system/multi-user.target.wants/fieldgate.service", "/etc/systemd/system/fieldgate.service"),
                        Stream.concat(BROKER_FILES.stream(), BROKER_SNIPPETS.stream().map(n -> "/etc/mosquitto/conf.d/" + n)))
                .filter(p -> Files.exists(Paths.get(p), java.nio.file.LinkOption.NOFOLLOW_LINKS)).toList();
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private Path newWorkDir(String prefix) {
        Path dir = ChildProcess.newWorkDir(prefix);
        AutoCloseable delete = () -> ChildProcess.deleteWorkDir(dir);
        cleanup.add(delete);
        return dir;
    }

    private void stopAtCleanup(ChildProcess process) {
        AutoCloseable stop = () -> {
            if (process.isAlive()) {
                process.stop(60);
            }
        };
        cleanup.add(stop);
    }

    private static String stat(String path) {
        return Command.run(DPKG_TIMEOUT, "stat", "-c", "%U %G %a", path).ok().trim();
    }

    private static void awaitHealth(ChildProcess gateway, int port) throws IOException, InterruptedException {
        Poll.until("the packaged gateway (PID " + gateway.pid() + ") to answer GET /health with 200 on port " + port, START_TIMEOUT, () -> {
            if (!gateway.isAlive()) {
                throw new AssertionError("the packaged gateway exited with code " + gateway.exitCode() + "\n" + gateway.tail(60));
            }
            return get(port, "/health").statusCode() == 200;
        }, () -> gateway.tail(60));
        // 200 means UP, which needs the broker connection; check it is that, with the package's credentials
        JsonNode mqtt = JSON.readTree(get(port, "/health").body()).path("details").path("mqtt");
        assertEquals("UP", mqtt.path("status").asText(), mqtt.toString());
        assertTrue(mqtt.path("details").path("connected").asBoolean(), mqtt.toString());
    }

    private static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** dpkg-deb -f output: "Field: value" lines, continuation lines start with a space. */
    static Map<String, String> controlFields(String text) {
        Map<String, String> fields = new TreeMap<>();
        String last = null;
        for (String line : text.split("\n")) {
            if (line.startsWith(" ") && last != null) {
                fields.put(last, fields.get(last) + "\n" + line.trim());
            } else if (line.contains(":")) {
                last = line.substring(0, line.indexOf(':'));
                fields.put(last, line.substring(line.indexOf(':') + 1).trim());
            }
        }
        return fields;
    }

    /** dpkg-deb -c output as absolute path → "mode owner/group" (symlinks: "mode -> target owner/group"). */
    static Map<String, String> contents(String listing) {
        Map<String, String> entries = new TreeMap<>();
        Pattern line = Pattern.compile("^(\\S+) (\\S+/\\S+)\\s+\\d+ \\S+ \\S+ \\.(/\\S*?)/?(?: -> (\\S+))?$");
        for (String l : listing.split("\n")) {
            Matcher m = line.matcher(l);
            if (!m.matches()) {
                throw new AssertionError("unexpected dpkg-deb -c line: " + l);
            }
            String path = m.group(3).isEmpty() ? "/" : m.group(3);
            if (path.equals("/")) {
                continue;
            }
            entries.put(path, m.group(1) + (m.group(4) == null ? "" : " -> " + m.group(4)) + " " + m.group(2));
        }
        return entries;
    }
}
