package dev.duplex.compliance.conformance;

/** Cuts a message into frames, as a sender that fragments (RFC 6455 5.4) would. */
final class Fragments {
    private Fragments() {}

    /**
     * The message as frames of {@code size} bytes (the last may be shorter): the first with the
     * message's opcode, the rest continuations, FIN on the last. An empty message is one frame.
     */
    static Frame[] of(int opcode, byte[] payload, int size) {
        int count = Math.max(1, (payload.length + size - 1) / size);
        Frame[] frames = new Frame[count];
        for (int i = 0; i < count; i++) {
            byte[] part = Payloads.slice(payload, i * size, Math.min(payload.length, (i + 1) * size));
            boolean last = i == count - 1;
            frames[i] = new Frame(last, 0, i == 0 ? opcode : Frame.CONTINUATION, part);
        }
        return frames;
    }
}
