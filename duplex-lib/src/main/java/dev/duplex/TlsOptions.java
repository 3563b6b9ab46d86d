package dev.duplex;

import dev.duplex.internal.tls.ServerCredentials;
import dev.duplex.internal.tls.TrustedCertificates;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import javax.net.ssl.X509TrustManager;

/**
 * TLS for a server, so that it serves {@code wss://} and {@code https://}: the certificate it
 * presents and the protocol versions it speaks. Immutable; {@link #builder()} reads and checks
 * the files at once, so a missing file, a damaged PEM block or a key that belongs to another
 * certificate fails when the server is built, not at a client's handshake.
 *
 * <pre>{@code
 * WebSocketServer server = WebSocketServer.builder()
 *         .port(8443)
 *         .tls(TlsOptions.fromPem(Path.of("cert.pem"), Path.of("key.pem")))
 *         .route("/echo", handler)
 *         .build()
 *         .start();
 * }</pre>
 *
 * <p>What every TLS connection gets, whatever the source of the certificate (catalogue row I):
 * <ul>
 *   <li>TLS 1.3 and 1.2 only; older versions are refused at the handshake;</li>
 *   <li>ALPN {@code http/1.1} (RFC 7301), the protocol the upgrade request speaks; a client that
 *       offers ALPN without it is refused;</li>
 *   <li>the TLS handshake counts against the server's handshake timeout, so a ClientHello that
 *       trickles in or never ends is cut off with the rest of a slow handshake (row A16);</li>
 *   <li>no client-initiated renegotiation: TLS 1.3 has none, and for TLS 1.2 the JDK refuses it
 *       when the system property {@code jdk.tls.rejectClientInitiatedRenegotiation} is true.
 *       Duplex sets it to true when this class is first used, unless the application has set it
 *       already. The JDK reads it once per process, at the first server-side TLS handshake, so
 *       an application that runs another TLS server in the same process before Duplex's should
 *       set it on the command line ({@code -Djdk.tls.rejectClientInitiatedRenegotiation=true}).</li>
 * </ul>
 * The certificate can be replaced while the server runs with
 * {@link WebSocketServer#reloadTls(TlsOptions)}.
 *
 * <p>Mutual TLS: {@link Builder#clientAuth} makes the server request or require a client
 * certificate issued by a CA of a PEM bundle. The JDK checks the chain during the TLS handshake
 * (a required certificate that is missing or untrusted ends the connection there); the verified
 * chain is then in {@link HandshakeRequest#peerCertificates()}, and its subject becomes the
 * connection's principal ({@link Handshake#principal()}) unless an interceptor names another.
 *
 * <p>This is a class rather than a record so that neither {@code toString} nor an accessor can
 * hand out the private key.
 */
public final class TlsOptions {
    /** The property through which the JDK refuses client-initiated TLS 1.2 renegotiation. */
    public static final String REJECT_RENEGOTIATION_PROPERTY = "jdk.tls.rejectClientInitiatedRenegotiation";
    /** The protocol versions offered by default, and the only ones allowed. */
    public static final List<String> DEFAULT_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
    /** The one application protocol a WebSocket server negotiates with ALPN. */
    public static final String APPLICATION_PROTOCOL = "http/1.1";

    static {
        // Before any of our server handshakes can run: the JDK reads the property only once.
        if (System.getProperty(REJECT_RENEGOTIATION_PROPERTY) == null) {
            System.setProperty(REJECT_RENEGOTIATION_PROPERTY, "true");
        }
    }

    /** Whether the server asks TLS clients for a certificate (mutual TLS). */
    public enum ClientAuth {
        /** No client certificate is asked for: the default. */
        NONE,
        /** One is asked for; a client without one is still admitted, one with an untrusted one is not. */
        OPTIONAL,
        /** A client without a certificate from the trusted CAs fails the TLS handshake. */
        REQUIRED
    }

    private final SSLContext context;
    private final List<X509Certificate> chain;
    private final List<String> protocols;
    private final ClientAuth clientAuth;

    private TlsOptions(SSLContext context, List<X509Certificate> chain, List<String> protocols, ClientAuth clientAuth) {
        this.context = context;
        this.chain = chain;
        this.protocols = protocols;
        this.clientAuth = clientAuth;
    }

    /**
     * The certificate chain (leaf first, as {@code CERTIFICATE} blocks) and the private key
     * (PKCS#8 {@code PRIVATE KEY}, PKCS#1 {@code RSA PRIVATE KEY} or SEC1 {@code EC PRIVATE KEY},
     * unencrypted) from PEM files, with the default protocols.
     *
     * @throws UncheckedIOException when a file cannot be read
     * @throws IllegalArgumentException when a file holds something else, or the key does not
     *     belong to the first certificate; the message names the file and the reason
     */
    public static TlsOptions fromPem(Path certificateChain, Path privateKey) {
        return builder().pem(certificateChain, privateKey).build();
    }

