package dev.duplex;

import dev.duplex.internal.transport.MetricsRecorder;
import java.util.Map;

/**
 * Live counts of a server's or a client's connections and traffic, kept always. Each
 * connection counts its messages and bytes in plain fields under the lock it already holds,
 * so counting costs an addition; the figures for messages and bytes add up the open
 * connections' counts when read (and what ended connections moved), so each such call walks
 * the open connections. Counters only grow, from the moment the server or client was built;
 * gauges ({@link #openConnections()}, {@link #queuedBytes()}) say how things are now. Every
 * method may be called from any thread; each reads its own figure, so two figures read one
 * after the other may be a moment apart.
 *
 * <p>Bytes are counted twice: <em>payload</em> is what messages hold (a text message's UTF-8,
 * inflated when it came compressed), <em>wire</em> is what the connection reads and writes,
 * frame headers, control frames and compression included (TLS records excluded). On
 * connections that agreed permessage-deflate (RFC 7692) both are also counted apart, so that
 * {@code deflateWireBytesOut() / deflatePayloadBytesOut()} is how well compression works.
 */
public abstract sealed class WebSocketMetrics permits ServerMetrics, ClientMetrics {
    /** Which end closed a connection first: sent the first close frame, or failed or aborted it. */
    public enum Side {
        /** This end: the application's close, a failure it found (protocol, limits, keepalive), an abort. */
        LOCAL,
        /** The peer: its close frame came first, or it ended the TCP connection without one (1006). */
        REMOTE
    }

    final MetricsRecorder recorder;

    WebSocketMetrics(MetricsRecorder recorder) {
        this.recorder = recorder;
    }

    /** Connections open now: past the handshake and not yet closed. */
    public long openConnections() {
        return recorder.openConnections();
    }

    /** Text messages received whole. */
    public long textMessagesIn() {
        return recorder.messagesIn(true);
    }

    /** Binary messages received whole. */
    public long binaryMessagesIn() {
        return recorder.messagesIn(false);
    }

    /** Text messages queued for sending (a send that was refused is not counted). */
    public long textMessagesOut() {
        return recorder.messagesOut(true);
    }

    /** Binary messages queued for sending (a send that was refused is not counted). */
    public long binaryMessagesOut() {
        return recorder.messagesOut(false);
    }

    /** Payload bytes of the messages received, inflated. */
    public long payloadBytesIn() {
        return recorder.payloadBytesIn();
    }

    /** Payload bytes of the messages sent, before compression. */
    public long payloadBytesOut() {
        return recorder.payloadBytesOut();
    }

    /** Bytes read after the handshake: frames as they came, headers and control frames included. */
    public long wireBytesIn() {
        return recorder.wireBytesIn();
    }

    /** Bytes queued for writing after the handshake: frames, headers and control frames included. */
    public long wireBytesOut() {
        return recorder.wireBytesOut();
    }

    /** {@link #payloadBytesIn()}, on connections with permessage-deflate only. */
    public long deflatePayloadBytesIn() {
        return recorder.deflatePayloadBytesIn();
    }

    /** {@link #payloadBytesOut()}, on connections with permessage-deflate only. */
    public long deflatePayloadBytesOut() {
        return recorder.deflatePayloadBytesOut();
    }

    /** {@link #wireBytesIn()}, on connections with permessage-deflate only. */
    public long deflateWireBytesIn() {
        return recorder.deflateWireBytesIn();
    }

    /** {@link #wireBytesOut()}, on connections with permessage-deflate only. */
    public long deflateWireBytesOut() {
        return recorder.deflateWireBytesOut();
    }

    /**
     * Connections ended, by the code {@link WebSocketHandler#onClose} was given, for one side.
     * A copy, sorted by code; codes never seen are absent.
     */
    public Map<Integer, Long> closes(Side side) {
        return recorder.closes(side == Side.LOCAL);
    }

    /** Pings sent: the keepalive's and the application's. */
    public long pingsSent() {
        return recorder.pingsSent();
    }

    /** Keepalive pings whose pong did not come in time; each failed its connection with 1011. */
    public long pongsMissed() {
        return recorder.pongsMissed();
    }

    /** Bytes queued for writing on all open connections together, now. Walks the connections. */
    public long queuedBytes() {
        return recorder.queuedBytes()[0];
    }

    /** The most bytes queued on any one open connection, now: the slowest reader. */
    public long maxQueuedBytes() {
        return recorder.queuedBytes()[1];
    }

    /** Times a read loop waited for a peer to come back within a rate limit ({@link RateLimits}). */
    public long rateLimitPauses() {
        return recorder.rateLimitPauses();
    }

    /** Connections failed with 1008 for staying over a rate limit past its grace. */
    public long rateLimitCloses() {
        return recorder.rateLimitCloses();
    }
}
