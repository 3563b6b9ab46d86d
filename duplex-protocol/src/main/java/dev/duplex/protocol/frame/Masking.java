package dev.duplex.protocol.frame;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * Masking and unmasking (RFC 6455 5.3): XOR of the payload with the 4-byte key, repeated. The
 * same operation does both.
 */
public final class Masking {
    // Little-endian, the order of every common CPU, so no byte swap per word; the key is
    // swapped once instead.
    private static final VarHandle LONGS =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /**
     * Bytes copied at a time before they are masked in place: small enough that the piece is
     * still in the L1 cache when the XOR loop reads it back.
     */
    private static final int PIECE = 8192;

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

    /**
     * XORs {@code length} bytes of {@code src} at {@code srcOffset} with the key into
     * {@code dst} at {@code dstOffset}, leaving the source untouched, and returns the key index
     * to continue with, as {@link #apply(int, int, byte[], int, int)} does. The two ranges may
     * overlap.
     *
     * <p>Each byte crosses main memory once: the source is copied a piece at a time and each
     * piece is masked while it is still in cache. (One loop that reads {@code src} and writes
     * {@code dst} would do the same, but C2 in JDK 25 keeps it scalar unless it can prove the
     * arrays distinct, and then it is slower than this even in cache.)
     *
     * @param key the key, big-endian as on the wire
     * @throws IndexOutOfBoundsException if either range is outside its array; nothing is written
     */
    public static int apply(int key, int keyIndex, byte[] src, int srcOffset, byte[] dst, int dstOffset, int length) {
        Objects.checkFromIndexSize(srcOffset, length, src.length);
        Objects.checkFromIndexSize(dstOffset, length, dst.length);
        if (src == dst && Math.abs(srcOffset - dstOffset) < length) {
            // Copying a piece could overwrite source bytes not yet copied; copy all first.
            System.arraycopy(src, srcOffset, dst, dstOffset, length);
            return apply(key, keyIndex, dst, dstOffset, length);
        }
        int k = keyIndex & 3;
        for (int done = 0; done < length; ) {
            int n = Math.min(PIECE, length - done);
            System.arraycopy(src, srcOffset + done, dst, dstOffset + done, n);
            k = apply(key, k, dst, dstOffset + done, n);
            done += n;
        }
        return k;
    }

    /**
     * XORs {@code length} bytes of {@code src}, from absolute index {@code srcIndex}, with the
     * key into {@code dst} at {@code dstOffset}, as
     * {@link #apply(int, int, byte[], int, byte[], int, int)} does, and returns the key index to
     * continue with. Neither the contents nor the position of {@code src} change; it may be a
     * heap, direct or read-only buffer.
     *
     * @param key the key, big-endian as on the wire
     * @throws IndexOutOfBoundsException if the source range is outside {@code src}'s limit or
     *     the destination range outside {@code dst}; nothing is written
     */
    public static int apply(int key, int keyIndex, ByteBuffer src, int srcIndex, byte[] dst, int dstOffset,
                            int length) {
        Objects.checkFromIndexSize(srcIndex, length, src.limit());
        Objects.checkFromIndexSize(dstOffset, length, dst.length);
        if (src.hasArray()) {
            return apply(key, keyIndex, src.array(), src.arrayOffset() + srcIndex, dst, dstOffset, length);
        }
        int k = keyIndex & 3;
        for (int done = 0; done < length; ) {
            int n = Math.min(PIECE, length - done);
            src.get(srcIndex + done, dst, dstOffset + done, n);
            k = apply(key, k, dst, dstOffset + done, n);
            done += n;
        }
        return k;
    }

    private static byte keyByte(int key, int index) {
        return (byte) (key >>> (24 - 8 * index));
    }
}
