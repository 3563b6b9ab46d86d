package dev.duplex;

import java.nio.ByteBuffer;

/**
 * Sees the bytes of one client connection as they cross its socket, for diagnostics: {@code
 * duplex connect --frames} feeds them to a dissector that prints every frame. The bytes are
 * the plaintext (inside TLS for {@code wss}), exactly as they go out and come in: the heads of
 * the opening handshake, then frames, masked and compressed as on the wire. Applications get
 * their messages from {@link WebSocketHandler}; a tap is for looking, not for logic.
 *
 * <p>Set with {@link ClientOptions.Builder#wireTap}, which takes a supplier: each connection
 * attempt (a redirect is a new attempt) gets a tap of its own, so a tap may keep per-connection
 * state without locking against other connections.
 *
 * <p><b>Called on the connection's threads, in the middle of its I/O.</b> {@link #handshake}
 * runs on the connecting thread and {@link #received} on the reading thread, before the bytes
 * are decoded; {@link #sent} runs on whichever thread queues the bytes (the one that called
 * {@code send}, the reader answering a ping, a timer sending a keepalive ping) while it holds
 * the connection's lock, so sends come in the order they will be written, and {@code sent} and
 * {@code received} may run at the same time. Keep every call short, never block, and never
 * call back into the connection. A tap that throws is logged once and not called again for
 * that connection; the connection goes on. Every buffer is a read-only view that is valid only
 * during the call: copy what you keep.
 */
public interface WireTap {

    /**
     * The request head as sent and the response head as read, before the response is checked,
     * so a refused handshake is seen too.
     */
    default void handshake(ByteBuffer request, ByteBuffer response) {}

    /**
     * Bytes queued for the socket, reported as they join the queue, in the order they will be
     * written. Reported before the write rather than after, so that a reply to them can never
     * be reported first; if the connection ends before they are written, they never are.
     */
    default void sent(ByteBuffer bytes) {}

    /**
     * Bytes read from the socket after the response head, starting with any that came in the
     * same read as the head (row B5).
     */
    default void received(ByteBuffer bytes) {}
}
