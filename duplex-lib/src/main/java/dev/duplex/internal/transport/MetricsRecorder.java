package dev.duplex.internal.transport;

import java.net.SocketAddress;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Where the transport counts what happens, for {@code ServerMetrics} and {@code ClientMetrics}
 * to read: one per server or client, shared by its connections through {@link ServerWide}.
 * Messages and bytes are counted by each connection in plain fields under its own lock
 * ({@link ConnectionTraffic}) and added up here when read; the rarer events (handshakes,
 * closes, pings, rate limits) are {@link LongAdder}s. Gauges over the open connections (queued
 * bytes) are computed when read. Every method may be called from any thread.
 */
public final class MetricsRecorder {
    private final Set<SocketConnection> open = ConcurrentHashMap.newKeySet();
    private final LongAdder handshakesAccepted = new LongAdder();
    private final Map<Integer, LongAdder> handshakesRefused = new ConcurrentHashMap<>();
    private final Map<Integer, LongAdder> capRefusals = new ConcurrentHashMap<>();
    private final LongAdder handshakesFailed = new LongAdder();
    private final LongAdder tlsFailures = new LongAdder();
    /**
     * The traffic of connections that have ended, indexed as {@link ConnectionTraffic}'s sums;
     * the open ones keep their own until they end (see {@link #traffic()}).
     */
    private final AtomicLongArray retired = new AtomicLongArray(ConnectionTraffic.COUNT);
    /**
     * Held shared while a connection's traffic moves into {@link #retired}, and alone while
     * {@link #traffic()} adds up, so a reader never counts a connection twice or not at all,
     * and a counter never goes down between two reads.
     */
    private final ReentrantReadWriteLock folding = new ReentrantReadWriteLock();
    private final Map<Integer, LongAdder> localCloses = new ConcurrentHashMap<>();
    private final Map<Integer, LongAdder> remoteCloses = new ConcurrentHashMap<>();
    private final LongAdder pingsSent = new LongAdder();
    private final LongAdder pongsMissed = new LongAdder();
    private final LongAdder rateLimitPauses = new LongAdder();
    private final LongAdder rateLimitCloses = new LongAdder();

    // ---------------------------------------------------------------- recording

    void handshakeAccepted() {
        handshakesAccepted.increment();
    }

    /** A server's answer other than 101 to an upgrade request, by its HTTP status. */
    void handshakeRefused(int status, SocketAddress remote) {
        handshakesRefused.computeIfAbsent(status, s -> new LongAdder()).increment();
        FlightEvents.Refused event = new FlightEvents.Refused();
        if (event.shouldCommit()) {
            event.remoteAddress = String.valueOf(remote);
            event.status = status;
            event.commit();
        }
    }

    /** A socket refused by a connection cap before its head was read: 429 or 503 (rows A19, H4). */
    void capRefused(int status, SocketAddress remote) {
        capRefusals.computeIfAbsent(status, s -> new LongAdder()).increment();
        handshakeRefused(status, remote);
    }

    /** A client's connect that ended without an open connection. */
    void handshakeFailed() {
        handshakesFailed.increment();
    }

    void tlsHandshakeFailed() {
        tlsFailures.increment();
    }

    /** A connection is open; {@code closed} is its flight event, begun now and committed at its end. */
    void connectionOpened(SocketConnection connection, FlightEvents.Closed closed) {
        open.add(connection);
        closed.begin();
        FlightEvents.Opened event = new FlightEvents.Opened();
        if (event.shouldCommit()) {
            event.remoteAddress = String.valueOf(connection.handshake().remoteAddress());
            event.path = connection.handshake().request().path();
            event.role = connection.role();
            event.commit();
        }
    }

    /**
     * A connection ended, with the code it ended with, whether this end closed it first, and
     * the bytes it read and wrote.
     */
    void connectionClosed(SocketConnection connection, FlightEvents.Closed closed, int code, boolean local,
                          long bytesIn, long bytesOut) {
        if (!open.contains(connection)) {
            return; // counted once: terminate() runs once, this guards against a second call
        }
        // Counted before the connection leaves the open set, so whoever sees it gone sees its close.
        (local ? localCloses : remoteCloses).computeIfAbsent(code, c -> new LongAdder()).increment();
        folding.readLock().lock();
        try {
            if (!open.remove(connection)) {
                return;
            }
            long[] sums = new long[ConnectionTraffic.COUNT];
            connection.addTrafficTo(sums);
            for (int i = 0; i < sums.length; i++) {
                if (sums[i] != 0) {
                    retired.addAndGet(i, sums[i]);
                }
            }
        } finally {
            folding.readLock().unlock();
        }
        closed.end();
        if (closed.shouldCommit()) {
            closed.remoteAddress = String.valueOf(connection.handshake().remoteAddress());
            closed.path = connection.handshake().request().path();
            closed.role = connection.role();
            closed.code = code;
            closed.local = local;
            closed.bytesIn = bytesIn;
            closed.bytesOut = bytesOut;
            closed.commit();
        }
    }

