package dev.duplex.protocol.frame;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Masking and unmasking (RFC 6455 5.3): XOR of the payload with the 4-byte key, repeated. The
 * same operation does both.
 */
public final class Masking {
    private static final VarHandle LONGS =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private Masking() {}

    /**
     * XORs {@code length} bytes of {@code bytes} at {@code offset} in place with the key,
     * starting at byte {@code keyIndex} of the key (0–3), and returns the key index to continue
     * with, so that a payload can be unmasked in pieces as it arrives.
     *
     * @param key the key, big-endian as on the wire
     */
    public static int apply(int key, int keyIndex, byte[] bytes, int offset, int length) {
        int i = offset;
        int end = offset + length;
        // Byte by byte until the key lines up, then eight bytes at a time.
        int k = keyIndex & 3;
        while (i < end && k != 0) {
            bytes[i] ^= keyByte(key, k);
            i++;
            k = (k + 1) & 3;
        }
        long key64 = (key & 0xffffffffL) << 32 | (key & 0xffffffffL);
        while (i + 8 <= end) {
            LONGS.set(bytes, i, (long) LONGS.get(bytes, i) ^ key64);
            i += 8;
        }
        while (i < end) {
            bytes[i] ^= keyByte(key, k);
            i++;
            k = (k + 1) & 3;
        }
        return k;
    }

    /** XORs from {@code src} into {@code dst}, leaving the source untouched. */
    public static int apply(int key, int keyIndex, byte[] src, int srcOffset, byte[] dst, int dstOffset, int length) {
        System.arraycopy(src, srcOffset, dst, dstOffset, length);
        return apply(key, keyIndex, dst, dstOffset, length);
    }

    private static byte keyByte(int key, int index) {
        return (byte) (key >>> (24 - 8 * index));
    }
}
