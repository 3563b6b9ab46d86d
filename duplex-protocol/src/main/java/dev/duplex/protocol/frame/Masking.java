package dev.duplex.protocol.frame;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Masking and unmasking (RFC 6455 5.3): XOR of the payload with the 4-byte key, repeated. The
 * same operation does both.
 */
public final class Masking {
    // Little-endian, the order of every common CPU, so no byte swap per word; the key is
    // swapped once instead.
    private static final VarHandle LONGS =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

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
        // Byte j of a little-endian word is its low byte j: the key's byte j & 3 must sit there.
        long swapped = Integer.reverseBytes(key) & 0xffffffffL;
        long key64 = swapped << 32 | swapped;
        // A counted loop over an int index, which C2 turns into vector instructions; a
        // while loop stepping i by 8 stays scalar and runs several times slower.
        int words = (end - i) >>> 3;
        for (int w = 0; w < words; w++) {
            int at = i + (w << 3);
            LONGS.set(bytes, at, (long) LONGS.get(bytes, at) ^ key64);
        }
        i += words << 3;
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
