package dev.duplex;

import java.nio.ByteBuffer;

/** A complete WebSocket message (RFC 6455 5.6): text or binary. */
public sealed interface Message {

    /** A text message; its text was validated as UTF-8 on arrival. */
    record Text(String text) implements Message {}

    /** A binary message. The array is the receiver's to keep or change. */
    record Binary(byte[] data) implements Message {
        /** The data as a read-only buffer, without a copy. */
        public ByteBuffer buffer() {
            return ByteBuffer.wrap(data).asReadOnlyBuffer();
        }
    }
}
