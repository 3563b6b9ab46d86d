package dev.duplex.protocol.extension;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.protocol.CloseStatus;
import dev.duplex.protocol.ProtocolException;
import dev.duplex.protocol.Role;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** PerMessageDeflate as a connection sees it: whole messages in, frames of payload out. */
class PerMessageDeflateTest {

    static final PerMessageDeflate.Config EVERYTHING = PerMessageDeflate.Config.DEFAULTS.withThreshold(0);
    static final DeflateParameters PLAIN = new DeflateParameters(false, false, 0, 0);
    static final byte[] HELLO = "Hello".getBytes(StandardCharsets.US_ASCII);

    /** RFC 7692 7.2.1 and 7.2.2: what goes out inflates back, in every configuration. */
    @Nested
    class Section7_2_RoundTrips {

        @ParameterizedTest(name = "window bits {0}")
        @ValueSource(ints = {8, 9, 10, 11, 12, 13, 14, 15})
        void messagesUpToOneMebibyteRoundTripBothWays(int bits) {
            for (int variant = 0; variant < 4; variant++) {
                boolean serverNoContext = (variant & 1) != 0;
                boolean clientNoContext = (variant & 2) != 0;
                DeflateParameters agreed = new DeflateParameters(serverNoContext, clientNoContext, bits, bits);
                long seed = 0x7692L * 31 + bits * 4L + variant;
                String where = "window " + bits + ", server_no_context_takeover " + serverNoContext
                        + ", client_no_context_takeover " + clientNoContext + ", seed " + seed;
                try (PerMessageDeflate server = PerMessageDeflate.of(Role.SERVER, agreed, EVERYTHING);
                     PerMessageDeflate client = PerMessageDeflate.of(Role.CLIENT, agreed, EVERYTHING)) {
                    assertEquals(bits, server.outboundWindowBits());
                    assertEquals(bits, client.outboundWindowBits());
                    Random random = new Random(seed);
                    exchange(server, client, random, where);
                    exchange(client, server, random, where);
                }
            }
        }

        /** Sends a run of text and binary messages; checks content, window and step size. */
        private void exchange(PerMessageDeflate sender, PerMessageDeflate receiver, Random random, String where) {
            ReferenceInflater window = new ReferenceInflater();
            int[] sizes = {0, 1, 5, 200, 4_000, 70_000, 1 << 20, 1 << 20, 100_000, 64};
            // Kinds as in WindowedDeflaterTest.sample: 1 is text; binary is 0 noise, 3 periodic,
            // 5 sparse, 4 copies from further back than any small window.
            int[] kinds = {1, 0, 1, 3, 1, 5, 1, 0, 4, 2};
            for (int i = 0; i < sizes.length; i++) {
                byte[] message = WindowedDeflaterTest.sample(random, kinds[i], sizes[i]);
                Extension.Encoded encoded = sender.encode(ByteBuffer.wrap(message), true);
                assertEquals(PerMessageDeflate.RSV1, encoded.rsv(), where);
                byte[] wire = bytes(encoded.payload());
                assertArrayEquals(message, decode(receiver, PerMessageDeflate.RSV1, splitRandomly(wire, random)),
                        where + ", message " + i);
                // The sender kept to the negotiated window (RFC 7692 7.1.2).
                window.inflate(WindowedDeflaterTest.concat(wire, new byte[] {0, 0, (byte) 0xff, (byte) 0xff}));
                assertTrue(window.maxDistance() <= 1 << sender.outboundWindowBits(), where);
            }
        }

        @Test
        void contextTakeoverMakesRepeatsCheaperAndNoContextTakeoverDoesNot() {
            byte[] message = WindowedDeflaterTest.repetitiveText(new Random(7), 2_000); // fixed seed 7
            try (PerMessageDeflate keeps = PerMessageDeflate.of(Role.SERVER, PLAIN, EVERYTHING);
                 PerMessageDeflate forgets = PerMessageDeflate.of(Role.SERVER,
                         new DeflateParameters(true, false, 0, 0), EVERYTHING)) {
                int first = keeps.encode(ByteBuffer.wrap(message), true).payload().remaining();
                int second = keeps.encode(ByteBuffer.wrap(message), true).payload().remaining();
                assertTrue(second < first / 4, "second copy refers back to the first");
                int alone = forgets.encode(ByteBuffer.wrap(message), true).payload().remaining();
                assertEquals(alone, forgets.encode(ByteBuffer.wrap(message), true).payload().remaining());
            }
        }

