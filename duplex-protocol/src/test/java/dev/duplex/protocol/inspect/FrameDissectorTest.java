package dev.duplex.protocol.inspect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.protocol.extension.DeflateParameters;
import dev.duplex.protocol.frame.FrameFormatter;
import dev.duplex.protocol.frame.Opcode;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** One direction's frames as a tracer reads them, grouped by the RFC section each rule comes from. */
class FrameDissectorTest {
    static final DeflateParameters TAKEOVER = new DeflateParameters(false, false, 0, 0);
    static final DeflateParameters NO_TAKEOVER = new DeflateParameters(true, true, 0, 0);
    static final Direction C2S = Direction.CLIENT_TO_SERVER;
    static final Direction S2C = Direction.SERVER_TO_CLIENT;

    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    static List<Dissection> dissect(Direction direction, DeflateParameters deflate, byte[] bytes) {
        List<Dissection> out = new ArrayList<>();
        try (FrameDissector d = FrameDissector.create(direction, 1024, deflate)) {
            d.feed(ByteBuffer.wrap(bytes), out);
        }
        return out;
    }

    static List<Dissection.Frame> frames(Direction direction, DeflateParameters deflate, String hex) {
        return dissect(direction, deflate, hex(hex)).stream()
                .filter(Dissection.Frame.class::isInstance).map(Dissection.Frame.class::cast).toList();
    }

    static Dissection.Frame only(Direction direction, String hex) {
        List<Dissection.Frame> frames = frames(direction, null, hex);
        assertEquals(1, frames.size(), frames.toString());
        return frames.get(0);
    }

    static String problems(Dissection d) {
        return d.violations().stream().map(Violation::toString).collect(Collectors.joining("\n"));
    }

    static void assertViolation(Dissection d, String rule, String problemPart, int code) {
        for (Violation v : d.violations()) {
            if (v.rule().equals(rule) && v.problem().contains(problemPart) && v.closeCode() == code) {
                return;
            }
        }
        throw new AssertionError("no " + rule + " violation about '" + problemPart + "' with " + code
                + "; found:\n" + problems(d));
    }

    @Nested
    class Section5_1Masking {
        @Test
        void unmaskedClientFrameIsFlaggedWithWhatTheServerMustDo() {
            Dissection.Frame f = only(C2S, "81 05 48 65 6c 6c 6f");
            assertEquals(1, f.violations().size());
            assertEquals("client frame is not masked (RFC 6455 5.1): the server must fail the connection with 1002"
                    + " (protocol error)", f.violations().get(0).toString());
            assertArrayEquals("Hello".getBytes(StandardCharsets.US_ASCII), f.payload());
        }

        @Test
        void maskedServerFrameIsFlagged() {
            assertViolation(only(S2C, "81 85 37 fa 21 3d 7f 9f 4d 51 58"), "RFC 6455 5.1", "server frame is masked", 1002);
        }

        @Test
        void maskedClientFrameIsUnmaskedAndClean() {
            Dissection.Frame f = only(C2S, "81 85 37 fa 21 3d 7f 9f 4d 51 58");
            assertEquals(List.of(), f.violations());
            assertEquals(0x37fa213d, f.maskingKey());
            assertArrayEquals("Hello".getBytes(StandardCharsets.US_ASCII), f.payload());
        }
    }

    @Nested
    class Section5_2BaseFraming {
        @Test
        void reservedOpcodesAreFlaggedAndTheNextFrameIsStillFound() {
            List<Dissection.Frame> frames = frames(S2C, null, "83 01 00 8b 00 89 00");
            assertEquals(3, frames.size());
            assertEquals("RESERVED-0x3", frames.get(0).opcodeName());
            assertViolation(frames.get(0), "RFC 6455 5.2", "reserved opcode 0x3", 1002);
            assertViolation(frames.get(1), "RFC 6455 5.2", "reserved opcode 0xB", 1002);
            assertEquals("PING", frames.get(2).opcodeName());
            assertEquals(List.of(), frames.get(2).violations());
        }

