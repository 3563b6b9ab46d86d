package dev.duplex.protocol.frame;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.protocol.extension.DeflateParameters;
import dev.duplex.protocol.inspect.Direction;
import dev.duplex.protocol.inspect.Dissection;
import dev.duplex.protocol.inspect.FrameDissector;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The dump the tracer prints, on the byte examples of RFC 6455 5.7 and RFC 7692 7.2.3. */
class FrameFormatterTest {
    private static final DeflateParameters CONTEXT_TAKEOVER = new DeflateParameters(false, false, 0, 0);

    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    /** Dissects the bytes as sent in {@code direction} and formats every result. */
    static String dump(Direction direction, DeflateParameters deflate, String... frames) {
        List<Dissection> out = new ArrayList<>();
        try (FrameDissector d = FrameDissector.create(direction, 256, deflate)) {
            for (String frame : frames) {
                d.feed(ByteBuffer.wrap(hex(frame)), out);
            }
        }
        return out.stream().map(x -> FrameFormatter.format("", x)).collect(Collectors.joining());
    }

    @Nested
    class Rfc6455Section5_7 {
        @Test
        void unmaskedHelloIsAFinalTextFrame() {
            assertEquals("""
                    server->client TEXT (0x1) FIN=1 RSV1=0 RSV2=0 RSV3=0 MASK=0 length=5 (7-bit)
                        text: "Hello"
                    """, dump(Direction.SERVER_TO_CLIENT, null, "81 05 48 65 6c 6c 6f"));
        }

        @Test
        void maskedHelloShowsItsKeyAndTheUnmaskedText() {
            assertEquals("""
                    client->server TEXT (0x1) FIN=1 RSV1=0 RSV2=0 RSV3=0 MASK=1 key=37fa213d length=5 (7-bit)
                        text: "Hello"
                    """, dump(Direction.CLIENT_TO_SERVER, null, "81 85 37 fa 21 3d 7f 9f 4d 51 58"));
        }

        @Test
        void fragmentedHelloShowsBothFramesOfTheMessage() {
            assertEquals("""
                    server->client TEXT (0x1) FIN=0 RSV1=0 RSV2=0 RSV3=0 MASK=0 length=3 (7-bit), frame 1 of a fragmented TEXT message
                        text: "Hel"
                    server->client CONTINUATION (0x0) FIN=1 RSV1=0 RSV2=0 RSV3=0 MASK=0 length=2 (7-bit), frame 2 of the TEXT message, its last
                        text: "lo"
                    """, dump(Direction.SERVER_TO_CLIENT, null, "01 03 48 65 6c", "80 02 6c 6f"));
        }

        @Test
        void unmaskedPingAndMaskedPongShowTheirPayloadAsText() {
            assertEquals("""
                    server->client PING (0x9) FIN=1 RSV1=0 RSV2=0 RSV3=0 MASK=0 length=5 (7-bit)
                        text: "Hello"
                    """, dump(Direction.SERVER_TO_CLIENT, null, "89 05 48 65 6c 6c 6f"));
            assertEquals("""
                    client->server PONG (0xa) FIN=1 RSV1=0 RSV2=0 RSV3=0 MASK=1 key=37fa213d length=5 (7-bit)
                        text: "Hello"
                    """, dump(Direction.CLIENT_TO_SERVER, null, "8a 85 37 fa 21 3d 7f 9f 4d 51 58"));
        }

        @Test
        void binaryOf256BytesUsesThe16BitLengthAndIsCutToTheDisplayLimit() {
            byte[] frame = new byte[4 + 256];
            frame[0] = (byte) 0x82;
            frame[1] = 0x7e;
            frame[2] = 0x01;
            for (int i = 0; i < 256; i++) {
                frame[4 + i] = (byte) i;
            }
            List<Dissection> out = new ArrayList<>();
            FrameDissector.create(Direction.SERVER_TO_CLIENT, 20, null).feed(ByteBuffer.wrap(frame), out);
            assertEquals("""
                    server->client BINARY (0x2) FIN=1 RSV1=0 RSV2=0 RSV3=0 MASK=0 length=256 (16-bit)
                        payload (first 20 of 256 bytes): 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10 11 12 13 ...
                    """, FrameFormatter.format("", out.get(0)));
        }

