package org.fieldgate.export;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.fieldgate.testkit.StartsProcesses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A verifier with no fieldgate code: Debian's openssl checks an export window's signature with the public key the
 * window carries, reproduces the key's fingerprint, and reads the gateway's private key file.
 */
@StartsProcesses
class OpensslVerifyTest {
    private static final String OPENSSL = "/usr/bin/openssl";

    record Run(int exit, byte[] stdout, String stderr) {
        String out() {
            return new String(stdout, StandardCharsets.UTF_8);
        }
    }

    private static Run run(Path cwd, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(cwd.toFile()).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), String.join(" ", command) + " did not end");
        return new Run(p.exitValue(), out, err);
    }

    @Test
    void opensslVerifiesTheManifestSignatureWithTheWindowsPublicKey(@TempDir Path dir) throws Exception {
        Path outbox = dir.resolve("outbox");
        Path keys = dir.resolve("keys");
        Exporter exporter = SignedChainTest.exporter(outbox, keys, new HashMap<>());
        exporter.export(SignedChainTest.D1, outbox);
        exporter.export(SignedChainTest.D2, outbox);
        Path window = outbox.resolve(SignedChainTest.D2.id());

        // exactly the command export/README.md gives, run inside the window folder
        Run ok = run(window, OPENSSL, "pkeyutl", "-verify", "-pubin", "-inkey", "gateway.pub.pem", "-rawin", "-in",
                "manifest.json", "-sigfile", "manifest.json.sig");
        assertEquals(0, ok.exit(), ok.out() + ok.stderr());
        assertEquals("Signature Verified Successfully", ok.out().strip());

        // the fingerprint as README defines it: SHA-256 of the DER SubjectPublicKeyInfo
        Run der = run(window, OPENSSL, "pkey", "-pubin", "-in", "gateway.pub.pem", "-outform", "DER");
        assertEquals(0, der.exit(), der.stderr());
        String fingerprint = GatewayKeys.open(keys).current().fingerprint();
        assertEquals(fingerprint, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(der.stdout())));
        assertEquals(fingerprint, Manifest.read(window).keySha256());

        // openssl reads the private key file (PKCS#8) and derives the same public key from it
        Run pub = run(keys, OPENSSL, "pkey", "-in", "gateway.key.pem", "-pubout");
        assertEquals(0, pub.exit(), pub.stderr());
        assertArrayEquals(Files.readAllBytes(keys.resolve("gateway.pub.pem")), pub.stdout());

        // one changed byte of the manifest: openssl says no
        byte[] manifest = Files.readAllBytes(window.resolve("manifest.json"));
        manifest[manifest.length / 2] ^= 0x01;
        Files.write(window.resolve("manifest.json"), manifest);
        Run bad = run(window, OPENSSL, "pkeyutl", "-verify", "-pubin", "-inkey", "gateway.pub.pem", "-rawin", "-in",
                "manifest.json", "-sigfile", "manifest.json.sig");
        assertNotEquals(0, bad.exit(), bad.out());
        assertEquals("Signature Verification Failure", bad.out().strip());
        assertTrue(List.of(window.toFile().list()).contains("manifest.json.sig"));
    }
}