        @Test
        void buffersOfEveryKindWorkAndEncodeLeavesItsInputAlone() {
            byte[] message = WindowedDeflaterTest.repetitiveText(new Random(11), 10_000);
            for (int bits : new int[] {10, 15}) {
                DeflateParameters agreed = new DeflateParameters(false, false, bits, 0);
                try (PerMessageDeflate sender = PerMessageDeflate.of(Role.SERVER, agreed, EVERYTHING);
                     PerMessageDeflate receiver = PerMessageDeflate.of(Role.CLIENT, agreed, EVERYTHING)) {
                    for (int kind = 0; kind < 4; kind++) {
                        ByteBuffer input = ofKind(message, kind);
                        ByteBuffer before = input.duplicate();
                        ByteBuffer wire = sender.encode(input, true).payload();
                        assertEquals(before, input, "window " + bits + ", kind " + kind);
                        CollectingSink sink = new CollectingSink();
                        receiver.decoder(PerMessageDeflate.RSV1).decode(ofKind(bytes(wire), kind), true, sink);
                        assertArrayEquals(message, sink.out.toByteArray(), "window " + bits + ", kind " + kind);
                    }
                }
            }
        }

        /** 0 plain heap, 1 heap at an offset into a larger array, 2 read-only, 3 direct. */
        private static ByteBuffer ofKind(byte[] bytes, int kind) {
            return switch (kind) {
                case 0 -> ByteBuffer.wrap(bytes);
                case 1 -> {
                    byte[] larger = new byte[bytes.length + 20];
                    System.arraycopy(bytes, 0, larger, 7, bytes.length);
                    yield ByteBuffer.wrap(larger, 7, bytes.length);
                }
                case 2 -> ByteBuffer.wrap(bytes).asReadOnlyBuffer();
                default -> ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
            };
        }

        @Test
        void stepsHandedToTheSinkNeverExceedSixteenKibibytes() {
            try (PerMessageDeflate sender = PerMessageDeflate.of(Role.SERVER, PLAIN, EVERYTHING);
                 PerMessageDeflate receiver = PerMessageDeflate.of(Role.CLIENT, PLAIN, EVERYTHING)) {
                byte[] message = new byte[300_000];
                byte[] wire = bytes(sender.encode(ByteBuffer.wrap(message), true).payload());
                CollectingSink sink = new CollectingSink();
                receiver.decoder(PerMessageDeflate.RSV1).decode(ByteBuffer.wrap(wire), true, sink);
                assertEquals(message.length, sink.out.size());
                assertEquals(BoundedInflater.STEP, sink.largestStep);
            }
        }
    }

    /** RFC 7692 6: compression is chosen per message; G6: the application can opt out. */
    @Nested
    class Section6_PerMessageChoice {

        @Test
        void messagesBelowTheThresholdGoOutUnchanged() {
            try (PerMessageDeflate ext = PerMessageDeflate.of(Role.SERVER, PLAIN, PerMessageDeflate.Config.DEFAULTS)) {
                ByteBuffer small = ByteBuffer.wrap(new byte[PerMessageDeflate.Config.DEFAULT_THRESHOLD - 1]);
                Extension.Encoded encoded = ext.encode(small, true);
                assertSame(small, encoded.payload());
                assertEquals(0, encoded.rsv());
                ByteBuffer large = ByteBuffer.wrap(new byte[PerMessageDeflate.Config.DEFAULT_THRESHOLD]);
                assertEquals(PerMessageDeflate.RSV1, ext.encode(large, true).rsv());
                assertEquals(PerMessageDeflate.Config.DEFAULT_THRESHOLD, large.remaining(), "input not consumed");
            }
        }

        @Test
        void G6_optedOutMessagesGoOutUnchangedWithoutRsv1() {
            try (PerMessageDeflate ext = PerMessageDeflate.of(Role.CLIENT, PLAIN, EVERYTHING)) {
                ByteBuffer secret = ByteBuffer.wrap(new byte[10_000]);
                Extension.Encoded encoded = ext.encode(secret, false);
                assertSame(secret, encoded.payload());
                assertEquals(0, encoded.rsv());
            }
        }

        @Test
        void messagesWithoutRsv1AreNotDecoded() {
            try (PerMessageDeflate ext = PerMessageDeflate.of(Role.CLIENT, PLAIN, EVERYTHING)) {
                assertNull(ext.decoder(0));
                assertEquals(PerMessageDeflate.RSV1, ext.rsvMask());
                assertEquals("permessage-deflate", ext.name());
            }
        }
    }

    /** Rows G1, G2 and G4 of the security catalogue. */
    @Nested
    class Hostile {

        static final int LIMIT = 1 << 20;

