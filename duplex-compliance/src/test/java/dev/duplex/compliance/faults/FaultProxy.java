package dev.duplex.compliance.faults;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A TCP relay on loopback that injects faults between a real client and a real server: it
 * listens on a free 127.0.0.1 port, connects each accepted client to an upstream 127.0.0.1
 * port and copies bytes both ways. Each direction ({@link #clientToServer()},
 * {@link #serverToClient()}) has its own {@link Faults}, which a test may change at any time,
 * also while bytes flow:
 * <ul>
 *   <li>{@link Faults#delay}: wait before each write;
 *   <li>{@link Faults#fragment}: write what was read one byte at a time, each its own write
 *       with Nagle off, so the peer sees single-byte reads;
 *   <li>{@link Faults#stall}: forward nothing and stop reading from the source, so its socket
 *       buffers fill and its writes stop making progress, until {@link Faults#resume};
 *   <li>{@link Faults#blackHole}: keep reading from the source (its writes succeed) and forward
 *       nothing;
 *   <li>{@link Faults#cutAt}: forward exactly N bytes of a connection in this direction, then
 *       end both sockets with a reset (SO_LINGER 0, then close) or with a FIN (a plain close).
 * </ul>
 *
 * <p>Bounded: at most {@link #MAX_CONNECTIONS} connections at once (more are closed at
 * accept), one 16 KiB buffer per direction, two virtual threads per connection and one for
 * accepting. {@link #close()} closes every socket, which ends every thread, and waits for them.
 * Not a mock of anything: both ends speak to real sockets.
 *
 * <p>Thread-safe: the fault settings are read by the relay threads at each read.
 */
public final class FaultProxy implements AutoCloseable {
    /** Connections held at once; one more is closed as soon as it is accepted. */
    public static final int MAX_CONNECTIONS = 32;
    private static final int BUFFER = 16 * 1024;
    private static final Duration JOIN = Duration.ofSeconds(5);

    /** How {@link Faults#cutAt} ends a connection. */
    public enum Cut {
        /** SO_LINGER 0 then close: the kernel sends RST, and the peer reads "connection reset". */
        RESET,
        /** A plain close: the kernel sends FIN, and the peer reads end of stream. */
        FIN
    }

    private final int upstreamPort;
    private final int upstreamReceiveBuffer;
    private final ServerSocket listener;
    private final Faults clientToServer = new Faults("client->server");
    private final Faults serverToClient = new Faults("server->client");
    private final ReentrantLock lock = new ReentrantLock();
    private final List<Link> links = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicLong accepted = new AtomicLong();
    private final Thread acceptor;
    private volatile boolean closed;

    private FaultProxy(int upstreamPort, int upstreamReceiveBuffer) throws IOException {
        this.upstreamPort = upstreamPort;
        this.upstreamReceiveBuffer = upstreamReceiveBuffer;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = Thread.ofVirtual().name("fault-proxy-accept").start(this::acceptLoop);
    }

    /** A proxy to {@code 127.0.0.1:upstreamPort}, relaying faithfully until told otherwise. */
    public static FaultProxy to(int upstreamPort) throws IOException {
        return new FaultProxy(upstreamPort, 0);
    }

    /**
     * The same, with a small receive buffer on the upstream socket (set before it connects, so
     * the TCP window is small from the start): a {@link Faults#stall stalled} server->client
     * direction then holds back a server after a few KiB instead of the megabytes loopback
     * autotuning would take in.
     */
    public static FaultProxy withSmallUpstreamReceiveBuffer(int upstreamPort, int bytes) throws IOException {
        return new FaultProxy(upstreamPort, bytes);
    }

    /** The port clients connect to. */
    public int port() {
        return listener.getLocalPort();
    }

    /** The faults applied to bytes the client sends. */
    public Faults clientToServer() {
        return clientToServer;
    }

    /** The faults applied to bytes the server sends. */
    public Faults serverToClient() {
        return serverToClient;
    }

    /** Connections accepted so far, closed ones included. */
    public long acceptedConnections() {
        return accepted.get();
    }

    /** Connections whose sockets are both still open. */
    public int openConnections() {
        lock.lock();
        try {
            links.removeIf(Link::isClosed);
            return links.size();
        } finally {
            lock.unlock();
        }
    }

    /** Ends every connection with a reset, as if the network between them failed. */
    public void resetAll() {
        lock.lock();
        try {
            links.forEach(link -> link.cut(Cut.RESET));
        } finally {
            lock.unlock();
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            accepted.incrementAndGet();
            try {
                open(client);
            } catch (IOException e) {
                closeQuietly(client); // upstream refused: the client sees its connection end
            }
        }
    }

    private void open(Socket client) throws IOException {
        lock.lock();
        try {
            links.removeIf(Link::isClosed);
            if (closed || links.size() >= MAX_CONNECTIONS) {
                closeQuietly(client);
                return;
            }
            Socket upstream = new Socket();
            if (upstreamReceiveBuffer > 0) {
                upstream.setReceiveBufferSize(upstreamReceiveBuffer);
            }
            upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), upstreamPort), 5000);
            client.setTcpNoDelay(true);
            upstream.setTcpNoDelay(true);
            Link link = new Link(client, upstream);
            links.add(link);
            threads.add(Thread.ofVirtual().name("fault-proxy-c2s").start(
                    () -> link.relay(client, upstream, clientToServer)));
            threads.add(Thread.ofVirtual().name("fault-proxy-s2c").start(
                    () -> link.relay(upstream, client, serverToClient)));
            threads.removeIf(t -> !t.isAlive());
        } finally {
            lock.unlock();
        }
    }

    /** Stops accepting, closes every connection and waits for the relay threads to end. */
    @Override
    public void close() {
        closed = true;
        closeQuietly(listener);
        List<Thread> toJoin;
        lock.lock();
        try {
            links.forEach(Link::close);
            links.clear();
            toJoin = new ArrayList<>(threads);
            toJoin.add(acceptor);
        } finally {
            lock.unlock();
        }
        clientToServer.wake();
        serverToClient.wake();
        for (Thread t : toJoin) {
            try {
                if (!t.join(JOIN)) {
                    throw new IllegalStateException("fault proxy thread " + t.getName() + " did not end");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing on the way out; the socket is gone either way
        }
    }

    /**
     * The fault settings of one direction, shared by every connection. Each setter takes effect
     * at the relay's next read.
     */
    public final class Faults {
        private final String name;
        private final ReentrantLock stallLock = new ReentrantLock();
        private final Condition changed = stallLock.newCondition();
        private volatile Duration delay = Duration.ZERO;
        private volatile boolean fragment;
        private volatile boolean stalled;
        private volatile boolean blackHole;
        private final AtomicReference<CutPlan> cut = new AtomicReference<>();
        private final AtomicLong forwarded = new AtomicLong();
        private final AtomicLong swallowed = new AtomicLong();

        private Faults(String name) {
            this.name = name;
        }

        /** Waits this long before each write (zero: no delay). */
        public Faults delay(Duration delay) {
            this.delay = delay;
            return this;
        }

        /** Writes every byte on its own. */
        public Faults fragment(boolean on) {
            this.fragment = on;
            return this;
        }

        /**
         * Stops forwarding and reading until {@link #resume}: nothing more is forwarded, and
         * after the one read that may already be waiting for bytes (whose bytes are held, at
         * most 16 KiB) nothing more is read from the source.
         */
        public Faults stall() {
            this.stalled = true;
            return this;
        }

        /** Reads, and forwards, again; also ends a {@link #blackHole}. */
        public Faults resume() {
            this.stalled = false;
            this.blackHole = false;
            wake();
            return this;
        }

        /** Reads everything from the source and forwards nothing. */
        public Faults blackHole() {
            this.blackHole = true;
            wake();
            return this;
        }

        /**
         * The first connection to have forwarded {@code bytes} bytes in this direction (counted
         * from its start) forwards no more and is ended with {@code how}, both its sockets. One
         * shot: later connections are not cut. {@code bytes} may already have been passed, in
         * which case the cut happens at the next read.
         */
        public Faults cutAt(long bytes, Cut how) {
            cut.set(new CutPlan(bytes, how));
            return this;
        }

        /** Whether a {@link #cutAt} is still waiting to happen. */
        public boolean cutPending() {
            return cut.get() != null;
        }

        /** Bytes forwarded in this direction, all connections together. */
        public long forwarded() {
            return forwarded.get();
        }

        /** Bytes read and dropped by the {@link #blackHole}, all connections together. */
        public long swallowed() {
            return swallowed.get();
        }

        private void wake() {
            stallLock.lock();
            try {
                changed.signalAll();
            } finally {
                stallLock.unlock();
            }
        }

        /** Returns once the direction is not stalled, or the proxy is closing. */
        private void awaitNotStalled() throws InterruptedException {
            stallLock.lock();
            try {
                while (stalled && !closed) {
                    // Bounded wait so that close() is seen even if its signal raced.
                    changed.await(50, TimeUnit.MILLISECONDS);
                }
            } finally {
                stallLock.unlock();
            }
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private record CutPlan(long at, Cut how) {}

    /** One client connection and its upstream connection. */
    private static final class Link {
        private final Socket client;
        private final Socket upstream;
        /** Directions whose relay has ended; when both have, the sockets are closed. */
        private final AtomicInteger ended = new AtomicInteger();

        Link(Socket client, Socket upstream) {
            this.client = client;
            this.upstream = upstream;
        }

        boolean isClosed() {
            return client.isClosed() && upstream.isClosed();
        }

        void relay(Socket from, Socket to, Faults faults) {
            byte[] buffer = new byte[BUFFER];
            long sent = 0;
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                while (true) {
                    faults.awaitNotStalled();
                    if (cutIfDue(faults, sent)) {
                        return;
                    }
                    int n = in.read(buffer);
                    if (n < 0) {
                        // Pass the FIN on, so a half-close reaches the other side as one.
                        to.shutdownOutput();
                        return;
                    }
                    // Bytes that a read waiting when stall() came in returned are held, not forwarded.
                    faults.awaitNotStalled();
                    if (faults.blackHole) {
                        faults.swallowed.addAndGet(n);
                        continue;
                    }
                    CutPlan plan = faults.cut.get();
                    int allowed = plan == null ? n : (int) Math.max(0, Math.min(n, plan.at() - sent));
                    Duration delay = faults.delay;
                    if (!delay.isZero()) {
                        Thread.sleep(delay); // the fault itself, not synchronisation
                    }
                    if (faults.fragment) {
                        for (int i = 0; i < allowed; i++) {
                            out.write(buffer, i, 1);
                            out.flush();
                        }
                    } else {
                        out.write(buffer, 0, allowed);
                    }
                    sent += allowed;
                    faults.forwarded.addAndGet(allowed);
                    if (cutIfDue(faults, sent)) {
                        return;
                    }
                }
            } catch (IOException e) {
                close(); // one side went away or was cut: end the other as well
            } catch (InterruptedException e) {
                close();
            } finally {
                if (ended.incrementAndGet() == 2) {
                    close(); // both sides said FIN: nothing is left to relay
                }
            }
        }

        private boolean cutIfDue(Faults faults, long sent) {
            CutPlan plan = faults.cut.get();
            if (plan != null && sent >= plan.at() && faults.cut.compareAndSet(plan, null)) {
                cut(plan.how());
                return true;
            }
            return false;
        }

        void cut(Cut how) {
            if (how == Cut.RESET) {
                try {
                    client.setSoLinger(true, 0);
                    upstream.setSoLinger(true, 0);
                } catch (SocketException alreadyClosed) {
                    // nothing left to reset
                }
            }
            close();
        }

        void close() {
            closeQuietly(client);
            closeQuietly(upstream);
        }
    }
}
