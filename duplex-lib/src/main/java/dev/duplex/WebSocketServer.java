package dev.duplex;

import dev.duplex.internal.transport.ServerAcceptor;
import dev.duplex.internal.transport.TlsAcceptor;
import dev.duplex.protocol.handshake.HeadLimits;
import dev.duplex.protocol.handshake.HostPolicy;
import dev.duplex.protocol.handshake.OriginPolicy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A WebSocket server: routes by path, each with its handler. Every connection gets a virtual
 * thread of its own, so a handler may block.
 *
 * <pre>{@code
 * WebSocketServer server = WebSocketServer.builder()
 *         .port(8080)
 *         .route("/echo", (socket, message) -> socket.send(message))
 *         .build()
 *         .start();
 * }</pre>
 */
public final class WebSocketServer implements AutoCloseable {
    private final ServerAcceptor acceptor;
    private final TlsAcceptor tls;
    private final ServerMetrics metrics;

    private WebSocketServer(Builder b) {
        this.tls = b.tls == null ? null : new TlsAcceptor(b.tls);
        InetSocketAddress bind = b.host == null ? new InetSocketAddress(b.port) : new InetSocketAddress(b.host, b.port);
        this.acceptor = new ServerAcceptor(bind,
                Map.copyOf(b.routes), Map.copyOf(b.resources), b.handshakeTimeout, b.headLimits,
                hostPolicy(b, bind), b.originPolicy, b.interceptor, b.compression, tls, b.limits,
                Map.copyOf(b.endpoints));
        this.metrics = new ServerMetrics(acceptor.metrics(), this);
    }

