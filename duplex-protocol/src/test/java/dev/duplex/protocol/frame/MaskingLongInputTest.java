package dev.duplex.protocol.frame;

import static dev.duplex.protocol.RawFrames.xor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Masking of inputs long enough for the word loop to be compiled into vector instructions,
 * at every offset and key index, against the byte-at-a-time definition; repeated so that the
 * compiled loop, not the interpreter, does most of the work.
 */
class MaskingLongInputTest {
    @Test
    void longInputsMatchTheDefinitionAtEveryOffsetAndKeyIndex() {
        long seed = Long.getLong("duplex.test.seed", System.nanoTime());
        Random r = new Random(seed);
        for (int round = 0; round < 200; round++) {
            int length = 65 + r.nextInt(4000);
            int offset = r.nextInt(16);
            int keyIndex = r.nextInt(4);
            int key = r.nextInt();
            byte[] buffer = new byte[offset + length + 16];
            r.nextBytes(buffer);
            byte[] expected = buffer.clone();
            System.arraycopy(xor(Arrays.copyOfRange(buffer, offset, offset + length), key, keyIndex),
                    0, expected, offset, length);
            int next = Masking.apply(key, keyIndex, buffer, offset, length);
            String where = "seed " + seed + " round " + round + " (rerun with -Dduplex.test.seed=" + seed + ")";
            assertEquals((keyIndex + length) % 4, next, where);
            assertArrayEquals(expected, buffer, where);
        }
    }
}
