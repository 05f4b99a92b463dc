package org.fieldgate.config;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PEM files (what mosquitto, InfluxDB and openssl use) turned into the JDK's TLS objects, for the MQTT ingest
 * and the InfluxDB forwarder alike. Every failure names what is wrong with the file, for the start-up check.
 */
public final class TlsFiles {
    private static final Pattern PKCS8 = Pattern.compile(
            "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");
    private static final char[] NO_PASSWORD = new char[0];

    private TlsFiles() {
    }

    /** Whether {@code e} or a cause of it is a TLS failure (a handshake refused: CA, host name, protocol). */
    public static boolean isTlsFailure(Throwable e) {
        for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof javax.net.ssl.SSLException) {
                return true;
            }
        }
        return false;
    }

    /** The certificates in a PEM file; at least one. */
    public static List<X509Certificate> certificates(Path pem) throws IOException, GeneralSecurityException {
        if (!Files.readString(pem, StandardCharsets.ISO_8859_1).contains("-----BEGIN CERTIFICATE-----")) {
            throw new GeneralSecurityException("no PEM certificate (-----BEGIN CERTIFICATE-----) in it");
        }
        List<X509Certificate> certificates = new ArrayList<>();
        try (InputStream in = Files.newInputStream(pem)) {
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                certificates.add((X509Certificate) c);
            }
        } catch (java.security.cert.CertificateException e) {
            throw new GeneralSecurityException("not a PEM certificate file (" + e.getMessage() + ")", e);
        }
        if (certificates.isEmpty()) {
            throw new GeneralSecurityException("no PEM certificate (-----BEGIN CERTIFICATE-----) in it");
        }
        return certificates;
    }

    /** An unencrypted PKCS#8 private key (RSA, EC or Ed25519), as openssl genpkey writes it. */
    public static PrivateKey privateKey(Path pem) throws IOException, GeneralSecurityException {
        String text = Files.readString(pem, StandardCharsets.US_ASCII);
        Matcher m = PKCS8.matcher(text);
        if (!m.find()) {
            String hint = text.contains("ENCRYPTED PRIVATE KEY") ? "it is encrypted; the gateway needs it unencrypted"
                    : text.contains("-----BEGIN RSA PRIVATE KEY-----") || text.contains("-----BEGIN EC PRIVATE KEY-----")
                    ? "it is in the older PKCS#1/SEC1 form"
                    : "no -----BEGIN PRIVATE KEY----- block in it";
            throw new GeneralSecurityException("not an unencrypted PKCS#8 PEM private key: " + hint
                    + " (convert with: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8)");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(m.group(1));
        } catch (IllegalArgumentException e) {
            throw new GeneralSecurityException("the PRIVATE KEY block is not valid base64", e);
        }
        for (String algorithm : List.of("RSA", "EC", "Ed25519")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (InvalidKeySpecException e) {
                // not this algorithm; try the next
            }
        }
        throw new GeneralSecurityException("the PRIVATE KEY block is not an RSA, EC or Ed25519 key");
    }

    /** Trusts exactly the certificates in {@code caFile}. */
    public static X509TrustManager trustManager(Path caFile) throws IOException, GeneralSecurityException {
        KeyStore store = emptyStore();
        int i = 0;
        for (X509Certificate ca : certificates(caFile)) {
            store.setCertificateEntry("ca-" + i++, ca);
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        for (TrustManager tm : factory.getTrustManagers()) {
            if (tm instanceof X509TrustManager x509) {
                return x509;
            }
        }
        throw new GeneralSecurityException("the JDK offers no X.509 trust manager");
    }

    /**
     * A TLS client context: trusts {@code caFile} (the JVM's trust store when null) and, when both are given,
     * presents {@code certFile} with {@code keyFile} (mutual TLS).
     */
    public static SSLContext clientContext(Path caFile, Path certFile, Path keyFile)
            throws IOException, GeneralSecurityException {
        TrustManager[] trust = caFile == null ? null : new TrustManager[]{trustManager(caFile)};
        javax.net.ssl.KeyManager[] keys = null;
        if (certFile != null && keyFile != null) {
            List<X509Certificate> chain = certificates(certFile);
            PrivateKey key = privateKey(keyFile);
            requireMatch(chain.get(0), key);
            KeyStore store = emptyStore();
            store.setKeyEntry("client", key, NO_PASSWORD, chain.toArray(new X509Certificate[0]));
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(store, NO_PASSWORD);
            keys = factory.getKeyManagers();
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys, trust, null);
        return context;
    }

    /** A key that does not belong to the certificate fails every handshake with an obscure alert; say so up front. */
    static void requireMatch(X509Certificate certificate, PrivateKey key) throws GeneralSecurityException {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> "Ed25519";
        };
        byte[] probe = "fieldgate key check".getBytes(StandardCharsets.US_ASCII);
        Signature signer = Signature.getInstance(algorithm);
        signer.initSign(key);
        signer.update(probe);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance(algorithm);
        try {
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            if (verifier.verify(signature)) {
                return;
            }
        } catch (GeneralSecurityException e) {
            // a key of another type: the same verdict as a failed verification
        }
        throw new GeneralSecurityException("the private key does not belong to the certificate "
                + certificate.getSubjectX500Principal().getName());
    }

    private static KeyStore emptyStore() throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        return store;
    }
}