    /**
     * Row A20: the names given, else the default for the address bound. Bound to loopback, the
     * loopback names only; otherwise those, the names given, and any IP address, which a client
     * may use directly and which no rebinding page can claim.
     */
    private static HostPolicy hostPolicy(Builder b, InetSocketAddress bind) {
        if (b.hostPolicy != null) {
            return b.hostPolicy;
        }
        List<String> names = new ArrayList<>(HostPolicy.LOOPBACK_NAMES);
        names.addAll(b.allowedHosts);
        HostPolicy policy = HostPolicy.allowing(names);
        return bind.getAddress() != null && bind.getAddress().isLoopbackAddress() ? policy : policy.orAnyAddress();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Binds and starts accepting connections.
     *
     * @throws UncheckedIOException when the address cannot be bound
     */
    public WebSocketServer start() {
        try {
            acceptor.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** The port the server listens on: the one asked for, or the one the system chose for 0. */
    public int port() {
        return acceptor.port();
    }

    /**
     * Presents new TLS options, such as a renewed certificate, to every handshake from now on;
     * connections already open keep the session they have. Safe to call from any thread.
     *
     * @throws IllegalStateException when the server was built without TLS
     */
    public void reloadTls(TlsOptions options) {
        if (tls == null) {
            throw new IllegalStateException("this server was built without TLS; it cannot start now");
        }
        tls.reload(Objects.requireNonNull(options));
    }

    /** The number of open WebSocket connections. */
    public int connectionCount() {
        return acceptor.connectionCount();
    }

    /**
     * What this server has counted since it was built: connections, handshakes, messages,
     * bytes, closes. Always on; safe to read from any thread. See {@link ServerMetrics}.
     */
    public ServerMetrics metrics() {
        return metrics;
    }

    /** Whether the server is started and not stopping. */
    boolean accepting() {
        return acceptor.accepting();
    }

    /**
     * Stops accepting, sends 1001 (going away) to every open connection, waits up to
     * {@code timeout} for their close handshakes, then aborts what is left.
     */
    public void stop(Duration timeout) {
        acceptor.stop(timeout);
    }

    /** Stops with a 5-second grace period. */
    @Override
    public void close() {
        stop(Duration.ofSeconds(5));
    }

    /** Builds a {@link WebSocketServer}. */
    public static final class Builder {
        /** RFC 6455 leaves it open; 10 s from accept bounds slowloris heads (row A16). */
        public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

        private String host;
        private int port = 8080;
        private Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;
        private HeadLimits headLimits = HeadLimits.DEFAULTS;
        private OriginPolicy originPolicy = OriginPolicy.sameOrigin();
        private final List<String> allowedHosts = new ArrayList<>();
        private HostPolicy hostPolicy;
        private ConnectionOptions connectionOptions = ConnectionOptions.DEFAULTS;
        private HandshakeInterceptor interceptor = HandshakeInterceptor.ACCEPT_ALL;
        private CompressionOptions compression = CompressionOptions.DISABLED;
        private TlsOptions tls;
        private final Map<String, Route> routes = new LinkedHashMap<>();
        private final Map<String, StaticResource> resources = new LinkedHashMap<>();
        private ServerLimits limits = ServerLimits.DEFAULTS;
        private final Map<String, HttpEndpoint> endpoints = new LinkedHashMap<>();

        private Builder() {}

        /** The address to bind; default: every interface. */
        public Builder host(String host) {
            this.host = host;
            return this;
        }

        /** The port to bind (default 8080); 0 lets the system choose. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** Time from accept to the end of the handshake head, TLS included (default 10 s). */
        public Builder handshakeTimeout(Duration timeout) {
            this.handshakeTimeout = Objects.requireNonNull(timeout);
            return this;
        }

        /** Bounds on the HTTP head of the upgrade request (default 8 KiB lines, 100 headers, 16 KiB). */
        public Builder headLimits(HeadLimits limits) {
            this.headLimits = Objects.requireNonNull(limits);
            return this;
        }

        /**
         * Which browser origins may connect (default: the page's own origin only, so a page on
         * another site cannot open a socket with the user's cookies; clients that send no
         * Origin, which are not browsers, are let through).
         */
        public Builder originPolicy(OriginPolicy policy) {
            this.originPolicy = Objects.requireNonNull(policy);
            return this;
        }

        /**
         * A name this server answers to in the {@code Host} field, besides the defaults (row
         * A20): a request for any other name gets 421 before anything else is checked, which is
         * what stops DNS rebinding. The defaults: bound to a loopback address, {@code localhost},
         * {@code 127.0.0.1} and {@code [::1]}; bound to all interfaces or another address, those
         * and any IP address literal. So a server reached by a DNS name must list it here.
         * Repeatable; a leading dot ({@code .example.com}) allows the name and its subdomains.
         *
         * @throws IllegalArgumentException for an entry that is not a host name or address
         */
        public Builder allowedHost(String name) {
            HostPolicy.allowing(List.of(name)); // refuses a malformed entry now, not at build
            this.allowedHosts.add(name);
            return this;
        }

        /**
         * Replaces the Host check altogether, for example with {@link HostPolicy#any()} behind a
         * proxy that checks the name itself; {@link #allowedHost} is then ignored.
         */
        public Builder hostPolicy(HostPolicy policy) {
            this.hostPolicy = Objects.requireNonNull(policy);
            return this;
        }

        /** Decides, after the protocol's checks, whether an upgrade goes through (default: all do). */
        public Builder handshakeInterceptor(HandshakeInterceptor interceptor) {
            this.interceptor = Objects.requireNonNull(interceptor);
            return this;
        }

        /**
         * Whether and how messages are compressed with permessage-deflate (RFC 7692), on every
         * route. Default {@link CompressionOptions#DISABLED}; {@code CompressionOptions.ENABLED}
         * accepts a client's offer with sensible defaults.
         */
        public Builder compression(CompressionOptions compression) {
            this.compression = Objects.requireNonNull(compression);
            return this;
        }

        /**
         * Serves {@code wss://} (and {@code https://} for resources) with this certificate:
         * TLS 1.3 and 1.2, ALPN {@code http/1.1}, the TLS handshake inside the handshake timeout.
         * Default: none, plain {@code ws://}. See {@link TlsOptions}.
         */
        public Builder tls(TlsOptions tls) {
            this.tls = Objects.requireNonNull(tls);
            return this;
        }

        /** Options for connections on routes that do not set their own. */
        public Builder connectionOptions(ConnectionOptions options) {
            this.connectionOptions = Objects.requireNonNull(options);
            return this;
        }

        /** Serves WebSocket connections at {@code path} with the server's connection options. */
        public Builder route(String path, WebSocketHandler handler) {
            return route(path, handler, List.of());
        }

        /** Serves WebSocket connections at {@code path}, speaking these subprotocols. */
        public Builder route(String path, WebSocketHandler handler, List<String> subprotocols) {
            return route(path, new Route(handler, subprotocols, null));
        }

        public Builder route(String path, Route route) {
            routes.put(checkPath(path), Objects.requireNonNull(route));
            return this;
        }

        /** Serves fixed bytes to plain HTTP GETs at {@code path}, such as a demo page. */
        public Builder resource(String path, String contentType, byte[] body) {
            resources.put(checkPath(path), new StaticResource(contentType, body.clone()));
            return this;
        }

        /**
         * Answers plain HTTP requests at {@code path}, such as the login that hands out tickets
         * before a page opens its socket (see {@link HttpEndpoint} for how little it does).
         */
        public Builder httpEndpoint(String path, HttpEndpoint endpoint) {
            endpoints.put(checkPath(path), Objects.requireNonNull(endpoint));
            return this;
        }

        /**
         * Caps across the server: connections at once, per address and in all, connection
         * attempts per address, and the memory for incomplete messages (default
         * {@link ServerLimits#DEFAULTS}: no caps, a 256 MiB budget). Per-connection rates are
         * in {@link ConnectionOptions#rateLimits()}.
         */
        public Builder limits(ServerLimits limits) {
            this.limits = Objects.requireNonNull(limits);
            return this;
        }

        private static String checkPath(String path) {
            if (path == null || !path.startsWith("/")) {
                throw new IllegalArgumentException("a path starts with '/'");
            }
            return path;
        }

        public WebSocketServer build() {
            routes.replaceAll((path, r) -> r.options() != null ? r
                    : new Route(r.handler(), r.subprotocols(), connectionOptions));
            return new WebSocketServer(this);
        }
    }

    /** A fixed HTTP response body. */
    public record StaticResource(String contentType, byte[] body) {}
}
