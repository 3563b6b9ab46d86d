package dev.duplex.cli;

import dev.duplex.protocol.inspect.ConnectionDissector;
import dev.duplex.protocol.inspect.Direction;
import dev.duplex.protocol.inspect.Dissection;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The relay behind {@code duplex trace}: accepts clients, opens a TCP connection upstream for
 * each, and copies bytes both ways unchanged, each direction on a virtual thread of its own.
 * Before a chunk is forwarded, a copy goes through the connection's {@link ConnectionDissector}
 * and to the pcap file, under one lock per connection, so what is reported follows the order in
 * which the bytes were passed on: a response is never reported before the request it answers.
 *
 * <p>The dissection only ever reads: a violation is reported, never acted on, and if the
 * dissector itself fails the relay goes on forwarding without it.
 */
final class TraceRelay implements AutoCloseable {
    /** What the relay reports; calls for one connection are serialised, connections overlap. */
    interface Sink {
        void opened(long connection, Instant time, InetSocketAddress client, InetSocketAddress upstream);

        void dissected(long connection, Instant time, Dissection dissection);

        /** Something about the relaying itself: a failed upstream connect, a reset. */
        void problem(long connection, Instant time, String message);

        void closed(long connection, Instant time, long clientBytes, long serverBytes);
    }

    private static final int BUFFER = 64 * 1024;
    private static final int CONNECT_TIMEOUT_MILLIS = 10_000;

    private final InetSocketAddress listen;
    private final InetSocketAddress upstream;
    private final int maxPayload;
    private final Sink sink;
    private final PcapWriter pcap;
    private final AtomicLong ids = new AtomicLong();
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile boolean pcapFailed;
    private ServerSocket server;
    private Thread acceptor;

    /**
     * @param maxPayload the most payload bytes shown per frame
     * @param pcap where to write the conversation as a capture, or null
     */
    TraceRelay(InetSocketAddress listen, InetSocketAddress upstream, int maxPayload, Sink sink, PcapWriter pcap) {
        this.listen = listen;
        this.upstream = upstream;
        this.maxPayload = maxPayload;
        this.sink = sink;
        this.pcap = pcap;
    }

    /** Binds and starts accepting. */
    TraceRelay start() throws IOException {
        server = new ServerSocket();
        server.bind(listen);
        acceptor = Thread.ofVirtual().name("duplex-trace-accept").start(this::acceptLoop);
        return this;
    }

    /** The port the relay listens on. */
    int port() {
        return server.getLocalPort();
    }

    /** Stops accepting and drops every relayed connection. */
    @Override
    public void close() {
        closeQuietly(server);
        sockets.forEach(TraceRelay::closeQuietly);
        if (acceptor != null) {
            try {
                acceptor.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            Thread.ofVirtual().name("duplex-trace-conn").start(() -> relay(client));
        }
    }

    private void relay(Socket client) {
        long id = ids.incrementAndGet();
        sockets.add(client);
        Socket up = new Socket();
        sockets.add(up);
        try {
            try {
                up.connect(upstream, CONNECT_TIMEOUT_MILLIS);
                client.setTcpNoDelay(true);
                up.setTcpNoDelay(true);
            } catch (IOException e) {
                sink.problem(id, Instant.now(), "cannot connect to upstream " + upstream + ": " + e.getMessage());
                return;
            }
            InetSocketAddress clientAddress = (InetSocketAddress) client.getRemoteSocketAddress();
            InetSocketAddress upstreamAddress = (InetSocketAddress) up.getRemoteSocketAddress();
            Conversation conversation = new Conversation(id);
            conversation.lock.lock();
            try {
                sink.opened(id, Instant.now(), clientAddress, upstreamAddress);
                if (pcap != null) {
                    conversation.pcap = pcap.open(clientAddress, upstreamAddress);
                }
            } finally {
                conversation.lock.unlock();
            }
            Thread toServer = Thread.ofVirtual().name("duplex-trace-c2s")
                    .start(() -> pump(conversation, client, up, Direction.CLIENT_TO_SERVER));
            pump(conversation, up, client, Direction.SERVER_TO_CLIENT);
            toServer.join();
            conversation.lock.lock();
            try {
                sink.closed(id, Instant.now(), conversation.bytes[0], conversation.bytes[1]);
                conversation.dissector.close();
            } finally {
                conversation.lock.unlock();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeQuietly(client);
            closeQuietly(up);
            sockets.remove(client);
            sockets.remove(up);
        }
    }

    /** One relayed connection's shared state, guarded by its lock. */
    private final class Conversation {
        final long id;
        final ReentrantLock lock = new ReentrantLock();
        final ConnectionDissector dissector = ConnectionDissector.fromHandshake(maxPayload);
        final long[] bytes = new long[2];
        PcapWriter.Stream pcap;
        boolean dissectorFailed;
        volatile boolean tornDown;

        Conversation(long id) {
            this.id = id;
        }
    }

    /** Copies one direction until its end, reporting each chunk before it is forwarded. */
    private void pump(Conversation c, Socket from, Socket to, Direction direction) {
        byte[] buffer = new byte[BUFFER];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            while (true) {
                int n = in.read(buffer);
                if (n < 0) {
                    observe(c, direction, null, 0);
                    to.shutdownOutput(); // pass the half-close on, so the other direction may finish
                    return;
                }
                observe(c, direction, buffer, n);
                out.write(buffer, 0, n);
            }
        } catch (IOException e) {
            if (!c.tornDown) {
                c.tornDown = true;
                c.lock.lock();
                try {
                    String what = e instanceof SocketException && e.getMessage() != null ? e.getMessage() : e.toString();
                    sink.problem(c.id, Instant.now(), direction.label() + ": " + what + "; both sides are closed");
                    if (c.pcap != null && !pcapFailed) {
                        c.pcap.reset(direction);
                    }
                } finally {
                    c.lock.unlock();
                }
            }
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    /** Dissects and records a chunk (null: the end of the direction) under the connection's lock. */
    private void observe(Conversation c, Direction direction, byte[] bytes, int length) {
        Instant now = Instant.now();
        c.lock.lock();
        try {
            if (bytes != null) {
                c.bytes[direction.ordinal()] += length;
            }
            if (!c.dissectorFailed) {
                try {
                    List<Dissection> found = bytes == null
                            ? c.dissector.endOfStream(direction)
                            : c.dissector.feed(direction, ByteBuffer.wrap(bytes, 0, length));
                    for (Dissection d : found) {
                        sink.dissected(c.id, now, d);
                    }
                } catch (RuntimeException e) {
                    // A bug in the dissector must not stop the relaying it only watches.
                    c.dissectorFailed = true;
                    sink.problem(c.id, now, "the dissector failed (" + e + "); relaying goes on undissected");
                }
            }
            if (c.pcap != null && !pcapFailed) {
                try {
                    if (bytes == null) {
                        c.pcap.fin(direction);
                    } else {
                        c.pcap.data(direction, bytes, 0, length);
                    }
                } catch (RuntimeException e) {
                    pcapFailed = true;
                    sink.problem(c.id, now, "writing the pcap file failed (" + e.getMessage() + "); it stops here");
                }
            }
        } finally {
            c.lock.unlock();
        }
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (IOException ignored) {
            // closing is best effort
        }
    }
}