        @Test
        void G1_aGibibyteOfZerosStopsOneStepPastTheLimit() {
            byte[] bomb = deflatedZeros(1 << 30);
            assertTrue(bomb.length < 2 << 20, "about a thousand to one: " + bomb.length);
            long[] total = {0};
            Extension.OutputSink limited = (bytes, offset, length) -> {
                total[0] += length;
                if (total[0] > LIMIT) {
                    throw new ProtocolException(CloseStatus.MESSAGE_TOO_BIG, "message too big");
                }
            };
            try (PerMessageDeflate ext = PerMessageDeflate.of(Role.SERVER, PLAIN, EVERYTHING)) {
                Extension.MessageDecoder decoder = ext.decoder(PerMessageDeflate.RSV1);
                ProtocolException e = assertThrows(ProtocolException.class, () -> {
                    for (int off = 0; off < bomb.length; off += 65_536) {
                        int n = Math.min(65_536, bomb.length - off);
                        decoder.decode(ByteBuffer.wrap(bomb, off, n), off + n == bomb.length, limited);
                    }
                });
                assertEquals(CloseStatus.MESSAGE_TOO_BIG, e.closeCode());
                assertTrue(total[0] <= LIMIT + BoundedInflater.STEP, "inflated " + total[0]);
            }
        }

        @Test
        void G2_corruptStreamsFailWith1007() {
            byte[][] corrupt = {
                {(byte) 0xff, (byte) 0xff, (byte) 0xff}, // block type 3 does not exist
                {0x00, 0x05, 0x00, 0x00, 0x00},          // stored block whose NLEN is not ~LEN
                {(byte) 0xf2, 0x00, 0x11, 0x00, 0x00},   // RFC 7692 7.2.3.2 with no first message
            };
            for (byte[] payload : corrupt) {
                try (PerMessageDeflate ext = PerMessageDeflate.of(Role.CLIENT, PLAIN, EVERYTHING)) {
                    ProtocolException e = assertThrows(ProtocolException.class,
                            () -> decode(ext, PerMessageDeflate.RSV1, List.of(payload)));
                    assertEquals(CloseStatus.INVALID_PAYLOAD, e.closeCode());
                }
            }
        }

        @Test
        void G4_closeIsIdempotentAndEndsUse() {
            PerMessageDeflate ext = PerMessageDeflate.of(Role.SERVER, PLAIN, EVERYTHING);
            ext.encode(ByteBuffer.wrap(HELLO), true);
            decode(ext, PerMessageDeflate.RSV1, List.of(hex("f2 48 cd c9 c9 07 00")));
            ext.close();
            ext.close();
            assertThrows(IllegalStateException.class, () -> ext.encode(ByteBuffer.wrap(HELLO), true));
            assertThrows(IllegalStateException.class, () -> ext.decoder(PerMessageDeflate.RSV1));
        }

        @Test
        void G4_closeBeforeAnyUseIsFine() {
            PerMessageDeflate.of(Role.CLIENT, PLAIN, EVERYTHING).close();
        }

        /** Zeros deflated by zlib a mebibyte at a time, sync flushed, tail removed. */
        private static byte[] deflatedZeros(long size) {
            Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true); // levels 1-3 reach only 230:1
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] zeros = new byte[1 << 20];
            byte[] buf = new byte[65_536];
            try {
                for (long done = 0; done < size; done += zeros.length) {
                    deflater.setInput(zeros);
                    while (!deflater.needsInput()) {
                        out.write(buf, 0, deflater.deflate(buf));
                    }
                }
                int n;
                do {
                    n = deflater.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH);
                    out.write(buf, 0, n);
                } while (n == buf.length);
            } finally {
                deflater.end();
            }
            byte[] stream = out.toByteArray();
            return java.util.Arrays.copyOf(stream, stream.length - 4);
        }
    }

    static List<byte[]> splitRandomly(byte[] wire, Random random) {
        List<byte[]> frames = new ArrayList<>();
        int off = 0;
        do {
            int n = Math.min(wire.length - off, random.nextInt(3) == 0 ? random.nextInt(8) : random.nextInt(40_000));
            frames.add(java.util.Arrays.copyOfRange(wire, off, off + n));
            off += n;
        } while (off < wire.length);
        return frames;
    }

    /** Decodes one message from its frames' payloads; the last frame has FIN. */
    static byte[] decode(PerMessageDeflate ext, int rsv, List<byte[]> frames) {
        Extension.MessageDecoder decoder = ext.decoder(rsv);
        CollectingSink sink = new CollectingSink();
        for (int i = 0; i < frames.size(); i++) {
            ByteBuffer payload = ByteBuffer.wrap(frames.get(i));
            decoder.decode(payload, i == frames.size() - 1, sink);
            assertEquals(0, payload.remaining(), "the decoder consumes each payload");
        }
        return sink.out.toByteArray();
    }

    static byte[] bytes(ByteBuffer buffer) {
        byte[] b = new byte[buffer.remaining()];
        buffer.duplicate().get(b);
        return b;
    }

    static byte[] hex(String spaced) {
        String[] parts = spaced.isEmpty() ? new String[0] : spaced.split(" ");
        byte[] b = new byte[parts.length];
        for (int i = 0; i < parts.length; i++) {
            b[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        return b;
    }

    static final class CollectingSink implements Extension.OutputSink {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        int largestStep;

        @Override
        public void accept(byte[] bytes, int offset, int length) {
            largestStep = Math.max(largestStep, length);
            out.write(bytes, offset, length);
        }
    }
}
