package dev.duplex.protocol.extension;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * WindowedDeflater against java.util.zip.Inflater and against a reference decoder that checks
 * no distance exceeds the window (RFC 7692 7.1.2: window bits 8..15; RFC 1951).
 */
class WindowedDeflaterTest {

    private static final long BASE_SEED = 0x5eed_7692L;

    @ParameterizedTest(name = "window bits {0}")
    @ValueSource(ints = {8, 9, 10, 11, 12, 13, 14, 15})
    void seededInputsInflateAndStayInsideTheWindow(int bits) {
        for (int round = 0; round < 24; round++) {
            long seed = BASE_SEED + bits * 1000L + round;
            byte[] input = sample(new Random(seed), round);
            String where = "window " + bits + ", seed " + seed + ", kind " + (round % 6);
            WindowedDeflater deflater = new WindowedDeflater(bits, 1 + round % 9);
            byte[] compressed = deflate(deflater, input);

            assertArrayEquals(input, zlibInflate(compressed), where);
            ReferenceInflater reference = new ReferenceInflater();
            assertArrayEquals(input, reference.inflate(compressed), where);
            assertTrue(reference.maxDistance() <= 1 << bits,
                    where + ": distance " + reference.maxDistance());
            // A block written as stored drops its matches, so the decoder may see fewer.
            assertTrue(deflater.maxDistance() <= 1 << bits, where + ": emitted " + deflater.maxDistance());
            assertTrue(reference.maxDistance() <= deflater.maxDistance(), where);
        }
    }

    @ParameterizedTest(name = "window bits {0}")
    @ValueSource(ints = {8, 9, 10, 11, 12, 13, 14, 15})
    void aRepeatExactlyOneWindowBackIsUsedAndOneByteMoreIsNot(int bits) {
        int window = 1 << bits;
        long seed = BASE_SEED + bits;
        Random random = new Random(seed);
        byte[] block = new byte[window];
        random.nextBytes(block);
        byte[] twice = concat(block, block);
        ReferenceInflater reference = new ReferenceInflater();
        assertArrayEquals(twice, reference.inflate(deflate(new WindowedDeflater(bits, 6), twice)));
        assertEquals(window, reference.maxDistance(), "the repeat sits exactly one window back, seed " + seed);

        byte[] wider = new byte[window + 1];
        random.nextBytes(wider);
        byte[] widerTwice = concat(wider, wider);
        ReferenceInflater check = new ReferenceInflater();
        assertArrayEquals(widerTwice, check.inflate(deflate(new WindowedDeflater(bits, 9), widerTwice)));
        assertTrue(check.maxDistance() <= window, "distance " + check.maxDistance() + ", seed " + seed);
    }

    @ParameterizedTest(name = "window bits {0}")
    @ValueSource(ints = {8, 11, 15})
    void contextTakeoverCarriesTheWindowAcrossMessages(int bits) {
        long seed = BASE_SEED ^ bits;
        Random random = new Random(seed);
        WindowedDeflater deflater = new WindowedDeflater(bits, 6);
        Inflater zlib = new Inflater(true);
        ReferenceInflater reference = new ReferenceInflater();
        byte[] phrase = "{\"type\":\"tick\",\"symbol\":\"DPLX\",\"price\":".getBytes(StandardCharsets.US_ASCII);
        try {
            for (int i = 0; i < 200; i++) {
                byte[] message = concat(phrase,
                        Integer.toString(random.nextInt(100_000)).getBytes(StandardCharsets.US_ASCII));
                byte[] compressed = deflate(deflater, message);
                assertArrayEquals(message, inflate(zlib, compressed), "seed " + seed + ", message " + i);
                assertArrayEquals(message, reference.inflate(compressed), "seed " + seed + ", message " + i);
                if (i > 0) {
                    assertTrue(compressed.length < message.length, "the phrase comes from the last message");
                }
            }
            assertTrue(reference.maxDistance() <= 1 << bits, "seed " + seed);
        } finally {
            zlib.end();
        }
    }

    @Test
    void resetForgetsTheWindow() {
        WindowedDeflater deflater = new WindowedDeflater(10, 6);
        byte[] hello = "Hello, Hello, Hello".getBytes(StandardCharsets.US_ASCII);
        byte[] first = deflate(deflater, hello);
        deflater.reset();
        byte[] second = deflate(deflater, hello);
        assertArrayEquals(first, second);
        // Each message must inflate alone, as a peer with no context takeover does.
        assertArrayEquals(hello, zlibInflate(second));
    }

    @Test
    void emptyMessageIsOnlyTheSyncFlush() {
        // RFC 7692 7.2.3.6: an empty stored block, which is 00 once 00 00 ff ff is removed.
        assertArrayEquals(new byte[] {0, 0, 0, (byte) 0xff, (byte) 0xff},
                deflate(new WindowedDeflater(9, 6), new byte[0]));
    }

