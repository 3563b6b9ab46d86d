package dev.duplex;

import dev.duplex.internal.tls.ClientTls;
import dev.duplex.internal.tls.TrustedCertificates;
import dev.duplex.protocol.handshake.ClientHandshake;
import dev.duplex.protocol.handshake.Headers;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.X509TrustManager;

/**
 * How a {@link WebSocketClient} opens connections, and how they behave once open. Immutable;
 * build with {@link #builder()}. The defaults are safe: no redirects, hostname verification on.
 *
 * @param connectTimeout how long the TCP connect may take, including any wait for an earlier
 *     attempt to the same address that is still connecting (RFC 6455 4.1 allows one at a time);
 *     default 10 s
 * @param handshakeTimeout how long from the TCP connection to a valid 101, TLS included; a
 *     server that trickles its answer or never sends one is dropped then (default 10 s)
 * @param headers extra request fields, such as {@code Authorization} or {@code Cookie}; they may
 *     not set a field the handshake writes itself ({@code Host}, {@code Upgrade},
 *     {@code Sec-WebSocket-*}, {@code Origin}, ...)
 * @param subprotocols the subprotocols to offer, most preferred first; the server may pick one
 *     of them or none, anything else fails the handshake (row B4)
 * @param origin the {@code Origin} to send, or null to send none (default: none, as a
 *     non-browser client; set it for servers that only admit listed origins)
 * @param followRedirects whether to follow a 3xx answer's {@code Location}, up to
 *     {@value #MAX_REDIRECTS} times; {@code Authorization} and {@code Cookie} are dropped once a
 *     redirect crosses origins or leaves {@code wss} for {@code ws} (default: off, row B1)
 * @param sslContext where {@code wss} gets its trust store and keys, or null for the JDK's
 *     default context
 * @param insecureSkipHostnameVerification accept a {@code wss} certificate issued for another
 *     host (default false: verified, row B6). The chain must still be trusted; this only skips
 *     the name check, and is named so nobody turns it on by accident.
 * @param connectionOptions limits, outbound queue and timers of the open connection, the same
 *     as a server's (default {@link ConnectionOptions#DEFAULTS})
 * @param compression whether to offer permessage-deflate (RFC 7692) and with what: compression
 *     level, the size below which messages go out uncompressed, context takeover and window
 *     sizes (see {@link dev.duplex.protocol.extension.PerMessageDeflate.Config}, read from the
 *     client's side). Default {@link CompressionOptions#ENABLED}: on, as browsers do, offering
 *     {@code permessage-deflate; client_max_window_bits}; the server may decline, and the
 *     connection is then uncompressed. {@link CompressionOptions#DISABLED} offers nothing.
 *     {@link CompressionOptions#maxContextTakeoverCompressors()} is a server's cap and does not
 *     apply here. A message can still be kept out with {@link SendOption#UNCOMPRESSED}
 * @param wireTap gives each connection attempt a {@link WireTap} that sees the bytes on the
 *     wire, for diagnostics; called on the I/O threads. Default null: none
 * @param proxy how connections reach the server: {@link ProxyOptions#SYSTEM} by default, which
 *     asks the JDK's {@link java.net.ProxySelector} (so {@code -Dhttps.proxyHost} and friends
 *     apply); {@link ProxyOptions#DIRECT} ignores them; or an HTTP or SOCKS5 proxy of its own
 * @param reconnect when to connect again after the connection drops, or null never to (the
 *     default); see {@link ReconnectPolicy}
 */