        @Test
        void binaryOf64KiBUsesThe64BitLengthAndIsHexDumped() {
            byte[] frame = new byte[10 + 65536];
            frame[0] = (byte) 0x82;
            frame[1] = 0x7f;
            frame[7] = 0x01; // 0x0000000000010000
            System.arraycopy("Hello, world!\nxyz".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, frame, 10, 17);
            List<Dissection> out = new ArrayList<>();
            FrameDissector.create(Direction.SERVER_TO_CLIENT, 40, null).feed(ByteBuffer.wrap(frame), out);
            assertEquals("""
                    server->client BINARY (0x2) FIN=1 RSV1=0 RSV2=0 RSV3=0 MASK=0 length=65536 (64-bit)
                        payload (first 40 of 65536 bytes):
                          0000  48 65 6c 6c 6f 2c 20 77  6f 72 6c 64 21 0a 78 79  |Hello, world!.xy|
                          0010  7a 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |z...............|
                          0020  00 00 00 00 00 00 00 00                           |........|
                          ...
                    """, FrameFormatter.format("", out.get(0)));
        }
    }

    @Nested
    class Rfc7692Section7_2_3 {
        @Test
        void s7_2_3_1_compressedHelloShowsTheDeflateBytesAndTheInflatedText() {
            assertEquals("""
                    server->client TEXT (0x1) FIN=1 RSV1=1 RSV2=0 RSV3=0 MASK=0 length=7 (7-bit), compressed
                        compressed (7 bytes): f2 48 cd c9 c9 07 00
                        inflated (5 bytes): "Hello"
                    """, dump(Direction.SERVER_TO_CLIENT, CONTEXT_TAKEOVER, "c1 07 f2 48 cd c9 c9 07 00"));
        }

        @Test
        void s7_2_3_1_fragmentedCompressedHelloInflatesAcrossItsFrames() {
            assertEquals("""
                    server->client TEXT (0x1) FIN=0 RSV1=1 RSV2=0 RSV3=0 MASK=0 length=3 (7-bit), compressed, frame 1 of a fragmented TEXT message
                        compressed (3 bytes): f2 48 cd
                        inflated (2 bytes): "He"
                    server->client CONTINUATION (0x0) FIN=1 RSV1=0 RSV2=0 RSV3=0 MASK=0 length=4 (7-bit), frame 2 of the TEXT message, its last
                        compressed (4 bytes): c9 c9 07 00
                        inflated (3 bytes): "llo"
                    """, dump(Direction.SERVER_TO_CLIENT, CONTEXT_TAKEOVER, "41 03 f2 48 cd", "80 04 c9 c9 07 00"));
        }

        @Test
        void s7_2_3_2_secondHelloInflatesOnlyWithTheFirstMessagesWindow() {
            String second = dump(Direction.SERVER_TO_CLIENT, CONTEXT_TAKEOVER,
                    "c1 07 f2 48 cd c9 c9 07 00", "c1 05 f2 00 11 00 00");
            assertTrue(second.endsWith("""
                    server->client TEXT (0x1) FIN=1 RSV1=1 RSV2=0 RSV3=0 MASK=0 length=5 (7-bit), compressed
                        compressed (5 bytes): f2 00 11 00 00
                        inflated (5 bytes): "Hello"
                    """), second);
        }

        @Test
        void s7_2_3_3_storedBlockInflates() {
            assertTrue(dump(Direction.SERVER_TO_CLIENT, CONTEXT_TAKEOVER, "c1 0b 00 05 00 fa ff 48 65 6c 6c 6f 00")
                    .contains("    inflated (5 bytes): \"Hello\"\n"));
        }

        @Test
        void s7_2_3_4_finalBlockInflatesAndTheNextMessageStartsAfresh() {
            String out = dump(Direction.SERVER_TO_CLIENT, CONTEXT_TAKEOVER,
                    "c1 08 f3 48 cd c9 c9 07 00 00", "c1 07 f2 48 cd c9 c9 07 00");
            assertEquals(2, out.split("inflated \\(5 bytes\\): \"Hello\"", -1).length - 1, out);
            assertTrue(!out.contains("VIOLATION"), out);
        }

