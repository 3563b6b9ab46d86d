package dev.duplex.protocol.frame;

import dev.duplex.protocol.CloseStatus;
import dev.duplex.protocol.ProtocolException;
import dev.duplex.protocol.Utf8Validator;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The body of a close frame (RFC 6455 5.5.1): an optional 2-byte status code and a UTF-8
 * reason. Both directions are checked here, against {@link CloseStatus#isValidOnWire}.
 *
 * @param code the status code, or {@link CloseStatus#NO_STATUS_RECEIVED} for an empty body
 * @param reason the reason, possibly empty
 */
public record ClosePayload(int code, String reason) {
    /** A close frame's body is a control payload: 125 bytes, 2 of them the code. */
    public static final int MAX_REASON_BYTES = FrameHeader.MAX_CONTROL_PAYLOAD - 2;

    /**
     * Parses a received close body (rows E1, E3, E6).
     *
     * @throws ProtocolException 1002 for a 1-byte body or a code that may not be sent, 1007
     *     for a reason that is not UTF-8
     */
    public static ClosePayload parse(byte[] body) {
        if (body.length == 0) {
            return new ClosePayload(CloseStatus.NO_STATUS_RECEIVED, "");
        }
        if (body.length == 1) {
            throw new ProtocolException(CloseStatus.PROTOCOL_ERROR, "close frame with a 1-byte body");
        }
        int code = ((body[0] & 0xff) << 8) | (body[1] & 0xff);
        if (!CloseStatus.isValidOnWire(code)) {
            throw new ProtocolException(CloseStatus.PROTOCOL_ERROR, "invalid close code " + code);
        }
        return new ClosePayload(code, Utf8Validator.decode(body, 2, body.length - 2));
    }

    /**
     * Encodes a close body that this end sends (row E5). 1005, 1006 and 1015 are refused like
     * any code that may not be on the wire (RFC 6455 7.4.1); the empty body that answers a
     * peer's empty close is the connection's own affair, not something an application asks for.
     *
     * @throws IllegalArgumentException for a code that may not be sent, or a reason over 123
     *     bytes in UTF-8 or with unpaired surrogates
     */
    public static ByteBuffer encode(int code, String reason) {
        if (!CloseStatus.isValidOnWire(code)) {
            throw new IllegalArgumentException("close code " + code + " may not be sent");
        }
        byte[] text = encodeReason(reason == null ? "" : reason);
        if (text.length > MAX_REASON_BYTES) {
            throw new IllegalArgumentException("close reason is " + text.length + " bytes; at most "
                    + MAX_REASON_BYTES + " fit");
        }
        ByteBuffer body = ByteBuffer.allocate(2 + text.length);
        body.putShort((short) code).put(text);
        return body.flip();
    }

    /**
     * Cuts a reason of this end's own making to fit a close frame, at a code point boundary.
     * Used for reasons built from exception messages.
     */
    public static String truncate(String reason) {
        if (reason == null) {
            return "";
        }
        byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        if (text.length <= MAX_REASON_BYTES) {
            return reason;
        }
        int end = MAX_REASON_BYTES;
        while (end > 0 && (text[end] & 0xc0) == 0x80) {
            end--; // back up to the start of the code point that does not fit
        }
        return Utf8Validator.decode(text, 0, end);
    }

    private static byte[] encodeReason(String reason) {
        byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        // getBytes replaces an unpaired surrogate with '?': refuse rather than send other text.
        for (int i = 0; i < reason.length(); i++) {
            char c = reason.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= reason.length() || !Character.isLowSurrogate(reason.charAt(i + 1))) {
                    throw new IllegalArgumentException("close reason has an unpaired surrogate");
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                throw new IllegalArgumentException("close reason has an unpaired surrogate");
            }
        }
        return text;
    }
}