        @Test
        void rsvBitsWithoutAnExtensionAreFlaggedOneByOne() {
            Dissection.Frame f = only(S2C, "b1 00");
            assertViolation(f, "RFC 6455 5.2", "RSV2 is set", 1002);
            assertViolation(f, "RFC 6455 5.2", "RSV3 is set", 1002);
            assertEquals(2, f.violations().size());
        }

        @Test
        void lengthEncodingIsReportedAndANonMinimalOneFlagged() {
            Dissection.Frame f = only(S2C, "82 7e 00 05 01 02 03 04 05");
            assertEquals(16, f.lengthBits());
            assertEquals(5, f.payloadLength());
            assertViolation(f, "RFC 6455 5.2", "minimal encoding", 1002);
            assertTrue(f.violations().get(0).remedy().contains("may fail"), f.violations().get(0).remedy());
        }

        @Test
        void sixtyFourBitLengthWithTopBitSetLosesTheStream() {
            List<Dissection> out = dissect(S2C, null, hex("82 7f 80 00 00 00 00 00 00 00 01 02 03"));
            assertViolation(out.get(0), "RFC 6455 5.2", "most significant bit", 1002);
            List<Dissection> end = new ArrayList<>();
            FrameDissector d = FrameDissector.create(S2C, 10, null);
            d.feed(ByteBuffer.wrap(hex("82 7f 80 00 00 00 00 00 00 00 01 02 03")), new ArrayList<>());
            d.endOfStream(end);
            Dissection.Skipped skipped = assertInstanceOf(Dissection.Skipped.class, end.get(0));
            assertEquals(3, skipped.length());
        }
    }

    @Nested
    class Section5_4Fragmentation {
        @Test
        void continuationWithoutAMessageIsFlagged() {
            assertViolation(only(S2C, "80 00"), "RFC 6455 5.4", "no message to continue", 1002);
        }

        @Test
        void newMessageInsideAFragmentedOneIsFlagged() {
            List<Dissection.Frame> frames = frames(S2C, null, "01 01 61 82 00");
            assertViolation(frames.get(1), "RFC 6455 5.4", "before the fragmented TEXT message has ended", 1002);
        }

        @Test
        void controlFrameBetweenFragmentsIsAllowedAndKeepsTheMessageCount() {
            List<Dissection.Frame> frames = frames(S2C, null, "01 01 61 89 00 00 01 62 80 01 63");
            assertEquals(List.of(1, 0, 2, 3), frames.stream().map(Dissection.Frame::fragment).toList());
            assertEquals(Opcode.TEXT, frames.get(3).messageType());
            frames.forEach(f -> assertEquals(List.of(), f.violations()));
        }
    }

    @Nested
    class Section5_5ControlFrames {
        @Test
        void fragmentedControlFrameIsFlagged() {
            assertViolation(only(S2C, "09 00"), "RFC 6455 5.5", "fragmented", 1002);
        }

        @Test
        void controlFrameOver125BytesIsFlagged() {
            byte[] ping = new byte[4 + 126];
            ping[0] = (byte) 0x89;
            ping[1] = 0x7e;
            ping[3] = 126;
            Dissection.Frame f = frames(S2C, null, HexFormat.of().formatHex(ping)).get(0);
            assertViolation(f, "RFC 6455 5.5", "longer than 125", 1002);
        }

        @Test
        void closeWithOneByteBodyIsFlagged() {
            assertViolation(only(S2C, "88 01 03"), "RFC 6455 5.5.1", "1 byte", 1002);
        }

        @Test
        void closeReasonThatIsNotUtf8IsFlagged() {
            Dissection.Frame f = only(S2C, "88 03 03 e8 ff");
            assertViolation(f, "RFC 6455 5.5.1", "reason is not valid UTF-8", 1007);
            assertEquals(1000, f.closeCode());
            assertNull(f.closeReason());
        }

        @Test
        void frameAfterCloseIsFlagged() {
            List<Dissection.Frame> frames = frames(S2C, null, "88 02 03 e8 81 00");
            assertEquals(List.of(), frames.get(0).violations());
            assertViolation(frames.get(1), "RFC 6455 5.5.1", "after a close frame", 0);
        }
    }

