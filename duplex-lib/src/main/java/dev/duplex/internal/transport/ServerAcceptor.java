package dev.duplex.internal.transport;

import dev.duplex.CompressionOptions;
import dev.duplex.Handshake;
import dev.duplex.HandshakeInterceptor;
import dev.duplex.HttpEndpoint;
import dev.duplex.Route;
import dev.duplex.ServerLimits;
import dev.duplex.WebSocketServer.StaticResource;
import dev.duplex.protocol.Connection;
import dev.duplex.protocol.Role;
import dev.duplex.protocol.handshake.HandshakeException;
import dev.duplex.protocol.handshake.HandshakeOutcome;
import dev.duplex.protocol.handshake.HeadLimits;
import dev.duplex.protocol.handshake.Headers;
import dev.duplex.protocol.handshake.HostPolicy;
import dev.duplex.protocol.handshake.HttpHeadParser;
import dev.duplex.protocol.handshake.HttpRequest;
import dev.duplex.protocol.handshake.HttpResponse;
import dev.duplex.protocol.handshake.OriginPolicy;
import dev.duplex.protocol.handshake.ServerHandshake;
import dev.duplex.protocol.handshake.ServerHandshakeOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The server's transport: accepts sockets, reads and answers the opening handshake under a
 * deadline, then hands each upgraded socket to a {@link SocketConnection} on a virtual
 * thread of its own.
 */
public final class ServerAcceptor {
    private static final System.Logger LOG = System.getLogger("dev.duplex");
    private static final int BACKLOG = 1024;
    private static final int HEAD_READ_BUFFER = 4096;
    private static final long FIRST_PAUSE_MILLIS = 10;
    private static final long LONGEST_PAUSE_MILLIS = 1000;

    private final InetSocketAddress bindAddress;
    private final Map<String, Route> routes;
    private final Map<String, StaticResource> resources;
    private final Duration handshakeTimeout;
    private final HeadLimits headLimits;
    private final HostPolicy hostPolicy;
    private final OriginPolicy originPolicy;
    private final HandshakeInterceptor interceptor;
    private final ServerCompression compression;
    /** Null for plain ws; otherwise every accepted socket speaks TLS first. */
    private final TlsAcceptor tls;
    private final Map<String, HttpEndpoint> endpoints;

    private final Timers timers = new Timers("duplex-server-timers");
    /** Rows A19, H4: connection caps, checked as each socket is accepted. */
    private final ConnectionAdmission admission;
    /** Rows H5, H8, H9: the byte budgets and the log throttle every connection shares. */
    private final ServerWide shared;
    private final Set<Socket> handshaking = ConcurrentHashMap.newKeySet();
    private final Set<SocketConnection> open = ConcurrentHashMap.newKeySet();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition allClosed = lock.newCondition();
    private volatile ServerSocket serverSocket;
    private volatile boolean stopping;
    private Thread acceptThread;

    public ServerAcceptor(InetSocketAddress bindAddress, Map<String, Route> routes,
                          Map<String, StaticResource> resources, Duration handshakeTimeout,
                          HeadLimits headLimits, HostPolicy hostPolicy, OriginPolicy originPolicy,
                          HandshakeInterceptor interceptor, CompressionOptions compression,
                          TlsAcceptor tls, ServerLimits limits, Map<String, HttpEndpoint> endpoints) {
        this.bindAddress = bindAddress;
        this.routes = routes;
        this.resources = resources;
        this.handshakeTimeout = handshakeTimeout;
        this.headLimits = headLimits;
        this.hostPolicy = hostPolicy;
        this.originPolicy = originPolicy;
        this.interceptor = interceptor;
        this.compression = new ServerCompression(compression);
        this.tls = tls;
        this.endpoints = endpoints;
        this.shared = new ServerWide(new PartialMessageBudget(limits.incompleteMessageBudget()),
                new OutboundBudget(limits.outboundBudget()), new ThrottledLog(), new MetricsRecorder());
        this.admission = new ConnectionAdmission(limits, timers, shared.log());
    }