public record ClientOptions(
        Duration connectTimeout,
        Duration handshakeTimeout,
        Headers headers,
        List<String> subprotocols,
        String origin,
        boolean followRedirects,
        SSLContext sslContext,
        boolean insecureSkipHostnameVerification,
        ConnectionOptions connectionOptions,
        CompressionOptions compression,
        Supplier<WireTap> wireTap,
        ProxyOptions proxy,
        ReconnectPolicy reconnect) {

    /** The most redirects followed for one connection when {@link #followRedirects} is on. */
    public static final int MAX_REDIRECTS = 5;
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    /** A well-formed key for the trial request that checks the options; never sent. */
    private static final String TRIAL_KEY = "AAAAAAAAAAAAAAAAAAAAAA==";

    /** The defaults listed above. */
    public static final ClientOptions DEFAULTS = builder().build();

    /**
     * @throws IllegalArgumentException when a timeout is not positive, a header sets a field the
     *     handshake owns, or a subprotocol is not a token or is offered twice
     */
    public ClientOptions {
        requirePositive(connectTimeout, "connectTimeout");
        requirePositive(handshakeTimeout, "handshakeTimeout");
        Objects.requireNonNull(headers, "headers");
        subprotocols = List.copyOf(subprotocols);
        Objects.requireNonNull(connectionOptions, "connectionOptions");
        Objects.requireNonNull(compression, "compression");
        Objects.requireNonNull(proxy, "proxy");
        // The handshake owns these rules; a trial request applies them now rather than at connect.
        new ClientHandshake(URI.create("ws://options.invalid/"), TRIAL_KEY, subprotocols, List.of(), headers, origin);
    }

    private static void requirePositive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        Builder b = new Builder().connectTimeout(connectTimeout).handshakeTimeout(handshakeTimeout)
                .headers(headers).subprotocols(subprotocols).origin(origin).followRedirects(followRedirects)
                .sslContext(sslContext).connectionOptions(connectionOptions).compression(compression);
        b.insecureSkipHostnameVerification = insecureSkipHostnameVerification;
        b.wireTap = wireTap;
        b.proxy = proxy;
        b.reconnect = reconnect;
        return b;
    }

    /** Builds {@link ClientOptions}; every setting starts at its default. Not thread-safe. */
    public static final class Builder {
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;
        private Headers.Builder headers = Headers.builder();
        private final List<String> subprotocols = new ArrayList<>();
        private String origin;
        private boolean followRedirects;
        private SSLContext sslContext;
        private boolean insecureSkipHostnameVerification;
        private ConnectionOptions connectionOptions = ConnectionOptions.DEFAULTS;
        private CompressionOptions compression = CompressionOptions.ENABLED;
        private Supplier<WireTap> wireTap;
        private ProxyOptions proxy = ProxyOptions.SYSTEM;
        private ReconnectPolicy reconnect;
        private Path clientCertificateChain;
        private Path clientKey;
        private X509TrustManager trustManager;

        private Builder() {}

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = timeout;
            return this;
        }

        public Builder handshakeTimeout(Duration timeout) {
            this.handshakeTimeout = timeout;
            return this;
        }

        /** Adds a request field, after any others of the same name. */
        public Builder header(String name, String value) {
            headers.add(name, value);
            return this;
        }

        /** Replaces the request fields added so far. */
        public Builder headers(Headers fields) {
            this.headers = fields.toBuilder();
            return this;
        }

        /** Offers a subprotocol, after those already offered. */
        public Builder subprotocol(String name) {
            subprotocols.add(Objects.requireNonNull(name, "name"));
            return this;
        }

        /** Replaces the subprotocols offered so far. */
        public Builder subprotocols(List<String> names) {
            subprotocols.clear();
            subprotocols.addAll(names);
            return this;
        }

        /** The {@code Origin} to send; null sends none. */
        public Builder origin(String origin) {
            this.origin = origin;
            return this;
        }

        /** Follows up to {@value ClientOptions#MAX_REDIRECTS} redirects (default: none). */
        public Builder followRedirects(boolean follow) {
            this.followRedirects = follow;
            return this;
        }

        /** The TLS context for {@code wss}: trust store, client keys; null for the JDK's default. */
        public Builder sslContext(SSLContext context) {
            this.sslContext = context;
            return this;
        }

        /**
         * Accepts a trusted certificate even when it names another host. For tests against a
         * certificate made for a different name; never for production (row B6).
         */
        public Builder insecureSkipHostnameVerification() {
            this.insecureSkipHostnameVerification = true;
            return this;
        }

        public Builder connectionOptions(ConnectionOptions options) {
            this.connectionOptions = options;
            return this;
        }

        /**
         * Whether and how to offer permessage-deflate; {@link CompressionOptions#DISABLED} turns
         * it off (default {@link CompressionOptions#ENABLED}).
         */
        public Builder compression(CompressionOptions options) {
            this.compression = options;
            return this;
        }

        /**
         * A tap for each connection attempt, for diagnostics (default: none). The supplier is
         * called on the connecting thread, once per attempt; it may return null for no tap.
         * The taps are called on the connection's I/O threads: see {@link WireTap}.
         */
        public Builder wireTap(Supplier<? extends WireTap> perConnection) {
            this.wireTap = perConnection == null ? null : perConnection::get;
            return this;
        }

        /**
         * How connections reach the server (default {@link ProxyOptions#SYSTEM}: the JDK's
         * {@link java.net.ProxySelector}, so {@code -Dhttps.proxyHost} and friends apply).
         */
        public Builder proxy(ProxyOptions proxy) {
            this.proxy = Objects.requireNonNull(proxy, "proxy");
            return this;
        }

        /** Connects again after a drop, as {@code policy} says (default null: never). */
        public Builder reconnect(ReconnectPolicy policy) {
            this.reconnect = policy;
            return this;
        }

        /**
         * A client certificate for {@code wss} servers that ask for one (mutual TLS): the chain,
         * leaf first, and its private key as PEM files, read and checked when the options are
         * built, as {@link TlsOptions#fromPem} reads a server's. Default: none. Not together
         * with {@link #sslContext}, which carries keys of its own.
         */
        public Builder clientCertificate(Path certificateChain, Path privateKey) {
            this.clientCertificateChain = Objects.requireNonNull(certificateChain, "certificateChain");
            this.clientKey = Objects.requireNonNull(privateKey, "privateKey");
            return this;
        }

        /**
         * The certificates to trust for {@code wss} instead of the JDK's default trust store:
         * every {@code CERTIFICATE} block of a PEM file, such as a private CA. Not together with
         * {@link #sslContext}.
         */
        public Builder trustedCertificates(Path pemBundle) {
            this.trustManager = TrustedCertificates.fromPem(Objects.requireNonNull(pemBundle, "pemBundle"));
            return this;
        }

        /** The trust manager to check servers with, instead of the JDK's default. Not together with {@link #sslContext}. */
        public Builder trustManager(X509TrustManager trustManager) {
            this.trustManager = Objects.requireNonNull(trustManager, "trustManager");
            return this;
        }

        /**
         * @throws IllegalArgumentException when an option is out of range, a client certificate
         *     file cannot be read or does not fit its key, or an {@link #sslContext} is given with
         *     a client certificate or trust of its own
         */
        public ClientOptions build() {
            SSLContext context = sslContext;
            if (clientCertificateChain != null || trustManager != null) {
                if (sslContext != null) {
                    throw new IllegalArgumentException("give either an sslContext or a client certificate and trust, "
                            + "not both: the context carries its own keys and trust");
                }
                context = ClientTls.context(clientCertificateChain, clientKey, trustManager);
            }
            return new ClientOptions(connectTimeout, handshakeTimeout, headers.build(), subprotocols, origin,
                    followRedirects, context, insecureSkipHostnameVerification, connectionOptions,
                    compression, wireTap, proxy, reconnect);
        }
    }
}
