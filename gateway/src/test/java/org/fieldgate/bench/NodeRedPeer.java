package org.fieldgate.bench;

import org.fieldgate.testkit.ChildProcess;
import org.fieldgate.testkit.FreePorts;
import org.fieldgate.testkit.Poll;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The Node-RED peer of issue 12: Node-RED (installed by pipeline-bench under gateway/target/bench-node-red) running
 * gateway/bench/node-red-flow.json with its own userDir, editor and admin API off, listening on a free 127.0.0.1
 * port; broker port, InfluxDB port and database reach the flow as environment variables (the flow's ${...}
 * properties). Stopped by its PID.
 */
final class NodeRedPeer implements AutoCloseable {
    static final String TOPIC_PREFIX = "nodered";
    private final Path dir;
    private final ChildProcess child;
    private final int port;

    NodeRedPeer(Path install, Path flowFile, int mqttPort, int influxPort, String database) {
        Path redJs = install.resolve("node_modules/node-red/red.js");
        if (!Files.isRegularFile(redJs)) {
            throw new IllegalStateException("Node-RED is not installed: no " + redJs + " (pipeline-bench runs npm install there)");
        }
        if (!Files.isRegularFile(install.resolve("node_modules/node-red-contrib-influxdb/influxdb.js"))) {
            throw new IllegalStateException("node-red-contrib-influxdb is not installed under " + install);
        }
        dir = ChildProcess.newWorkDir("node-red");
        port = FreePorts.next();
        try {
            Files.copy(flowFile, dir.resolve("flows.json"));
            // node-red-contrib-influxdb is found through nodesDir; editor and admin API off (a site would not run them
            // on a benchmark either), logging at info (events only, nothing per message).
            Files.writeString(dir.resolve("settings.js"), String.join("\n",
                    "module.exports = {",
                    "  uiHost: '127.0.0.1',",
                    "  uiPort: " + port + ",",
                    "  flowFile: 'flows.json',",
                    "  credentialSecret: false,",
                    "  httpAdminRoot: false,",
                    "  nodesDir: " + jsString(install.resolve("node_modules").toString()) + ",",
                    "  logging: { console: { level: 'info', metrics: false, audit: false } },",
                    "  editorTheme: { projects: { enabled: false } },",
                    "  externalModules: { autoInstall: false },",
                    "};", ""));
        } catch (IOException e) {
            throw new UncheckedIOException("Node-RED userDir " + dir, e);
        }
        // env execs node, so the child's PID is node's
        List<String> command = List.of("/usr/bin/env",
                "BENCH_MQTT_PORT=" + mqttPort, "BENCH_INFLUX_PORT=" + influxPort, "BENCH_INFLUX_DB=" + database,
                "NODE_PATH=" + install.resolve("node_modules"),
                "node", redJs.toString(), "--userDir", dir.toString(), "--settings", dir.resolve("settings.js").toString(),
                "--port", Integer.toString(port));
        child = new ChildProcess("node-red:" + port, command, dir.resolve("node-red.log"), dir.resolve("node-red.log"));
    }

    private static String jsString(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    /** Starts Node-RED and waits until it listens and its log says the flows started and MQTT connected. */
    void start() {
        child.start();
        Poll.until("Node-RED (PID " + child.pid() + ") to start its flow and connect to the broker", Duration.ofSeconds(120), () -> {
            if (!child.isAlive()) {
                throw new IllegalStateException("Node-RED exited with code " + child.exitCode() + "\n" + child.tail(40));
            }
            String log = Files.readString(dir.resolve("node-red.log"));
            if (log.contains("[error]")) {
                throw new IllegalStateException("Node-RED logged an error while starting:\n" + child.tail(40));
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            }
            return log.contains("Connected to broker");
        }, () -> child.tail(40));
    }

    long pid() {
        return child.pid();
    }

    String tail() {
        return child.tail(40);
    }

    /** Errors Node-RED logged (e.g. a failed InfluxDB write), empty when none. */
    String errors() {
        try {
            return Files.readString(dir.resolve("node-red.log")).lines().filter(l -> l.contains("[error]"))
                    .limit(10).reduce("", (a, b) -> a + b + "\n");
        } catch (IOException e) {
            return "cannot read the Node-RED log: " + e;
        }
    }

    @Override
    public void close() {
        child.stopAndDeleteWorkDir(dir);
    }
}
