package dev.duplex.benchmarks.load;

import java.util.SplittableRandom;

/**
 * What every message carries, so each echo can be checked byte for byte without keeping a
 * copy of what was sent: a body fixed for the run, and in front of it a stamp made of the
 * connection's number and the message's sequence number (8 raw bytes for binary, 16 letters
 * for text; a shorter payload keeps the stamp's first bytes). A server that drops, reorders,
 * duplicates, corrupts or crosses messages between connections therefore fails the check.
 * Text is printable ASCII, which is valid UTF-8 of the same length in bytes.
 */
public final class PayloadPattern {
    /** The longest stamp; binary stamps use the first eight bytes. */
    static final int STAMP_LENGTH = 16;
    private static final int SEQUENCE_BITS = 40;

    private final boolean text;
    private final byte[] body;

    /** A pattern of {@code size} bytes drawn from {@code random}. */
    public PayloadPattern(boolean text, int size, SplittableRandom random) {
        this.text = text;
        this.body = new byte[size];
        for (int i = 0; i < size; i++) {
            body[i] = text ? (byte) (' ' + random.nextInt(95)) : (byte) random.nextInt(256);
        }
    }

    public boolean isText() {
        return text;
    }

    public int size() {
        return body.length;
    }

    /** The fixed body; its first bytes are replaced by the stamp on the wire. */
    byte[] body() {
        return body;
    }

    /** How many leading payload bytes the stamp replaces. */
    public int stampLength() {
        return Math.min(text ? 16 : 8, body.length);
    }

    /**
     * Writes the stamp of message {@code sequence} on connection {@code connection} into
     * {@code into} (at least {@link #STAMP_LENGTH} bytes) and returns it.
     */
    public byte[] stamp(int connection, long sequence, byte[] into) {
        // Least significant first, so a payload shorter than the stamp still varies per message.
        long value = (long) connection << SEQUENCE_BITS ^ sequence;
        if (text) {
            for (int i = 0; i < 16; i++) {
                into[i] = (byte) ('a' + ((value >>> (4 * i)) & 15));
            }
        } else {
            for (int i = 0; i < 8; i++) {
                into[i] = (byte) (value >>> (8 * i));
            }
        }
        return into;
    }

    /** The whole payload of a message, for tests and diagnostics. */
    public byte[] payload(int connection, long sequence) {
        byte[] payload = body.clone();
        byte[] stamp = stamp(connection, sequence, new byte[STAMP_LENGTH]);
        System.arraycopy(stamp, 0, payload, 0, stampLength());
        return payload;
    }

    /**
     * Whether the bytes from {@code data}'s position to its limit are bytes
     * {@code [position, position + data.remaining())} of the payload whose stamp is given.
     * Leaves the buffer's position where it was.
     */
    public boolean matches(java.nio.ByteBuffer data, int position, byte[] stamp) {
        int n = data.remaining();
        if ((long) position + n > body.length) {
            return false;
        }
        int at = data.position();
        int i = 0;
        int stampLength = stampLength();
        while (i < n && position + i < stampLength) {
            if (data.get(at + i) != stamp[position + i]) {
                return false;
            }
            i++;
        }
        if (i == n) {
            return true;
        }
        // The bulk compares through ByteBuffer.mismatch, which the JDK vectorises.
        java.nio.ByteBuffer received = data.slice(at + i, n - i);
        java.nio.ByteBuffer expected = java.nio.ByteBuffer.wrap(body, position + i, n - i);
        return received.mismatch(expected) < 0;
    }
}
