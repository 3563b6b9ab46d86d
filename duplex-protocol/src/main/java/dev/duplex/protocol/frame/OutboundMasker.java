package dev.duplex.protocol.frame;

import static dev.duplex.protocol.frame.FrameHeader.B1_FLAG_MASK;
import static dev.duplex.protocol.frame.FrameHeader.B1_MASK_LENGTH;
import static dev.duplex.protocol.frame.FrameHeader.LENGTH_16;
import static dev.duplex.protocol.frame.FrameHeader.LENGTH_64;

/**
 * Masks a client's own frames on their way to the socket (RFC 6455 5.3), so that no frame
 * needs an array of its own size: the frames arrive with the key already in their header and
 * the payload still plain (see {@link dev.duplex.protocol.Connection.ClientMasking#ON_WRITE}),
 * and each call copies as much as fits into the caller's bounded, reused buffer, headers
 * unchanged and payload bytes XORed with their frame's key. A frame may be split anywhere
 * across calls, its header included; the key index carries over, as
 * {@link Masking#apply(int, int, byte[], int, byte[], int, int)} returns it.
 *
 * <p>Not thread-safe: one per connection, fed in write order.
 */
public final class OutboundMasker {
    private static final int MAX_HEADER = 14;

    private final byte[] header = new byte[MAX_HEADER];
    private int headerFilled;
    private long payloadLeft;
    private int key;
    private int keyIndex;

    /**
     * Copies {@code min(srcLength, dstLength)} bytes of the outbound stream from {@code src}
     * into {@code dst}, masking payload bytes, and returns how many.
     *
     * @throws IllegalStateException when a frame header does not have the MASK bit: a client
     *     frame must never go out unmasked (RFC 6455 5.1), so the stream is not one of ours
     */
    public int mask(byte[] src, int srcOffset, int srcLength, byte[] dst, int dstOffset, int dstLength) {
        int total = Math.min(srcLength, dstLength);
        int done = 0;
        while (done < total) {
            if (payloadLeft > 0) {
                int n = (int) Math.min(payloadLeft, total - done);
                keyIndex = Masking.apply(key, keyIndex, src, srcOffset + done, dst, dstOffset + done, n);
                payloadLeft -= n;
                done += n;
            } else {
                byte b = src[srcOffset + done];
                dst[dstOffset + done] = b; // RFC 6455 5.3: the header is never masked
                done++;
                headerByte(b);
            }
        }
        return total;
    }

    /** Whether a frame has begun and not ended: its header or payload is partly through. */
    public boolean isFrameIncomplete() {
        return headerFilled > 0 || payloadLeft > 0;
    }

    private void headerByte(byte b) {
        header[headerFilled++] = b;
        if (headerFilled < 2) {
            return;
        }
        int b1 = header[1] & 0xFF;
        if ((b1 & B1_FLAG_MASK) == 0) {
            throw new IllegalStateException("a client frame without the MASK bit reached the masker");
        }
        int length7 = b1 & B1_MASK_LENGTH;
        int lengthBytes = length7 == LENGTH_16 ? 2 : length7 == LENGTH_64 ? 8 : 0;
        if (headerFilled < 2 + lengthBytes + 4) {
            return;
        }
        long length = length7;
        if (lengthBytes > 0) {
            length = 0;
            for (int i = 0; i < lengthBytes; i++) {
                length = length << 8 | (header[2 + i] & 0xFF);
            }
        }
        int at = 2 + lengthBytes;
        key = (header[at] & 0xFF) << 24 | (header[at + 1] & 0xFF) << 16 | (header[at + 2] & 0xFF) << 8
                | (header[at + 3] & 0xFF);
        keyIndex = 0;
        payloadLeft = length;
        headerFilled = 0;
    }
}
