package dev.duplex.internal.transport;

import dev.duplex.ClientOptions;
import dev.duplex.Handshake;
import dev.duplex.HandshakeFailedException;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketHandler;
import dev.duplex.protocol.Connection;
import dev.duplex.protocol.Role;
import dev.duplex.protocol.extension.PerMessageDeflate;
import dev.duplex.protocol.handshake.AcceptKey;
import dev.duplex.protocol.handshake.ClientHandshake;
import dev.duplex.protocol.handshake.HandshakeException;
import dev.duplex.protocol.handshake.HeadLimits;
import dev.duplex.protocol.handshake.Headers;
import dev.duplex.protocol.handshake.HttpHeadParser;
import dev.duplex.protocol.handshake.HttpRequest;
import dev.duplex.protocol.handshake.HttpResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * The client's transport: connects a socket (TLS with SNI and hostname verification for
 * {@code wss}), runs {@link ClientHandshake} over it under the handshake deadline, follows
 * redirects when asked to, and hands the upgraded socket, with any bytes that came after the
 * 101 (row B5), to a {@link SocketConnection} on a virtual thread of its own. It offers
 * permessage-deflate unless the options turn it off, and builds the connection with the
 * extension the server's answer agreed on ({@link ClientCompression}, row B3).
 */
public final class ClientConnector {
    private static final System.Logger LOG = System.getLogger("dev.duplex");
    private static final int HEAD_READ_BUFFER = 4096;
    private static final List<String> TLS_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
    /** Request fields that carry credentials: not sent across origins or down to ws (row B1). */
    private static final List<String> CREDENTIALS = List.of("Authorization", "Cookie");

    private static final int RUNNING = 0;
    private static final int DONE = 1;
    private static final int TIMED_OUT = 2;

    /** One request: where it goes, with which fields. */
    private record Attempt(URI uri, Headers headers, ClientHandshake handshake) {}

    private final ClientOptions options;
    private final WebSocketHandler handler;
    private final SecureRandom random;
    private final MetricsRecorder metrics;
    private final Timers timers = Timers.shared();
    private final CompletableFuture<WebSocket> result = new CompletableFuture<>();
    /** The socket of the attempt in progress, so that cancelling the future can close it. */
    private final AtomicReference<Socket> current = new AtomicReference<>();

    private ClientConnector(ClientOptions options, WebSocketHandler handler, SecureRandom random,
                            MetricsRecorder metrics) {
        this.metrics = metrics;
        this.options = options;
        this.handler = handler;
        this.random = random;
    }

    /**
     * Starts connecting on a virtual thread and returns at once; see
     * {@link dev.duplex.WebSocketClient#connect}.
     *
     * @throws IllegalArgumentException when the URI is not a WebSocket URI
     */
    public static CompletableFuture<WebSocket> connect(URI uri, ClientOptions options, WebSocketHandler handler,
                                                       SecureRandom random, MetricsRecorder metrics) {
        if (options.reconnect() != null) {
            return Reconnector.connect(uri, options, handler, random, metrics);
        }
        return connectOnce(uri, options, handler, random, metrics);
    }

    /** One connection, however its options say to reconnect: for {@link Reconnector}'s attempts. */
    static CompletableFuture<WebSocket> connectOnce(URI uri, ClientOptions options, WebSocketHandler handler,
                                                    SecureRandom random, MetricsRecorder metrics) {
        ClientConnector connector = new ClientConnector(options, handler, random, metrics);
        Attempt first = connector.attempt(uri, options.headers()); // a bad URI fails the caller now
        connector.result.whenComplete((socket, error) -> {
            if (connector.result.isCancelled()) {
                closeQuietly(connector.current.get());
            }
        });
        Thread.ofVirtual().name("duplex-connect").start(() -> connector.run(first));
        return connector.result;
    }

    private Attempt attempt(URI uri, Headers headers) {
        ClientHandshake handshake = new ClientHandshake(uri, AcceptKey.newKey(random), options.subprotocols(),
                ClientCompression.offers(options.compression()), headers, options.origin());
        return new Attempt(uri, headers, handshake);
    }

