package dev.duplex.internal.transport;

import java.net.SocketAddress;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Where the transport counts what happens, for {@code ServerMetrics} and {@code ClientMetrics}
 * to read: one per server or client, shared by its connections through {@link ServerWide}.
 * Counters are {@link LongAdder}s, so a count on a hot path costs a few nanoseconds and no
 * contention; gauges over the open connections (queued bytes) are computed when read. Every
 * method may be called from any thread.
 */
public final class MetricsRecorder {
    /** Whether a message was text or binary: an index into the per-type counters. */
    static final int TEXT = 0;
    static final int BINARY = 1;

    private final Set<SocketConnection> open = ConcurrentHashMap.newKeySet();
    private final LongAdder handshakesAccepted = new LongAdder();
    private final Map<Integer, LongAdder> handshakesRefused = new ConcurrentHashMap<>();
    private final Map<Integer, LongAdder> capRefusals = new ConcurrentHashMap<>();
    private final LongAdder handshakesFailed = new LongAdder();
    private final LongAdder tlsFailures = new LongAdder();
    private final LongAdder[] messagesIn = {new LongAdder(), new LongAdder()};
    private final LongAdder[] messagesOut = {new LongAdder(), new LongAdder()};
    private final LongAdder payloadIn = new LongAdder();
    private final LongAdder payloadOut = new LongAdder();
    private final LongAdder wireIn = new LongAdder();
    private final LongAdder wireOut = new LongAdder();
    private final LongAdder deflatePayloadIn = new LongAdder();
    private final LongAdder deflatePayloadOut = new LongAdder();
    private final LongAdder deflateWireIn = new LongAdder();
    private final LongAdder deflateWireOut = new LongAdder();
    private final Map<Integer, LongAdder> localCloses = new ConcurrentHashMap<>();
    private final Map<Integer, LongAdder> remoteCloses = new ConcurrentHashMap<>();
    private final LongAdder pingsSent = new LongAdder();
    private final LongAdder pongsMissed = new LongAdder();
    private final LongAdder rateLimitPauses = new LongAdder();
    private final LongAdder rateLimitCloses = new LongAdder();
    private final AtomicLong opened = new AtomicLong();

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
        opened.incrementAndGet();
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
        if (!open.remove(connection)) {
            return;
        }
        (local ? localCloses : remoteCloses).computeIfAbsent(code, c -> new LongAdder()).increment();
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

    /** Bytes read from the socket (after TLS), frame headers and control frames included. */
    void wireIn(long bytes, boolean deflate) {
        wireIn.add(bytes);
        if (deflate) {
            deflateWireIn.add(bytes);
        }
    }

    /** Bytes queued for the socket (before TLS), frame headers and control frames included. */
    void wireOut(long bytes, boolean deflate) {
        wireOut.add(bytes);
        if (deflate) {
            deflateWireOut.add(bytes);
        }
    }

    /** A message received; {@code bytes} is its payload, inflated when it came compressed. */
    void messageIn(int type, long bytes, boolean deflate) {
        messagesIn[type].increment();
        payloadIn.add(bytes);
        if (deflate) {
            deflatePayloadIn.add(bytes);
        }
    }

    /** A message queued; {@code bytes} is its payload before any compression. */
    void messageOut(int type, long bytes, boolean deflate) {
        messagesOut[type].increment();
        payloadOut.add(bytes);
        if (deflate) {
            deflatePayloadOut.add(bytes);
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

    public long connectionsOpened() {
        return opened.get();
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

    public long messagesIn(boolean text) {
        return messagesIn[text ? TEXT : BINARY].sum();
    }

    public long messagesOut(boolean text) {
        return messagesOut[text ? TEXT : BINARY].sum();
    }

    public long payloadBytesIn() {
        return payloadIn.sum();
    }

    public long payloadBytesOut() {
        return payloadOut.sum();
    }

    public long wireBytesIn() {
        return wireIn.sum();
    }

    public long wireBytesOut() {
        return wireOut.sum();
    }

    public long deflatePayloadBytesIn() {
        return deflatePayloadIn.sum();
    }

    public long deflatePayloadBytesOut() {
        return deflatePayloadOut.sum();
    }

    public long deflateWireBytesIn() {
        return deflateWireIn.sum();
    }

    public long deflateWireBytesOut() {
        return deflateWireOut.sum();
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
