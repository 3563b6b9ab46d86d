package dev.duplex.internal.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAKey;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.SSLContext;

/**
 * A server's private key and certificate chain, read from PEM files or a PKCS12 keystore and
 * checked against each other, so that a key for another certificate fails when the server is
 * built rather than at every client's handshake.
 *
 * @param key the private key
 * @param chain the certificate chain, leaf first
 */
public record ServerCredentials(PrivateKey key, List<X509Certificate> chain) {
    /** The in-memory keystore's own password: it never leaves this object. */
    private static final char[] STORE_PASSWORD = "duplex".toCharArray();

    public ServerCredentials {
        chain = List.copyOf(chain);
    }

    /**
     * Reads a chain of {@code CERTIFICATE} blocks (leaf first) and one private key block.
     * Blocks with other labels are ignored, so one file holding both may be given for both.
     *
     * @throws IOException when a file cannot be read
     * @throws IllegalArgumentException when the content is not what it should be, with the file
     *     and the reason
     */
    public static ServerCredentials fromPem(Path chainFile, Path keyFile) throws IOException {
        List<X509Certificate> chain = new ArrayList<>();
        for (Pem.Block block : Pem.parse(readText(chainFile), chainFile.toString())) {
            if (block.label().equals("CERTIFICATE")) {
                chain.add(certificate(block.der(), chainFile.toString()));
            }
        }
        if (chain.isEmpty()) {
            throw new IllegalArgumentException(chainFile + ": no CERTIFICATE block");
        }
        List<Pem.Block> keys = Pem.parse(readText(keyFile), keyFile.toString()).stream()
                .filter(b -> PrivateKeyReader.isPrivateKey(b.label())).toList();
        if (keys.size() != 1) {
            throw new IllegalArgumentException(keyFile + ": expected one private key block, found " + keys.size());
        }
        PrivateKey key = PrivateKeyReader.read(keys.get(0), keyFile.toString());
        return checked(key, chain, keyFile + " and " + chainFile);
    }

    /**
     * Reads the private key entry named {@code alias} from a PKCS12 keystore, or its only one when
     * {@code alias} is null. The password opens both the store and the key, as keytool and
     * openssl make them.
     */
    public static ServerCredentials fromPkcs12(Path file, char[] password, String alias) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            try {
                store.load(in, password);
            } catch (IOException e) {
                if (e.getCause() instanceof UnrecoverableKeyException) {
                    throw new IllegalArgumentException(file + ": wrong password for the PKCS12 keystore", e);
                }
                throw new IllegalArgumentException(file + ": not a readable PKCS12 keystore: " + e.getMessage(), e);
            }
            List<String> keyAliases = new ArrayList<>();
            for (String a : Collections.list(store.aliases())) {
                if (store.entryInstanceOf(a, KeyStore.PrivateKeyEntry.class)) {
                    keyAliases.add(a);
                }
            }
            String chosen = alias;
            if (chosen == null) {
                if (keyAliases.size() != 1) {
                    throw new IllegalArgumentException(file + ": expected one key entry, found " + keyAliases.size()
                            + " " + keyAliases + "; name one");
                }
                chosen = keyAliases.get(0);
            } else if (!keyAliases.contains(chosen)) {
                throw new IllegalArgumentException(file + ": no key entry named " + chosen + " (found " + keyAliases + ")");
            }
            PrivateKey key;
            try {
                key = (PrivateKey) store.getKey(chosen, password);
            } catch (UnrecoverableKeyException e) {
                throw new IllegalArgumentException(file + ": the key's password differs from the store's", e);
            }
            List<X509Certificate> chain = new ArrayList<>();
            for (Certificate c : store.getCertificateChain(chosen)) {
                if (!(c instanceof X509Certificate x509)) {
                    throw new IllegalArgumentException(file + ": the chain of " + chosen + " holds a "
                            + c.getType() + " certificate, not X.509");
                }
                chain.add(x509);
            }
            return checked(key, chain, file.toString());
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** A TLS context that presents this chain; trust material is left to the JDK's defaults. */
    public SSLContext sslContext() {
        return sslContext(null);
    }

    /**
     * A TLS context that presents this chain and checks peers' certificates with
     * {@code trust}, or with the JDK's default trust store when it is null.
     */
    public SSLContext sslContext(TrustManager trust) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers(), trust == null ? null : new TrustManager[] {trust}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot build a TLS context from a checked key and chain", e);
        }
    }

    /** Key managers that present this chain, for a context built elsewhere. */
    public KeyManager[] keyManagers() {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("server", key, STORE_PASSWORD, chain.toArray(Certificate[]::new));
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, STORE_PASSWORD);
            return keys.getKeyManagers();
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("the JDK cannot hold a checked key and chain", e);
        }
    }

    private static ServerCredentials checked(PrivateKey key, List<X509Certificate> chain, String source) {
        if (!matches(key, chain.get(0).getPublicKey())) {
            throw new IllegalArgumentException(source + ": the private key does not belong to the first certificate ("
                    + chain.get(0).getSubjectX500Principal().getName() + ")");
        }
        return new ServerCredentials(key, chain);
    }

    /** Whether the key pairs with the certificate's public key: same modulus, or a signature verifies. */
    static boolean matches(PrivateKey key, PublicKey certified) {
        if (key instanceof RSAKey rsa) {
            return certified instanceof RSAKey other && rsa.getModulus().equals(other.getModulus());
        }
        String algorithm = switch (key.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "Ed448", "EdDSA" -> "EdDSA";
            default -> null;
        };
        if (algorithm == null) {
            return false;
        }
        try {
            byte[] probe = new byte[32];
            new SecureRandom().nextBytes(probe);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certified);
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false; // a key of another curve or type does not pair with this certificate
        }
    }

    static X509Certificate certificate(byte[] der, String source) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(der));
        } catch (CertificateException e) {
            throw new IllegalArgumentException(source + ": a CERTIFICATE block is not an X.509 certificate: "
                    + e.getMessage(), e);
        }
    }

    static String readText(Path file) throws IOException {
        if (Files.size(file) > Pem.MAX_TEXT) {
            throw new IllegalArgumentException(file + ": larger than " + Pem.MAX_TEXT + " bytes; not a PEM file");
        }
        // ISO-8859-1 maps every byte, so a stray non-ASCII byte reaches the strict parser intact.
        return new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
    }

    @Override
    public String toString() {
        return "ServerCredentials[" + key.getAlgorithm() + " key, " + chain.size() + " certificate(s), leaf "
                + chain.get(0).getSubjectX500Principal().getName() + "]";
    }
}
