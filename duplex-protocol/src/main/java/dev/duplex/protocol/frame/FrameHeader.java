package dev.duplex.protocol.frame;

/**
 * The fixed part of a frame (RFC 6455 5.2), as decoded from the wire or about to be encoded.
 *
 * @param fin whether this is the final fragment of its message
 * @param rsv the RSV1–RSV3 bits as they stand in the first byte ({@code 0x40 | 0x20 | 0x10})
 * @param opcode the frame's opcode
 * @param masked whether a masking key follows the length
 * @param payloadLength the payload length in bytes
 * @param maskingKey the masking key, big-endian as on the wire; 0 when not masked
 * @param headerLength the bytes the header took on the wire: 2 to 14
 */
public record FrameHeader(
        boolean fin, int rsv, Opcode opcode, boolean masked, long payloadLength, int maskingKey,
        int headerLength) {

    public static final int B0_FLAG_FIN = 0x80;
    public static final int B0_FLAG_RSV1 = 0x40;
    public static final int B0_FLAG_RSV2 = 0x20;
    public static final int B0_FLAG_RSV3 = 0x10;
    public static final int B0_MASK_RSV = 0x70;
    public static final int B0_MASK_OPCODE = 0x0f;
    public static final int B1_FLAG_MASK = 0x80;
    public static final int B1_MASK_LENGTH = 0x7f;
    /** A 7-bit length of 126 means a 16-bit length follows; 127, a 64-bit one. */
    public static final int LENGTH_16 = 126;
    public static final int LENGTH_64 = 127;
    /** Control frames carry at most this many payload bytes (RFC 6455 5.5). */
    public static final int MAX_CONTROL_PAYLOAD = 125;
    /** The longest header: 2 fixed bytes, an 8-byte length and a 4-byte key. */
    public static final int MAX_HEADER_LENGTH = 14;

    /** Which field carried the length: 7, 16 or 64 bits, as a packet analyser shows it. */
    public int lengthBits() {
        int withoutKey = headerLength - (masked ? 4 : 0);
        return withoutKey == 2 ? 7 : withoutKey == 4 ? 16 : 64;
    }

    /** The number of bytes a header takes for this length and masking. */
    public static int lengthOf(long payloadLength, boolean masked) {
        int n = payloadLength <= 125 ? 2 : payloadLength <= 0xffff ? 4 : 10;
        return masked ? n + 4 : n;
    }
}
