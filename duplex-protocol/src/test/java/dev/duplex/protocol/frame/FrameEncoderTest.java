package dev.duplex.protocol.frame;

import static dev.duplex.protocol.RawFrames.RFC_KEY;
import static dev.duplex.protocol.RawFrames.concat;
import static dev.duplex.protocol.RawFrames.counting;
import static dev.duplex.protocol.RawFrames.hex;
import static dev.duplex.protocol.RawFrames.join;
import static dev.duplex.protocol.RawFrames.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.duplex.protocol.RawFrames;
import dev.duplex.protocol.Role;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Frames written by the encoder, compared byte for byte with RFC 6455 and with frames built by hand. */
class FrameEncoderTest {

    static byte[] encode(boolean fin, int rsv, Opcode opcode, byte[] payload, Integer key) {
        return join(List.of(FrameEncoder.encode(fin, rsv, opcode, ByteBuffer.wrap(payload), key)));
    }

    @Nested
    class Rfc6455Section57Examples {
        @Test
        void singleFrameUnmaskedText() {
            assertEquals("810548656c6c6f", hex(encode(true, 0, Opcode.TEXT, utf8("Hello"), null)));
        }

        @Test
        void singleFrameMaskedText() {
            assertEquals("818537fa213d7f9f4d5158", hex(encode(true, 0, Opcode.TEXT, utf8("Hello"), RFC_KEY)));
        }

        @Test
        void fragmentedUnmaskedText() {
            assertEquals("010348656c", hex(encode(false, 0, Opcode.TEXT, utf8("Hel"), null)));
            assertEquals("80026c6f", hex(encode(true, 0, Opcode.CONTINUATION, utf8("lo"), null)));
        }

        @Test
        void unmaskedPingAndMaskedPong() {
            assertEquals("890548656c6c6f", hex(encode(true, 0, Opcode.PING, utf8("Hello"), null)));
            assertEquals("8a8537fa213d7f9f4d5158", hex(encode(true, 0, Opcode.PONG, utf8("Hello"), RFC_KEY)));
        }

        @Test
        void binary256BytesIn16BitLength() {
            assertArrayEquals(concat(hex("82 7e 01 00"), counting(256)), encode(true, 0, Opcode.BINARY, counting(256), null));
        }

        @Test
        void binary64KibIn64BitLength() {
            assertArrayEquals(concat(hex("82 7f 00 00 00 00 00 01 00 00"), counting(65536)),
                    encode(true, 0, Opcode.BINARY, counting(65536), null));
        }
    }

    @Test
    void everyLengthEncodingAtItsEdgesMatchesAFrameBuiltByHand() {
        for (int length : new int[] {0, 1, 125, 126, 127, 4096, 4097, 0xffff, 0x10000, 0x10001}) {
            byte[] payload = counting(length);
            for (Integer key : new Integer[] {null, RFC_KEY, 0, -1}) {
                assertArrayEquals(RawFrames.frame(0x82, payload, key), encode(true, 0, Opcode.BINARY, payload, key),
                        "length " + length + " key " + key);
            }
        }
    }

    @Test
    void finAndReservedBitsAreWrittenAsGiven() {
        assertEquals("0100", hex(encode(false, 0, Opcode.TEXT, new byte[0], null)));
        assertEquals("c100", hex(encode(true, 0x40, Opcode.TEXT, new byte[0], null)));
        assertEquals("f200", hex(encode(true, 0x70, Opcode.BINARY, new byte[0], null)));
        assertEquals("8800", hex(encode(true, 0, Opcode.CLOSE, new byte[0], null)));
    }

    @Test
    void payloadBufferIsNeitherConsumedNorChanged() {
        for (int length : new int[] {5, 5000}) {
            byte[] original = counting(length);
            ByteBuffer payload = ByteBuffer.wrap(original.clone());
            payload.position(0);
            for (Integer key : new Integer[] {null, RFC_KEY}) {
                FrameEncoder.encode(true, 0, Opcode.BINARY, payload, key);
                assertEquals(0, payload.position());
                assertEquals(length, payload.remaining());
                assertArrayEquals(original, payload.array(), "masking works on a copy (RFC 6455 10.3)");
            }
        }
    }

