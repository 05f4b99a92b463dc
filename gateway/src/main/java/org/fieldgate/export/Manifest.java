package org.fieldgate.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * {@code manifest.json}: who exported what (gateway id, software version, hash of the site files), the window, and
 * every file with its size, row count and SHA-256. {@code content_sha256} is the SHA-256 of the manifest's compact
 * JSON without {@code generated_at} and itself, so two exports of the same data have the same content hash and only
 * their generation time differs; with the window id it is the delivery's idempotency key. The chain and signature
 * fields ({@code key_sha256}, {@code previous_window}, {@code previous_manifest_sha256}, {@code next_key_sha256},
 * {@code next_public_key}) are part of the content; {@link #SIG} signs the file's exact bytes.
 */
public final class Manifest {
    public static final String FILE = "manifest.json";
    /** The raw 64-byte Ed25519 signature over the exact bytes of {@link #FILE}. */
    public static final String SIG = "manifest.json.sig";
    static final String FORMAT = "fieldgate-export/2";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ObjectNode node;

    private Manifest(ObjectNode node) {
        this.node = node;
    }

    /**
     * Where a window sits in the chain and who signs it: the window before it in the outbox (by start; null for the
     * first) and the SHA-256 of that window's manifest.json bytes, the signing key, and the key it announces (after a
     * rotation; null otherwise).
     */
    record ChainLink(String previousWindow, String previousManifestSha256, GatewayKeys.Pair signer,
                     java.security.PublicKey announce) {
        /** The signer's public key into the export, as {@link GatewayKeys#PUBLIC}; returns its file name. */
        String writePublicKey(Path dir) throws IOException {
            Files.writeString(dir.resolve(GatewayKeys.PUBLIC), GatewayKeys.publicPem(signer.publicKey()));
            return GatewayKeys.PUBLIC;
        }
    }

    static Manifest build(Path dir, String gatewayId, String database, ExportWindow window, List<String> siteFiles,
                          List<String> otherFiles, Map<String, Long> tableRows, ChainLink link, Instant generatedAt)
            throws IOException {
        ObjectNode m = JSON.createObjectNode();
        m.put("format", FORMAT);
        m.put("gateway_id", gatewayId);
        m.put("software_version", softwareVersion());
        ObjectNode w = m.putObject("window");
        w.put("id", window.id());
        w.put("from", window.from().toString());
        w.put("to", window.to().toString());
        m.put("influx_database", database);
        m.put("config_sha256", configSha256(dir, siteFiles));
        m.put("key_sha256", link.signer().fingerprint());
        m.put("previous_window", link.previousWindow());
        m.put("previous_manifest_sha256", link.previousManifestSha256());
        if (link.announce() != null) {
            m.put("next_key_sha256", GatewayKeys.fingerprint(link.announce()));
            m.put("next_public_key", GatewayKeys.publicPem(link.announce()));
        }
        ArrayNode files = m.putArray("files");
        TreeSet<String> names = new TreeSet<>(tableRows.keySet());
        names.addAll(siteFiles);
        names.addAll(otherFiles);
        for (String name : names) {
            ObjectNode f = files.addObject();
            f.put("name", name);
            f.put("bytes", Files.size(dir.resolve(name)));
            if (tableRows.containsKey(name)) {
                f.put("rows", tableRows.get(name));
            }
            f.put("sha256", sha256(dir.resolve(name)));
        }
        m.put("content_sha256", contentHash(m));
        m.put("generated_at", generatedAt.toString());
        return new Manifest(m);
    }

    /** SHA-256 of the site files' bytes in order, hex: the manifest's {@code config_sha256}. */
    static String configSha256(Path dir, List<String> siteFiles) throws IOException {
        MessageDigest config = sha256();
        for (String name : siteFiles) {
            config.update(Files.readAllBytes(dir.resolve(name)));
        }
        return HexFormat.of().formatHex(config.digest());
    }

    /** The manifest of an export folder. */
    public static Manifest read(Path dir) throws IOException {
        JsonNode n = JSON.readTree(dir.resolve(FILE).toFile());
        // fieldgate-export/1: before signatures and the chain; still read, so an outbox of those is delivered
        if (!(n instanceof ObjectNode o) || !List.of(FORMAT, "fieldgate-export/1").contains(o.path("format").asText())) {
            throw new IOException(dir.resolve(FILE) + ": not a " + FORMAT + " manifest");
        }
        return new Manifest(o);
    }

    /** Writes manifest.json and its signature by {@code signer} (each through a temporary file, then moved). */
    void writeSigned(Path dir, GatewayKeys.Pair signer) throws IOException {
        byte[] bytes = JSON.writer(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(node);
        Path tmp = dir.resolve(FILE + ".tmp");
        Files.write(tmp, bytes);
        Path sigTmp = dir.resolve(SIG + ".tmp");
        Files.write(sigTmp, signer.sign(bytes));
        Files.move(tmp, dir.resolve(FILE), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        Files.move(sigTmp, dir.resolve(SIG), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** The same manifest chained to another previous manifest (its content hash recomputed); for a re-chain. */
    Manifest rechained(String previousWindow, String previousManifestSha256) {
        ObjectNode copy = node.deepCopy();
        copy.put("previous_window", previousWindow);
        copy.put("previous_manifest_sha256", previousManifestSha256);
        copy.put("content_sha256", contentHash(copy));
        return new Manifest(copy);
    }

    public String keySha256() {
        return text("key_sha256");
    }

    /** The window before this one in the chain, or null for the first. */
    public String previousWindow() {
        return text("previous_window");
    }

    public String previousManifestSha256() {
        return text("previous_manifest_sha256");
    }

    /** The key this window announces (a rotation), or null. */
    public String nextKeySha256() {
        return text("next_key_sha256");
    }

    /** The announced key's PEM SubjectPublicKeyInfo, or null. */
    String nextPublicKey() {
        return text("next_public_key");
    }

    /** The key that signs the window after this one: the announced key, else this window's own. */
    String handsOverTo() {
        return nextKeySha256() != null ? nextKeySha256() : keySha256();
    }

    private String text(String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    /** SHA-256 of a manifest.json's exact bytes, hex: what the next window names. */
    static String fileSha256(Path dir) throws IOException {
        return sha256(dir.resolve(FILE));
    }

    public String windowId() {
        return node.path("window").path("id").asText();
    }

    public String contentSha256() {
        return node.path("content_sha256").asText();
    }

    /** Window id and content hash: the engine keeps one export per key. */
    public String idempotencyKey() {
        return windowId() + ":" + contentSha256();
    }

    /** File name → row count (tables only). */
    public Map<String, Long> rowCounts() {
        Map<String, Long> out = new TreeMap<>();
        node.path("files").forEach(f -> {
            if (f.has("rows")) {
                out.put(f.path("name").asText(), f.path("rows").asLong());
            }
        });
        return out;
    }

    /**
     * Checks an export folder against its manifest: every listed file present with its size, SHA-256 and row count,
     * no file that is not listed, and the content hash. Each problem names the file.
     */
    public static List<String> verify(Path dir) {
        List<String> problems = new ArrayList<>();
        Manifest m;
        try {
            m = read(dir);
        } catch (IOException e) {
            return List.of(FILE + ": cannot be read (" + e.getMessage() + ")");
        }
        TreeSet<String> listed = new TreeSet<>();
        for (JsonNode f : m.node.path("files")) {
            String name = f.path("name").asText();
            listed.add(name);
            Path file = dir.resolve(name).normalize();
            if (!file.startsWith(dir.normalize()) || !Files.isRegularFile(file)) {
                problems.add(name + ": missing");
                continue;
            }
            try {
                if (Files.size(file) != f.path("bytes").asLong()) {
                    problems.add(name + ": " + Files.size(file) + " bytes, the manifest says " + f.path("bytes").asLong());
                }
                String sha = sha256(file);
                if (!sha.equals(f.path("sha256").asText())) {
                    problems.add(name + ": SHA-256 " + sha + ", the manifest says " + f.path("sha256").asText());
                }
                if (f.has("rows")) {
                    TableFile.Format format = name.endsWith(".jsonl") ? TableFile.Format.JSON : TableFile.Format.CSV;
                    long rows = TableFile.countRows(file, format);
                    if (rows != f.path("rows").asLong()) {
                        problems.add(name + ": " + rows + " rows, the manifest says " + f.path("rows").asLong());
                    }
                }
            } catch (IOException e) {
                problems.add(name + ": cannot be read (" + e.getMessage() + ")");
            }
        }
        try (Stream<Path> all = Files.walk(dir)) {
            all.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString().replace('\\', '/'))
                    .filter(name -> !name.equals(FILE) && !name.equals(SIG) && !listed.contains(name)).sorted()
                    .forEach(name -> problems.add(name + ": not listed in the manifest"));
        } catch (IOException e) {
            problems.add(dir + ": cannot be listed (" + e.getMessage() + ")");
        }
        String content = contentHash(m.node);
        if (!content.equals(m.contentSha256())) {
            problems.add(FILE + ": content_sha256 " + m.contentSha256() + " does not match its content (" + content + ")");
        }
        return problems;
    }

    private static String contentHash(ObjectNode manifest) {
        ObjectNode copy = manifest.deepCopy();
        copy.remove("generated_at");
        copy.remove("content_sha256");
        try {
            return HexFormat.of().formatHex(sha256().digest(JSON.writeValueAsBytes(copy)));
        } catch (IOException e) {
            throw new IllegalStateException("manifest cannot be serialised", e);
        }
    }

    static String sha256(Path file) throws IOException {
        MessageDigest d = sha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[65536];
            int n;
            while ((n = in.read(buf)) > 0) {
                d.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(d.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /** The jar's version (Maven's pom.properties), or a plain statement that this is not a released build. */
    static String softwareVersion() {
        String v = Manifest.class.getPackage().getImplementationVersion();
        if (v != null) {
            return v;
        }
        try (InputStream in = Manifest.class.getResourceAsStream(
                "/META-INF/maven/org.fieldgate/fieldgate-gateway/pom.properties")) {
            if (in != null) {
                java.util.Properties p = new java.util.Properties();
                p.load(in);
                return p.getProperty("version", "unknown");
            }
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
        return "unknown (not run from the gateway jar)";
    }

    @Override
    public String toString() {
        return node.toString();
    }
}
