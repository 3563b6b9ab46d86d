package dev.duplex.compliance.peers;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A certificate authority made at test time, and server certificates it signs, written with the
 * JDK's own classes: a small DER writer for X.509 v3 (RFC 5280) and ECDSA P-256 keys. Nothing
 * is read from disk or fetched; each run has its own CA, trusted only by the tests' contexts.
 */
public final class TestPki {
    private static final String EC_WITH_SHA256 = "1.2.840.10045.4.3.2";
    private static final char[] PASSWORD = "test".toCharArray();
    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

    /** A key and its certificate chain (leaf first). */
    public record Issued(PrivateKey key, X509Certificate certificate, X509Certificate issuer) {
        /** An SSL context that presents this certificate, for a Java TLS server. */
        public SSLContext serverContext() throws GeneralSecurityException, IOException {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("server", key, PASSWORD, new Certificate[] {certificate, issuer});
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(store, PASSWORD);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), null, null);
            return context;
        }

        /** Writes the chain and the key as PEM files for peers outside the JVM; returns {cert, key}. */
        public Path[] writePem(Path dir, String name) throws IOException, GeneralSecurityException {
            Path cert = dir.resolve(name + ".crt");
            Path keyFile = dir.resolve(name + ".key");
            Files.writeString(cert, pem("CERTIFICATE", certificate.getEncoded()) + pem("CERTIFICATE", issuer.getEncoded()));
            Files.writeString(keyFile, pem("PRIVATE KEY", key.getEncoded())); // PKCS#8
            return new Path[] {cert, keyFile};
        }
    }

    private final KeyPair caKeys;
    private final X509Certificate ca;
    private final String caName;

    public TestPki() throws GeneralSecurityException, IOException {
        caKeys = newKeyPair();
        caName = "Duplex Test CA " + System.nanoTime();
        ca = sign(caName, caName, caKeys.getPublic().getEncoded(), caKeys.getPrivate(), true, List.of(), List.of(), null);
    }

    /** A server certificate for these DNS names and IP addresses, signed by this CA. */
    public Issued issue(List<String> dnsNames, List<String> ipAddresses) throws GeneralSecurityException, IOException {
        KeyPair keys = newKeyPair();
        X509Certificate leaf = sign(dnsNames.isEmpty() ? ipAddresses.get(0) : dnsNames.get(0), caName,
                keys.getPublic().getEncoded(), caKeys.getPrivate(), false, dnsNames, ipAddresses, SERVER_AUTH);
        return new Issued(keys.getPrivate(), leaf, ca);
    }

    /**
     * A client certificate for mutual TLS: subject {@code CN=commonName}, extended key usage
     * clientAuth, no subject alternative names; signed by this CA.
     */
    public Issued issueClient(String commonName) throws GeneralSecurityException, IOException {
        KeyPair keys = newKeyPair();
        X509Certificate leaf = sign(commonName, caName, keys.getPublic().getEncoded(), caKeys.getPrivate(), false,
                List.of(), List.of(), CLIENT_AUTH);
        return new Issued(keys.getPrivate(), leaf, ca);
    }

    /** The CA certificate, PEM, for peers that check against it (a server's client CA bundle). */
    public Path writeCaPem(Path dir, String name) throws IOException, GeneralSecurityException {
        Path file = dir.resolve(name + ".crt");
        Files.writeString(file, pem("CERTIFICATE", ca.getEncoded()));
        return file;
    }

    /** A client context that trusts this CA and nothing else. */
    public SSLContext trustingContext() throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setCertificateEntry("ca", ca);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    private static KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    // ---------------------------------------------------------------- RFC 5280 in DER

    private static X509Certificate sign(String subject, String issuer, byte[] subjectPublicKeyInfo, PrivateKey signer,
                                        boolean isCa, List<String> dnsNames, List<String> ipAddresses,
                                        String extendedKeyUsage)
            throws GeneralSecurityException, IOException {
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        byte[] algorithm = sequence(oid(EC_WITH_SHA256));
        ByteArrayOutputStream extensions = new ByteArrayOutputStream();
        // basicConstraints, critical
        extensions.writeBytes(sequence(oid("2.5.29.19"), bool(true),
                octetString(isCa ? sequence(bool(true)) : sequence())));
        // keyUsage, critical: keyCertSign and cRLSign for the CA, digitalSignature for a server
        extensions.writeBytes(sequence(oid("2.5.29.15"), bool(true),
                octetString(isCa ? new byte[] {0x03, 0x02, 0x01, 0x06} : new byte[] {0x03, 0x02, 0x07, (byte) 0x80})));
        if (!dnsNames.isEmpty() || !ipAddresses.isEmpty()) {
            ByteArrayOutputStream names = new ByteArrayOutputStream();
            for (String dns : dnsNames) {
                names.writeBytes(tlv(0x82, dns.getBytes(StandardCharsets.US_ASCII))); // dNSName [2]
            }
            for (String ip : ipAddresses) {
                names.writeBytes(tlv(0x87, InetAddress.getByName(ip).getAddress())); // iPAddress [7]
            }
            extensions.writeBytes(sequence(oid("2.5.29.17"), octetString(tlv(0x30, names.toByteArray()))));
        }
        if (extendedKeyUsage != null) {
            extensions.writeBytes(sequence(oid("2.5.29.37"), octetString(sequence(oid(extendedKeyUsage)))));
        }
        byte[] tbs = sequence(
                tlv(0xA0, integer(BigInteger.TWO)),                  // version v3
                integer(new BigInteger(64, new java.security.SecureRandom())),
                algorithm,
                name(issuer),
                sequence(utcTime(now.minusHours(1)), utcTime(now.plusDays(1))),
                name(subject),
                subjectPublicKeyInfo,
                tlv(0xA3, tlv(0x30, extensions.toByteArray())));
        Signature signature = Signature.getInstance("SHA256withECDSA");
        signature.initSign(signer);
        signature.update(tbs);
        byte[] certificate = sequence(tbs, algorithm, bitString(signature.sign()));
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(certificate));
    }

    private static byte[] name(String commonName) {
        byte[] cn = sequence(oid("2.5.4.3"), tlv(0x0C, commonName.getBytes(StandardCharsets.UTF_8)));
        return sequence(tlv(0x31, cn));
    }

    private static byte[] utcTime(ZonedDateTime time) {
        return tlv(0x17, time.format(DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'")).getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] oid(String dotted) {
        String[] arcs = dotted.split("\\.");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(Integer.parseInt(arcs[0]) * 40 + Integer.parseInt(arcs[1]));
        for (int i = 2; i < arcs.length; i++) {
            long arc = Long.parseLong(arcs[i]);
            int groups = Math.max(1, (64 - Long.numberOfLeadingZeros(arc) + 6) / 7);
            for (int g = groups - 1; g >= 0; g--) {
                out.write((int) ((arc >>> (7 * g)) & 0x7F) | (g > 0 ? 0x80 : 0));
            }
        }
        return tlv(0x06, out.toByteArray());
    }

    private static byte[] integer(BigInteger value) {
        return tlv(0x02, value.toByteArray());
    }

    private static byte[] bool(boolean value) {
        return tlv(0x01, new byte[] {(byte) (value ? 0xFF : 0)});
    }

    private static byte[] octetString(byte[] content) {
        return tlv(0x04, content);
    }

    private static byte[] bitString(byte[] content) {
        byte[] withUnusedBits = new byte[content.length + 1];
        System.arraycopy(content, 0, withUnusedBits, 1, content.length);
        return tlv(0x03, withUnusedBits);
    }

    private static byte[] sequence(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return tlv(0x30, out.toByteArray());
    }

    private static byte[] tlv(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int n = content.length;
        if (n < 0x80) {
            out.write(n);
        } else if (n < 0x100) {
            out.write(0x81);
            out.write(n);
        } else {
            out.write(0x82);
            out.write(n >>> 8);
            out.write(n);
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }
}
