package dev.duplex.protocol.frame;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.protocol.Connection;
import dev.duplex.protocol.Limits;
import dev.duplex.protocol.Role;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * RFC 6455 5.3 done as the bytes are written ({@link Connection.ClientMasking#ON_WRITE}): the
 * stream an {@link OutboundMasker} produces is byte for byte what masking each frame into an
 * array of its own produces, with the same keys, however the stream is split, and a frame's
 * payload is never copied into a frame-sized array to be masked.
 */
class OutboundMaskerTest {
    private static final long SEED = System.nanoTime();

    /** A client connection whose keys are fixed by {@code seed}. */
    private static Connection client(long seed, Connection.ClientMasking masking) throws Exception {
        SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
        random.setSeed(seed);
        return new Connection(Role.CLIENT, Limits.DEFAULTS, null, random, masking);
    }

    /** Every frame kind and every length encoding, at their edges. */
    private static void sendAll(Connection c, byte[] data) {
        for (int size : new int[] {0, 1, 125, 126, 127, 4096, 4097, 65535, 65536, 70_000}) {
            c.sendBinary(ByteBuffer.wrap(data, 0, size), true);
        }
        c.sendMessageCopy(Opcode.BINARY, ByteBuffer.wrap(data, 3, 9000), true);
        c.sendText("héllo wörld", true);
        c.sendPing(ByteBuffer.wrap(data, 0, 125));
        c.sendPong(ByteBuffer.allocate(0));
        c.sendFragment(Opcode.TEXT, ByteBuffer.wrap("frag".getBytes(StandardCharsets.UTF_8)), false);
        c.sendFragment(Opcode.CONTINUATION, ByteBuffer.wrap(data, 0, 5000), true);
        c.close(1000, "bye");
    }

    private static byte[] concat(List<ByteBuffer> buffers) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (ByteBuffer b : buffers) {
            byte[] bytes = new byte[b.remaining()];
            b.duplicate().get(bytes);
            out.writeBytes(bytes);
        }
        return out.toByteArray();
    }

    private static byte[] data(long seed) {
        byte[] data = new byte[70_000];
        new SplittableRandom(seed).nextBytes(data);
        return data;
    }

    @Test
    void theMaskedStreamIsWhatMaskingEachFrameInItsOwnArrayGives() throws Exception {
        byte[] data = data(SEED);
        Connection inFrames = client(SEED, Connection.ClientMasking.IN_FRAMES);
        Connection onWrite = client(SEED, Connection.ClientMasking.ON_WRITE);
        sendAll(inFrames, data);
        sendAll(onWrite, data);
        byte[] expected = concat(inFrames.takeOutbound());
        byte[] plain = concat(onWrite.takeOutbound());
        assertEquals(expected.length, plain.length);

        SplittableRandom splits = new SplittableRandom(SEED);
        for (int bufferSize : new int[] {1, 2, 13, 14, 4096, 16 * 1024, plain.length}) {
            OutboundMasker masker = new OutboundMasker();
            byte[] out = new byte[plain.length];
            byte[] buffer = new byte[bufferSize];
            int at = 0;
            while (at < plain.length) {
                // The writer hands over pieces of any size; the buffer bounds each step.
                int piece = Math.min(plain.length - at, 1 + splits.nextInt(3 * bufferSize));
                int done = 0;
                while (done < piece) {
                    int n = masker.mask(plain, at + done, piece - done, buffer, 0, buffer.length);
                    System.arraycopy(buffer, 0, out, at + done, n);
                    done += n;
                }
                at += piece;
            }
            assertArrayEquals(expected, out, "buffer " + bufferSize + ", seed " + SEED);
            assertFalse(masker.isFrameIncomplete());
        }
    }

    @Test
    void aShortStreamSplitAtEveryByteMasksTheSame() throws Exception {
        Connection inFrames = client(SEED, Connection.ClientMasking.IN_FRAMES);
        Connection onWrite = client(SEED, Connection.ClientMasking.ON_WRITE);
        for (Connection c : List.of(inFrames, onWrite)) {
            c.sendText("Hello", true);
            c.sendBinary(ByteBuffer.wrap(new byte[300]), true); // 16-bit length
            c.sendPing(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        }
        byte[] expected = concat(inFrames.takeOutbound());
        byte[] plain = concat(onWrite.takeOutbound());
        for (int split = 0; split <= plain.length; split++) {
            OutboundMasker masker = new OutboundMasker();
            byte[] out = new byte[plain.length];
            int first = masker.mask(plain, 0, split, out, 0, split);
            masker.mask(plain, first, plain.length - first, out, first, plain.length - first);
            assertArrayEquals(expected, out, "split at " + split + ", seed " + SEED);
        }
    }

    @Test
    void rfcVectorHelloMaskedWithItsKey() {
        // RFC 6455 5.7: 81 85 37 fa 21 3d 7f 9f 4d 51 58 is a masked "Hello".
        HexFormat hex = HexFormat.ofDelimiter(" ");
        byte[] plain = hex.parseHex("81 85 37 fa 21 3d 48 65 6c 6c 6f");
        byte[] out = new byte[plain.length];
        assertEquals(plain.length, new OutboundMasker().mask(plain, 0, plain.length, out, 0, out.length));
        assertEquals("81 85 37 fa 21 3d 7f 9f 4d 51 58", hex.formatHex(out));
    }

    @Test
    void aFrameWithoutTheMaskBitIsRefused() {
        byte[] unmasked = {(byte) 0x81, 0x01, 'x'};
        OutboundMasker masker = new OutboundMasker();
        assertThrows(IllegalStateException.class, () -> masker.mask(unmasked, 0, 3, new byte[3], 0, 3));
    }

    @Test
    void aLargePayloadIsQueuedByReferenceNotCopiedIntoAFrameArray() throws Exception {
        Connection onWrite = client(SEED, Connection.ClientMasking.ON_WRITE);
        ByteBuffer payload = ByteBuffer.wrap(new byte[1 << 20]);
        onWrite.sendBinary(payload, true);
        List<ByteBuffer> out = onWrite.takeOutbound();
        assertEquals(2, out.size(), "header, then the payload");
        assertEquals(14, out.get(0).remaining(), "2 + 8 length bytes + 4 key bytes");
        assertSame(payload.array(), out.get(1).array());
        assertTrue((out.get(0).get(1) & 0x80) != 0, "the MASK bit is set");
    }

    @Test
    void aServerIgnoresTheClientMaskingMode() throws Exception {
        Connection server = new Connection(Role.SERVER, Limits.DEFAULTS, null, null, Connection.ClientMasking.ON_WRITE);
        assertFalse(server.masksOnWrite());
        server.sendText("x", true);
        assertEquals(0, server.takeOutbound().get(0).get(1) & 0x80, "server frames stay unmasked");
    }
}
