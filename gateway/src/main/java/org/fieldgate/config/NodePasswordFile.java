package org.fieldgate.config;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The node password file of the embedded broker ({@code fieldgate.mqtt.node-password-file}), in Mosquitto's format.
 * Here, beside the setting, so the settings check can read it without depending on the broker (transport).
 */
public final class NodePasswordFile {
    /** A node user: {@code <site>/<device>}, each a name of the wire contract. */
    public static final Pattern NODE = Pattern.compile("([A-Za-z0-9_.-]{1,64})/([A-Za-z0-9_.-]{1,64})");
    private static final int HASH_BYTES = 64;

    private NodePasswordFile() {
    }

    /**
     * The node users ({@code <site>/<device>}) of a Mosquitto password file; other users are skipped.
     *
     * @throws IOException naming the line of an entry that cannot be used
     */
    public static Map<String, NodeHash> readNodes(Path file) throws IOException {
        Map<String, NodeHash> nodes = new HashMap<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IOException("line " + (i + 1) + " is not 'user:hash' (a Mosquitto password file)");
            }
            String user = line.substring(0, colon);
            if (NODE.matcher(user).matches()) {
                nodes.put(user, NodeHash.parse(line.substring(colon + 1), "line " + (i + 1) + " (user " + user + ")"));
            }
        }
        return Map.copyOf(nodes);
    }

    /** A {@code $7$<iterations>$<salt>$<hash>} entry: PBKDF2-HMAC-SHA512, base64 salt and 64-byte hash. */
    public record NodeHash(int iterations, byte[] salt, byte[] hash) {
        static NodeHash parse(String entry, String where) throws IOException {
            String[] parts = entry.split("\\$", -1);
            if (parts.length == 4 && parts[1].equals("6")) {
                throw new IOException(where + ": a $6$ (Mosquitto 1.x) hash; set the password again with "
                        + "mosquitto_passwd 2.0 or deploy/mosquitto/set-password");
            }
            try {
                if (parts.length != 5 || !parts[0].isEmpty() || !parts[1].equals("7")) {
                    throw new IllegalArgumentException("not $7$<iterations>$<salt>$<hash>");
                }
                int iterations = Integer.parseInt(parts[2]);
                byte[] hash = Base64.getDecoder().decode(parts[4]);
                if (iterations < 1 || hash.length != HASH_BYTES) {
                    throw new IllegalArgumentException("iterations " + iterations + ", hash of " + hash.length + " bytes");
                }
                return new NodeHash(iterations, Base64.getDecoder().decode(parts[3]), hash);
            } catch (IllegalArgumentException e) {
                throw new IOException(where + ": not a Mosquitto 2.0 password hash (" + e.getMessage() + ")");
            }
        }

        public boolean matches(byte[] password) {
            char[] chars = new String(password, StandardCharsets.UTF_8).toCharArray();
            try {
                byte[] derived = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA512")
                        .generateSecret(new PBEKeySpec(chars, salt, iterations, HASH_BYTES * 8)).getEncoded();
                return MessageDigest.isEqual(derived, hash);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("every JDK 17 has PBKDF2WithHmacSHA512", e);
            }
        }
    }
}
