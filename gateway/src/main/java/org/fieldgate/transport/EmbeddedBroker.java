package org.fieldgate.transport;

import io.moquette.BrokerConstants;
import io.moquette.broker.Server;
import io.moquette.broker.config.MemoryConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

/**
 * The broker for {@code fieldgate demo} and for a site with no Mosquitto: Moquette (MQTT 3.1.1, in-process,
 * about 1 MB, Apache-2.0), chosen over HiveMQ CE embedded for its size on a 1 GB Pi. Listens on the host and
 * port of fieldgate.mqtt.url and keeps persistent sessions on disk beside the spool.
 */
public final class EmbeddedBroker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBroker.class);
    private final Server server = new Server();
    private final String url;
    private final BrokerAccess access;

    /** Open to anyone, as in the demo; control characters in topics are still refused. */
    public EmbeddedBroker(String url, Path dataDir, int maxMessageBytes) {
        this(url, dataDir, maxMessageBytes, BrokerAccess.open());
    }

    public EmbeddedBroker(String url, Path dataDir, int maxMessageBytes, BrokerAccess access) {
        this.url = url;
        this.access = access;
        URI uri = URI.create(url);
        Properties p = new Properties();
        p.setProperty(BrokerConstants.HOST_PROPERTY_NAME, uri.getHost());
        p.setProperty(BrokerConstants.PORT_PROPERTY_NAME, Integer.toString(uri.getPort() < 0 ? 1883 : uri.getPort()));
        p.setProperty(BrokerConstants.WEB_SOCKET_PORT_PROPERTY_NAME, BrokerConstants.DISABLED_PORT_BIND);
        p.setProperty(BrokerConstants.ALLOW_ANONYMOUS_PROPERTY_NAME, Boolean.toString(access.anonymousAllowed()));
        // No phoning home from a field box on a metered link.
        p.setProperty(BrokerConstants.ENABLE_TELEMETRY_NAME, "false");
        p.setProperty(BrokerConstants.PERSISTENCE_ENABLED_PROPERTY_NAME, "true");
        p.setProperty(BrokerConstants.DATA_PATH_PROPERTY_NAME, dataDir.toAbsolutePath() + "/");
        p.setProperty(BrokerConstants.NETTY_MAX_BYTES_PROPERTY_NAME, Integer.toString(Math.max(maxMessageBytes * 4, 1 << 20)));
        try {
            Files.createDirectories(dataDir);
            server.startServer(new MemoryConfig(p), List.of(), null, access, access);
        } catch (IOException e) {
            throw new IllegalStateException("embedded MQTT broker could not start on " + url + ": " + e.getMessage(), e);
        }
        LOG.info("embedded MQTT broker (Moquette) listening on {}, sessions kept in {}, {}", url, dataDir,
                access.anonymousAllowed() ? "open to anonymous clients (no fieldgate.mqtt.username)"
                        : "only the gateway's user and the node users may log in");
    }

    public BrokerAccess access() {
        return access;
    }

    public String url() {
        return url;
    }

    @Override
    public void close() {
        server.stopServer();
    }
}
