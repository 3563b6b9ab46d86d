package dev.duplex.protocol.frame;

import static dev.duplex.protocol.frame.FrameHeader.B0_FLAG_FIN;
import static dev.duplex.protocol.frame.FrameHeader.B0_MASK_OPCODE;
import static dev.duplex.protocol.frame.FrameHeader.B0_MASK_RSV;
import static dev.duplex.protocol.frame.FrameHeader.B1_FLAG_MASK;
import static dev.duplex.protocol.frame.FrameHeader.B1_MASK_LENGTH;
import static dev.duplex.protocol.frame.FrameHeader.LENGTH_16;
import static dev.duplex.protocol.frame.FrameHeader.LENGTH_64;
import static dev.duplex.protocol.frame.FrameHeader.MAX_CONTROL_PAYLOAD;

import dev.duplex.protocol.CloseStatus;
import dev.duplex.protocol.ProtocolException;
import dev.duplex.protocol.Role;
import java.nio.ByteBuffer;

/**
 * Reads frame headers and checks everything a header alone can decide, before a byte of the
 * payload is read or a buffer for it allocated: opcode, RSV bits, masking, control-frame rules
 * and the announced length (rows C1–C6, C9, C10). Sequencing across frames is the message
 * assembler's job. Not thread-safe.
 */
public final class FrameDecoder {
    private final boolean expectMasked;
    private final long maxPayloadLength;
    private final boolean strictLengthEncoding;
    private int allowedRsv;

    /**
     * @param role this end's role: a server requires masked frames, a client refuses them
     * @param maxPayloadLength a data frame announcing more fails with 1009 at once
     * @param strictLengthEncoding whether a non-minimal length encoding fails with 1002
     */
    public FrameDecoder(Role role, long maxPayloadLength, boolean strictLengthEncoding) {
        this.expectMasked = role == Role.SERVER;
        this.maxPayloadLength = maxPayloadLength;
        this.strictLengthEncoding = strictLengthEncoding;
    }

    /** Allows the RSV bits that a negotiated extension defines (RFC 6455 5.2). */
    public void allowRsv(int rsvMask) {
        this.allowedRsv = rsvMask & B0_MASK_RSV;
    }

    /**
     * Decodes one header from the buffer. When the buffer holds the whole header, consumes it
     * and returns it; otherwise consumes nothing and returns null.
     *
     * @throws ProtocolException when the header breaks the protocol or a limit
     */
    public FrameHeader decode(ByteBuffer in) {
        int start = in.position();
        int available = in.remaining();
        if (available < 2) {
            return null;
        }
        int b0 = in.get(start) & 0xff;
        int b1 = in.get(start + 1) & 0xff;

        // Everything below is decided from the first two bytes, before waiting for more.
        Opcode opcode = Opcode.of(b0 & B0_MASK_OPCODE);
        if (opcode == null) {
            throw new ProtocolException(CloseStatus.PROTOCOL_ERROR,
                    "reserved opcode " + (b0 & B0_MASK_OPCODE));
        }
        int rsv = b0 & B0_MASK_RSV;
        if ((rsv & ~allowedRsv) != 0) {
            throw new ProtocolException(CloseStatus.PROTOCOL_ERROR, "reserved bits set");
        }
        boolean fin = (b0 & B0_FLAG_FIN) != 0;
        boolean masked = (b1 & B1_FLAG_MASK) != 0;
        if (masked != expectMasked) {
            throw new ProtocolException(CloseStatus.PROTOCOL_ERROR,
                    expectMasked ? "client frame not masked" : "server frame masked");
        }
        int length7 = b1 & B1_MASK_LENGTH;
        if (opcode.isControl()) {
            if (rsv != 0) {
                // RFC 7692 6.1: RSV1 marks a compressed message, never a control frame; no
                // extension Duplex knows gives RSV bits a meaning there (row C4).
                throw new ProtocolException(CloseStatus.PROTOCOL_ERROR, "reserved bits set on a control frame");
            }
            if (!fin) {
                throw new ProtocolException(CloseStatus.PROTOCOL_ERROR, "fragmented control frame");
            }
            if (length7 > MAX_CONTROL_PAYLOAD) {
                throw new ProtocolException(CloseStatus.PROTOCOL_ERROR, "control frame too long");
            }
        }

        int lengthBytes = length7 == LENGTH_16 ? 2 : length7 == LENGTH_64 ? 8 : 0;
        int headerLength = 2 + lengthBytes + (masked ? 4 : 0);
        if (available < headerLength) {
            return null;
        }
        long length;
        if (lengthBytes == 0) {
            length = length7;
        } else if (lengthBytes == 2) {
            length = in.getShort(start + 2) & 0xffff;
            checkMinimal(length < LENGTH_16);
        } else {
            length = in.getLong(start + 2);
            if (length < 0) {
                // RFC 6455 5.2: the most significant bit MUST be 0.
                throw new ProtocolException(CloseStatus.PROTOCOL_ERROR, "64-bit length with top bit set");
            }
            checkMinimal(length <= 0xffff);
        }
        // Control frames are bounded by 125 above; a small message limit must not refuse a ping.
        if (!opcode.isControl() && length > maxPayloadLength) {
            throw new ProtocolException(CloseStatus.MESSAGE_TOO_BIG,
                    "frame of " + length + " bytes exceeds limit of " + maxPayloadLength);
        }
        int key = masked ? in.getInt(start + 2 + lengthBytes) : 0;
        in.position(start + headerLength);
        return new FrameHeader(fin, rsv, opcode, masked, length, key, headerLength);
    }

    private void checkMinimal(boolean couldBeShorter) {
        if (strictLengthEncoding && couldBeShorter) {
            throw new ProtocolException(CloseStatus.PROTOCOL_ERROR, "length not minimally encoded");
        }
    }
}
