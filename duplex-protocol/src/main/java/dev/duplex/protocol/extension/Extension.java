package dev.duplex.protocol.extension;

import java.nio.ByteBuffer;

/**
 * A negotiated extension that transforms whole data messages (RFC 6455 9, RFC 7692 5), such
 * as permessage-deflate. One instance serves one connection, in both directions; it is not
 * thread-safe, because the connection that owns it is not.
 */
public interface Extension extends AutoCloseable {

    /** The extension token as negotiated, e.g. {@code permessage-deflate}. */
    String name();

    /**
     * The RSV bits of a frame's first byte that this extension gives meaning to (RSV1 is
     * {@code 0x40}). A frame with any other RSV bit set fails the connection with 1002.
     */
    int rsvMask();

    /**
     * Starts decoding an inbound data message whose first frame had {@code rsv} set (already
     * reduced to {@link #rsvMask()}). Returns {@code null} when the message is not transformed
     * and its payload should be taken as it is.
     */
    MessageDecoder decoder(int rsv);

    /**
     * Encodes the payload of an outbound data message. {@code allowTransform} is false when the
     * application opted this message out (for example a secret next to attacker-controlled data,
     * CRIME/BREACH); the extension then returns the payload as it is, with no RSV bits.
     */
    Encoded encode(ByteBuffer payload, boolean allowTransform);

    /** Releases what the extension holds (for deflate: native zlib memory). Idempotent. */
    @Override
    void close();

    /** An encoded payload and the RSV bits to set on the first frame of its message. */
    record Encoded(ByteBuffer payload, int rsv) {}

    /** Decodes one inbound message, frame by frame. */
    interface MessageDecoder {
        /**
         * Decodes the payload of one frame of the message and hands the output to {@code sink}
         * in steps of bounded size, so that a limit can stop a decompression bomb after one
         * step. {@code fin} marks the message's last frame.
         *
         * @throws dev.duplex.protocol.ProtocolException with 1007 for a corrupt stream, or
         *     whatever the sink throws
         */
        void decode(ByteBuffer payload, boolean fin, OutputSink sink);
    }

    /** Where decoded bytes go; it may throw a ProtocolException (1009) to stop decoding. */
    @FunctionalInterface
    interface OutputSink {
        void accept(byte[] bytes, int offset, int length);
    }
}
