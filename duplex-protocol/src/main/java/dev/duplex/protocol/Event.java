package dev.duplex.protocol;

/**
 * What {@link Connection#nextEvent()} reports, one at a time and in wire order, so that the
 * application sees a message before the protocol answers anything that came after it.
 */
public sealed interface Event {

    /**
     * A complete text message, validated as UTF-8.
     *
     * @param text the message
     */
    record Text(String text) implements Event {}

    /**
     * A complete binary message.
     *
     * @param data the message; the array belongs to the receiver
     */
    record Binary(byte[] data) implements Event {}

    /**
     * A ping; the pong is already queued (RFC 6455 5.5.2).
     *
     * @param payload the ping's application data, at most 125 bytes
     */
    record Ping(byte[] payload) implements Event {}

    /**
     * A pong, solicited or not (RFC 6455 5.5.3).
     *
     * @param payload the pong's application data, at most 125 bytes
     */
    record Pong(byte[] payload) implements Event {}

    /**
     * The peer's close frame. When this end had not sent one, the reply is already queued
     * (RFC 6455 5.5.1).
     *
     * @param code the peer's status code; 1005 when the frame had no body
     * @param reason the peer's reason, possibly empty
     */
    record CloseReceived(int code, String reason) implements Event {}

    /**
     * The peer broke the protocol or a limit, and this end failed the connection (RFC 6455
     * 7.1.7): a close frame with {@code code} is queued unless one was already sent, and
     * nothing more will be read.
     *
     * @param code the status code this end sent, or would have sent
     * @param reason why, for logs; never the peer's data
     */
    record Failure(int code, String reason) implements Event {}

    /** The peer closed the TCP stream. Reported once; nothing follows. */
    record EndOfStream() implements Event {}
}
