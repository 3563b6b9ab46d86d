package dev.duplex.protocol.frame;

import static dev.duplex.protocol.RawFrames.FIN_BINARY;
import static dev.duplex.protocol.RawFrames.FIN_TEXT;
import static dev.duplex.protocol.RawFrames.RFC_KEY;
import static dev.duplex.protocol.RawFrames.concat;
import static dev.duplex.protocol.RawFrames.counting;
import static dev.duplex.protocol.RawFrames.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.duplex.protocol.CloseStatus;
import dev.duplex.protocol.ProtocolException;
import dev.duplex.protocol.RawFrames;
import dev.duplex.protocol.Role;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Frame headers, read from bytes built by hand, grouped by RFC 6455 section. A server's decoder
 * reads a client's (masked) frames; a client's decoder a server's (unmasked) ones.
 */
class FrameDecoderTest {
    static final long LIMIT = 1 << 20;

    static FrameDecoder decoder(Role role) {
        return new FrameDecoder(role, LIMIT, false);
    }

    /** Decodes the header at the start of {@code bytes}, asserting it is all consumed and nothing more. */
    static FrameHeader decode(FrameDecoder decoder, byte[] bytes, int headerLength) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        FrameHeader h = decoder.decode(in);
        assertNotNull(h, "header complete in " + hex(bytes));
        assertEquals(headerLength, in.position(), "bytes consumed");
        assertEquals(headerLength, h.headerLength());
        return h;
    }

    static byte[] payloadAfter(byte[] frame, FrameHeader h) {
        byte[] payload = Arrays.copyOfRange(frame, h.headerLength(), frame.length);
        assertEquals(h.payloadLength(), payload.length);
        return h.masked() ? RawFrames.xor(payload, h.maskingKey(), 0) : payload;
    }

    static ProtocolException assertRefused(int code, FrameDecoder decoder, byte[] bytes) {
        ProtocolException e = assertThrows(ProtocolException.class, () -> decoder.decode(ByteBuffer.wrap(bytes)),
                hex(bytes));
        assertEquals(code, e.closeCode(), e.getMessage());
        return e;
    }

    @Nested
    class Rfc6455Section57Examples {
        @Test
        void singleFrameUnmaskedText() {
            byte[] frame = hex("81 05 48 65 6c 6c 6f");
            FrameHeader h = decode(decoder(Role.CLIENT), frame, 2);
            assertEquals(new FrameHeader(true, 0, Opcode.TEXT, false, 5, 0, 2), h);
            assertEquals(7, h.lengthBits());
            assertArrayEquals(RawFrames.utf8("Hello"), payloadAfter(frame, h));
        }

        @Test
        void singleFrameMaskedText() {
            byte[] frame = hex("81 85 37 fa 21 3d 7f 9f 4d 51 58");
            FrameHeader h = decode(decoder(Role.SERVER), frame, 6);
            assertEquals(new FrameHeader(true, 0, Opcode.TEXT, true, 5, RFC_KEY, 6), h);
            assertEquals(7, h.lengthBits());
            assertArrayEquals(RawFrames.utf8("Hello"), payloadAfter(frame, h));
        }

        @Test
        void fragmentedUnmaskedText() {
            FrameDecoder d = decoder(Role.CLIENT);
            ByteBuffer in = ByteBuffer.wrap(hex("01 03 48 65 6c 80 02 6c 6f"));
            assertEquals(new FrameHeader(false, 0, Opcode.TEXT, false, 3, 0, 2), d.decode(in));
            in.position(in.position() + 3);
            assertEquals(new FrameHeader(true, 0, Opcode.CONTINUATION, false, 2, 0, 2), d.decode(in));
            assertEquals(7, in.position());
        }

        @Test
        void unmaskedPingAndMaskedPong() {
            byte[] ping = hex("89 05 48 65 6c 6c 6f");
            FrameHeader h = decode(decoder(Role.CLIENT), ping, 2);
            assertEquals(new FrameHeader(true, 0, Opcode.PING, false, 5, 0, 2), h);
            assertArrayEquals(RawFrames.utf8("Hello"), payloadAfter(ping, h));

            byte[] pong = hex("8a 85 37 fa 21 3d 7f 9f 4d 51 58");
            FrameHeader p = decode(decoder(Role.SERVER), pong, 6);
            assertEquals(new FrameHeader(true, 0, Opcode.PONG, true, 5, RFC_KEY, 6), p);
            assertArrayEquals(RawFrames.utf8("Hello"), payloadAfter(pong, p));
        }

        @Test
        void binary256BytesIn16BitLength() {
            byte[] frame = concat(hex("82 7e 01 00"), counting(256));
            FrameHeader h = decode(decoder(Role.CLIENT), frame, 4);
            assertEquals(new FrameHeader(true, 0, Opcode.BINARY, false, 256, 0, 4), h);
            assertEquals(16, h.lengthBits());
            assertArrayEquals(counting(256), payloadAfter(frame, h));
        }

        @Test
        void binary64KibIn64BitLength() {
            byte[] frame = concat(hex("82 7f 00 00 00 00 00 01 00 00"), counting(65536));
            FrameHeader h = decode(decoder(Role.CLIENT), frame, 10);
            assertEquals(new FrameHeader(true, 0, Opcode.BINARY, false, 65536, 0, 10), h);
            assertEquals(64, h.lengthBits());
            assertArrayEquals(counting(65536), payloadAfter(frame, h));
        }
    }

    @Nested
    class Section52BaseFraming {
        @Test
        void incompleteHeaderConsumesNothingAtEverySplit() {
            byte[][] headers = {
                hex("81 05"), hex("81 85 37 fa 21 3d"), hex("82 7e 01 00"), hex("82 fe 01 00 37 fa 21 3d"),
                hex("82 7f 00 00 00 00 00 01 00 00"), hex("82 ff 00 00 00 00 00 01 00 00 37 fa 21 3d")};
            for (byte[] header : headers) {
                Role role = (header[1] & 0x80) != 0 ? Role.SERVER : Role.CLIENT;
                for (int cut = 0; cut < header.length; cut++) {
                    ByteBuffer in = ByteBuffer.wrap(header, 0, cut);
                    assertNull(decoder(role).decode(in), hex(header) + " cut at " + cut);
                    assertEquals(0, in.position(), "nothing consumed");
                }
                assertNotNull(decode(decoder(role), header, header.length));
            }
        }

        @Test
        void decodesFromTheBufferPositionAndLeavesThePayload() {
            byte[] bytes = concat(hex("ff ff ff"), hex("81 05 48 65 6c 6c 6f"));
            ByteBuffer in = ByteBuffer.wrap(bytes).position(3);
            FrameHeader h = decoder(Role.CLIENT).decode(in);
            assertEquals(5, h.payloadLength());
            assertEquals(5, in.position());
            assertEquals(5, in.remaining());
        }

        @Test
        void finAndOpcodeBitsAreRead() {
            int[][] cases = {{0x00, 0}, {0x01, 1}, {0x02, 2}, {0x80, 0}, {0x81, 1}, {0x82, 2}, {0x88, 8}, {0x89, 9}, {0x8a, 10}};
            for (int[] k : cases) {
                FrameHeader h = decode(decoder(Role.CLIENT), new byte[] {(byte) k[0], 0}, 2);
                assertEquals((k[0] & 0x80) != 0, h.fin(), Integer.toHexString(k[0]));
                assertEquals(k[1], h.opcode().code());
            }
        }

        @Test
        void reservedOpcodesAreRefusedFromTheFirstTwoBytes() {
            // Row C5: the two bytes announce a 64-bit length and a key that never arrive.
            for (int opcode = 0; opcode < 16; opcode++) {
                byte[] start = {(byte) (0x80 | opcode), (byte) 0xff};
                if (Opcode.of(opcode) == null) {
                    assertRefused(CloseStatus.PROTOCOL_ERROR, decoder(Role.SERVER), start);
                } else if (opcode < 8) {
                    assertNull(decoder(Role.SERVER).decode(ByteBuffer.wrap(start)), "opcode " + opcode + " waits for its length");
                }
            }
        }

        @Test
        void reservedBitsAreRefusedUnlessAnExtensionAllowsThem() {
            // Row C3.
            for (int rsv : new int[] {0x40, 0x20, 0x10}) {
                assertRefused(CloseStatus.PROTOCOL_ERROR, decoder(Role.CLIENT), new byte[] {(byte) (FIN_TEXT | rsv), 0});
            }
            FrameDecoder d = decoder(Role.CLIENT);
            d.allowRsv(0x40);
            assertEquals(0x40, decode(d, new byte[] {(byte) (FIN_TEXT | 0x40), 0}, 2).rsv());
            assertRefused(CloseStatus.PROTOCOL_ERROR, d, new byte[] {(byte) (FIN_TEXT | 0x20), 0});
            assertRefused(CloseStatus.PROTOCOL_ERROR, d, new byte[] {(byte) (FIN_TEXT | 0x50), 0});
        }

        @Test
        void C4_reservedBitsOnAControlFrameAreRefusedEvenWhenAnExtensionAllowsThem() {
            // RFC 7692 6.1: RSV1 means "compressed message"; a ping, pong or close is never one.
            for (int opcode : new int[] {0x8, 0x9, 0xA}) {
                FrameDecoder d = decoder(Role.CLIENT);
                d.allowRsv(0x40);
                assertRefused(CloseStatus.PROTOCOL_ERROR, d, new byte[] {(byte) (0x80 | 0x40 | opcode), 0});
            }
        }

        @Test
        void serverRefusesUnmaskedAndClientRefusesMaskedFrames() {
            // RFC 6455 5.1, rows C1 and C2: decided from the first two bytes.
            assertRefused(CloseStatus.PROTOCOL_ERROR, decoder(Role.SERVER), hex("81 05"));
            assertRefused(CloseStatus.PROTOCOL_ERROR, decoder(Role.CLIENT), hex("81 85"));
        }

        @Test
        void everyLengthEncodingAtItsEdges() {
            long[] lengths = {0, 1, 125, 126, 127, 0xffff, 0x10000, LIMIT};
            for (long length : lengths) {
                for (Integer key : new Integer[] {null, RFC_KEY}) {
                    byte[] header = RawFrames.header(FIN_BINARY, length, key);
                    Role role = key == null ? Role.CLIENT : Role.SERVER;
                    FrameHeader h = decode(decoder(role), header, header.length);
                    assertEquals(length, h.payloadLength(), hex(header));
                    assertEquals(key != null, h.masked());
                    assertEquals(key == null ? 0 : key, h.maskingKey());
                    assertEquals(RawFrames.shortestLengthBits(length), h.lengthBits());
                    assertEquals(FrameHeader.lengthOf(length, key != null), header.length);
                }
            }
        }

        @Test
        void lengthWithTheTopBitSetIsRefusedWith1002() {
            // RFC 6455 5.2: the most significant bit of a 64-bit length MUST be 0. Row C9.
            FrameDecoder lenient = new FrameDecoder(Role.CLIENT, Integer.MAX_VALUE, false);
            assertRefused(CloseStatus.PROTOCOL_ERROR, lenient, hex("82 7f 80 00 00 00 00 00 00 00"));
            assertRefused(CloseStatus.PROTOCOL_ERROR, lenient, hex("82 7f ff ff ff ff ff ff ff ff"));
        }

        @Test
        void lengthOverTheLimitIsRefusedWith1009AndTheLimitPasses() {
            FrameDecoder d = new FrameDecoder(Role.CLIENT, 1000, false);
            assertEquals(1000, decode(d, hex("82 7e 03 e8"), 4).payloadLength());
            assertRefused(CloseStatus.MESSAGE_TOO_BIG, d, hex("82 7e 03 e9"));
            assertRefused(CloseStatus.MESSAGE_TOO_BIG, d, hex("82 7f 7f ff ff ff ff ff ff ff"));
            assertRefused(CloseStatus.MESSAGE_TOO_BIG, d, hex("82 7f 00 00 00 01 00 00 00 00"));
            FrameDecoder zero = new FrameDecoder(Role.CLIENT, 0, false);
            assertEquals(0, decode(zero, hex("82 00"), 2).payloadLength());
            assertRefused(CloseStatus.MESSAGE_TOO_BIG, zero, hex("82 01"));
        }

        @Test
        void nonMinimalLengthsPassWhenLenientAndAreRefusedWhenStrict() {
            // Row C10.
            byte[][] nonMinimal = {
                hex("82 7e 00 00"), hex("82 7e 00 7d"),
                hex("82 7f 00 00 00 00 00 00 00 05"), hex("82 7f 00 00 00 00 00 00 ff ff")};
            long[] lengths = {0, 125, 5, 0xffff};
            FrameDecoder strict = new FrameDecoder(Role.CLIENT, LIMIT, true);
            for (int i = 0; i < nonMinimal.length; i++) {
                assertEquals(lengths[i], decode(decoder(Role.CLIENT), nonMinimal[i], nonMinimal[i].length).payloadLength());
                assertRefused(CloseStatus.PROTOCOL_ERROR, strict, nonMinimal[i]);
            }
            assertEquals(126, decode(strict, hex("82 7e 00 7e"), 4).payloadLength());
            assertEquals(0x10000, decode(strict, hex("82 7f 00 00 00 00 00 01 00 00"), 10).payloadLength());
        }
    }

    @Nested
    class Section55ControlFrames {
        @Test
        void controlFrameOf125BytesPasses() {
            for (int b0 : new int[] {0x88, 0x89, 0x8a}) {
                assertEquals(125, decode(decoder(Role.CLIENT), new byte[] {(byte) b0, 125}, 2).payloadLength());
            }
        }

        @Test
        void controlFrameOver125BytesIsRefusedFromTheFirstTwoBytes() {
            // Row C6: the extended length that would follow is never waited for.
            for (int b0 : new int[] {0x88, 0x89, 0x8a}) {
                assertRefused(CloseStatus.PROTOCOL_ERROR, decoder(Role.CLIENT), new byte[] {(byte) b0, 126});
                assertRefused(CloseStatus.PROTOCOL_ERROR, decoder(Role.CLIENT), new byte[] {(byte) b0, 127});
                assertRefused(CloseStatus.PROTOCOL_ERROR, decoder(Role.SERVER), new byte[] {(byte) b0, (byte) 0xfe});
            }
        }

        @Test
        void fragmentedControlFrameIsRefused() {
            for (int b0 : new int[] {0x08, 0x09, 0x0a}) {
                assertRefused(CloseStatus.PROTOCOL_ERROR, decoder(Role.CLIENT), new byte[] {(byte) b0, 0});
            }
        }

        @Test
        void messageLimitDoesNotApplyToControlFrames() {
            FrameDecoder small = new FrameDecoder(Role.CLIENT, 10, false);
            assertEquals(125, decode(small, hex("89 7d"), 2).payloadLength());
            assertRefused(CloseStatus.MESSAGE_TOO_BIG, small, hex("82 0b"));
        }
    }
}
