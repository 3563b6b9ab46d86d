package dev.duplex.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The validator's fast paths. Long ASCII runs are skipped eight bytes, then 256 bytes, at a
 * time, so a single non-ASCII byte anywhere in or around a block must still stop the skip at
 * the right place, and every sequence around the RFC 3629 boundaries, with ASCII text after
 * it, must get the verdict of the byte-by-byte table of {@link Utf8ValidatorTest}. Cases
 * repeat so the JIT-compiled loops check the later ones.
 */
class Utf8ValidatorFastPathTest {
    private static final int LENGTH = 256 * 3 + 19;

    @Test
    void aStrayContinuationByteIsFoundAtEveryPositionOfLongAsciiText() {
        for (int round = 0; round < 20; round++) {
            for (int at = 0; at < LENGTH; at++) {
                byte[] text = ascii(LENGTH);
                text[at] = (byte) 0x80;
                assertEquals(at, new Utf8Validator().update(text, 0, text.length), "bad byte at " + at);
            }
        }
    }

    @Test
    void aValidTwoByteSequenceAtEveryPositionOfLongAsciiTextIsAccepted() {
        for (int round = 0; round < 20; round++) {
            for (int at = 0; at + 1 < LENGTH; at++) {
                byte[] text = ascii(LENGTH);
                text[at] = (byte) 0xc3;      // é
                text[at + 1] = (byte) 0xa9;
                assertTrue(Utf8Validator.isValid(text, 0, text.length), "é at " + at);
            }
        }
    }

    @Test
    void aTruncatedSequenceAtTheEndOfLongAsciiTextIsIncomplete() {
        byte[] text = ascii(LENGTH);
        text[LENGTH - 1] = (byte) 0xe2;
        Utf8Validator v = new Utf8Validator();
        assertEquals(-1, v.update(text, 0, text.length));
        assertFalse(v.isComplete());
    }

    @Test
    void blocksAreCountedFromTheOffsetNotFromTheArrayStart() {
        for (int offset = 0; offset < 16; offset++) {
            byte[] text = ascii(LENGTH + 16);
            text[offset + 300] = (byte) 0xff;
            assertEquals(offset + 300, new Utf8Validator().update(text, offset, LENGTH), "offset " + offset);
        }
    }

    @Test
    void everySequenceAroundTheBoundariesFollowedByMoreTextMatchesTheTable() {
        int[] edges = {0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xed,
            0xef, 0xf0, 0xf4, 0xf5, 0xff};
        for (int b0 = 0x80; b0 <= 0xff; b0++) {
            for (int b1 : edges) {
                for (int b2 : edges) {
                    for (int b3 : edges) {
                        byte[] b = {'x', (byte) b0, (byte) b1, (byte) b2, (byte) b3, 'a', 'b', 'c', 'd', 'e'};
                        assertEquals(Utf8ValidatorTest.byTable(b, 0, b.length), Utf8ValidatorTest.ours(b, 0, b.length),
                                () -> java.util.HexFormat.of().formatHex(b));
                    }
                }
            }
        }
    }

    private static byte[] ascii(int length) {
        byte[] b = new byte[length];
        Arrays.fill(b, (byte) 'a');
        return b;
    }
}
