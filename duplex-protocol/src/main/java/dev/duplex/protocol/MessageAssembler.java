package dev.duplex.protocol;

import dev.duplex.protocol.extension.Extension;
import dev.duplex.protocol.frame.FrameHeader;
import dev.duplex.protocol.frame.Masking;
import dev.duplex.protocol.frame.Opcode;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Joins the frames of one data message (RFC 6455 5.4), with the checks that span frames:
 * sequencing (row C7), the fragment count (C12, D2), the size as it grows (D1, and after
 * decompression G1), and UTF-8 as each byte arrives (D4). Not thread-safe.
 */
final class MessageAssembler {
    private final Limits limits;
    private final Extension extension;
    private final Utf8Validator utf8 = new Utf8Validator();

    private Opcode messageOpcode;        // TEXT or BINARY while a message is open, else null
    private Extension.MessageDecoder decoder;
    private int fragments;
    private byte[] buffer = new byte[0];
    private int size;
    private long expectedSize = -1;      // an unfragmented, uncompressed message's length, else -1
    private long compressedIn;           // payload bytes given to decoders, over the connection's life
    private long inflatedOut;            // bytes they gave back
    private int lastMessageSize;         // the payload of the message last completed, inflated

    MessageAssembler(Limits limits, Extension extension) {
        this.limits = limits;
        this.extension = extension;
    }

    /** Checks a data frame's header against the message in progress, before its payload. */
    void frameStarted(FrameHeader header) {
        Opcode opcode = header.opcode();
        if (opcode == Opcode.CONTINUATION) {
            if (messageOpcode == null) {
                throw new ProtocolException(CloseStatus.PROTOCOL_ERROR, "continuation frame with no message to continue");
            }
            if (header.rsv() != 0) {
                // RFC 7692 6: only the first frame of a message carries the RSV1 "compressed" bit.
                throw new ProtocolException(CloseStatus.PROTOCOL_ERROR, "reserved bits set on a continuation frame");
            }
        } else {
            if (messageOpcode != null) {
                throw new ProtocolException(CloseStatus.PROTOCOL_ERROR, "new data frame inside a fragmented message");
            }
            messageOpcode = opcode;
            decoder = header.rsv() != 0 && extension != null ? extension.decoder(header.rsv()) : null;
            expectedSize = header.fin() && decoder == null ? header.payloadLength() : -1;
            fragments = 0;
            size = 0;
            utf8.reset();
        }
        if (++fragments > limits.maxFragments()) {
            throw new ProtocolException(CloseStatus.MESSAGE_TOO_BIG,
                    "message spans more than " + limits.maxFragments() + " frames");
        }
        // The announced length is checked at once; memory grows only as bytes arrive.
        if (decoder == null && size + header.payloadLength() > limits.maxMessageSize()) {
            throw tooBig();
        }
    }

    /** Takes unmasked payload bytes of the current frame. */
    void payload(byte[] bytes, int offset, int length) {
        if (decoder != null) {
            compressedIn += length;
            decoder.decode(ByteBuffer.wrap(bytes, offset, length), false, this::append);
        } else {
            append(bytes, offset, length);
        }
    }

    /**
     * Whether the message in progress is binary and uncompressed, so that its payload needs
     * no check but the size, which {@link #frameStarted} made for the whole frame.
     */
    boolean takesBinaryPayload() {
        return messageOpcode == Opcode.BINARY && decoder == null;
    }

    /**
     * Takes {@code length} payload bytes of the current frame from {@code src}'s position,
     * unmasking them as they are copied when {@code masked}, and advances its position; the
     * source's bytes are left as they were. Only when {@link #takesBinaryPayload()}. Returns
     * the key index to continue with.
     */
    int binaryPayload(ByteBuffer src, int length, boolean masked, int key, int keyIndex) {
        if ((long) size + length > limits.maxMessageSize()) {
            throw tooBig(); // not reached: frameStarted checked the frame's announced length
        }
        reserve(size + length);
        int k = keyIndex;
        if (masked) {
            k = Masking.apply(key, keyIndex, src, src.position(), buffer, size, length);
        } else {
            src.get(src.position(), buffer, size, length);
        }
        src.position(src.position() + length);
        size += length;
        return k;
    }

    /** Ends the current frame; returns the message when this frame was its last, else null. */
    Event frameEnded(boolean fin) {
        if (!fin) {
            return null;
        }
        if (decoder != null) {
            decoder.decode(ByteBuffer.allocate(0), true, this::append);
        }
        Opcode opcode = messageOpcode;
        messageOpcode = null;
        decoder = null;
        expectedSize = -1;
        int length = size;
        size = 0;
        lastMessageSize = length;
        if (opcode == Opcode.TEXT) {
            if (!utf8.isComplete()) {
                throw new ProtocolException(CloseStatus.INVALID_PAYLOAD, "text message ends inside a code point");
            }
            // Decoded straight from the buffer: the String is the only copy.
            String text = Utf8Validator.decodeValidated(buffer, 0, length);
            releaseLongBuffer();
            return new Event.Text(text);
        }
        byte[] data;
        if (buffer.length == length) {
            data = buffer;              // exactly full (see reserve): handed over, not copied
            buffer = new byte[0];
        } else {
            data = Arrays.copyOf(buffer, length);
            releaseLongBuffer();
        }
        return new Event.Binary(data);
    }

    /** A long message's buffer is not kept between messages; a short one is reused. */
    private void releaseLongBuffer() {
        if (buffer.length > 64 * 1024) {
            buffer = new byte[0];
        }
    }

    /** Whether a fragmented message is open. */
    boolean inMessage() {
        return messageOpcode != null;
    }

    /**
     * How many more bytes decompression has produced than it was given, over the connection's
     * life so far; it grows while compressed messages arrive.
     */
    long inflationExcess() {
        return inflatedOut - compressedIn;
    }

    /** The bytes of the message in progress received so far. */
    int lastMessageSize() {
        return lastMessageSize;
    }

    int size() {
        return size;
    }

    private void append(byte[] bytes, int offset, int length) {
        if ((long) size + length > limits.maxMessageSize()) {
            throw tooBig();
        }
        if (messageOpcode == Opcode.TEXT && utf8.update(bytes, offset, length) >= 0) {
            throw new ProtocolException(CloseStatus.INVALID_PAYLOAD, "invalid UTF-8 in text message");
        }
        reserve(size + length);
        System.arraycopy(bytes, offset, buffer, size, length);
        size += length;
        if (decoder != null) {
            inflatedOut += length;
        }
    }

    private void reserve(int capacity) {
        if (capacity > buffer.length) {
            long doubled = Math.max(256, (long) buffer.length * 2);
            long grown = Math.min(Math.max(doubled, capacity), limits.maxMessageSize());
            if (expectedSize >= capacity) {
                // An unfragmented message announced its size: grow no further than that, so the
                // full buffer can become the message without a copy. Still grown only as bytes
                // arrive, never allocated up front from an announced length.
                grown = Math.min(grown, expectedSize);
            }
            buffer = Arrays.copyOf(buffer, (int) grown);
        }
    }

    private ProtocolException tooBig() {
        return new ProtocolException(CloseStatus.MESSAGE_TOO_BIG,
                "message exceeds limit of " + limits.maxMessageSize() + " bytes");
    }
}
