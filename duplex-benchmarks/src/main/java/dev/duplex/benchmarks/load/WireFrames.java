package dev.duplex.benchmarks.load;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Client frames as the load generator writes them (RFC 6455 5.2, 5.3), built and masked here
 * rather than by any WebSocket library, so the generator favours no server. Masking runs eight
 * bytes at a time so the generator's CPU goes to the servers' answers, not to its own XOR.
 */
public final class WireFrames {
    public static final int OPCODE_CONTINUATION = 0x0;
    public static final int OPCODE_TEXT = 0x1;
    public static final int OPCODE_BINARY = 0x2;
    public static final int OPCODE_CLOSE = 0x8;
    public static final int OPCODE_PING = 0x9;
    public static final int OPCODE_PONG = 0xA;

    static final int B0_FLAG_FIN = 0x80;
    static final int B1_FLAG_MASK = 0x80;

    private static final VarHandle LONGS =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private WireFrames() {}

    /** The bytes a masked client frame with this payload length takes on the wire. */
    public static int maskedFrameLength(int payloadLength) {
        int header = payloadLength <= 125 ? 2 : payloadLength <= 0xffff ? 4 : 10;
        return header + 4 + payloadLength;
    }

    /** Writes a final, masked frame header (key included) at the buffer's position. */
    public static void writeMaskedHeader(ByteBuffer out, int opcode, int payloadLength, int key) {
        out.put((byte) (B0_FLAG_FIN | opcode));
        if (payloadLength <= 125) {
            out.put((byte) (B1_FLAG_MASK | payloadLength));
        } else if (payloadLength <= 0xffff) {
            out.put((byte) (B1_FLAG_MASK | 126));
            out.putShort((short) payloadLength);
        } else {
            out.put((byte) (B1_FLAG_MASK | 127));
            out.putLong(payloadLength);
        }
        out.putInt(key);
    }

    /**
     * Writes one final, masked frame: the payload is the first {@code stampLength} bytes of
     * {@code stamp}, then {@code body} from there on. The buffer needs
     * {@link #maskedFrameLength} bytes free.
     */
    public static void writeMaskedFrame(ByteBuffer out, int opcode, byte[] stamp, int stampLength, byte[] body, int key) {
        int length = body.length;
        writeMaskedHeader(out, opcode, length, key);
        for (int i = 0; i < stampLength; i++) {
            out.put((byte) (stamp[i] ^ keyByte(key, i)));
        }
        maskInto(out, key, stampLength, body, stampLength, length - stampLength);
    }

    /** Writes a final, masked control frame (close, pong) with a payload of at most 125 bytes. */
    public static void writeMaskedControl(ByteBuffer out, int opcode, byte[] payload, int key) {
        writeMaskedHeader(out, opcode, payload.length, key);
        maskInto(out, key, 0, payload, 0, payload.length);
    }

    /**
     * Puts {@code length} bytes of {@code src} from {@code offset}, masked, into {@code out};
     * {@code keyIndex} is the payload position of the first byte, which picks the key byte.
     */
    static void maskInto(ByteBuffer out, int key, int keyIndex, byte[] src, int offset, int length) {
        int i = 0;
        int k = keyIndex;
        while (i < length && (k & 3) != 0) {
            out.put((byte) (src[offset + i] ^ keyByte(key, k)));
            i++;
            k++;
        }
        long key64 = (key & 0xffffffffL) << 32 | (key & 0xffffffffL);
        if (out.order() == ByteOrder.BIG_ENDIAN) {
            while (i + 8 <= length) {
                out.putLong((long) LONGS.get(src, offset + i) ^ key64);
                i += 8;
            }
        }
        while (i < length) {
            out.put((byte) (src[offset + i] ^ keyByte(key, i + keyIndex)));
            i++;
        }
    }

    /** Masks in place, byte by byte: the reference the fast path is tested against. */
    static void maskSlowly(byte[] bytes, int key) {
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] ^= keyByte(key, i);
        }
    }

    static byte keyByte(int key, int payloadIndex) {
        return (byte) (key >>> (24 - 8 * (payloadIndex & 3)));
    }
}
