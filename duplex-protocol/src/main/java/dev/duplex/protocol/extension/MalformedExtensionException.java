package dev.duplex.protocol.extension;

/**
 * A {@code permessage-deflate} element in {@code Sec-WebSocket-Extensions} breaks RFC 7692's
 * rules: bad syntax, an unknown or repeated parameter, a window size that is not a plain
 * number from 8 to 15 (rows A13, B3), or, in a server's response, a parameter the client's
 * offer did not allow (RFC 7692 5.1, 7.1). A server answers it with 400; a client fails the
 * handshake.
 *
 * <p>Messages name the rule and the parameter, never a value sent by the peer.
 */
public final class MalformedExtensionException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** A failure described by {@code message}. */
    public MalformedExtensionException(String message) {
        super(message);
    }
}
