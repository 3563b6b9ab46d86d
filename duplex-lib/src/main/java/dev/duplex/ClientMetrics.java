package dev.duplex;

import dev.duplex.internal.transport.MetricsRecorder;

/**
 * What a {@link WebSocketClient} has counted since it was created, over all the connections it
 * opened: their traffic ({@link WebSocketMetrics}) and its connects. From
 * {@link WebSocketClient#metrics()}; safe to read from any thread.
 */
public final class ClientMetrics extends WebSocketMetrics {

    ClientMetrics(MetricsRecorder recorder) {
        super(recorder);
    }

    /** Connects that ended with an open connection (a valid 101). */
    public long handshakesSucceeded() {
        return recorder.handshakesAccepted();
    }

    /** Connects that failed: refused, timed out, a bad answer, TLS, DNS, or a proxy. */
    public long handshakesFailed() {
        return recorder.handshakesFailed();
    }
}
