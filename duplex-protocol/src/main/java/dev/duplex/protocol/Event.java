package dev.duplex.protocol;

/**
 * What {@link Connection#nextEvent()} reports, one at a time and in wire order, so that the
 * application sees a message before the protocol answers anything that came after it.
 */
public sealed interface Event {

    /** A complete text message, validated as UTF-8. */
    record Text(String text) implements Event {}

    /** A complete binary message. The array belongs to the receiver. */
    record Binary(byte[] data) implements Event {}

    /** A ping; the pong is already queued (RFC 6455 5.5.2). */
    record Ping(byte[] payload) implements Event {}

    /** A pong, solicited or not (RFC 6455 5.5.3). */
    record Pong(byte[] payload) implements Event {}

    /**
     * The peer's close frame. When this end had not sent one, the reply is already queued
     * (RFC 6455 5.5.1). {@code code} is 1005 when the frame had no body.
     */
    record CloseReceived(int code, String reason) implements Event {}

    /**
     * The peer broke the protocol or a limit, and this end failed the connection (RFC 6455
     * 7.1.7): a close frame with {@code code} is queued unless one was already sent, and
     * nothing more will be read.
     */
    record Failure(int code, String reason) implements Event {}

    /** The peer closed the TCP stream. Reported once; nothing follows. */
    record EndOfStream() implements Event {}
}
