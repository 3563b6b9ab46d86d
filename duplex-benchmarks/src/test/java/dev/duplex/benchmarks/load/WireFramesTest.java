package dev.duplex.benchmarks.load;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The generator's own framing and masking (RFC 6455 5.2, 5.3), checked against the RFC. */
class WireFramesTest {
    private static final int RFC_KEY = 0x37fa213d;

    @Test
    void rfc6455Section57MaskedHello() {
        byte[] hello = "Hello".getBytes(StandardCharsets.US_ASCII);
        ByteBuffer out = ByteBuffer.allocate(WireFrames.maskedFrameLength(hello.length));
        WireFrames.writeMaskedFrame(out, WireFrames.OPCODE_TEXT, new byte[0], 0, hello, RFC_KEY);
        assertEquals("818537fa213d7f9f4d5158", HexFormat.of().formatHex(out.array()));
    }

    @Test
    void stampBytesAreMaskedWithTheKeyBytesOfTheirPosition() {
        byte[] body = "Hello".getBytes(StandardCharsets.US_ASCII);
        byte[] stamp = "Je".getBytes(StandardCharsets.US_ASCII);
        ByteBuffer out = ByteBuffer.allocate(WireFrames.maskedFrameLength(body.length));
        WireFrames.writeMaskedFrame(out, WireFrames.OPCODE_TEXT, stamp, 2, body, RFC_KEY);
        byte[] payload = Arrays.copyOfRange(out.array(), 6, 11);
        WireFrames.maskSlowly(payload, RFC_KEY);
        assertEquals("Jello", new String(payload, StandardCharsets.US_ASCII));
    }

    @Test
    void lengthFieldsSwitchAt126And65536() {
        assertHeader(125, "81fd");
        assertHeader(126, "81fe007e");
        assertHeader(65535, "81feffff");
        assertHeader(65536, "81ff0000000000010000");
    }

    private static void assertHeader(int length, String hexWithoutKey) {
        ByteBuffer out = ByteBuffer.allocate(14);
        WireFrames.writeMaskedHeader(out, WireFrames.OPCODE_TEXT, length, 0x01020304);
        assertEquals(hexWithoutKey + "01020304", HexFormat.of().formatHex(out.array(), 0, out.position()));
        assertEquals(out.position() + length, WireFrames.maskedFrameLength(length));
    }

    @Test
    void wideMaskingMatchesByteByByteAtEveryLengthAndStartingKeyIndex() {
        long seed = Long.getLong("duplex.test.seed", System.nanoTime());
        Random r = new Random(seed);
        for (int length = 0; length <= 70; length++) {
            for (int keyIndex = 0; keyIndex < 4; keyIndex++) {
                byte[] src = new byte[length + 3];
                r.nextBytes(src);
                int key = r.nextInt();
                ByteBuffer out = ByteBuffer.allocate(length);
                WireFrames.maskInto(out, key, keyIndex, src, 3, length);
                byte[] expected = new byte[length];
                for (int i = 0; i < length; i++) {
                    expected[i] = (byte) (src[3 + i] ^ WireFrames.keyByte(key, keyIndex + i));
                }
                assertArrayEquals(expected, out.array(), "length " + length + " keyIndex " + keyIndex + " seed " + seed);
            }
        }
    }
}