    @Test
    void helloIsTheRfc7692FixedHuffmanBlock() {
        // RFC 7692 7.2.3.1 with the sync flush still on: our choice of block matches zlib's here.
        byte[] expected = {(byte) 0xf2, 0x48, (byte) 0xcd, (byte) 0xc9, (byte) 0xc9, 0x07, 0x00,
            0x00, 0x00, (byte) 0xff, (byte) 0xff};
        for (int bits = 8; bits <= 15; bits++) {
            assertArrayEquals(expected, deflate(new WindowedDeflater(bits, 6), "Hello".getBytes(StandardCharsets.US_ASCII)));
        }
    }

    @Test
    void everyBlockTypeIsProducedAndDecodes() {
        ReferenceInflater reference = new ReferenceInflater();
        WindowedDeflater deflater = new WindowedDeflater(12, 6);
        byte[] random = new byte[3000];
        new Random(BASE_SEED).nextBytes(random);
        byte[] text = repetitiveText(new Random(BASE_SEED), 100_000);
        for (byte[] message : new byte[][] {"Hello".getBytes(StandardCharsets.US_ASCII), random, text}) {
            assertArrayEquals(message, reference.inflate(deflate(deflater, message)));
        }
        assertEquals(0b111, reference.blockTypesSeen(), "stored, fixed and dynamic blocks");
    }

    @Test
    void levelZeroStillRoundTrips() {
        byte[] text = repetitiveText(new Random(BASE_SEED), 70_000);
        WindowedDeflater deflater = new WindowedDeflater(8, 0);
        assertArrayEquals(text, zlibInflate(deflate(deflater, text)));
        assertEquals(0, deflater.maxDistance());
    }

    /** Six kinds of input, picked by round: random, text, zeros, short-period, mixed, sparse. */
    static byte[] sample(Random random, int round) {
        int size = switch (round % 4) {
            case 0 -> random.nextInt(64);
            case 1 -> 1_000 + random.nextInt(5_000);
            case 2 -> 40_000 + random.nextInt(40_000);
            default -> 150_000 + random.nextInt(100_000);
        };
        return sample(random, round % 6, size);
    }

    static byte[] sample(Random random, int kind, int size) {
        byte[] data = new byte[size];
        switch (kind) {
            case 0 -> random.nextBytes(data);
            case 1 -> data = repetitiveText(random, size);
            case 2 -> { } // zeros: the longest matches, the largest ratios
            case 3 -> {
                int period = 1 + random.nextInt(300);
                for (int i = 0; i < size; i++) {
                    data[i] = (byte) (i % period * 7);
                }
            }
            case 4 -> {
                // Runs of noise and copies from up to 40 000 bytes back, past every small window.
                for (int i = 0; i < size; ) {
                    int run = Math.min(size - i, 1 + random.nextInt(400));
                    if (random.nextBoolean() || i == 0) {
                        for (int k = 0; k < run; k++) {
                            data[i + k] = (byte) random.nextInt(4);
                        }
                    } else {
                        int back = Math.min(i, 1 + random.nextInt(40_000));
                        for (int k = 0; k < run; k++) {
                            data[i + k] = data[i + k - back];
                        }
                    }
                    i += run;
                }
            }
            default -> {
                for (int i = 0; i < size; i += 1 + random.nextInt(50)) {
                    data[i] = (byte) random.nextInt(256);
                }
            }
        }
        return data;
    }

    static byte[] repetitiveText(Random random, int size) {
        String[] words = {"the ", "web", "socket ", "frame ", "deflate ", "window ", "message ",
            "context ", "takeover ", "\n", "{\"id\":", "}, ", "0", "1", "2"};
        ByteArrayOutputStream out = new ByteArrayOutputStream(size + 16);
        while (out.size() < size) {
            out.writeBytes(words[random.nextInt(words.length)].getBytes(StandardCharsets.US_ASCII));
        }
        return Arrays.copyOf(out.toByteArray(), size);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    static byte[] deflate(MessageDeflater deflater, byte[] message) {
        ByteBuffer out = deflater.deflateMessage(ByteBuffer.wrap(message));
        byte[] bytes = new byte[out.remaining()];
        out.get(bytes);
        return bytes;
    }

    static byte[] zlibInflate(byte[] stream) {
        Inflater inflater = new Inflater(true);
        try {
            return inflate(inflater, stream);
        } finally {
            inflater.end();
        }
    }

    static byte[] inflate(Inflater inflater, byte[] stream) {
        inflater.setInput(stream);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            while (true) {
                int n = inflater.inflate(buf);
                out.write(buf, 0, n);
                if (n == 0 && (inflater.needsInput() || inflater.finished())) {
                    break;
                }
            }
        } catch (DataFormatException e) {
            throw new AssertionError("zlib refused the stream", e);
        }
        assertEquals(0, inflater.getRemaining(), "zlib left input unread");
        return out.toByteArray();
    }
}
