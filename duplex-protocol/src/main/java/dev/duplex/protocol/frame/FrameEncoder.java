package dev.duplex.protocol.frame;

import static dev.duplex.protocol.frame.FrameHeader.B0_FLAG_FIN;
import static dev.duplex.protocol.frame.FrameHeader.B1_FLAG_MASK;
import static dev.duplex.protocol.frame.FrameHeader.LENGTH_16;
import static dev.duplex.protocol.frame.FrameHeader.LENGTH_64;

import java.nio.ByteBuffer;

/**
 * Writes frames (RFC 6455 5.2). A client's frames are masked into a fresh copy of the payload
 * ({@link #encode}), so the caller's buffer can neither change the bytes on the wire once
 * framing has begun nor be changed by masking (RFC 6455 10.3, row B8); or, for a transport that
 * masks as it writes ({@link #encodeMaskedOnWrite} and {@link OutboundMasker}), they carry their
 * key in the header and the payload as it is. A server's payload is passed on as it is, behind
 * its header, without a copy.
 */
public final class FrameEncoder {
    /** Payloads up to this size are copied behind their header, saving a write of their own. */
    private static final int COALESCE_LIMIT = 4096;

    private FrameEncoder() {}

    /**
     * Encodes one frame. Returns one buffer, or two (header, then the payload itself) for a
     * large unmasked payload. Consumes nothing from {@code payload}.
     *
     * @param maskingKey the key for a masked frame, or null for an unmasked one
     */
    public static ByteBuffer[] encode(boolean fin, int rsv, Opcode opcode, ByteBuffer payload, Integer maskingKey) {
        return encode(fin, rsv, opcode, payload, maskingKey, false);
    }

    /**
     * Encodes one frame into one fresh buffer, header and payload together, whatever its size:
     * for a caller that must copy the payload anyway (a server's send, row H6), the copy then
     * costs no more than the one it would make, and the frame goes out in one write, not two.
     * Consumes nothing from {@code payload}.
     *
     * @param maskingKey the key for a masked frame, or null for an unmasked one
     */
    public static ByteBuffer encodeCopy(boolean fin, int rsv, Opcode opcode, ByteBuffer payload, Integer maskingKey) {
        return encode(fin, rsv, opcode, payload, maskingKey, true)[0];
    }

    /**
     * Encodes a client frame whose payload is masked later, as it is written, by an
     * {@link OutboundMasker}: the header carries the MASK bit and the key, the payload follows
     * as it is. A payload that fits a control frame (125 bytes) is copied behind its header, so
     * that a control frame is always one buffer; a larger one is passed on by reference (the
     * transport's writer gathers small buffers itself), or copied when {@code copy} is set (the
     * caller's buffer may change once this returns). No array is made to mask into.
     */
    public static ByteBuffer[] encodeMaskedOnWrite(boolean fin, int rsv, Opcode opcode, ByteBuffer payload,
                                                   int maskingKey, boolean copy) {
        int length = payload.remaining();
        int headerLength = FrameHeader.lengthOf(length, true);
        if (!copy && length > FrameHeader.MAX_CONTROL_PAYLOAD) {
            ByteBuffer header = ByteBuffer.allocate(headerLength);
            writeHeader(header, fin, rsv, opcode, length, true, maskingKey);
            return new ByteBuffer[] {header.flip(), payload.duplicate()};
        }
        byte[] frame = new byte[headerLength + length];
        ByteBuffer out = ByteBuffer.wrap(frame);
        writeHeader(out, fin, rsv, opcode, length, true, maskingKey);
        payload.get(payload.position(), frame, headerLength, length);
        return new ByteBuffer[] {ByteBuffer.wrap(frame)};
    }

    private static ByteBuffer[] encode(boolean fin, int rsv, Opcode opcode, ByteBuffer payload, Integer maskingKey,
                                       boolean copy) {
        int length = payload.remaining();
        boolean masked = maskingKey != null;
        int headerLength = FrameHeader.lengthOf(length, masked);
        if (!masked && !copy && length > COALESCE_LIMIT) {
            ByteBuffer header = ByteBuffer.allocate(headerLength);
            writeHeader(header, fin, rsv, opcode, length, false, 0);
            return new ByteBuffer[] {header.flip(), payload.duplicate()};
        }
        byte[] frame = new byte[headerLength + length];
        ByteBuffer out = ByteBuffer.wrap(frame);
        writeHeader(out, fin, rsv, opcode, length, masked, masked ? maskingKey : 0);
        if (masked) {
            // Copied and masked a piece at a time, so each byte crosses memory once; masking
            // works on the copy, never on the caller's payload (row B8).
            Masking.apply(maskingKey, 0, payload, payload.position(), frame, headerLength, length);
        } else {
            payload.get(payload.position(), frame, headerLength, length);
        }
        return new ByteBuffer[] {ByteBuffer.wrap(frame)};
    }

    /** Writes a header at the buffer's position, advancing it. */
    public static void writeHeader(ByteBuffer out, boolean fin, int rsv, Opcode opcode, long length,
                                   boolean masked, int maskingKey) {
        out.put((byte) ((fin ? B0_FLAG_FIN : 0) | rsv | opcode.code()));
        int maskBit = masked ? B1_FLAG_MASK : 0;
        if (length <= 125) {
            out.put((byte) (maskBit | (int) length));
        } else if (length <= 0xffff) {
            out.put((byte) (maskBit | LENGTH_16));
            out.putShort((short) length);
        } else {
            out.put((byte) (maskBit | LENGTH_64));
            out.putLong(length);
        }
        if (masked) {
            out.putInt(maskingKey);
        }
    }
}