    public void start() throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(bindAddress, BACKLOG);
        serverSocket = s;
        acceptThread = Thread.ofVirtual().name("duplex-accept-" + s.getLocalPort()).start(this::acceptLoop);
    }

    public int port() {
        return serverSocket.getLocalPort();
    }

    public int connectionCount() {
        return open.size();
    }

    /** What this server has counted since it was built. */
    public MetricsRecorder metrics() {
        return shared.metrics();
    }

    /** Whether the server is started and not stopping: what a health check asks. */
    public boolean accepting() {
        return serverSocket != null && !stopping;
    }

    /**
     * Row H9: no error ends this loop but the server's stop. An accept that fails (no file
     * descriptor left, EMFILE or ENFILE, or any other transient error) is logged at most once
     * a second and retried after a pause that doubles from {@value #FIRST_PAUSE_MILLIS} ms up
     * to {@value #LONGEST_PAUSE_MILLIS} ms, as Netty, Jetty and Tomcat do, so the loop neither
     * spins on a full descriptor table nor gives up while connections close and free some.
     */
    private void acceptLoop() {
        long pauseMillis = 0;
        while (!stopping) {
            Socket socket = null;
            try {
                socket = serverSocket.accept();
                pauseMillis = 0;
                admitAndServe(socket);
            } catch (Throwable e) {
                if (stopping || serverSocket.isClosed()) {
                    return;
                }
                if (socket != null) {
                    closeQuietly(socket);
                }
                pauseMillis = pauseMillis == 0 ? FIRST_PAUSE_MILLIS : Math.min(pauseMillis * 2, LONGEST_PAUSE_MILLIS);
                shared.log().log(System.Logger.Level.WARNING,
                        "accepting a connection failed ({0}); trying again in {1} ms", String.valueOf(e), pauseMillis);
                pause(pauseMillis);
            }
        }
    }

    private void admitAndServe(Socket socket) {
        // Counted before anything is read; a refused socket gets 429 or 503 and nothing else.
        ConnectionAdmission.Slot slot = admission.admit(socket, s -> tls == null ? s : tls.handshake(s), shared.metrics());
        if (slot == null) {
            return;
        }
        try {
            Thread.ofVirtual().name("duplex-conn").start(() -> {
                try {
                    serve(socket);
                } finally {
                    slot.release();
                }
            });
        } catch (Throwable e) {
            slot.release();
            throw e;
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            // Only stop() ends the loop, and it closes the socket, which the loop sees.
        }
    }

    private void serve(Socket socket) {
        handshaking.add(socket);
        // Row A16: the whole head must arrive within the deadline, however slowly it trickles.
        ScheduledFuture<?> deadline = timers.schedule(() -> closeQuietly(socket), handshakeTimeout);
        SocketConnection connection = null;
        try {
            socket.setTcpNoDelay(true);
            // Row I: the TLS handshake runs here, under the same deadline as the HTTP head.
            connection = handshake(tls == null ? socket : secure(socket), socket);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "handshake with {0} ended: {1}", socket.getRemoteSocketAddress(), e.getMessage());
        } finally {
            Timers.cancel(deadline);
            handshaking.remove(socket);
            if (connection == null) {
                closeQuietly(socket);
            }
        }
        if (connection != null) {
            if (stopping) {
                connection.goingAway("server shutting down");
            }
            connection.run();
        }
    }

    /** The TLS handshake, counted when it fails. */
    private Socket secure(Socket socket) throws IOException {
        try {
            return tls.handshake(socket);
        } catch (IOException e) {
            shared.metrics().tlsHandshakeFailed();
            throw e;
        }
    }

    /**
     * Reads and answers the head; returns the connection when it was upgraded, else null.
     * {@code raw} is the TCP socket under {@code socket} (the same one for ws).
     */
    private SocketConnection handshake(Socket socket, Socket raw) throws IOException {
        InputStream in = socket.getInputStream();
        OutputStream out = socket.getOutputStream();
        HttpHeadParser<HttpRequest> parser = HttpHeadParser.forRequests(headLimits);
        byte[] chunk = new byte[HEAD_READ_BUFFER];
        ByteBuffer buffer;
        HttpRequest request;
        try {
            do {
                // The parser keeps what it needs of a partial head, so each read starts afresh.
                int n = in.read(chunk);
                if (n < 0) {
                    return null;
                }
                buffer = ByteBuffer.wrap(chunk, 0, n);
                request = parser.feed(buffer);
            } while (request == null);
        } catch (HandshakeException e) {
            shared.log().log(System.Logger.Level.INFO, "bad request from {0}: {1} {2}", socket.getRemoteSocketAddress(), e.status(), e.getMessage());
            shared.metrics().handshakeRefused(e.status(), socket.getRemoteSocketAddress());
            writeAndClose(socket, out, e.toResponse().toBytes());
            return null;
        }
        ByteBuffer leftover = ByteBuffer.allocate(buffer.remaining()).put(buffer).flip();
        if (!hostPolicy.allows(request)) {
            // Row A20: before any route, page or origin check, so a rebound name gets nothing.
            shared.log().log(System.Logger.Level.INFO, "request from {0} refused: 421, Host is not a name this server answers to",
                    socket.getRemoteSocketAddress());
            shared.metrics().handshakeRefused(421, socket.getRemoteSocketAddress());
            writeAndClose(socket, out, HttpResponse.error(421).toBytes());
            return null;
        }

        Route route = routes.get(request.path());
        HttpEndpoint endpoint = route == null ? endpoints.get(request.path()) : null;
        if (endpoint != null) {
            byte[] response = PlainHttpExchange.answer(endpoint, request, leftover, in,
                    (InetSocketAddress) socket.getRemoteSocketAddress());
            if (response != null) {
                writeAndClose(socket, out, response);
            }
            return null;
        }
        if (route == null) {
            if (request.headers().contains("Upgrade")) {
                // A WebSocket request on no route is a refused handshake; a page that is not there is not.
                shared.metrics().handshakeRefused(404, socket.getRemoteSocketAddress());
            }
            StaticResource resource = resources.get(request.path());
            byte[] response = resource != null ? staticResponse(request, resource) : HttpResponse.error(404).toBytes();
            writeAndClose(socket, out, response);
            return null;
        }
        ServerCompression.Negotiation negotiation = compression.newNegotiation();
        ServerHandshakeOptions options = ServerHandshakeOptions.builder()
                .subprotocols(route.subprotocols())
                .originPolicy(originPolicy)
                .extensions(negotiation)
                .build();
        // Whatever the negotiation agreed is released on every path that does not hand it to a
        // connection, whose end then releases it (row G4: no zlib memory or context slot
        // outlives its socket). The refusals release it before answering; this is the net.
        SocketConnection upgraded = null;
        try {
            upgraded = upgrade(socket, raw, out, request, route, options, negotiation, leftover);
            return upgraded;
        } finally {
            if (upgraded == null) {
                negotiation.release();
            }
        }
    }

    private SocketConnection upgrade(Socket socket, Socket raw, OutputStream out, HttpRequest request, Route route,
                                     ServerHandshakeOptions options, ServerCompression.Negotiation negotiation,
                                     ByteBuffer leftover) throws IOException {
        HandshakeOutcome outcome = ServerHandshake.negotiate(request, options);
        switch (outcome) {
            case HandshakeOutcome.Rejected rejected -> {
                negotiation.release();
                shared.log().log(System.Logger.Level.INFO, "handshake from {0} refused: {1}",
                        socket.getRemoteSocketAddress(), rejected.response().status());
                shared.metrics().handshakeRefused(rejected.response().status(), socket.getRemoteSocketAddress());
                writeAndClose(socket, out, rejected.response().toBytes());
                return null;
            }
            case HandshakeOutcome.Accepted accepted -> {
                if (stopping) {
                    negotiation.release();
                    shared.metrics().handshakeRefused(503, socket.getRemoteSocketAddress());
                    writeAndClose(socket, out, HttpResponse.error(503).toBytes());
                    return null;
                }
                InetSocketAddress remote = (InetSocketAddress) socket.getRemoteSocketAddress();
                HandshakeInterceptor.Decision.Accept accept;
                switch (Interception.decide(interceptor, request, socket, accepted.subprotocol())) {
                    case HandshakeInterceptor.Decision.Reject reject -> {
                        // Released before the answer goes out, so a client that retries at
                        // once finds the slot free.
                        negotiation.release();
                        shared.log().log(System.Logger.Level.INFO, "handshake from {0} refused by the interceptor: {1}",
                                remote, reject.response().status());
                        shared.metrics().handshakeRefused(reject.response().status(), socket.getRemoteSocketAddress());
                        writeAndClose(socket, out, withConnectionClose(reject.response()).toBytes());
                        return null;
                    }
                    case HandshakeInterceptor.Decision.Accept a -> accept = a;
                }
                ConnectionAdmission.Slot user;
                switch (admission.admitPrincipal(accept.principal())) {
                    case ConnectionAdmission.Verdict.Refused refused -> {
                        negotiation.release();
                        shared.log().log(System.Logger.Level.INFO, "handshake from {0} refused: {1}", remote, refused.reason());
                        shared.metrics().capRefused(refused.response().status(), remote);
                        writeAndClose(socket, out, withConnectionClose(refused.response()).toBytes());
                        return null;
                    }
                    case ConnectionAdmission.Verdict.Admitted admitted -> user = admitted.slot();
                }
                HandshakeOutcome.Accepted agreed = Interception.agree(accepted, accept, request);
                if (agreed == null) {
                    negotiation.release();
                    user.release();
                    shared.metrics().handshakeRefused(500, socket.getRemoteSocketAddress());
                    writeAndClose(socket, out, HttpResponse.error(500).toBytes());
                    return null;
                }
                try {
                    out.write(agreed.response().toBytes());
                    out.flush();
                } catch (IOException e) {
                    user.release(); // the negotiation is released by the caller
                    throw e;
                }
                Connection core = new Connection(Role.SERVER, route.options().limits(), negotiation.extension(), null);
                Handshake handshake = new Handshake(request, remote, agreed.subprotocol(), accept.attributes(),
                        accept.principal(), agreed.extensions());
                SocketConnection connection = new SocketConnection(socket, raw, core, route.options(),
                        route.handler(), handshake, timers, leftover, ended -> {
                            negotiation.release();
                            user.release();
                            closed(ended);
                        }, shared);
                open.add(connection);
                shared.metrics().handshakeAccepted();
                return connection;
            }
        }
    }

    /** Row A18: every answer that is not a 101 ends the connection, and says so. */
    private static HttpResponse withConnectionClose(HttpResponse response) {
        Headers headers = response.headers().toBuilder().remove("Connection").add("Connection", "close").build();
        return new HttpResponse(response.status(), response.reason(), headers);
    }

    private static byte[] staticResponse(HttpRequest request, StaticResource resource) {
        if (!request.method().equals("GET") && !request.method().equals("HEAD")) {
            return HttpResponse.error(405, Headers.builder().add("Allow", "GET, HEAD").build()).toBytes();
        }
        Headers headers = Headers.builder()
                .add("Content-Type", resource.contentType())
                .add("Content-Length", Integer.toString(resource.body().length))
                .add("Cache-Control", "no-cache")
                .add("X-Content-Type-Options", "nosniff")
                .add("Connection", "close")
                .build();
        byte[] head = new HttpResponse(200, "OK", headers).toBytes();
        if (request.method().equals("HEAD")) {
            return head;
        }
        byte[] all = new byte[head.length + resource.body().length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(resource.body(), 0, all, head.length, resource.body().length);
        return all;
    }

    private static void writeAndClose(Socket socket, OutputStream out, byte[] response) {
        try {
            out.write(response);
            out.flush();
            // Half-close so the peer reads the whole answer before it sees the end.
            socket.shutdownOutput();
        } catch (IOException ignored) {
            // The peer went away first; there is nobody left to tell.
        } finally {
            closeQuietly(socket);
        }
    }

    private void closed(SocketConnection connection) {
        open.remove(connection);
        lock.lock();
        try {
            allClosed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    public void stop(Duration timeout) {
        stopping = true;
        closeQuietly(serverSocket);
        // Heads still arriving are left to finish: they get 503, or 1001 if their 101 was
        // already on its way. Whatever is still handshaking at the deadline is closed below.
        open.forEach(c -> c.goingAway("server shutting down"));
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (!open.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                allClosed.await(left, TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
        handshaking.forEach(ServerAcceptor::closeQuietly);
        open.forEach(SocketConnection::abort);
        if (acceptThread != null) {
            try {
                acceptThread.join(timeout.toMillis() + 1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        timers.close();
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (IOException ignored) {
            // Closing is best effort.
        }
    }
}