    @Test
    void maskedFrameIsACopyThatLaterChangesToThePayloadCannotReach() {
        byte[] bytes = counting(10_000);
        ByteBuffer[] frame = FrameEncoder.encode(true, 0, Opcode.BINARY, ByteBuffer.wrap(bytes), RFC_KEY);
        byte[] before = join(List.of(frame));
        bytes[0] ^= 1;
        assertArrayEquals(before, join(List.of(frame)));
        assertEquals(1, frame.length);
    }

    @Test
    void encodesTheRemainingBytesOfASlice() {
        ByteBuffer slice = ByteBuffer.wrap(utf8("xxHelloyy"), 2, 5);
        assertEquals("810548656c6c6f", hex(join(List.of(FrameEncoder.encode(true, 0, Opcode.TEXT, slice, null)))));
        assertEquals("818537fa213d7f9f4d5158", hex(join(List.of(FrameEncoder.encode(true, 0, Opcode.TEXT, slice, RFC_KEY)))));
    }

    @Test
    void maskedFramesFromDirectReadOnlyAndSlicedBuffersMatchAFrameBuiltByHand() {
        for (int length : new int[] {5, 4097, 20_000}) {
            byte[] payload = counting(length);
            byte[] padded = concat(new byte[3], payload, new byte[3]);
            byte[] expected = RawFrames.frame(0x82, payload, RFC_KEY);
            ByteBuffer[] sources = {
                ByteBuffer.allocateDirect(length).put(payload).flip(),
                ByteBuffer.wrap(payload.clone()).asReadOnlyBuffer(),
                ByteBuffer.wrap(padded.clone()).slice(3, length),
                ByteBuffer.wrap(padded.clone(), 3, length),
            };
            for (ByteBuffer source : sources) {
                int position = source.position();
                byte[] frame = join(List.of(FrameEncoder.encode(true, 0, Opcode.BINARY, source, RFC_KEY)));
                assertArrayEquals(expected, frame, "length " + length + " from " + source);
                assertEquals(position, source.position(), "the payload is not consumed");
                assertEquals(ByteBuffer.wrap(payload), source, "the payload is not changed (row B8)");
            }
        }
    }

    @Test
    void writeHeaderWritesAtThePosition() {
        ByteBuffer out = ByteBuffer.allocate(20).put((byte) 0x55);
        FrameEncoder.writeHeader(out, true, 0, Opcode.BINARY, 256, true, RFC_KEY);
        assertEquals(1 + 8, out.position());
        byte[] written = new byte[out.position()];
        out.flip().get(written);
        assertEquals("5582fe010037fa213d", hex(written));
    }

    @Test
    void seededRandomFramesDecodeToWhatWasEncoded() {
        long seed = Long.getLong("duplex.test.seed", System.nanoTime());
        Random r = new Random(seed);
        Opcode[] opcodes = Opcode.values();
        for (int round = 0; round < 2_000; round++) {
            String context = "seed " + seed + " round " + round + " (rerun with -Dduplex.test.seed=" + seed + ")";
            Opcode opcode = opcodes[r.nextInt(opcodes.length)];
            int length = opcode.isControl() ? r.nextInt(126) : r.nextInt(10) == 0 ? r.nextInt(70_000) : r.nextInt(300);
            byte[] payload = new byte[length];
            r.nextBytes(payload);
            boolean fin = opcode.isControl() || r.nextBoolean();
            Integer key = r.nextBoolean() ? r.nextInt() : null;
            byte[] frame = encode(fin, 0, opcode, payload, key);

            FrameDecoder decoder = new FrameDecoder(key == null ? Role.CLIENT : Role.SERVER, 1 << 20, true);
            ByteBuffer in = ByteBuffer.wrap(frame);
            FrameHeader h = decoder.decode(in);
            assertEquals(new FrameHeader(fin, 0, opcode, key != null, length, key == null ? 0 : key,
                    FrameHeader.lengthOf(length, key != null)), h, context);
            byte[] body = new byte[in.remaining()];
            in.get(body);
            assertArrayEquals(payload, key == null ? body : RawFrames.xor(body, key, 0), context);
            assertEquals(RawFrames.parse(frame).get(0).toString(),
                    new RawFrames.WireFrame(frame[0] & 0xff, key != null, payload).toString(), context);
        }
    }
}
