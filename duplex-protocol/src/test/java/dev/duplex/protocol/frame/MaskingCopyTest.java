package dev.duplex.protocol.frame;

import static dev.duplex.protocol.RawFrames.RFC_KEY;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Masking from a source into a destination (RFC 6455 5.3, the client's send path, row B8),
 * against masking a copy in place: every length up to 300 at every key index, from arrays at
 * several offsets and from heap, direct, sliced and read-only buffers; lengths around the size
 * of the pieces it copies; overlapping ranges; bad ranges.
 */
class MaskingCopyTest {
    /** Bytes before and after the payload in every source and destination, so offsets matter. */
    private static final int PAD = 5;

    /** A source buffer holding a payload, and the absolute index where the payload starts. */
    private record Source(String kind, ByteBuffer buffer, int index) {}

    private static Source[] sources(byte[] payload, Random r) {
        int n = payload.length;
        byte[] padded = new byte[PAD + n + PAD];
        r.nextBytes(padded);
        System.arraycopy(payload, 0, padded, PAD, n);
        ByteBuffer direct = ByteBuffer.allocateDirect(n).put(payload).flip();
        ByteBuffer paddedDirect = ByteBuffer.allocateDirect(padded.length).put(padded).flip();
        return new Source[] {
            new Source("heap", ByteBuffer.wrap(payload.clone()), 0),
            new Source("heap at an index", ByteBuffer.wrap(padded.clone()).position(PAD), PAD),
            new Source("heap slice", ByteBuffer.wrap(padded.clone()).slice(PAD, n), 0),
            new Source("read-only heap", ByteBuffer.wrap(padded.clone()).asReadOnlyBuffer(), PAD),
            new Source("direct", direct, 0),
            new Source("direct at an index", paddedDirect.duplicate(), PAD),
            new Source("direct slice", paddedDirect.slice(PAD, n), 0),
        };
    }

    /** The expected result: the payload copied, then masked in place. */
    private static byte[] maskedInPlace(byte[] payload, int key, int keyIndex) {
        byte[] expected = payload.clone();
        Masking.apply(key, keyIndex, expected, 0, expected.length);
        return expected;
    }

    @Test
    void everyLengthTo300AtEveryKeyIndexFromArraysEqualsMaskingInPlace() {
        Random r = new Random(6455_53);
        int[][] offsets = {{0, 0}, {0, PAD}, {PAD, 0}, {3, 3}, {1, 14}};
        for (int length = 0; length <= 300; length++) {
            byte[] payload = new byte[length];
            r.nextBytes(payload);
            for (int keyIndex = 0; keyIndex < 4; keyIndex++) {
                for (int[] at : offsets) {
                    String where = "length " + length + " keyIndex " + keyIndex + " src at " + at[0] + " dst at " + at[1];
                    byte[] src = new byte[at[0] + length + PAD];
                    r.nextBytes(src);
                    System.arraycopy(payload, 0, src, at[0], length);
                    byte[] srcBefore = src.clone();
                    byte[] dst = new byte[at[1] + length + PAD];
                    r.nextBytes(dst);
                    byte[] expected = dst.clone();
                    System.arraycopy(maskedInPlace(payload, RFC_KEY, keyIndex), 0, expected, at[1], length);

                    int next = Masking.apply(RFC_KEY, keyIndex, src, at[0], dst, at[1], length);

                    assertEquals((keyIndex + length) % 4, next, where);
                    assertArrayEquals(expected, dst, "bytes outside the range untouched too; " + where);
                    assertArrayEquals(srcBefore, src, "source untouched; " + where);
                }
            }
        }
    }

    @Test
    void everyLengthTo300AtEveryKeyIndexFromEveryKindOfBufferEqualsMaskingInPlace() {
        Random r = new Random(6455_10_3);
        for (int length = 0; length <= 300; length++) {
            byte[] payload = new byte[length];
            r.nextBytes(payload);
            for (Source source : sources(payload, r)) {
                int position = source.buffer().position();
                for (int keyIndex = 0; keyIndex < 4; keyIndex++) {
                    String where = source.kind() + " length " + length + " keyIndex " + keyIndex;
                    byte[] dst = new byte[PAD + length + PAD];
                    byte[] expected = dst.clone();
                    System.arraycopy(maskedInPlace(payload, RFC_KEY, keyIndex), 0, expected, PAD, length);

                    int next = Masking.apply(RFC_KEY, keyIndex, source.buffer(), source.index(), dst, PAD, length);

                    assertEquals((keyIndex + length) % 4, next, where);
                    assertArrayEquals(expected, dst, where);
                    assertEquals(position, source.buffer().position(), "position unchanged; " + where);
                    byte[] after = new byte[length];
                    source.buffer().get(source.index(), after);
                    assertArrayEquals(payload, after, "contents unchanged; " + where);
                }
            }
        }
    }

    @Test
    void seededRandomLongPayloadsInRandomPiecesEqualMaskingInPlace() {
        long seed = Long.getLong("duplex.test.seed", System.nanoTime());
        Random r = new Random(seed);
        // Around the size of the pieces it copies (8 KiB), and several of them.
        int[] lengths = {8191, 8192, 8193, 3 * 8192 + 5, 70_000};
        for (int round = 0; round < 20; round++) {
            int length = lengths[round % lengths.length];
            byte[] payload = new byte[length];
            r.nextBytes(payload);
            int key = r.nextInt();
            int firstKeyIndex = r.nextInt(4);
            byte[] expected = maskedInPlace(payload, key, firstKeyIndex);
            for (Source source : sources(payload, r)) {
                String where = source.kind() + " length " + length + " seed " + seed + " round " + round
                        + " (rerun with -Dduplex.test.seed=" + seed + ")";
                byte[] dst = new byte[length];
                int k = firstKeyIndex;
                for (int at = 0; at < length; ) {
                    int n = Math.min(length - at, 1 + r.nextInt(20_000));
                    k = Masking.apply(key, k, source.buffer(), source.index() + at, dst, at, n);
                    at += n;
                }
                assertEquals((firstKeyIndex + length) % 4, k, where);
                assertArrayEquals(expected, dst, where);
            }
        }
    }

    @Test
    void overlappingRangesOfOneArrayEqualMaskingACopy() {
        Random r = new Random(7);
        for (int length : new int[] {1, 9, 100, 20_000}) {
            for (int shift : new int[] {-13, -8, -1, 0, 1, 7, 8, 13}) {
                byte[] bytes = new byte[length + 40];
                r.nextBytes(bytes);
                int src = 20;
                int dst = src + shift;
                byte[] expected = bytes.clone();
                System.arraycopy(maskedInPlace(Arrays.copyOfRange(bytes, src, src + length), RFC_KEY, 1),
                        0, expected, dst, length);

                Masking.apply(RFC_KEY, 1, bytes, src, bytes, dst, length);

                assertArrayEquals(expected, bytes, "length " + length + " destination shifted by " + shift);
            }
        }
    }

    @Test
    void aRangeOutsideItsArrayOrLimitIsRefusedBeforeAnythingIsWritten() {
        byte[] src = new byte[10];
        byte[] dst = new byte[10];
        assertThrows(IndexOutOfBoundsException.class, () -> Masking.apply(RFC_KEY, 0, src, 1, dst, 0, 10));
        assertThrows(IndexOutOfBoundsException.class, () -> Masking.apply(RFC_KEY, 0, src, 0, dst, 1, 10));
        assertThrows(IndexOutOfBoundsException.class, () -> Masking.apply(RFC_KEY, 0, src, -1, dst, 0, 5));
        ByteBuffer limited = ByteBuffer.allocateDirect(10).limit(6);
        assertThrows(IndexOutOfBoundsException.class, () -> Masking.apply(RFC_KEY, 0, limited, 0, dst, 0, 7));
        assertThrows(IndexOutOfBoundsException.class,
                () -> Masking.apply(RFC_KEY, 0, ByteBuffer.wrap(src), 0, dst, 4, 7));
        assertArrayEquals(new byte[10], dst, "nothing written");
    }
}
