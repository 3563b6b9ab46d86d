package dev.duplex.internal.tls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * A bundle of CA certificates read from a PEM file, as the trust anchors for checking a peer:
 * a client checking a server with a private CA, or a server checking client certificates
 * (mutual TLS). The JDK's PKIX checks apply (chain, validity, key usage); nothing else is trusted.
 */
public final class TrustedCertificates {
    private TrustedCertificates() {}

    /**
     * A trust manager that trusts the {@code CERTIFICATE} blocks of {@code pemBundle} and
     * nothing else.
     *
     * @throws UncheckedIOException when the file cannot be read
     * @throws IllegalArgumentException when it holds no certificate, or a damaged one; the
     *     message names the file
     */
    public static X509TrustManager fromPem(Path pemBundle) {
        List<X509Certificate> anchors = new ArrayList<>();
        try {
            for (Pem.Block block : Pem.parse(ServerCredentials.readText(pemBundle), pemBundle.toString())) {
                if (block.label().equals("CERTIFICATE")) {
                    anchors.add(ServerCredentials.certificate(block.der(), pemBundle.toString()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (anchors.isEmpty()) {
            throw new IllegalArgumentException(pemBundle + ": no CERTIFICATE block");
        }
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            for (int i = 0; i < anchors.size(); i++) {
                store.setCertificateEntry("ca" + i, anchors.get(i));
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            for (TrustManager manager : factory.getTrustManagers()) {
                if (manager instanceof X509TrustManager x509) {
                    return x509;
                }
            }
            throw new IllegalStateException("the JDK's trust manager factory made no X.509 trust manager");
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException(pemBundle + ": cannot be used as trust anchors: " + e.getMessage(), e);
        }
    }
}
