package dev.duplex.protocol.extension;

import java.nio.ByteBuffer;

/**
 * Compresses whole messages into one raw DEFLATE stream (RFC 1951), each message ending with a
 * sync flush, so that the stream so far can be inflated up to the message's last byte
 * (RFC 7692 7.2.1). Between messages the LZ77 window is kept unless {@link #reset()} is called.
 */
sealed interface MessageDeflater permits ZlibDeflater, WindowedDeflater {

    /**
     * Compresses the remaining bytes of {@code message}, consuming them. The result is a new
     * buffer that ends with the {@code 00 00 ff ff} of the sync flush.
     */
    ByteBuffer deflateMessage(ByteBuffer message);

    /** Forgets the window, so the next message references nothing before it (no context takeover). */
    void reset();

    /** Releases what the deflater holds; it must not be used afterwards. */
    void end();
}
