package dev.duplex.protocol;

/**
 * Close status codes (RFC 6455 7.4) and the one place that decides which codes may appear on
 * the wire and which an application may send.
 */
public final class CloseStatus {
    /** The purpose of the connection has been fulfilled. */
    public static final int NORMAL_CLOSURE = 1000;
    /** The endpoint is going away: a server shutting down, a page navigated from. */
    public static final int GOING_AWAY = 1001;
    /** The peer broke the protocol. */
    public static final int PROTOCOL_ERROR = 1002;
    /** The endpoint cannot take this kind of data (text where only binary is understood, say). */
    public static final int UNSUPPORTED_DATA = 1003;
    /** Never on the wire: the close frame carried no status code (RFC 6455 7.1.5). */
    public static final int NO_STATUS_RECEIVED = 1005;
    /** Never on the wire: the connection ended without a close frame (RFC 6455 7.1.5). */
    public static final int ABNORMAL_CLOSURE = 1006;
    /** A message's data does not match its type: text that is not UTF-8, or a corrupt compressed payload. */
    public static final int INVALID_PAYLOAD = 1007;
    /** A message or the peer's conduct breaks the endpoint's policy (a rate limit, a deadline). */
    public static final int POLICY_VIOLATION = 1008;
    /** A message is larger than the endpoint accepts. */
    public static final int MESSAGE_TOO_BIG = 1009;
    /** Sent by a client: the server did not agree to an extension the client requires. */
    public static final int MANDATORY_EXTENSION = 1010;
    /** The endpoint met an unexpected condition (and a keepalive that got no pong). */
    public static final int INTERNAL_ERROR = 1011;
    /** The service is restarting (IANA registry). */
    public static final int SERVICE_RESTART = 1012;
    /** The endpoint is short of something for now, such as memory for queued bytes (IANA registry). */
    public static final int TRY_AGAIN_LATER = 1013;
    /** A gateway or proxy got an invalid response from the server behind it (IANA registry). */
    public static final int BAD_GATEWAY = 1014;
    /** Never on the wire: the TLS handshake failed (RFC 6455 7.4.1). */
    public static final int TLS_HANDSHAKE = 1015;

    private CloseStatus() {}

    /**
     * Whether a close frame may carry this code, in either direction (RFC 6455 7.4.1 and the
     * IANA registry): 1000–1003, 1007–1014, and 3000–4999 for registered and private use.
     */
    public static boolean isValidOnWire(int code) {
        return (code >= 1000 && code <= 1003)
                || (code >= 1007 && code <= 1014)
                || (code >= 3000 && code <= 4999);
    }

    /** A short name for the code, for logs and traces; "unknown" when it has none. */
    public static String nameOf(int code) {
        return switch (code) {
            case NORMAL_CLOSURE -> "normal closure";
            case GOING_AWAY -> "going away";
            case PROTOCOL_ERROR -> "protocol error";
            case UNSUPPORTED_DATA -> "unsupported data";
            case 1004 -> "reserved";
            case NO_STATUS_RECEIVED -> "no status received";
            case ABNORMAL_CLOSURE -> "abnormal closure";
            case INVALID_PAYLOAD -> "invalid payload data";
            case POLICY_VIOLATION -> "policy violation";
            case MESSAGE_TOO_BIG -> "message too big";
            case MANDATORY_EXTENSION -> "mandatory extension";
            case INTERNAL_ERROR -> "internal error";
            case SERVICE_RESTART -> "service restart";
            case TRY_AGAIN_LATER -> "try again later";
            case BAD_GATEWAY -> "bad gateway";
            case TLS_HANDSHAKE -> "TLS handshake failure";
            default -> code >= 3000 && code <= 3999 ? "registered"
                    : code >= 4000 && code <= 4999 ? "private use" : "unknown";
        };
    }
}
