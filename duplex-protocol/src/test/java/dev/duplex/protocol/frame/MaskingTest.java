package dev.duplex.protocol.frame;

import static dev.duplex.protocol.RawFrames.RFC_KEY;
import static dev.duplex.protocol.RawFrames.hex;
import static dev.duplex.protocol.RawFrames.utf8;
import static dev.duplex.protocol.RawFrames.xor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Masking (RFC 6455 5.3), against the byte-at-a-time definition in {@code RawFrames.xor}: the
 * RFC example, pieces at every split, and the eight-bytes-at-a-time path at every alignment.
 */
class MaskingTest {
    static final int[] KEYS = {RFC_KEY, 0, -1, 0x01020304, 0x80000001};

    @Test
    void rfc6455Section57MaskedHello() {
        byte[] bytes = utf8("Hello");
        assertEquals(1, Masking.apply(RFC_KEY, 0, bytes, 0, bytes.length));
        assertEquals("7f9f4d5158", hex(bytes));
        Masking.apply(RFC_KEY, 0, bytes, 0, bytes.length);
        assertArrayEquals(utf8("Hello"), bytes, "masking twice restores");
    }

    @Test
    void fastPathMatchesTheDefinitionAtEveryAlignmentLengthAndKeyIndex() {
        Random r = new Random(6455);
        for (int key : KEYS) {
            for (int offset = 0; offset < 8; offset++) {
                for (int length = 0; length <= 64; length++) {
                    for (int keyIndex = 0; keyIndex < 4; keyIndex++) {
                        byte[] buffer = new byte[offset + length + 8];
                        r.nextBytes(buffer);
                        byte[] original = buffer.clone();
                        int next = Masking.apply(key, keyIndex, buffer, offset, length);
                        String where = "key " + Integer.toHexString(key) + " offset " + offset + " length " + length
                                + " keyIndex " + keyIndex;
                        assertEquals((keyIndex + length) % 4, next, where);
                        byte[] expected = original.clone();
                        System.arraycopy(xor(Arrays.copyOfRange(original, offset, offset + length), key, keyIndex),
                                0, expected, offset, length);
                        assertArrayEquals(expected, buffer, "bytes outside the range untouched too; " + where);
                    }
                }
            }
        }
    }

    @Test
    void maskingInPiecesAtEverySplitEqualsMaskingWhole() {
        Random r = new Random(5_3);
        for (int length : new int[] {0, 1, 7, 8, 9, 31, 100}) {
            byte[] payload = new byte[length];
            r.nextBytes(payload);
            byte[] whole = xor(payload, RFC_KEY, 0);
            for (int a = 0; a <= length; a++) {
                for (int b = a; b <= length; b++) {
                    byte[] pieces = payload.clone();
                    int k = Masking.apply(RFC_KEY, 0, pieces, 0, a);
                    k = Masking.apply(RFC_KEY, k, pieces, a, b - a);
                    k = Masking.apply(RFC_KEY, k, pieces, b, length - b);
                    assertArrayEquals(whole, pieces, "length " + length + " split at " + a + " and " + b);
                    assertEquals(length % 4, k);
                }
            }
        }
    }

    @Test
    void seededRandomPiecesOfALongPayloadEqualMaskingWhole() {
        long seed = Long.getLong("duplex.test.seed", System.nanoTime());
        Random r = new Random(seed);
        for (int round = 0; round < 200; round++) {
            byte[] payload = new byte[r.nextInt(5000)];
            r.nextBytes(payload);
            int key = r.nextInt();
            byte[] pieces = payload.clone();
            int k = 0;
            for (int at = 0; at < payload.length; ) {
                int n = Math.min(payload.length - at, r.nextInt(1, 50));
                k = Masking.apply(key, k, pieces, at, n);
                at += n;
            }
            assertArrayEquals(xor(payload, key, 0), pieces, "seed " + seed + " round " + round
                    + " (rerun with -Dduplex.test.seed=" + seed + ")");
            Masking.apply(key, 0, pieces, 0, pieces.length);
            assertArrayEquals(payload, pieces, "masking twice restores, seed " + seed + " round " + round);
        }
    }

    @Test
    void copyingFormLeavesTheSourceUntouched() {
        byte[] src = utf8("..Hello..");
        byte[] dst = new byte[9];
        int next = Masking.apply(RFC_KEY, 0, src, 2, dst, 1, 5);
        assertEquals(1, next);
        assertEquals("..Hello..", new String(src, java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals("007f9f4d5158000000", hex(dst));
    }

    @Test
    void keysAreNeverZeroAndDoNotRepeatWithinAConnection() {
        // Row B8. Independent random keys would repeat among 100,000 about 69% of the time.
        MaskingKeys keys = new MaskingKeys(new SecureRandom());
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 100_000; i++) {
            int key = keys.next();
            assertTrue(key != 0, "a zero key leaves the payload unmasked");
            assertTrue(seen.add(key), "key " + Integer.toHexString(key) + " repeated at frame " + i);
        }
    }

    @Test
    void twoConnectionsDrawDifferentKeys() {
        MaskingKeys a = new MaskingKeys(new SecureRandom());
        MaskingKeys b = new MaskingKeys(new SecureRandom());
        int same = 0;
        for (int i = 0; i < 1000; i++) {
            if (a.next() == b.next()) {
                same++;
            }
        }
        assertTrue(same <= 1, same + " of 1000 keys equal at the same position");
    }
}
