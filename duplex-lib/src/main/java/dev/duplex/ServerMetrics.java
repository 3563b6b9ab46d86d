package dev.duplex;

import dev.duplex.internal.transport.MetricsRecorder;
import java.util.Map;

/**
 * What a {@link WebSocketServer} has counted since it was built: its connections and traffic
 * ({@link WebSocketMetrics}) and its handshakes. From {@link WebSocketServer#metrics()}; safe to
 * read from any thread, at any time, as often as wanted.
 */
public final class ServerMetrics extends WebSocketMetrics {
    private final WebSocketServer server;

    ServerMetrics(MetricsRecorder recorder, WebSocketServer server) {
        super(recorder);
        this.server = server;
    }

    /** Whether the server is started and not stopping: what a health check answers. */
    public boolean accepting() {
        return server.accepting();
    }

    /** Upgrade requests answered with 101. */
    public long handshakesAccepted() {
        return recorder.handshakesAccepted();
    }

    /**
     * Upgrade requests answered with anything but 101, by HTTP status: a malformed request
     * (400), a Host the server does not answer to (421), a bad version (426), an Origin or an
     * interceptor that refused (403, 401, ...), no route (404), a cap (429, 503), a stop (503).
     * A copy, sorted by status. Refusals by a cap are also in {@link #capRefusals()}.
     */
    public Map<Integer, Long> handshakesRefused() {
        return recorder.handshakesRefused();
    }

    /** Connections refused by a cap of {@link ServerLimits}: 429 per address or user, 503 in all. */
    public Map<Integer, Long> capRefusals() {
        return recorder.capRefusals();
    }

    /** TLS handshakes that failed before any HTTP was read (wss servers only). */
    public long tlsHandshakeFailures() {
        return recorder.tlsHandshakeFailures();
    }
}
