package dev.duplex.protocol.extension;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.Deflater;

/**
 * A {@link MessageDeflater} on the JDK's zlib, used when the negotiated window is the full 15
 * bits: {@link Deflater} offers no other window size.
 */
final class ZlibDeflater implements MessageDeflater {
    private static final byte[] NO_INPUT = new byte[0];

    private final Deflater deflater;

    ZlibDeflater(int level) {
        // nowrap: raw DEFLATE, no zlib header or checksum (RFC 7692 7.2.1).
        this.deflater = new Deflater(level, true);
    }

    @Override
    public ByteBuffer deflateMessage(ByteBuffer message) {
        deflater.setInput(message);
        byte[] out = new byte[Math.max(64, message.remaining() / 2 + 64)];
        int length = 0;
        while (true) {
            length += deflater.deflate(out, length, out.length - length, Deflater.SYNC_FLUSH);
            // Deflater's contract: a SYNC_FLUSH that filled the buffer must be repeated with more room.
            if (length < out.length) {
                break;
            }
            out = Arrays.copyOf(out, out.length * 2);
        }
        deflater.setInput(NO_INPUT); // do not keep the caller's buffer reachable
        return ByteBuffer.wrap(out, 0, length);
    }

    @Override
    public void reset() {
        deflater.reset();
    }

    @Override
    public void end() {
        deflater.end();
    }
}
