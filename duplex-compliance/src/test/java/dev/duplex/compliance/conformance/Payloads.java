package dev.duplex.compliance.conformance;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Payloads for the cases. Not one repeated byte, as Autobahn sends, but a pattern that changes
 * from byte to byte, so an echo that is shifted, masked at the wrong offset or joined in the
 * wrong order cannot pass for the original.
 */
final class Payloads {
    private static final byte[] PRINTABLE =
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789*-_.".getBytes(StandardCharsets.US_ASCII);

    private Payloads() {}

    /** ASCII text (so valid UTF-8 however it is cut) of {@code length} bytes. */
    static byte[] text(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = PRINTABLE[(i + i / PRINTABLE.length) % PRINTABLE.length];
        }
        return bytes;
    }

    /** Every byte value, in an order that does not repeat every 256 bytes. */
    static byte[] binary(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (i * 31 + i / 251);
        }
        return bytes;
    }

    /** The bytes from {@code from} (inclusive) to {@code to} (exclusive). */
    static byte[] slice(byte[] bytes, int from, int to) {
        return Arrays.copyOfRange(bytes, from, to);
    }
}
