package dev.duplex.protocol.extension;

import dev.duplex.protocol.CloseStatus;
import dev.duplex.protocol.ProtocolException;
import java.nio.ByteBuffer;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Inflates the messages of one permessage-deflate stream (RFC 7692 7.2.2) in bounded steps.
 *
 * <p>Output goes to the sink at most {@link #STEP} bytes at a time, and inflating continues
 * only after the sink returns, so a sink that enforces the message-size limit stops a
 * decompression bomb at most one step past the limit (row G1). A corrupt stream fails with
 * 1007 (row G2).
 *
 * <p>{@link Inflater} always uses a 15-bit window, which accepts a stream made with any smaller
 * one, so the peer's negotiated window needs no handling here. The inflater itself is created
 * on the first compressed message, not before, since an idle connection should hold no zlib
 * memory (row G4).
 *
 * <p>Not thread-safe.
 */
final class BoundedInflater {
    /** The most output handed to the sink per call. */
    static final int STEP = 16 * 1024;

    /** RFC 7692 7.2.2: the empty stored block that the sender removed from each message. */
    private static final byte[] TAIL = {0x00, 0x00, (byte) 0xff, (byte) 0xff};

    private final byte[] step = new byte[STEP];
    private Inflater inflater;
    /** Whether any compressed byte of the current message has been seen. */
    private boolean messageHasData;
    /** Whether the last byte fed ended a DEFLATE stream (a block with BFINAL set). */
    private boolean streamEnded;

    /** Starts a message; with {@code resetWindow} it references nothing sent before it. */
    void beginMessage(boolean resetWindow) {
        messageHasData = false;
        if (resetWindow && inflater != null) {
            inflater.reset();
            streamEnded = false;
        }
    }

    /**
     * Inflates one frame's payload, consuming it. On the message's last frame the removed
     * {@code 00 00 ff ff} is put back first, so everything the sender flushed comes out.
     */
    void inflate(ByteBuffer payload, boolean fin, Extension.OutputSink sink) {
        if (payload.hasRemaining()) {
            messageHasData = true;
            feed(payload, sink);
        }
        if (!fin) {
            return;
        }
        // An empty message: RFC 7692 7.2.3.6 has senders send a lone 0x00, but a payload with
        // no bytes at all can only mean an empty message too. Feeding the tail alone would
        // leave the inflater inside a stored block's header and corrupt the next message.
        if (!messageHasData) {
            return;
        }
        // RFC 7692 7.2.3.4: a message may end with a final block; the stream is then over and
        // the tail belongs to nothing. The next message starts a new stream.
        if (!streamEnded) {
            feed(ByteBuffer.wrap(TAIL), sink);
        }
    }

    /** Releases the zlib memory; a later message creates a new inflater. */
    void end() {
        if (inflater != null) {
            inflater.end();
            inflater = null;
        }
        streamEnded = false;
    }

    private void feed(ByteBuffer input, Extension.OutputSink sink) {
        if (inflater == null) {
            // nowrap: raw DEFLATE with no zlib header or checksum (RFC 7692 7.2.2).
            inflater = new Inflater(true);
        }
        if (streamEnded) {
            inflater.reset();
            streamEnded = false;
        }
        inflater.setInput(input);
        try {
            while (true) {
                long before = inflater.getBytesRead();
                int n = inflater.inflate(step, 0, STEP);
                if (n > 0) {
                    sink.accept(step, 0, n);
                }
                if (inflater.finished()) {
                    // RFC 7692 7.2.3.4: bytes after a final block start a new DEFLATE stream.
                    if (!input.hasRemaining()) {
                        streamEnded = true;
                        break;
                    }
                    inflater.reset();
                    inflater.setInput(input);
                    continue;
                }
                if (inflater.needsDictionary()) {
                    // A raw stream has no dictionary id; zlib asks only if the data is garbage.
                    throw corrupt();
                }
                if (n == 0 && (inflater.needsInput() || inflater.getBytesRead() == before)) {
                    break;
                }
            }
        } catch (DataFormatException e) {
            throw corrupt();
        } finally {
            inflater.setInput(TAIL, 0, 0); // do not keep the caller's buffer reachable
        }
    }

    private static ProtocolException corrupt() {
        return new ProtocolException(CloseStatus.INVALID_PAYLOAD, "corrupt deflate stream");
    }
}