    private void run(Attempt first) {
        Attempt attempt = first;
        try {
            for (int redirects = 0; ; redirects++) {
                try {
                    start(open(attempt));
                    return;
                } catch (HandshakeFailedException e) {
                    if (!options.followRedirects() || e.location().isEmpty()) {
                        throw e;
                    }
                    if (redirects == ClientOptions.MAX_REDIRECTS) {
                        throw new HandshakeFailedException(describe(attempt.uri()) + ": more than "
                                + ClientOptions.MAX_REDIRECTS + " redirects", e.response().orElse(null));
                    }
                    attempt = redirect(attempt, e);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "connecting to {0} failed: {1}", describe(attempt.uri()), e.getMessage());
            metrics.handshakeFailed();
            result.completeExceptionally(e);
        }
    }

    private void start(SocketConnection connection) {
        metrics.handshakeAccepted();
        Thread.ofVirtual().name("duplex-client").start(connection::run);
        if (!result.complete(connection)) {
            connection.abort(); // the caller cancelled while the handshake finished
        }
    }

    // ---------------------------------------------------------------- redirects

    /**
     * The attempt a 3xx answer points to (RFC 9110 15.4): relative locations resolve against the
     * request's URI, http and https map to ws and wss, and the credentials go no further once the
     * origin changes, a wss to ws downgrade included.
     */
    private Attempt redirect(Attempt from, HandshakeFailedException answer) throws HandshakeFailedException {
        URI resolved = from.uri().resolve(answer.location().orElseThrow());
        String scheme = resolved.getScheme() == null ? "" : resolved.getScheme().toLowerCase(Locale.ROOT);
        String wsScheme = switch (scheme) {
            case "ws", "http" -> "ws";
            case "wss", "https" -> "wss";
            default -> null;
        };
        if (wsScheme == null || resolved.getHost() == null) {
            throw new HandshakeFailedException(describe(from.uri()) + ": redirect to a location that is not ws, wss, "
                    + "http or https", answer.response().orElse(null));
        }
        String text = wsScheme + resolved.toString().substring(scheme.length());
        int fragment = text.indexOf('#');
        URI target = URI.create(fragment < 0 ? text : text.substring(0, fragment));
        Headers headers = from.headers();
        if (!sameOrigin(from.uri(), target)) {
            Headers.Builder kept = headers.toBuilder();
            CREDENTIALS.forEach(kept::remove);
            headers = kept.build();
        }
        LOG.log(System.Logger.Level.DEBUG, "following {0} from {1} to {2}", answer.status(),
                describe(from.uri()), describe(target));
        try {
            return attempt(target, headers);
        } catch (IllegalArgumentException e) {
            throw new HandshakeFailedException(describe(from.uri()) + ": redirect to an unusable location: "
                    + e.getMessage(), answer.response().orElse(null));
        }
    }

    /** RFC 6454: same scheme, host and port. A change of scheme (wss to ws) is a change of origin. */
    private static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme())
                && a.getHost().equalsIgnoreCase(b.getHost())
                && port(a) == port(b);
    }

    // ---------------------------------------------------------------- one attempt

    /** Connects and runs the handshake; returns the open connection, not yet running. */
    private SocketConnection open(Attempt attempt) throws IOException {
        URI uri = attempt.uri();
        String host = host(uri);
        int port = port(uri);
        long connectDeadline = System.nanoTime() + options.connectTimeout().toNanos();
        ProxyRoute route = ProxyRoute.choose(options.proxy(), isSecure(uri), host, port);
        if (route.proxy() != null) {
            return openThroughProxy(attempt, route, host, port, connectDeadline);
        }
        IOException failure = null;
        for (InetAddress address : InetAddress.getAllByName(host)) {
            InetSocketAddress remote = new InetSocketAddress(address, port);
            enterGate(remote, connectDeadline);
            try {
                Socket socket = newSocket();
                try {
                    socket.connect(remote, millisUntil(connectDeadline));
                } catch (IOException e) {
                    closeQuietly(socket);
                    failure = e;
                    continue; // RFC 6455 4.1 leaves it to the client: try the host's next address
                }
                return handshake(attempt, socket, host, port, null);
            } finally {
                ConnectingGate.leave(remote);
            }
        }
        throw failure;
    }

    /**
     * Connects to the proxy and has it open a tunnel to {@code host:port}. The gate is keyed by
     * the server's name and port, unresolved, since the proxy does the resolving: attempts to
     * one server through a proxy still go one at a time (row B7).
     */
    private SocketConnection openThroughProxy(Attempt attempt, ProxyRoute route, String host, int port,
                                              long connectDeadline) throws IOException {
        InetSocketAddress server = InetSocketAddress.createUnresolved(host, port);
        enterGate(server, connectDeadline);
        try {
            Socket socket = newSocket();
            InetSocketAddress proxyAddress = new InetSocketAddress(route.proxy().host(), route.proxy().port());
            try {
                socket.connect(proxyAddress, millisUntil(connectDeadline));
            } catch (IOException e) {
                closeQuietly(socket);
                route.connectFailed(proxyAddress, e);
                IOException wrapped = e instanceof SocketTimeoutException
                        ? new SocketTimeoutException(route.describe() + " did not accept the connection in time")
                        : new IOException("cannot reach " + route.describe() + ": " + e.getMessage());
                wrapped.initCause(e);
                throw wrapped;
            }
            return handshake(attempt, socket, host, port, route);
        } finally {
            ConnectingGate.leave(server);
        }
    }

    /** A socket for this attempt, which cancelling the future closes. */
    private Socket newSocket() throws IOException {
        Socket socket = new Socket();
        current.set(socket);
        if (result.isCancelled()) {
            closeQuietly(socket);
            throw new IOException("connect cancelled");
        }
        return socket;
    }

    private static void enterGate(InetSocketAddress remote, long deadlineNanos) throws IOException {
        try {
            if (!ConnectingGate.enter(remote, deadlineNanos - System.nanoTime())) {
                throw new SocketTimeoutException("another connection to " + remote + " was still connecting "
                        + "when the connect timeout passed (RFC 6455 4.1 allows one at a time)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting to connect to " + remote);
        }
    }

    private SocketConnection handshake(Attempt attempt, Socket plain, String host, int port, ProxyRoute route)
            throws IOException {
        AtomicInteger phase = new AtomicInteger(RUNNING);
        // The whole exchange, TLS included, must finish in time however slowly the server answers.
        ScheduledFuture<?> deadline = timers.schedule(() -> {
            if (phase.compareAndSet(RUNNING, TIMED_OUT)) {
                closeQuietly(plain);
            }
        }, options.handshakeTimeout());
        Socket socket = plain;
        boolean handedOver = false;
        PerMessageDeflate extension = null;
        // The frames reach the tap before the writer masks them: it gets masked copies.
        GuardedTap tap = GuardedTap.of(MaskingTap.wrap(options.wireTap() == null ? null : options.wireTap().get()));
        try {
            plain.setTcpNoDelay(true);
            if (route != null) {
                route.openTunnel(plain, host, port); // TLS below then runs end to end, with the server's name
            }
            if (isSecure(attempt.uri())) {
                socket = startTls(plain, host, port);
                current.set(socket);
            }
            OutputStream out = socket.getOutputStream();
            byte[] request = attempt.handshake().requestBytes();
            out.write(request);
            out.flush();

            ByteBuffer rest = ByteBuffer.allocate(HEAD_READ_BUFFER);
            ByteArrayOutputStream head = tap == null ? null : new ByteArrayOutputStream();
            HttpResponse response = readResponseHead(socket.getInputStream(), rest, attempt.uri(), head);
            if (tap != null) {
                byte[] read = head.toByteArray();
                tap.handshake(request, Arrays.copyOf(read, read.length - rest.remaining()));
            }
            ClientHandshake.Result accepted;
            try {
                accepted = attempt.handshake().validate(response);
                extension = ClientCompression.accept(accepted, options.compression());
            } catch (HandshakeException e) {
                throw new HandshakeFailedException(failureMessage(attempt.uri(), response, e), response);
            }
            if (!phase.compareAndSet(RUNNING, DONE)) {
                throw new IOException("socket closed by the handshake deadline");
            }
            // Row B5: frames that came in the same read as the 101 go to the frame decoder first.
            ByteBuffer leftover = ByteBuffer.allocate(rest.remaining()).put(rest).flip();
            // From here the core owns the extension: Connection.release() ends its zlib streams
            // when the connection terminates, however it ends.
            // Masked as written, into one bounded buffer (MaskingOutputStream), not per frame.
            Connection core = new Connection(Role.CLIENT, options.connectionOptions().limits(), extension, random,
                    Connection.ClientMasking.ON_WRITE);
            Handshake handshake = new Handshake(sentRequest(request), (InetSocketAddress) socket.getRemoteSocketAddress(),
                    accepted.subprotocol(), Map.of(), null, accepted.extensions());
            SocketConnection connection = new SocketConnection(socket, plain, core, options.connectionOptions(), handler,
                    handshake, timers, leftover, c -> { }, ServerWide.forClient(metrics));
            connection.tap(tap);
            handedOver = true;
            return connection;
        } catch (IOException e) {
            if (phase.get() == TIMED_OUT) {
                SocketTimeoutException timeout = new SocketTimeoutException(describe(attempt.uri())
                        + ": the opening handshake did not finish within " + options.handshakeTimeout().toMillis() + " ms");
                timeout.initCause(e);
                throw timeout;
            }
            throw e;
        } finally {
            Timers.cancel(deadline);
            if (!handedOver) {
                closeQuietly(socket);
                closeQuietly(plain);
                if (extension != null) {
                    extension.close();
                }
            }
        }
    }

    /**
     * Reads up to the end of the response head. Whatever the last read brought past the head is
     * left in {@code rest} (read mode). Every byte read is also copied to {@code copy}, if given.
     */
    private static HttpResponse readResponseHead(InputStream in, ByteBuffer rest, URI uri, ByteArrayOutputStream copy)
            throws IOException {
        HttpHeadParser<HttpResponse> parser = HttpHeadParser.forResponses(HeadLimits.DEFAULTS);
        byte[] chunk = rest.array();
        while (true) {
            int n = in.read(chunk);
            if (n < 0) {
                throw new HandshakeFailedException(describe(uri)
                        + ": the server closed the connection before the end of its response head", null);
            }
            rest.clear().limit(n);
            if (copy != null) {
                copy.write(chunk, 0, n);
            }
            try {
                HttpResponse response = parser.feed(rest);
                if (response != null) {
                    return response;
                }
            } catch (HandshakeException e) {
                throw new HandshakeFailedException(describe(uri) + ": malformed response head: " + e.getMessage(), null);
            }
        }
    }

    private static String failureMessage(URI uri, HttpResponse response, HandshakeException e) {
        if (response.status() != 101) {
            String reason = response.reason().isEmpty() ? "" : " " + response.reason();
            return describe(uri) + ": the server answered " + response.status() + reason
                    + " instead of 101 Switching Protocols";
        }
        return describe(uri) + ": " + e.getMessage();
    }

    /** The request as sent, for {@link Handshake#request()}. */
    private static HttpRequest sentRequest(byte[] request) {
        // Limits sized to the request itself: it is ours, and large cookies must not fail it.
        int n = request.length;
        return HttpHeadParser.forRequests(new HeadLimits(n, n, n, n)).feed(ByteBuffer.wrap(request));
    }

    private SSLSocket startTls(Socket plain, String host, int port) throws IOException {
        SSLContext context = options.sslContext();
        if (context == null) {
            try {
                context = SSLContext.getDefault();
            } catch (NoSuchAlgorithmException e) {
                throw new IOException("no default TLS context", e);
            }
        }
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(plain, host, port, true);
        SSLParameters parameters = socket.getSSLParameters();
        if (!options.insecureSkipHostnameVerification()) {
            parameters.setEndpointIdentificationAlgorithm("HTTPS"); // row B6, RFC 6125 name checks
        }
        if (!isIpLiteral(host)) {
            try {
                parameters.setServerNames(List.of(new SNIHostName(host)));
            } catch (IllegalArgumentException e) {
                LOG.log(System.Logger.Level.DEBUG, "{0} is not a valid SNI host name; sending none", host);
            }
        }
        List<String> supported = Arrays.asList(socket.getSupportedProtocols());
        parameters.setProtocols(TLS_PROTOCOLS.stream().filter(supported::contains).toArray(String[]::new));
        parameters.setApplicationProtocols(new String[] {"http/1.1"});
        socket.setSSLParameters(parameters);
        socket.startHandshake();
        return socket;
    }

    // ---------------------------------------------------------------- URIs

    private static boolean isSecure(URI uri) {
        return "wss".equalsIgnoreCase(uri.getScheme());
    }

    /** The host, IPv6 literals without their brackets. */
    private static String host(URI uri) {
        String host = URI.create(uri.toASCIIString()).getHost();
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    private static int port(URI uri) {
        return uri.getPort() >= 0 ? uri.getPort() : isSecure(uri) ? 443 : 80;
    }

    private static boolean isIpLiteral(String host) {
        return host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
    }

    /** Scheme, authority and path: never the query, which may carry a token. */
    private static String describe(URI uri) {
        return uri.getScheme() + "://" + uri.getRawAuthority() + (uri.getRawPath() == null ? "" : uri.getRawPath());
    }

    private static int millisUntil(long deadlineNanos) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, left));
    }

    private static void closeQuietly(Socket socket) {
        try {
            if (socket != null) {
                socket.close();
            }
        } catch (IOException ignored) {
            // Closing is best effort: the attempt is over either way.
        }
    }
}
