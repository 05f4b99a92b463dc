package org.fieldgate.transport;

import io.moquette.broker.security.IAuthenticator;
import io.moquette.broker.security.IAuthorizatorPolicy;
import io.moquette.broker.subscriptions.Topic;
import org.fieldgate.config.NodePasswordFile;
import org.fieldgate.senml.SenmlTopic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Who may do what on the embedded broker, as deploy/mosquitto does it for Mosquitto 2.0:
 * <ul>
 * <li>Every PUBLISH whose topic holds a control character (NUL, CR, LF, TAB, DEL, U+0080-U+009F) is refused and
 * counted, as Mosquitto refuses it: forwarded, such a topic would kill the subscriber's (Paho's) receive thread.</li>
 * <li>Without credentials (fieldgate.mqtt.username unset: the demo) anyone may connect, publish and subscribe.</li>
 * <li>With credentials no anonymous client gets in. The gateway's own user (fieldgate.mqtt.username / password)
 * reads {@code fieldgate/#} and publishes nothing. A node logs in as {@code <site>/<device>} with its password from
 * the node password file (Mosquitto's format, {@code $7$} PBKDF2-SHA512 as mosquitto_passwd 2.0 and
 * deploy/mosquitto/add-node write it) and may publish under {@code fieldgate/<site>/<device>/} only. Other users in
 * that file (a bridge, the gateway's Mosquitto user) are ignored. The file is read again when it changes.</li>
 * </ul>
 * A refused publish is dropped by the broker (MQTT 3.1.1 has no way to say so to the client), logged and counted.
 */
public final class BrokerAccess implements IAuthenticator, IAuthorizatorPolicy {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerAccess.class);

    private final String gatewayUser;
    private final byte[] gatewayPasswordDigest;
    private final Path nodePasswordFile;
    private final AtomicLong refusedControlCharacters = new AtomicLong();
    private final AtomicLong refusedOutsideAcl = new AtomicLong();
    private final AtomicLong refusedLogins = new AtomicLong();
    private volatile Map<String, NodePasswordFile.NodeHash> nodes = Map.of();
    private volatile FileTime nodesReadAt;

    /** Open to anyone (no credentials configured); control characters in topics are still refused. */
    public static BrokerAccess open() {
        return new BrokerAccess(null, null, null);
    }

    /**
     * @param gatewayUser      the gateway's own user, or null: no credentials, anyone may connect
     * @param nodePasswordFile node users, or null: only the gateway's user may log in
     */
    public BrokerAccess(String gatewayUser, String gatewayPassword, Path nodePasswordFile) {
        this.gatewayUser = gatewayUser;
        this.gatewayPasswordDigest = gatewayPassword == null ? null : sha256(gatewayPassword.getBytes(StandardCharsets.UTF_8));
        this.nodePasswordFile = nodePasswordFile;
        if (nodePasswordFile != null) {
            try {
                reloadNodesIfChanged();
            } catch (IOException e) {
                throw new IllegalStateException("fieldgate.mqtt.node-password-file " + nodePasswordFile + ": "
                        + e.getMessage(), e);
            }
        }
    }

    public boolean anonymousAllowed() {
        return gatewayUser == null;
    }

    /** Publishes refused for a control character in the topic. */
    public long refusedControlCharacters() {
        return refusedControlCharacters.get();
    }

    /** Publishes refused because the user may not write that topic. */
    public long refusedOutsideAcl() {
        return refusedOutsideAcl.get();
    }

    public long refusedLogins() {
        return refusedLogins.get();
    }

    @Override
    public boolean checkValid(String clientId, String username, byte[] password) {
        boolean valid = username != null && password != null && (username.equals(gatewayUser)
                ? MessageDigest.isEqual(gatewayPasswordDigest, sha256(password)) : nodePasswordMatches(username, password));
        if (!valid) {
            refusedLogins.incrementAndGet();
            LOG.warn("embedded broker refused the login of client '{}' as user '{}': {}", SenmlTopic.shown(clientId),
                    username == null ? "(none)" : SenmlTopic.shown(username),
                    password == null ? "no password" : "unknown user or wrong password");
        }
        return valid;
    }

    @Override
    public boolean canWrite(Topic topic, String user, String client) {
        String name = topic.toString();
        if (name.codePoints().anyMatch(Character::isISOControl)) {
            long count = refusedControlCharacters.incrementAndGet();
            LOG.warn("embedded broker refused a PUBLISH from client '{}' on topic '{}': control character in the topic "
                    + "(refused {} so far)", SenmlTopic.shown(client), SenmlTopic.shown(name), count);
            return false;
        }
        if (anonymousAllowed()) {
            return true;
        }
        var node = user == null ? null : NodePasswordFile.NODE.matcher(user);
        boolean allowed = node != null && node.matches() && !user.equals(gatewayUser)
                && name.startsWith("fieldgate/" + node.group(1) + "/" + node.group(2) + "/");
        if (!allowed) {
            long count = refusedOutsideAcl.incrementAndGet();
            LOG.warn("embedded broker refused a PUBLISH from user '{}' on topic '{}': a node may publish under "
                    + "fieldgate/<its site>/<its device>/ only (refused {} so far)", SenmlTopic.shown(String.valueOf(user)),
                    SenmlTopic.shown(name), count);
        }
        return allowed;
    }

    @Override
    public boolean canRead(Topic topic, String user, String client) {
        return anonymousAllowed() || (user != null && user.equals(gatewayUser) && topic.toString().startsWith("fieldgate/"));
    }

    private boolean nodePasswordMatches(String username, byte[] password) {
        if (nodePasswordFile == null) {
            return false;
        }
        try {
            reloadNodesIfChanged();
        } catch (IOException e) {
            LOG.warn("node password file {} not read again, the last good copy stays in force: {}", nodePasswordFile,
                    e.getMessage());
        }
        NodePasswordFile.NodeHash hash = nodes.get(username);
        return hash != null && hash.matches(password);
    }

    private synchronized void reloadNodesIfChanged() throws IOException {
        FileTime modified = Files.getLastModifiedTime(nodePasswordFile);
        if (!modified.equals(nodesReadAt)) {
            nodes = NodePasswordFile.readNodes(nodePasswordFile);
            nodesReadAt = modified;
            LOG.info("embedded broker: {} node user(s) from {}", nodes.size(), nodePasswordFile);
        }
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
