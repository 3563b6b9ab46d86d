package dev.duplex.internal.tls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/** The TLS context of a client made from files: its own certificate (mutual TLS) and whom it trusts. */
public final class ClientTls {
    private ClientTls() {}

    /**
     * A context presenting the chain and key of the PEM files, when given, and trusting
     * {@code trust}, or the JDK's default trust store when it is null.
     *
     * @throws UncheckedIOException when a file cannot be read
     * @throws IllegalArgumentException when a file is wrong or the key is not the certificate's
     */
    public static SSLContext context(Path chain, Path key, X509TrustManager trust) {
        KeyManager[] keys = null;
        if (chain != null) {
            try {
                keys = ServerCredentials.fromPem(chain, key).keyManagers();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys, trust == null ? null : new TrustManager[] {trust}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java SE platform provides TLS", e);
        }
    }
}