    @Nested
    class Section7_4CloseCodes {
        @Test
        void everyCodeThatMayNotBeSentIsFlaggedAndValidOnesAreNot() {
            for (int code : new int[] {0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535}) {
                String body = String.format("88 02 %02x %02x", code >> 8, code & 0xff);
                assertViolation(only(S2C, body), "RFC 6455 7.4.1", "close code " + code, 1002);
            }
            for (int code : new int[] {1000, 1001, 1002, 1003, 1007, 1011, 1014, 3000, 4999}) {
                String body = String.format("88 02 %02x %02x", code >> 8, code & 0xff);
                assertEquals(List.of(), only(S2C, body).violations(), "code " + code);
            }
        }
    }

    @Nested
    class Section8_1Utf8 {
        @Test
        void invalidTextIsFlaggedAtTheFirstBadByteOfTheMessage() {
            List<Dissection.Frame> frames = frames(S2C, null, "01 02 61 62 80 03 63 ff 64");
            assertEquals(List.of(), frames.get(0).violations());
            assertViolation(frames.get(1), "RFC 6455 8.1", "byte 3 of the message", 1007);
        }

        @Test
        void codePointSplitAcrossFragmentsIsValid() {
            List<Dissection.Frame> frames = frames(S2C, null, "01 01 c3 80 01 a9");
            frames.forEach(f -> assertEquals(List.of(), f.violations(), problems(f)));
        }

        @Test
        void textEndingInsideACodePointIsFlagged() {
            assertViolation(only(S2C, "81 01 c3"), "RFC 6455 8.1", "ends inside a UTF-8 sequence", 1007);
        }

        @Test
        void binaryIsNeverCheckedAsText() {
            assertEquals(List.of(), only(S2C, "82 02 ff fe").violations());
        }
    }

    @Nested
    class Rfc7692Deflate {
        @Test
        void contextTakeoverFollowsTheAgreementPerDirection() {
            // RFC 7692 7.2.3.2: the second "Hello" refers back into the first message.
            String messages = "c1 07 f2 48 cd c9 c9 07 00 c1 05 f2 00 11 00 00";
            List<Dissection.Frame> kept = frames(S2C, TAKEOVER, messages);
            assertArrayEquals("Hello".getBytes(StandardCharsets.US_ASCII), kept.get(1).inflated());

            // With server_no_context_takeover agreed the client resets its window, so the same
            // bytes are corrupt from the server: flagged as a receiver would fail them.
            List<Dissection.Frame> reset = frames(S2C, new DeflateParameters(true, false, 0, 0), messages);
            assertArrayEquals("Hello".getBytes(StandardCharsets.US_ASCII), reset.get(0).inflated());
            assertViolation(reset.get(1), "RFC 7692 7.2.2", "not valid DEFLATE", 1007);
            assertNull(reset.get(1).inflated());

            // client_no_context_takeover concerns the other direction only.
            List<Dissection.Frame> other = frames(S2C, new DeflateParameters(false, true, 0, 0), messages);
            assertEquals(List.of(), other.get(1).violations());
        }

        @Test
        void rsv1OnAContinuationOrControlFrameIsFlagged() {
            List<Dissection.Frame> frames = frames(S2C, TAKEOVER, "41 03 f2 48 cd c9 00 c0 04 c9 c9 07 00");
            assertViolation(frames.get(1), "RFC 7692 6.1", "control frame", 1002);
            assertViolation(frames.get(2), "RFC 7692 6.1", "continuation frame", 1002);
        }

        @Test
        void invalidUtf8AfterInflatingIsFlagged() {
            byte[] compressed = deflate(new byte[] {'a', (byte) 0xff});
            byte[] frame = new byte[2 + compressed.length];
            frame[0] = (byte) 0xc1;
            frame[1] = (byte) compressed.length;
            System.arraycopy(compressed, 0, frame, 2, compressed.length);
            Dissection.Frame f = frames(S2C, TAKEOVER, HexFormat.of().formatHex(frame)).get(0);
            assertViolation(f, "RFC 6455 8.1", "byte 1 of the message", 1007);
        }