        @Test
        void s7_2_3_5_twoDeflateBlocksInOneMessageInflate() {
            assertTrue(dump(Direction.SERVER_TO_CLIENT, CONTEXT_TAKEOVER, "c1 0d f2 48 05 00 00 00 ff ff ca c9 c9 07 00")
                    .contains("    inflated (5 bytes): \"Hello\"\n"));
        }

        @Test
        void s7_2_3_6_emptyCompressedMessageInflatesToNothing() {
            assertEquals("""
                    server->client BINARY (0x2) FIN=1 RSV1=1 RSV2=0 RSV3=0 MASK=0 length=1 (7-bit), compressed
                        compressed (1 byte): 00
                        inflated (0 bytes): ""
                    """.replace("\"\"", ""), dump(Direction.SERVER_TO_CLIENT, CONTEXT_TAKEOVER, "c2 01 00"));
        }

        @Test
        void compressedFrameWithoutNegotiationIsFlaggedAndNotInflated() {
            assertEquals("""
                    server->client TEXT (0x1) FIN=1 RSV1=1 RSV2=0 RSV3=0 MASK=0 length=7 (7-bit)
                        payload: f2 48 cd c9 c9 07 00
                        ! VIOLATION RSV1 is set but no negotiated extension defines it (RFC 6455 5.2): the client must fail the connection with 1002 (protocol error)
                    """, dump(Direction.SERVER_TO_CLIENT, null, "c1 07 f2 48 cd c9 c9 07 00"));
        }
    }

    @Nested
    class CloseFrames {
        @Test
        void codeIsNamedAndReasonQuoted() {
            assertEquals("""
                    server->client CLOSE (0x8) FIN=1 RSV1=0 RSV2=0 RSV3=0 MASK=0 length=5 (7-bit)
                        close 1001 (going away), reason "bye"
                    """, dump(Direction.SERVER_TO_CLIENT, null, "88 05 03 e9 62 79 65"));
        }

        @Test
        void emptyBodyHasNoStatusCode() {
            assertTrue(dump(Direction.SERVER_TO_CLIENT, null, "88 00").contains("close with no status code"));
        }

        @Test
        void codeThatMayNotBeSentIsAViolation() {
            String out = dump(Direction.SERVER_TO_CLIENT, null, "88 02 03 ed");
            assertTrue(out.contains("close 1005 (no status received)"), out);
            assertTrue(out.contains("! VIOLATION close code 1005 (no status received) may not be sent in a close frame"
                    + " (RFC 6455 7.4.1): the client must fail the connection with 1002 (protocol error)"), out);
        }
    }

    @Nested
    class Escaping {
        @Test
        void terminalControlCharactersAreEscapedNotPrinted() {
            // ESC [ 2 J would clear the screen of whoever reads the trace.
            assertEquals("\\u001b[2J\\n\\t\\\"\\\\ é \\u202e", FrameFormatter.escapeBytes(
                    hex("1b 5b 32 4a 0a 09 22 5c 20 c3 a9 20 e2 80 ae"), 0, 15));
        }

        @Test
        void bytesThatAreNotUtf8AreShownAsHex() {
            assertEquals("a\\xffb\\xc3", FrameFormatter.escapeBytes(hex("61 ff 62 c3"), 0, 4));
            assertEquals("\\xed\\xa0\\x80", FrameFormatter.escapeBytes(hex("ed a0 80"), 0, 3)); // a surrogate
        }

        @Test
        void prefixGoesBeforeTheFirstLine() {
            List<Dissection> out = new ArrayList<>();
            FrameDissector.create(Direction.SERVER_TO_CLIENT, 10, null).feed(ByteBuffer.wrap(hex("89 00")), out);
            assertEquals("12:00:00.000 #7 server->client PING (0x9) FIN=1 RSV1=0 RSV2=0 RSV3=0 MASK=0 length=0 (7-bit)\n",
                    FrameFormatter.format("12:00:00.000 #7 ", out.get(0)));
        }
    }
}
