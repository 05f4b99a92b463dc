package org.fieldgate.export;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.fieldgate.config.GatewaySettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Signatures and the chain without InfluxDB: a stand-in writer puts one table per window, the exporter chains and
 * signs it as in the gateway, and {@link ChainVerify} must name each planted fault with its window and file.
 */
class SignedChainTest {
    static final ExportWindow D1 = day(1);
    static final ExportWindow D2 = day(2);
    static final ExportWindow D3 = day(3);

    @TempDir
    Path dir;

    /** What the stand-in writer puts into readings.csv per window id (a default row otherwise). */
    private final Map<String, String> data = new HashMap<>();

    static ExportWindow day(int d) {
        Instant from = Instant.parse("2026-11-0" + d + "T00:00:00Z");
        return new ExportWindow(from, from.plus(Duration.ofDays(1)));
    }

    /** The stand-in for {@link WindowExport}: one table, the signer's public key, the manifest chained and signed. */
    static Exporter.WindowWriter writer(Map<String, String> data) {
        return (w, d, link) -> {
            Files.createDirectories(d);
            Files.writeString(d.resolve("readings.csv"), data.getOrDefault(w.id(), "time_utc,value\n" + w.from() + ",1.5\n"));
            List<String> key = List.of(link.writePublicKey(d));
            Manifest m = Manifest.build(d, "test-gateway", "fieldgate", w, List.of(), key, Map.of("readings.csv", 1L),
                    link, Instant.now());
            m.writeSigned(d, link.signer());
            return m;
        };
    }

    Path outbox() {
        return dir.resolve("outbox");
    }

    Path keyDir() {
        return dir.resolve("keys");
    }

    Exporter exporter() {
        return exporter(outbox(), keyDir(), data);
    }

    static Exporter exporter(Path outbox, Path keyDir, Map<String, String> data) {
        GatewaySettings.Export settings = new GatewaySettings.Export(null, outbox, null, null, Duration.ofDays(1), "csv",
                Duration.ofMillis(10), Duration.ofMillis(100), keyDir);
        return new Exporter(settings, writer(data), w -> null, ZoneOffset.UTC, Clock.systemUTC());
    }

    private void exportAll(ExportWindow... windows) throws IOException {
        for (ExportWindow w : windows) {
            exporter().export(w, outbox());
        }
    }

    private PublicKey key() throws IOException {
        return GatewayKeys.readPublic(keyDir().resolve(GatewayKeys.PUBLIC));
    }

    private ChainVerify.Result verify() throws IOException {
        return verify(key());
    }

    private ChainVerify.Result verify(PublicKey key) {
        return ChainVerify.verify(List.of(outbox()), key, "gateway.pub.pem");
    }

    private Path window(ExportWindow w) {
        return outbox().resolve(w.id());
    }

    private static void flipByte(Path file, int at) throws IOException {
        byte[] b = Files.readAllBytes(file);
        b[at] ^= 0x01;
        Files.write(file, b);
    }

