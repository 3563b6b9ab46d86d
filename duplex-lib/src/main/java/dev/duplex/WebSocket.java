package dev.duplex;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * One open WebSocket connection, server or client end. Every method may be called from any
 * thread. A send returns at once with a future that completes when the bytes have been
 * written to the socket, so a sender that waits on it, or watches {@link #bufferedAmount()},
 * feels the peer's pace (backpressure).
 *
 * <p>No send fails in silence (row H10). A send that would take the backlog past the hard
 * limit ({@link ConnectionOptions#outboundHardLimit()}), or find the server's outbound budget
 * spent while this connection holds the most, fails at once with
 * {@link OutboundLimitException}, and the library closes the connection with 1013 (try again
 * later): a message is lost, and the peer must not read on as if none were. A send after the
 * close frame fails with {@link IllegalStateException}. Each connection logs its first failed
 * send once. So a handler need not act on a failed send for the peer to learn of it; what it
 * should do instead is keep the backlog from growing: send while {@link #isWritable()} is true,
 * and otherwise wait on the last future (a handler may block) or skip what the peer can do
 * without, as the demo's echo and chat room do.
 */
public interface WebSocket {

    /** Sends a text message. */
    default CompletableFuture<Void> sendText(String text) {
        return sendText(text, new SendOption[0]);
    }

    /**
     * Sends a text message with options, e.g.
     * {@code sendText(tokenAndQuery, SendOption.UNCOMPRESSED)} for a secret next to
     * attacker-chosen text.
     */
    CompletableFuture<Void> sendText(String text, SendOption... options);

    /** Sends a binary message: the buffer's remaining bytes, copied or framed before return. */
    default CompletableFuture<Void> sendBinary(ByteBuffer data) {
        return sendBinary(data, new SendOption[0]);
    }

    /** Sends a binary message with options: the buffer's remaining bytes, copied or framed before return. */
    CompletableFuture<Void> sendBinary(ByteBuffer data, SendOption... options);

    /** Sends a binary message. */
    default CompletableFuture<Void> sendBinary(byte[] data) {
        return sendBinary(ByteBuffer.wrap(data));
    }

    /** Sends a message. */
    default CompletableFuture<Void> send(Message message) {
        return send(message, new SendOption[0]);
    }

    /** Sends a message with options. */
    default CompletableFuture<Void> send(Message message, SendOption... options) {
        return switch (message) {
            case Message.Text text -> sendText(text.text(), options);
            case Message.Binary binary -> sendBinary(ByteBuffer.wrap(binary.data()), options);
        };
    }

    /** Sends a ping with at most 125 bytes of payload. */
    CompletableFuture<Void> ping(ByteBuffer payload);

    /**
     * Starts the close handshake. The connection ends when the peer answers, or after the close
     * timeout. Codes 1005, 1006 and 1015 and reasons over 123 UTF-8 bytes are refused with
     * {@link IllegalArgumentException} (RFC 6455 7.4.1).
     */
    CompletableFuture<Void> close(int code, String reason);

    /** Closes with 1000 (normal closure) and no reason. */
    default CompletableFuture<Void> close() {
        return close(1000, "");
    }

    /** Drops the TCP connection at once, without a close handshake. */
    void abort();

    /** Bytes queued for this connection and not yet written to the socket. */
    long bufferedAmount();

    /**
     * Whether fewer bytes are queued than {@link ConnectionOptions#outboundSoftLimit()}: true
     * strictly below the soft limit, false once the queue holds that many bytes or more. Sends
     * are still accepted while this is false, up to the hard limit; it is a signal to wait.
     */
    boolean isWritable();

    /** Whether messages may still be sent: no close frame has been sent yet. */
    boolean isOpen();

    /** What the opening handshake settled: path, headers, peer address, subprotocol. */
    Handshake handshake();
}
