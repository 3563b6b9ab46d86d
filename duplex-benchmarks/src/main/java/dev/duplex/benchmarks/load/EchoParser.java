package dev.duplex.benchmarks.load;

import java.nio.ByteBuffer;

/**
 * Reads a server's frames (RFC 6455 5.2) as they arrive, in pieces of any size, without
 * holding data payloads: each piece is handed on as it comes so the caller can check it in
 * place. Fragmented messages and control frames between fragments are followed; masked server
 * frames and broken sequences are reported as errors. Not thread-safe.
 */
public final class EchoParser {

    /** What the parser finds. Each call's buffer is only valid during the call. */
    public interface Listener {
        /** Payload bytes of the current data message, starting at {@code messagePosition}. */
        void dataChunk(ByteBuffer chunk, int messagePosition);

        /** The data message that began with {@code opcode} ended after {@code length} bytes. */
        void messageEnded(int opcode, long length);

        /** A whole control frame arrived. */
        void control(int opcode, byte[] payload);

        /** The server broke the protocol; nothing more is parsed. */
        void protocolError(String reason);
    }

    private static final int MAX_HEADER = 10;   // server frames carry no key

    private final Listener listener;
    private final byte[] header = new byte[MAX_HEADER];
    private int headerFilled;

    private boolean inFrame;
    private int frameOpcode;
    private boolean frameFin;
    private long frameRemaining;
    private byte[] controlPayload;
    private int controlFilled;

    private int messageOpcode = -1;      // -1: no data message open
    private long messageLength;
    private boolean failed;

    public EchoParser(Listener listener) {
        this.listener = listener;
    }

    /** Consumes all of {@code in}. */
    public void feed(ByteBuffer in) {
        while (in.hasRemaining() && !failed) {
            if (!inFrame) {
                if (!readHeader(in)) {
                    return;
                }
                continue;
            }
            int n = (int) Math.min(frameRemaining, in.remaining());
            if (controlPayload != null) {
                in.get(controlPayload, controlFilled, n);
                controlFilled += n;
            } else if (n > 0) {
                int limit = in.limit();
                in.limit(in.position() + n);
                listener.dataChunk(in, (int) messageLength);
                in.position(in.limit()).limit(limit);
                messageLength += n;
            }
            frameRemaining -= n;
            if (frameRemaining == 0) {
                frameEnded();
            }
        }
    }

    private boolean readHeader(ByteBuffer in) {
        while (headerFilled < 2 && in.hasRemaining()) {
            header[headerFilled++] = in.get();
        }
        if (headerFilled < 2) {
            return false;
        }
        int length7 = header[1] & 0x7f;
        int needed = 2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0);
        while (headerFilled < needed && in.hasRemaining()) {
            header[headerFilled++] = in.get();
        }
        if (headerFilled < needed) {
            return false;
        }
        headerFilled = 0;
        long length = length7;
        if (length7 == 126) {
            length = (header[2] & 0xff) << 8 | (header[3] & 0xff);
        } else if (length7 == 127) {
            length = 0;
            for (int i = 2; i < 10; i++) {
                length = length << 8 | (header[i] & 0xff);
            }
        }
        int b0 = header[0] & 0xff;
        frameFin = (b0 & WireFrames.B0_FLAG_FIN) != 0;
        frameOpcode = b0 & 0x0f;
        if ((header[1] & WireFrames.B1_FLAG_MASK) != 0) {
            return fail("server frame is masked");
        }
        if ((b0 & 0x70) != 0) {
            return fail("reserved bits set");
        }
        if (length < 0) {
            return fail("64-bit length with top bit set");
        }
        if (frameOpcode >= 0x8) {
            if (!frameFin || length > 125) {
                return fail("bad control frame");
            }
            controlPayload = new byte[(int) length];
            controlFilled = 0;
        } else {
            controlPayload = null;
            if (frameOpcode == WireFrames.OPCODE_CONTINUATION) {
                if (messageOpcode < 0) {
                    return fail("continuation with no message");
                }
            } else if (frameOpcode == WireFrames.OPCODE_TEXT || frameOpcode == WireFrames.OPCODE_BINARY) {
                if (messageOpcode >= 0) {
                    return fail("new message inside a fragmented one");
                }
                messageOpcode = frameOpcode;
                messageLength = 0;
            } else {
                return fail("reserved opcode " + frameOpcode);
            }
        }
        inFrame = true;
        frameRemaining = length;
        if (length == 0) {
            frameEnded();
        }
        return true;
    }

    private void frameEnded() {
        inFrame = false;
        if (controlPayload != null) {
            byte[] payload = controlPayload;
            controlPayload = null;
            listener.control(frameOpcode, payload);
        } else if (frameFin) {
            int opcode = messageOpcode;
            messageOpcode = -1;
            listener.messageEnded(opcode, messageLength);
        }
    }

    private boolean fail(String reason) {
        failed = true;
        listener.protocolError(reason);
        return false;
    }
}