        @Test
        void aMessageInflatingPastTheLimitStopsBeingInflated() {
            long limit = 1 << 20;
            byte[] compressed = deflate(new byte[(int) limit + 1]);
            ByteBuffer frame = ByteBuffer.allocate(10 + compressed.length);
            frame.put((byte) 0xc2).put((byte) 0x7f).putLong(compressed.length).put(compressed).flip();
            List<Dissection> out = new ArrayList<>();
            try (FrameDissector d = FrameDissector.create(S2C, 16, TAKEOVER).inflateLimit(limit)) {
                d.feed(frame, out);
            }
            assertViolation(out.get(0), "RFC 7692 8.1", "more than " + limit, 1009);
        }

        static byte[] deflate(byte[] data) {
            Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
            deflater.setInput(data);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = deflater.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH)) > 0) {
                out.write(buf, 0, n);
                if (n < buf.length && deflater.needsInput()) {
                    break;
                }
            }
            deflater.end();
            byte[] all = out.toByteArray();
            return java.util.Arrays.copyOf(all, all.length - 4); // RFC 7692 7.2.1: drop 00 00 ff ff
        }
    }

    @Nested
    class Streaming {
        /** Client frames of every kind, masked, with a compressed message and a close. */
        final String conversation = "01 83 01 02 03 04 49 67 6f" // "Hel" fragment
                + " 89 82 0a 0b 0c 0d 62 64" // ping "hi"
                + " 80 82 11 22 33 44 7d 4d" // "lo", last fragment
                + " c1 87 00 00 00 00 f2 48 cd c9 c9 07 00" // compressed "Hello", key 0
                + " 82 fe 00 80 " + "00 00 00 00 " + "ab ".repeat(128) // 128 bytes binary, 16-bit length
                + " 88 85 01 01 01 01 02 e9 63 78 64"; // close 1000 "bye"

        @Test
        void everySplitGivesTheSameDissection() {
            byte[] bytes = hex(conversation);
            String whole = format(dissectSplit(bytes, bytes.length));
            assertTrue(whole.contains("inflated (5 bytes): \"Hello\""), whole);
            assertTrue(whole.contains("close 1000 (normal closure), reason \"bye\""), whole);
            assertTrue(!whole.contains("VIOLATION"), whole);
            for (int split = 0; split <= bytes.length; split++) {
                assertEquals(whole, format(dissectSplit(bytes, split)), "split at " + split);
            }
            assertEquals(whole, format(dissectByteByByte(bytes)), "one byte at a time");
        }

        @Test
        void endOfStreamReportsAFrameCutShortAndAMissingClose() {
            List<Dissection> out = new ArrayList<>();
            FrameDissector d = FrameDissector.create(S2C, 16, null);
            d.feed(ByteBuffer.wrap(hex("01 01 61 00 05 01 02")), out);
            out.clear();
            d.endOfStream(out);
            String notes = format(out);
            assertTrue(notes.contains("ended 2 bytes into the payload of a CONTINUATION frame of 5 bytes"), notes);
            assertTrue(notes.contains("inside a fragmented TEXT message after 2 frames"), notes);
            assertTrue(notes.contains("without a close frame"), notes);
        }

        private List<Dissection> dissectSplit(byte[] bytes, int split) {
            List<Dissection> out = new ArrayList<>();
            try (FrameDissector d = FrameDissector.create(C2S, 64, TAKEOVER)) {
                d.feed(ByteBuffer.wrap(bytes, 0, split), out);
                d.feed(ByteBuffer.wrap(bytes, split, bytes.length - split), out);
            }
            return out;
        }

        private List<Dissection> dissectByteByByte(byte[] bytes) {
            List<Dissection> out = new ArrayList<>();
            try (FrameDissector d = FrameDissector.create(C2S, 64, TAKEOVER)) {
                for (int i = 0; i < bytes.length; i++) {
                    d.feed(ByteBuffer.wrap(bytes, i, 1), out);
                }
            }
            return out;
        }
    }

    static String format(List<Dissection> out) {
        return out.stream().map(d -> FrameFormatter.format("", d)).collect(Collectors.joining());
    }
}
