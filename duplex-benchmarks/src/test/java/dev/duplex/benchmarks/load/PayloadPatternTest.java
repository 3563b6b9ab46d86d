package dev.duplex.benchmarks.load;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The check that each echo is the message that was sent, byte for byte. */
class PayloadPatternTest {
    private final byte[] stamp = new byte[PayloadPattern.STAMP_LENGTH];

    @Test
    void theRightPayloadMatchesInPiecesOfEverySize() {
        for (boolean text : new boolean[] {true, false}) {
            PayloadPattern pattern = new PayloadPattern(text, 100, new SplittableRandom(3));
            byte[] payload = pattern.payload(7, 12345);
            pattern.stamp(7, 12345, stamp);
            for (int piece = 1; piece <= payload.length; piece++) {
                for (int at = 0; at < payload.length; at += piece) {
                    int n = Math.min(piece, payload.length - at);
                    assertTrue(pattern.matches(ByteBuffer.wrap(payload, at, n), at, stamp),
                            "text " + text + " piece " + piece + " at " + at);
                }
            }
        }
    }

    @Test
    void oneChangedByteAnywhereIsCaught() {
        PayloadPattern pattern = new PayloadPattern(false, 64, new SplittableRandom(4));
        pattern.stamp(1, 2, stamp);
        for (int i = 0; i < 64; i++) {
            byte[] payload = pattern.payload(1, 2);
            payload[i] ^= 0x20;
            assertFalse(pattern.matches(ByteBuffer.wrap(payload), 0, stamp), "changed byte " + i);
        }
    }

    @Test
    void anotherConnectionsOrAnotherSequencesMessageIsCaught() {
        PayloadPattern pattern = new PayloadPattern(true, 32, new SplittableRandom(5));
        pattern.stamp(1, 2, stamp);
        assertTrue(pattern.matches(ByteBuffer.wrap(pattern.payload(1, 2)), 0, stamp));
        assertFalse(pattern.matches(ByteBuffer.wrap(pattern.payload(2, 2)), 0, stamp));
        assertFalse(pattern.matches(ByteBuffer.wrap(pattern.payload(1, 3)), 0, stamp));
    }

    @Test
    void aLongerEchoIsCaught() {
        PayloadPattern pattern = new PayloadPattern(false, 16, new SplittableRandom(6));
        pattern.stamp(0, 0, stamp);
        assertFalse(pattern.matches(ByteBuffer.wrap(new byte[4]), 14, stamp));
    }

    @Test
    void textIsPrintableAsciiSoItsUtf8IsItself() {
        PayloadPattern pattern = new PayloadPattern(true, 500, new SplittableRandom(7));
        byte[] payload = pattern.payload(65535, 1L << 39);
        for (byte b : payload) {
            assertTrue(b >= 0x20 && b < 0x7f, "byte " + b);
        }
        assertArrayEquals(payload, new String(payload, StandardCharsets.US_ASCII).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shortPayloadsKeepTheStampsFirstBytes() {
        PayloadPattern pattern = new PayloadPattern(false, 3, new SplittableRandom(8));
        assertEquals(3, pattern.stampLength());
        assertNotEquals(Arrays.toString(pattern.payload(0, 1)), Arrays.toString(pattern.payload(0, 2)));
        assertNotEquals(Arrays.toString(pattern.payload(0, 1)), Arrays.toString(pattern.payload(0, 1 + (1L << 16))));
    }
}
