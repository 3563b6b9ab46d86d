package dev.duplex.protocol;

/**
 * The peer broke the protocol, or a limit was passed. Carries the close code that the
 * connection is failed with (RFC 6455 7.1.7); the transport turns it into a close frame in one
 * place. The message is for logs and may be sent as the close reason, so it never holds payload.
 */
public final class ProtocolException extends RuntimeException {
    private final int closeCode;

    public ProtocolException(int closeCode, String message) {
        super(message, null, false, false);
        this.closeCode = closeCode;
    }

    /** The close code to fail the connection with, e.g. {@link CloseStatus#PROTOCOL_ERROR}. */
    public int closeCode() {
        return closeCode;
    }
}