    /** Every file of the outbox with its bytes. */
    private Map<String, String> snapshot() throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> all = Files.walk(outbox())) {
            for (Path p : all.filter(Files::isRegularFile).toList()) {
                out.put(outbox().relativize(p).toString(), java.util.HexFormat.of().formatHex(Files.readAllBytes(p)));
            }
        }
        return out;
    }

    @Test
    void aChainVerifiesAndAReExportOfAnUnchangedWindowIsByteIdentical() throws Exception {
        exportAll(D1, D2, D3);
        ChainVerify.Result r = verify();
        assertEquals(List.of(), r.problems());
        String fp = GatewayKeys.fingerprint(key());
        assertEquals(List.of(D1.id() + ": ok, 1 rows, signed by key " + fp + ", first of the chain",
                D2.id() + ": ok, 1 rows, signed by key " + fp + ", after " + D1.id(),
                D3.id() + ": ok, 1 rows, signed by key " + fp + ", after " + D2.id()), r.windows());

        Manifest m1 = Manifest.read(window(D1));
        Manifest m2 = Manifest.read(window(D2));
        assertNull(m1.previousWindow());
        assertNull(m1.previousManifestSha256());
        assertEquals(D1.id(), m2.previousWindow());
        assertEquals(Manifest.fileSha256(window(D1)), m2.previousManifestSha256());
        assertEquals(fp, m2.keySha256());
        assertEquals(64, Files.size(window(D2).resolve(Manifest.SIG)));
        assertArrayEquals(Files.readAllBytes(keyDir().resolve(GatewayKeys.PUBLIC)),
                Files.readAllBytes(window(D2).resolve(GatewayKeys.PUBLIC)), "the signer's public key in every window");

        Map<String, String> before = snapshot();
        for (ExportWindow w : List.of(D2, D1, D3)) {
            assertEquals(Exporter.Outcome.UNCHANGED, exporter().export(w, outbox()), w.id());
        }
        assertEquals(before, snapshot(), "a re-export of unchanged windows leaves every byte as it was");

        // Ed25519 is deterministic: the same manifest bytes, signed again, give the same signature
        GatewayKeys.Pair pair = GatewayKeys.open(keyDir()).current();
        byte[] manifest = Files.readAllBytes(window(D2).resolve(Manifest.FILE));
        assertArrayEquals(Files.readAllBytes(window(D2).resolve(Manifest.SIG)), pair.sign(manifest));
        assertArrayEquals(pair.sign(manifest), pair.sign(manifest));
    }

    @Test
    void oneChangedByteOfEachFileKindIsNamedWithItsWindowAndFile() throws Exception {
        exportAll(D1, D2, D3);
        String fp = GatewayKeys.fingerprint(key());

        flipByte(window(D2).resolve("readings.csv"), 20);
        List<String> p = verify().problems();
        assertEquals(1, p.size(), p.toString());
        assertTrue(p.get(0).startsWith("window " + D2.id() + ": readings.csv: SHA-256 "), p.get(0));
        flipByte(window(D2).resolve("readings.csv"), 20);

        flipByte(window(D2).resolve(GatewayKeys.PUBLIC), 40);
        p = verify().problems();
        assertEquals(1, p.size(), p.toString());
        assertTrue(p.get(0).startsWith("window " + D2.id() + ": gateway.pub.pem: SHA-256 "), p.get(0));
        flipByte(window(D2).resolve(GatewayKeys.PUBLIC), 40);

        flipByte(window(D2).resolve(Manifest.SIG), 10);
        assertEquals(List.of("window " + D2.id() + ": manifest.json.sig: does not verify manifest.json with key " + fp
                + " (manifest.json or the signature changed after signing)"), verify().problems());
        flipByte(window(D2).resolve(Manifest.SIG), 10);

        // a digit of generated_at: outside the content hash, so only the signature and the next link can tell
        Path manifest = window(D2).resolve(Manifest.FILE);
        String text = Files.readString(manifest);
        int at = text.indexOf("\"generated_at\" : \"") + "\"generated_at\" : \"".length() + 3;
        String newSha;
        String oldSha = Manifest.fileSha256(window(D2));
        flipByte(manifest, at);
        newSha = Manifest.fileSha256(window(D2));
        assertEquals(List.of(
                "window " + D2.id() + ": manifest.json.sig: does not verify manifest.json with key " + fp
                        + " (manifest.json or the signature changed after signing)",
                "window " + D3.id() + ": names previous window " + D2.id() + " with manifest SHA-256 " + oldSha + ", but "
                        + D2.id() + "/manifest.json has " + newSha + " (replaced, or an older export of it re-inserted)"),
                verify().problems());
        flipByte(manifest, at);
        assertEquals(List.of(), verify().problems());
    }

    @Test
    void aDeletedWindowIsNamedAsMissing() throws Exception {
        exportAll(D1, D2, D3);
        String d1Sha = Manifest.fileSha256(window(D1));
        Exporter.deleteTree(window(D2));
        assertEquals(List.of("window " + D3.id() + ": names previous window " + D2.id() + ", which is missing (window "
                + D1.id() + " comes before it here)"), verify().problems());
        Exporter.deleteTree(window(D1));
        assertEquals(List.of("window " + D3.id() + ": names previous window " + D2.id() + " (manifest SHA-256 "
                + Manifest.read(window(D3)).previousManifestSha256() + "), which is missing"), verify().problems());
        assertTrue(d1Sha.matches("[0-9a-f]{64}"));
    }

    @Test
    void twoSwappedWindowsAreNamed() throws Exception {
        exportAll(D1, D2, D3);
        Path tmp = outbox().resolve("swap");
        Files.move(window(D1), tmp);
        Files.move(window(D2), window(D1));
        Files.move(tmp, window(D2));
        assertEquals(List.of("window " + D2.id() + ": lies in folder " + D1.id() + " (moved, renamed or swapped)",
                "window " + D1.id() + ": lies in folder " + D2.id() + " (moved, renamed or swapped)"), verify().problems());
    }

    @Test
    void aReExportOfChangedDataReChainsTheWindowsAfterItAndTheOldExportReInsertedFails() throws Exception {
        exportAll(D1, D2, D3);
        Path old = dir.resolve("old-d2");
        Files.createDirectories(old);
        for (String f : List.of("readings.csv", GatewayKeys.PUBLIC, Manifest.FILE, Manifest.SIG)) {
            Files.copy(window(D2).resolve(f), old.resolve(f));
        }
        String d3Before = Manifest.read(window(D3)).contentSha256();
        data.put(D2.id(), "time_utc,value\n" + D2.from() + ",2.5\n"); // a late reading changed the window
        assertEquals(Exporter.Outcome.REPLACED, exporter().export(D2, outbox()));
        assertEquals(List.of(), verify().problems(), "window 3 re-chained to the new window 2");
        Manifest d3 = Manifest.read(window(D3));
        assertEquals(Manifest.fileSha256(window(D2)), d3.previousManifestSha256());
        assertTrue(!d3Before.equals(d3.contentSha256()), "the re-chained window is delivered again");

        String newSha = Manifest.fileSha256(window(D2));
        Exporter.deleteTree(window(D2));
        Files.move(old, window(D2));
        assertEquals(List.of(), Manifest.verify(window(D2)), "the old export is complete and signed in itself");
        assertEquals(List.of("window " + D3.id() + ": names previous window " + D2.id() + " with manifest SHA-256 "
                + newSha + ", but " + D2.id() + "/manifest.json has " + Manifest.fileSha256(window(D2))
                + " (replaced, or an older export of it re-inserted)"), verify().problems());

        // the exporter never re-signs what someone changed: a tampered window after a changed one stays unsigned anew
        Exporter.deleteTree(window(D2));
        data.put(D2.id(), "time_utc,value\n" + D2.from() + ",3.5\n");
        exporter().export(D2, outbox());
        flipByte(window(D3).resolve("readings.csv"), 20);
        byte[] d3Manifest = Files.readAllBytes(window(D3).resolve(Manifest.FILE));
        data.put(D2.id(), "time_utc,value\n" + D2.from() + ",4.5\n");
        String refused = assertThrows(IOException.class, () -> exporter().export(D2, outbox())).getMessage();
        assertTrue(refused.startsWith("window " + D3.id() + " follows a changed window but is not re-signed, as it does not"
                + " verify (readings.csv: SHA-256 "), refused);
        assertArrayEquals(d3Manifest, Files.readAllBytes(window(D3).resolve(Manifest.FILE)));
        flipByte(window(D3).resolve("readings.csv"), 20);

        // the same window twice (a copy beside the outbox)
        Path copy = dir.resolve("copy").resolve(D1.id());
        Files.createDirectories(copy.getParent());
        Files.walk(window(D1)).forEach(p -> {
            try {
                Files.copy(p, copy.resolve(window(D1).relativize(p).toString()));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        List<String> twice = ChainVerify.verify(List.of(copy, outbox()), key(), "k").problems();
        assertEquals("window " + D1.id() + ": appears twice, in " + copy + " and " + window(D1)
                + " (an old export of it re-inserted?)", twice.get(0));
    }

    @Test
    void aWrongKeyFailsEveryWindowNamingBothKeys() throws Exception {
        exportAll(D1, D2);
        PublicKey other = KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic();
        String fp = GatewayKeys.fingerprint(key());
        assertEquals(List.of(
                "window " + D1.id() + ": manifest.json.sig: signed by key " + fp + ", not by the key given (gateway.pub.pem),"
                        + " key " + GatewayKeys.fingerprint(other) + " (wrong key, or earlier windows missing)",
                "window " + D2.id() + ": manifest.json.sig: signed by key " + fp + ", which no earlier window announced "
                        + "(expected key " + GatewayKeys.fingerprint(other) + ", the key given (gateway.pub.pem))"),
                verify(other).problems());
    }

    @Test
    void aRotationIsAnnouncedByTheOldKeyAndVerifyFollowsIt() throws Exception {
        exportAll(D1);
        PublicKey first = key();
        String oldFp = GatewayKeys.fingerprint(first);
        GatewayKeys rotated = GatewayKeys.open(keyDir()).rotate();
        String newFp = rotated.current().fingerprint();
        assertEquals(oldFp, rotated.previous().fingerprint());
        exportAll(D2, D3);
        Manifest m2 = Manifest.read(window(D2));
        assertEquals(oldFp, m2.keySha256(), "the window after a rotation is signed by the old key");
        assertEquals(newFp, m2.nextKeySha256(), "and announces the new one");
        assertEquals(newFp, Manifest.read(window(D3)).keySha256());
        ChainVerify.Result r = ChainVerify.verify(List.of(outbox()), first, "old.pem");
        assertEquals(List.of(), r.problems());
        assertEquals(List.of(D1.id() + ": ok, 1 rows, signed by key " + oldFp + ", first of the chain",
                D2.id() + ": ok, 1 rows, signed by key " + oldFp + ", after " + D1.id() + ", announces key " + newFp,
                D3.id() + ": ok, 1 rows, signed by key " + newFp + ", after " + D2.id()), r.windows());
        Map<String, String> before = snapshot();
        for (ExportWindow w : List.of(D1, D2, D3)) {
            assertEquals(Exporter.Outcome.UNCHANGED, exporter().export(w, outbox()), w.id());
        }
        assertEquals(before, snapshot(), "re-exports after the rotation keep their signers and bytes");
    }

    @Test
    void aWindowSignedByAnUnannouncedKeyFailsNamingIt() throws Exception {
        exportAll(D1, D2);
        PublicKey first = key();
        GatewayKeys.open(keyDir()).rotate();
        exportAll(D3); // signed by the first key, announces the second
        // a third key no window announced signs window 4 (as a forger, or a gateway whose key was replaced, would)
        ExportWindow d4 = day(4);
        GatewayKeys.Pair stranger = GatewayKeys.openOrCreate(dir.resolve("stranger")).current();
        Manifest m3 = Manifest.read(window(D3));
        writer(data).write(d4, window(d4), new Manifest.ChainLink(D3.id(), Manifest.fileSha256(window(D3)), stranger, null));
        assertEquals(List.of("window " + d4.id() + ": manifest.json.sig: signed by key " + stranger.fingerprint()
                + ", which no earlier window announced (expected key " + m3.nextKeySha256() + ", the key window " + D3.id()
                + " announced)"), ChainVerify.verify(List.of(outbox()), first, "k").problems());
    }

    @Test
    void theExporterRefusesToSignWithAKeyTheChainDidNotHandOver() throws Exception {
        exportAll(D1);
        String oldFp = GatewayKeys.fingerprint(key());
        Exporter.deleteTree(keyDir()); // the key lost: the next start makes a new one ...
        IOException e = assertThrows(IOException.class, () -> exporter().export(D2, outbox()));
        String newFp = GatewayKeys.fingerprint(key());
        // ... which must not sign the next window
        assertEquals("window " + D2.id() + " must be signed by key " + oldFp + " (the key window " + D1.id()
                + " hands over), but " + keyDir() + " holds only key " + newFp + ": restore that key; a window signed by"
                + " another would break the chain", e.getMessage());
        assertTrue(!Files.exists(window(D2)));
    }

    @Test
    void keyFilesAreOwnerOnlyAndADamagedOneIsRefusedNamingIt() throws Exception {
        GatewayKeys keys = GatewayKeys.openOrCreate(keyDir());
        Path priv = keyDir().resolve(GatewayKeys.PRIVATE);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(priv)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keyDir())));
        assertTrue(Files.readString(priv).startsWith("-----BEGIN PRIVATE KEY-----\n"));
        assertTrue(Files.readString(keyDir().resolve(GatewayKeys.PUBLIC)).startsWith("-----BEGIN PUBLIC KEY-----\n"));
        assertEquals(keys.current().fingerprint(), GatewayKeys.openOrCreate(keyDir()).current().fingerprint(),
                "a second start keeps the key");
        assertTrue(!keys.current().toString().contains("PRIVATE"), keys.current().toString());

        Files.setPosixFilePermissions(priv, PosixFilePermissions.fromString("rw-r-----"));
        assertEquals(priv + " has mode rw-r-----; a private key must be readable by its owner only: chmod 600 " + priv,
                assertThrows(IOException.class, () -> GatewayKeys.openOrCreate(keyDir())).getMessage());
        Files.setPosixFilePermissions(priv, PosixFilePermissions.fromString("rw-------"));

        String good = Files.readString(priv);
        Files.writeString(priv, good.replace("-----BEGIN PRIVATE KEY-----\n", "-----BEGIN PRIVATE KEY-----\nAAAA"));
        String damaged = assertThrows(IOException.class, () -> GatewayKeys.openOrCreate(keyDir())).getMessage();
        assertTrue(damaged.startsWith(priv + " is not an Ed25519 private key (PKCS#8): "), damaged);
        Files.writeString(priv, "garbage");
        assertEquals(priv + " is not a PEM file with a PRIVATE KEY block",
                assertThrows(IOException.class, () -> GatewayKeys.openOrCreate(keyDir())).getMessage());
        Files.writeString(priv, good);

        Path pub = keyDir().resolve(GatewayKeys.PUBLIC);
        String goodPub = Files.readString(pub);
        Files.writeString(pub, GatewayKeys.publicPem(KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic()));
        assertTrue(assertThrows(IOException.class, () -> GatewayKeys.open(keyDir())).getMessage()
                .startsWith(pub + " is not the public key of " + priv), "a mismatched pair");
        Files.writeString(pub, goodPub);

        Files.delete(priv);
        assertEquals(priv + " is missing (gateway.pub.pem is there): restore it from a backup; a new key would break"
                + " the export chain", assertThrows(IOException.class, () -> GatewayKeys.openOrCreate(keyDir())).getMessage());
        assertTrue(!Files.exists(priv), "no new key made silently");
    }

    @Test
    void theKeyCliShowsMakesAndRotatesTheKeyOfTheKeyDirSetting() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setProperty("fieldgate.export.key-dir", keyDir().toString());
        try {
            assertEquals(ExportCli.FAILED, KeyCli.run(new String[]{"show"}, new PrintStream(out, true), new PrintStream(err, true)));
            assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("no gateway key in " + keyDir() + " yet"), err.toString());
            assertEquals(ExportCli.OK, KeyCli.run(new String[]{"init"}, new PrintStream(out, true), new PrintStream(err, true)));
            String fp = GatewayKeys.fingerprint(key());
            out.reset();
            assertEquals(ExportCli.OK, KeyCli.run(new String[]{"show"}, new PrintStream(out, true), new PrintStream(err, true)));
            String shown = out.toString(StandardCharsets.UTF_8);
            assertEquals(Files.readString(keyDir().resolve(GatewayKeys.PUBLIC)) + "fingerprint " + fp
                    + " (SHA-256 of the DER SubjectPublicKeyInfo)\nfile " + keyDir().resolve(GatewayKeys.PUBLIC) + "\n", shown);
            out.reset();
            assertEquals(ExportCli.OK, KeyCli.run(new String[]{"rotate"}, new PrintStream(out, true), new PrintStream(err, true)));
            String newFp = GatewayKeys.fingerprint(key());
            assertTrue(!newFp.equals(fp) && out.toString(StandardCharsets.UTF_8).contains("fingerprint " + newFp + " ")
                    && out.toString(StandardCharsets.UTF_8).contains("previous " + fp + " signs the next export window"), out.toString());
            assertEquals(fp, GatewayKeys.open(keyDir()).previous().fingerprint());
            assertEquals(ExportCli.USAGE, KeyCli.run(new String[]{"delete"}, new PrintStream(out, true), new PrintStream(err, true)));
        } finally {
            System.clearProperty("fieldgate.export.key-dir");
        }
    }

    @Test
    void theCliVerifiesAChainAndPrintsOneLinePerWindow() throws Exception {
        exportAll(D1, D2);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Path key = keyDir().resolve(GatewayKeys.PUBLIC);
        int code = ExportCli.run(new String[]{"verify", window(D1).toString(), window(D2).toString(), "--key",
                key.toString()}, new PrintStream(out, true), new PrintStream(err, true));
        assertEquals(ExportCli.OK, code, err.toString(StandardCharsets.UTF_8));
        assertEquals(2, out.toString(StandardCharsets.UTF_8).lines().count(), out.toString(StandardCharsets.UTF_8));
        Exporter.deleteTree(window(D1));
        err.reset();
        code = ExportCli.run(new String[]{"verify", outbox().toString(), "--key", key.toString()},
                new PrintStream(out, true), new PrintStream(err, true));
        assertEquals(ExportCli.FAILED, code);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("window " + D2.id() + ": names previous window " + D1.id()),
                err.toString(StandardCharsets.UTF_8));
    }
}