    /** The only key entry of a PKCS12 keystore, opened with {@code password}; see {@link #fromPem}. */
    public static TlsOptions fromPkcs12(Path keystore, char[] password) {
        return builder().pkcs12(keystore, password, null).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The context each new TLS connection is created from. */
    public SSLContext sslContext() {
        return context;
    }

    /** The certificate chain presented, leaf first; empty when the options came from an {@link SSLContext}. */
    public List<X509Certificate> certificateChain() {
        return chain;
    }

    /** The protocol versions offered, most preferred first. */
    public List<String> protocols() {
        return protocols;
    }

    /** Whether client certificates are asked for (default {@link ClientAuth#NONE}). */
    public ClientAuth clientAuth() {
        return clientAuth;
    }

    @Override
    public String toString() {
        return "TlsOptions[" + (chain.isEmpty() ? "from an SSLContext"
                : chain.get(0).getSubjectX500Principal().getName() + ", valid until " + chain.get(0).getNotAfter().toInstant())
                + ", " + protocols + (clientAuth == ClientAuth.NONE ? "" : ", client certificates " + clientAuth) + "]";
    }

    /** Builds {@link TlsOptions}; one source of keys: PEM files, a PKCS12 keystore or an {@link SSLContext}. */
    public static final class Builder {
        private Path pemChain;
        private Path pemKey;
        private Path pkcs12;
        private char[] password;
        private String alias;
        private SSLContext context;
        private List<String> protocols = DEFAULT_PROTOCOLS;
        private ClientAuth clientAuth = ClientAuth.NONE;
        private Path clientCa;

        private Builder() {}

        /**
         * Asks TLS clients for a certificate issued by one of the CAs in {@code caBundle}, a PEM
         * file of {@code CERTIFICATE} blocks, read and checked when the options are built.
         * {@link ClientAuth#REQUIRED} refuses clients without one at the TLS handshake;
         * {@link ClientAuth#OPTIONAL} admits them without a principal. With an
         * {@link #sslContext} of the application's, {@code caBundle} may be null and the
         * context's own trust managers judge the certificates. Default: {@link ClientAuth#NONE}.
         */
        public Builder clientAuth(ClientAuth mode, Path caBundle) {
            this.clientAuth = Objects.requireNonNull(mode, "mode");
            this.clientCa = mode == ClientAuth.NONE ? null : caBundle;
            return this;
        }

        /** The certificate chain and private key as PEM files; see {@link TlsOptions#fromPem}. */
        public Builder pem(Path certificateChain, Path privateKey) {
            clearSources();
            this.pemChain = Objects.requireNonNull(certificateChain, "certificateChain");
            this.pemKey = Objects.requireNonNull(privateKey, "privateKey");
            return this;
        }

        /**
         * A key entry of a PKCS12 keystore: the one named {@code alias}, or the only one when
         * {@code alias} is null. The password opens the store and the key; it is copied.
         */
        public Builder pkcs12(Path keystore, char[] password, String alias) {
            clearSources();
            this.pkcs12 = Objects.requireNonNull(keystore, "keystore");
            this.password = Objects.requireNonNull(password, "password").clone();
            this.alias = alias;
            return this;
        }

        /**
         * A context the application made itself, for keys in a hardware module or a key manager
         * of its own. Protocol versions, ALPN and renegotiation are still Duplex's to set.
         */
        public Builder sslContext(SSLContext context) {
            clearSources();
            this.context = Objects.requireNonNull(context, "context");
            return this;
        }

        /**
         * The protocol versions to offer, from {@code TLSv1.3} and {@code TLSv1.2} (default:
         * both). Only those two are accepted: older versions have known weaknesses (RFC 8996).
         */
        public Builder protocols(String... protocols) {
            List<String> chosen = List.copyOf(Arrays.asList(protocols));
            if (chosen.isEmpty() || !DEFAULT_PROTOCOLS.containsAll(chosen)) {
                throw new IllegalArgumentException("protocols must be TLSv1.3 and/or TLSv1.2, not " + chosen);
            }
            this.protocols = chosen;
            return this;
        }

        private void clearSources() {
            pemChain = pemKey = pkcs12 = null;
            context = null;
            alias = null;
            if (password != null) {
                Arrays.fill(password, '\0');
                password = null;
            }
        }

        /**
         * Reads and checks the key material.
         *
         * @throws IllegalStateException when no source was given
         * @throws UncheckedIOException when a file cannot be read
         * @throws IllegalArgumentException when a file's content is wrong, with the file and reason
         */
        public TlsOptions build() {
            if (context != null) {
                if (clientCa != null) {
                    throw new IllegalArgumentException("an sslContext brings its own trust managers; give no CA bundle with it");
                }
                return new TlsOptions(context, List.of(), protocols, clientAuth);
            }
            if (clientAuth != ClientAuth.NONE && clientCa == null) {
                throw new IllegalStateException("client certificates need a CA bundle to check them against");
            }
            ServerCredentials credentials;
            try {
                if (pemChain != null) {
                    credentials = ServerCredentials.fromPem(pemChain, pemKey);
                } else if (pkcs12 != null) {
                    credentials = ServerCredentials.fromPkcs12(pkcs12, password, alias);
                } else {
                    throw new IllegalStateException("no certificate: call pem, pkcs12 or sslContext first");
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            X509TrustManager trust = clientCa == null ? null : TrustedCertificates.fromPem(clientCa);
            return new TlsOptions(credentials.sslContext(trust), credentials.chain(), protocols, clientAuth);
        }
    }
}
