package dev.duplex;

/**
 * What an application does with a connection. Each connection calls its handler from virtual
 * threads of its own, one call at a time and in wire order, so a handler may block without
 * stalling other connections. While it blocks, the connection reads on up to
 * {@link ConnectionOptions#inboundQueueLimit()} bytes, answering pings meanwhile, then reads no
 * further and TCP pushes back on the peer (row H2).
 */
public interface WebSocketHandler {

    /** The opening handshake is done; messages may be sent from here on. */
    default void onOpen(WebSocket socket) {}

    /** A complete message arrived. */
    void onMessage(WebSocket socket, Message message);

    /** A ping arrived; the pong has already been queued. */
    default void onPing(WebSocket socket, byte[] payload) {}

    /** A pong arrived. */
    default void onPong(WebSocket socket, byte[] payload) {}

    /**
     * The connection is over; called exactly once, last. {@code code} is the peer's close code
     * (1005 when its close frame had none), the code this end failed the connection with, or
     * 1006 when the connection ended without a close frame.
     */
    default void onClose(WebSocket socket, int code, String reason) {}

    /**
     * A callback threw, or the connection failed for a reason the close code alone does not
     * explain. {@link #onClose} still follows.
     */
    default void onError(WebSocket socket, Throwable error) {}
}