    void pingSent() {
        pingsSent.increment();
    }

    void pongMissed() {
        pongsMissed.increment();
    }

    /** The read loop waited for a rate's tokens (rows F1, H3, H7). */
    void rateLimitPaused() {
        rateLimitPauses.increment();
    }

    /** A connection failed with 1008 for going past a rate beyond its grace. */
    void rateLimitClosed() {
        rateLimitCloses.increment();
    }

    // ---------------------------------------------------------------- reading

    public long openConnections() {
        return open.size();
    }

    public long handshakesAccepted() {
        return handshakesAccepted.sum();
    }

    public Map<Integer, Long> handshakesRefused() {
        return snapshot(handshakesRefused);
    }

    public Map<Integer, Long> capRefusals() {
        return snapshot(capRefusals);
    }

    public long handshakesFailed() {
        return handshakesFailed.sum();
    }

    public long tlsHandshakeFailures() {
        return tlsFailures.sum();
    }

    /**
     * The traffic so far, indexed as {@link ConnectionTraffic}'s sums: what ended connections
     * moved plus what each open one has moved, read under its lock. Walks the open connections.
     */
    public long[] traffic() {
        long[] sums = new long[ConnectionTraffic.COUNT];
        folding.writeLock().lock();
        try {
            for (int i = 0; i < sums.length; i++) {
                sums[i] = retired.get(i);
            }
            for (SocketConnection c : open) {
                c.addTrafficTo(sums);
            }
        } finally {
            folding.writeLock().unlock();
        }
        return sums;
    }

    public long messagesIn(boolean text) {
        return traffic()[text ? ConnectionTraffic.TEXT_IN : ConnectionTraffic.BINARY_IN];
    }

    public long messagesOut(boolean text) {
        return traffic()[text ? ConnectionTraffic.TEXT_OUT : ConnectionTraffic.BINARY_OUT];
    }

    public long payloadBytesIn() {
        return traffic()[ConnectionTraffic.PAYLOAD_IN];
    }

    public long payloadBytesOut() {
        return traffic()[ConnectionTraffic.PAYLOAD_OUT];
    }

    public long wireBytesIn() {
        return traffic()[ConnectionTraffic.WIRE_IN];
    }

    public long wireBytesOut() {
        return traffic()[ConnectionTraffic.WIRE_OUT];
    }

    public long deflatePayloadBytesIn() {
        return traffic()[ConnectionTraffic.DEFLATE_PAYLOAD_IN];
    }

    public long deflatePayloadBytesOut() {
        return traffic()[ConnectionTraffic.DEFLATE_PAYLOAD_OUT];
    }

    public long deflateWireBytesIn() {
        return traffic()[ConnectionTraffic.DEFLATE_WIRE_IN];
    }

    public long deflateWireBytesOut() {
        return traffic()[ConnectionTraffic.DEFLATE_WIRE_OUT];
    }

    public Map<Integer, Long> closes(boolean local) {
        return snapshot(local ? localCloses : remoteCloses);
    }

    public long pingsSent() {
        return pingsSent.sum();
    }

    public long pongsMissed() {
        return pongsMissed.sum();
    }

    public long rateLimitPauses() {
        return rateLimitPauses.sum();
    }

    public long rateLimitCloses() {
        return rateLimitCloses.sum();
    }

    /** The bytes queued for writing on every open connection: {sum, max}. Walks them all. */
    public long[] queuedBytes() {
        long sum = 0;
        long max = 0;
        for (SocketConnection c : open) {
            long q = c.bufferedAmount();
            sum += q;
            max = Math.max(max, q);
        }
        return new long[] {sum, max};
    }

    private static Map<Integer, Long> snapshot(Map<Integer, LongAdder> counts) {
        Map<Integer, Long> copy = new TreeMap<>();
        counts.forEach((k, v) -> copy.put(k, v.sum()));
        return copy;
    }
}
