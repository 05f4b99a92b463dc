package org.fieldgate.export;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's Ed25519 signing keys in {@code fieldgate.export.key-dir}: {@code gateway.key.pem} (PKCS#8, mode
 * 0600, never logged) and {@code gateway.pub.pem} (SubjectPublicKeyInfo) are the current key; after a rotation the
 * one before is kept as {@code previous.key.pem}/{@code previous.pub.pem}, because the next window is signed by it
 * and announces the new one. A fingerprint is the SHA-256 of the DER SubjectPublicKeyInfo, in hex, as
 * {@code openssl pkey -pubin -in gateway.pub.pem -outform DER | sha256sum} prints it. A file that is damaged, does
 * not match its partner or is readable by others is refused naming it: a silently new key would break the chain.
 */
public final class GatewayKeys {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayKeys.class);
    public static final String PRIVATE = "gateway.key.pem";
    public static final String PUBLIC = "gateway.pub.pem";
    static final String PREVIOUS_PRIVATE = "previous.key.pem";
    static final String PREVIOUS_PUBLIC = "previous.pub.pem";
    private static final String ALGORITHM = "Ed25519";
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    /** One key pair with its fingerprint. */
    public record Pair(PublicKey publicKey, PrivateKey privateKey, String fingerprint) {
        /** The raw 64-byte Ed25519 signature over {@code data} (deterministic: the same bytes give the same one). */
        public byte[] sign(byte[] data) {
            try {
                Signature s = Signature.getInstance(ALGORITHM);
                s.initSign(privateKey);
                s.update(data);
                return s.sign();
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("Ed25519 signing failed", e);
            }
        }

        @Override
        public String toString() {
            return "key " + fingerprint; // never the private key
        }
    }

    private final Path dir;
    private final Pair current;
    private final Pair previous;

    private GatewayKeys(Path dir, Pair current, Pair previous) {
        this.dir = dir;
        this.current = current;
        this.previous = previous;
    }

    /** The keys in {@code dir}; a new pair when the directory holds none (first start). */
    public static GatewayKeys openOrCreate(Path dir) throws IOException {
        if (!Files.exists(dir.resolve(PRIVATE)) && !Files.exists(dir.resolve(PUBLIC))) {
            Files.createDirectories(dir);
            try {
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: the key file's own check below still applies where it can
            }
            Pair made = write(dir, PRIVATE, PUBLIC, generate());
            LOG.info("made a new gateway signing key {} in {}", made.fingerprint(), dir);
        }
        return open(dir);
    }

    /** The keys in {@code dir}, refused with the file named when missing, damaged or readable by others. */
    public static GatewayKeys open(Path dir) throws IOException {
        Pair current = read(dir, PRIVATE, PUBLIC);
        Pair previous = Files.exists(dir.resolve(PREVIOUS_PRIVATE)) || Files.exists(dir.resolve(PREVIOUS_PUBLIC))
                ? read(dir, PREVIOUS_PRIVATE, PREVIOUS_PUBLIC) : null;
        return new GatewayKeys(dir, current, previous);
    }

    /**
     * A new current key; the current one becomes the previous (replacing an older previous), so the next window is
     * signed by it and announces the new one. Returns the new keys.
     */
    public GatewayKeys rotate() throws IOException {
        Pair made = generate();
        Path tmp = Files.createTempDirectory(dir, ".rotate-");
        try {
            write(tmp, PRIVATE, PUBLIC, made);
            Files.move(dir.resolve(PRIVATE), dir.resolve(PREVIOUS_PRIVATE), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
            Files.move(dir.resolve(PUBLIC), dir.resolve(PREVIOUS_PUBLIC), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
            Files.move(tmp.resolve(PRIVATE), dir.resolve(PRIVATE), StandardCopyOption.ATOMIC_MOVE);
            Files.move(tmp.resolve(PUBLIC), dir.resolve(PUBLIC), StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Exporter.deleteTree(tmp);
        }
        LOG.info("rotated the gateway signing key: {} now, {} signs the next window and announces it",
                made.fingerprint(), current.fingerprint());
        return open(dir);
    }

    public Path dir() {
        return dir;
    }

    public Pair current() {
        return current;
    }

    /** The key before the last rotation, or null. */
    public Pair previous() {
        return previous;
    }

    /** The pair with this fingerprint, or null when the directory holds none. */
    public Pair byFingerprint(String fingerprint) {
        if (current.fingerprint().equals(fingerprint)) {
            return current;
        }
        return previous != null && previous.fingerprint().equals(fingerprint) ? previous : null;
    }

    private static Pair generate() {
        try {
            KeyPair kp = KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
            return new Pair(kp.getPublic(), kp.getPrivate(), fingerprint(kp.getPublic()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK has no Ed25519 (Java 15+ has)", e);
        }
    }

    private static Pair write(Path dir, String privateName, String publicName, Pair pair) throws IOException {
        Path key = dir.resolve(privateName);
        try {
            // created 0600 before a byte is written, so the key is never readable by others
            Files.createFile(key, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } catch (UnsupportedOperationException e) {
            Files.createFile(key);
        } catch (FileAlreadyExistsException e) {
            throw new IOException(key + " exists already; not replaced", e);
        }
        Files.write(key, pem("PRIVATE KEY", pair.privateKey().getEncoded()));
        Files.write(dir.resolve(publicName), pem("PUBLIC KEY", pair.publicKey().getEncoded()));
        return pair;
    }

    private static Pair read(Path dir, String privateName, String publicName) throws IOException {
        Path key = dir.resolve(privateName);
        Path pub = dir.resolve(publicName);
        if (!Files.isRegularFile(key)) {
            throw new IOException(key + " is missing" + (Files.exists(pub) ? " (" + publicName + " is there): restore "
                    + "it from a backup; a new key would break the export chain" : ""));
        }
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(key);
            if (!OWNER_ONLY.containsAll(perms)) {
                throw new IOException(key + " has mode " + PosixFilePermissions.toString(perms)
                        + "; a private key must be readable by its owner only: chmod 600 " + key);
            }
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system
        }
        PrivateKey privateKey;
        try {
            privateKey = KeyFactory.getInstance(ALGORITHM).generatePrivate(
                    new PKCS8EncodedKeySpec(derOf(key, "PRIVATE KEY")));
        } catch (GeneralSecurityException e) {
            throw new IOException(key + " is not an Ed25519 private key (PKCS#8): " + e.getMessage(), e);
        }
        PublicKey publicKey = readPublic(pub);
        Pair pair = new Pair(publicKey, privateKey, fingerprint(publicKey));
        if (!verify(publicKey, new byte[]{1, 2, 3}, pair.sign(new byte[]{1, 2, 3}))) {
            throw new IOException(pub + " is not the public key of " + key + " (key " + pair.fingerprint() + ")");
        }
        return pair;
    }

    /** An Ed25519 public key from a PEM SubjectPublicKeyInfo file, refused naming the file. */
    public static PublicKey readPublic(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + " is missing");
        }
        return publicFromPem(Files.readString(file, StandardCharsets.US_ASCII), file.toString());
    }

    /** An Ed25519 public key from PEM text; {@code source} names where it came from in the error. */
    static PublicKey publicFromPem(String pem, String source) throws IOException {
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(der(pem, "PUBLIC KEY", source)));
        } catch (GeneralSecurityException e) {
            throw new IOException(source + " is not an Ed25519 public key (SubjectPublicKeyInfo): " + e.getMessage(), e);
        }
    }

    /** Whether {@code signature} is {@code key}'s Ed25519 signature over {@code data}. */
    public static boolean verify(PublicKey key, byte[] data, byte[] signature) {
        try {
            Signature s = Signature.getInstance(ALGORITHM);
            s.initVerify(key);
            s.update(data);
            return s.verify(signature);
        } catch (GeneralSecurityException e) {
            return false; // a malformed signature is one that does not verify
        }
    }

    /** SHA-256 of the DER SubjectPublicKeyInfo, hex: what {@code openssl pkey -pubin -outform DER | sha256sum} prints. */
    public static String fingerprint(PublicKey key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getEncoded()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    static String publicPem(PublicKey key) {
        return new String(pem("PUBLIC KEY", key.getEncoded()), StandardCharsets.US_ASCII);
    }

    private static byte[] pem(String type, byte[] der) {
        return ("-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[]{'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] derOf(Path file, String type) throws IOException {
        return der(Files.readString(file, StandardCharsets.US_ASCII), type, file.toString());
    }

    private static byte[] der(String pem, String type, String source) throws IOException {
        String begin = "-----BEGIN " + type + "-----";
        String end = "-----END " + type + "-----";
        int from = pem.indexOf(begin);
        int to = pem.indexOf(end);
        if (from < 0 || to < from) {
            throw new IOException(source + " is not a PEM file with a " + type + " block");
        }
        try {
            return Base64.getMimeDecoder().decode(pem.substring(from + begin.length(), to));
        } catch (IllegalArgumentException e) {
            throw new IOException(source + ": damaged base64 in its " + type + " block (" + e.getMessage() + ")", e);
        }
    }
}
