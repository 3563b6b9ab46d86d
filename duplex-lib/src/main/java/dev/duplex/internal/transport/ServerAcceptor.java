package dev.duplex.internal.transport;

import dev.duplex.Handshake;
import dev.duplex.HandshakeInterceptor;
import dev.duplex.Route;
import dev.duplex.WebSocketServer.StaticResource;
import dev.duplex.protocol.Connection;
import dev.duplex.protocol.Role;
import dev.duplex.protocol.handshake.HandshakeException;
import dev.duplex.protocol.handshake.HandshakeOutcome;
import dev.duplex.protocol.handshake.HeadLimits;
import dev.duplex.protocol.handshake.Headers;
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

    private final InetSocketAddress bindAddress;
    private final Map<String, Route> routes;
    private final Map<String, StaticResource> resources;
    private final Duration handshakeTimeout;
    private final HeadLimits headLimits;
    private final OriginPolicy originPolicy;
    private final HandshakeInterceptor interceptor;

    private final Timers timers = new Timers("duplex-server-timers");
    private final Set<Socket> handshaking = ConcurrentHashMap.newKeySet();
    private final Set<SocketConnection> open = ConcurrentHashMap.newKeySet();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition allClosed = lock.newCondition();
    private volatile ServerSocket serverSocket;
    private volatile boolean stopping;
    private Thread acceptThread;

    public ServerAcceptor(InetSocketAddress bindAddress, Map<String, Route> routes,
                          Map<String, StaticResource> resources, Duration handshakeTimeout,
                          HeadLimits headLimits, OriginPolicy originPolicy,
                          HandshakeInterceptor interceptor) {
        this.bindAddress = bindAddress;
        this.routes = routes;
        this.resources = resources;
        this.handshakeTimeout = handshakeTimeout;
        this.headLimits = headLimits;
        this.originPolicy = originPolicy;
        this.interceptor = interceptor;
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

    private void acceptLoop() {
        while (!stopping) {
            Socket socket;
            try {
                socket = serverSocket.accept();
            } catch (IOException e) {
                if (!stopping) {
                    LOG.log(System.Logger.Level.ERROR, "accept failed; the server stops accepting", e);
                }
                return;
            }
            Thread.ofVirtual().name("duplex-conn").start(() -> serve(socket));
        }
    }

    private void serve(Socket socket) {
        handshaking.add(socket);
        // Row A16: the whole head must arrive within the deadline, however slowly it trickles.
        ScheduledFuture<?> deadline = timers.schedule(() -> closeQuietly(socket), handshakeTimeout);
        SocketConnection connection = null;
        try {
            socket.setTcpNoDelay(true);
            connection = handshake(socket);
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

    /** Reads and answers the head; returns the connection when it was upgraded, else null. */
    private SocketConnection handshake(Socket socket) throws IOException {
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
            LOG.log(System.Logger.Level.INFO, "bad request from {0}: {1} {2}", socket.getRemoteSocketAddress(), e.status(), e.getMessage());
            writeAndClose(socket, out, e.toResponse().toBytes());
            return null;
        }
        ByteBuffer leftover = ByteBuffer.allocate(buffer.remaining()).put(buffer).flip();

        Route route = routes.get(request.path());
        if (route == null) {
            StaticResource resource = resources.get(request.path());
            byte[] response = resource != null ? staticResponse(request, resource) : HttpResponse.error(404).toBytes();
            writeAndClose(socket, out, response);
            return null;
        }
        ServerHandshakeOptions options = ServerHandshakeOptions.builder()
                .subprotocols(route.subprotocols())
                .originPolicy(originPolicy)
                .build();
        HandshakeOutcome outcome = ServerHandshake.negotiate(request, options);
        switch (outcome) {
            case HandshakeOutcome.Rejected rejected -> {
                LOG.log(System.Logger.Level.INFO, "handshake from {0} refused: {1}",
                        socket.getRemoteSocketAddress(), rejected.response().status());
                writeAndClose(socket, out, rejected.response().toBytes());
                return null;
            }
            case HandshakeOutcome.Accepted accepted -> {
                if (stopping) {
                    writeAndClose(socket, out, HttpResponse.error(503).toBytes());
                    return null;
                }
                InetSocketAddress remote = (InetSocketAddress) socket.getRemoteSocketAddress();
                Map<String, Object> attributes;
                switch (interceptor.intercept(request, remote)) {
                    case HandshakeInterceptor.Decision.Reject reject -> {
                        LOG.log(System.Logger.Level.INFO, "handshake from {0} refused by the interceptor: {1}",
                                remote, reject.response().status());
                        writeAndClose(socket, out, withConnectionClose(reject.response()).toBytes());
                        return null;
                    }
                    case HandshakeInterceptor.Decision.Accept accept -> attributes = accept.attributes();
                }
                out.write(accepted.response().toBytes());
                out.flush();
                Connection core = new Connection(Role.SERVER, route.options().limits(), null, null);
                Handshake handshake = new Handshake(request, remote, accepted.subprotocol(), attributes);
                SocketConnection connection = new SocketConnection(socket, core, route.options(),
                        route.handler(), handshake, timers, leftover, this::closed);
                open.add(connection);
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
        handshaking.forEach(ServerAcceptor::closeQuietly);
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
