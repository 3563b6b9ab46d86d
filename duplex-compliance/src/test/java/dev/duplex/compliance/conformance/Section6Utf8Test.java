package dev.duplex.compliance.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.compliance.conformance.Utf8Vectors.Vector;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Autobahn section 6, UTF-8 handling (RFC 6455 5.6, 8.1): valid text is echoed however it is
 * fragmented, even with a code point split across frames; invalid text fails the connection
 * with 1007, and fails it fast, at the first byte that no valid text could have, without
 * waiting for the rest of the frame or message. The vectors are Markus Kuhn's set as Autobahn
 * numbers it (6.5–6.23); each runs in one frame (Autobahn's case) and, beyond Autobahn, in
 * one-byte fragments, in one fragment per code point, and cut off right after the first bad
 * byte.
 */
@Timeout(60)
class Section6Utf8Test {
    @RegisterExtension
    static final EchoServer SERVER = new EchoServer();

    private static final String HELLO = "Hello-µ@ßöäüàá-UTF-8!!";
    private static final byte[] KOSME = HexFormat.of().parseHex(Utf8Vectors.KOSME.replace(" ", ""));
    /** Cases 6.3: "κόσμε", a lone surrogate (ED A0 80), "edited". */
    private static final byte[] KOSME_SURROGATE_EDITED = concat(KOSME, hex("eda080"), Frame.utf8("edited"));
    /** Cases 6.4: "κόσμε", U+110000 in UTF-8's form (F4 90 80 80), "edited": byte 12 (0x90) is the bad one. */
    private static final byte[] PART1 = KOSME;
    private static final byte[] PART2 = hex("f4908080");
    private static final byte[] PART3 = Frame.utf8("edited");

    // ---------------------------------------------------------------- 6.1 to 6.4

    @Test
    @DisplayName("case 6.1.1: empty text message is echoed")
    void emptyText() throws IOException {
        echoed(new byte[0], Frame.text(new byte[0]));
    }

    @Test
    @DisplayName("case 6.1.2: text message of 3 empty fragments is echoed empty")
    void threeEmptyFragments() throws IOException {
        echoed(new byte[0], Frame.first(Frame.TEXT, new byte[0]), Frame.continuation(new byte[0], false),
                Frame.continuation(new byte[0], true));
    }

    @Test
    @DisplayName("case 6.1.3: text message of 3 fragments, first and last empty, is echoed")
    void emptyFirstAndLastFragments() throws IOException {
        byte[] middle = Frame.utf8("middle frame payload");
        echoed(middle, Frame.first(Frame.TEXT, new byte[0]), Frame.continuation(middle, false),
                Frame.continuation(new byte[0], true));
    }

    @Test
    @DisplayName("case 6.2.1: valid UTF-8 text in one frame is echoed")
    void validTextInOneFrame() throws IOException {
        byte[] text = Frame.utf8(HELLO);
        echoed(text, Frame.text(text));
    }

    @Test
    @DisplayName("case 6.2.2: valid UTF-8 text in 2 fragments split on a code point boundary is echoed")
    void validTextSplitOnCodePoint() throws IOException {
        byte[] text = Frame.utf8(HELLO);
        int split = Frame.utf8(HELLO.substring(0, 10)).length; // inside the run of 2-byte letters
        echoed(text, Frame.first(Frame.TEXT, Payloads.slice(text, 0, split)),
                Frame.continuation(Payloads.slice(text, split, text.length), true));
    }

    @Test
    @DisplayName("case 6.2.3: valid UTF-8 text in 1-byte fragments, code points split across frames, is echoed")
    void validTextInOneByteFragments() throws IOException {
        byte[] text = Frame.utf8(HELLO);
        echoed(text, fragments(text, everyByte(text.length)));
    }

    @Test
    @DisplayName("case 6.2.4: \"κόσμε\" in 1-byte fragments is echoed")
    void kosmeInOneByteFragments() throws IOException {
        echoed(KOSME, fragments(KOSME, everyByte(KOSME.length)));
    }

    @Test
    @DisplayName("case 6.3.1: invalid UTF-8 (a lone surrogate) in one frame fails with 1007")
    void invalidTextInOneFrame() throws IOException {
        try (RawWebSocket ws = SERVER.connect()) {
            ws.send(Frame.text(KOSME_SURROGATE_EDITED));
            ws.expectFailure(1007);
        }
    }

    @Test
    @DisplayName("case 6.3.2: invalid UTF-8 (a lone surrogate) in 1-byte fragments fails with 1007")
    void invalidTextInOneByteFragments() throws IOException {
        try (RawWebSocket ws = SERVER.connect()) {
            ws.send(fragments(KOSME_SURROGATE_EDITED, everyByte(KOSME_SURROGATE_EDITED.length)));
            ws.expectFailure(1007);
        }
    }

    /**
     * Autobahn waits a second after each part and counts the timeouts. Here a ping after the
     * valid first fragment must be answered (so the server took that fragment), and the close
     * must then come with the third part never sent.
     */
    @Test
    @DisplayName("case 6.4.1: fragments valid / invalid (U+110000) / never sent: 1007 right after the second")
    void failFastOnInvalidFragment() throws IOException {
        try (RawWebSocket ws = SERVER.connect()) {
            ws.send(Frame.first(Frame.TEXT, PART1), Frame.ping("part 1 taken?"));
            ws.expect(Received.pong("part 1 taken?"));
            ws.send(Frame.continuation(PART2, false));
            ws.expectFailure(1007);
        }
    }

    @Test
    @DisplayName("case 6.4.2: as 6.4.1, the second fragment only the one bad byte: 1007 right after it")
    void failFastOnInvalidByteFragment() throws IOException {
        byte[] payload = concat(PART1, PART2, PART3);
        try (RawWebSocket ws = SERVER.connect()) {
            ws.send(Frame.first(Frame.TEXT, Payloads.slice(payload, 0, 12)), Frame.ping("part 1 taken?"));
            ws.expect(Received.pong("part 1 taken?"));
            ws.send(Frame.continuation(Payloads.slice(payload, 12, 13), false));
            ws.expectFailure(1007);
        }
    }

    @Test
    @DisplayName("case 6.4.3: one frame announcing the whole message, sent up to the end of U+110000: 1007 before the rest")
    void failFastInsideFrame() throws IOException {
        byte[] payload = concat(PART1, PART2, PART3);
        try (RawWebSocket ws = SERVER.connect()) {
            Frame frame = Frame.text(payload);
            byte[] wire = ws.encode(frame);
            ws.write(Payloads.slice(wire, 0, frame.headerLength() + PART1.length), Integer.MAX_VALUE);
            ws.write(Payloads.slice(wire, frame.headerLength() + PART1.length,
                    frame.headerLength() + PART1.length + PART2.length), Integer.MAX_VALUE);
            ws.expectFailure(1007);
        }
    }

    @Test
    @DisplayName("case 6.4.4: as 6.4.3, sent only up to the one bad byte: 1007 before the rest")
    void failFastInsideFrameAtTheBadByte() throws IOException {
        byte[] payload = concat(PART1, PART2, PART3);
        try (RawWebSocket ws = SERVER.connect()) {
            Frame frame = Frame.text(payload);
            byte[] wire = ws.encode(frame);
            ws.write(Payloads.slice(wire, 0, frame.headerLength() + 12), Integer.MAX_VALUE);
            ws.write(Payloads.slice(wire, frame.headerLength() + 12, frame.headerLength() + 13), Integer.MAX_VALUE);
            ws.expectFailure(1007);
        }
    }

    // ---------------------------------------------------------------- 6.5 to 6.23

    static Stream<Vector> vectors() {
        return Utf8Vectors.all().stream();
    }

    static Stream<Vector> validVectors() {
        return vectors().filter(Vector::valid);
    }

    /** Invalid vectors with a byte that is wrong where it stands, not merely cut short. */
    static Stream<Vector> vectorsWithABadByte() {
        return vectors().filter(v -> Utf8Grammar.firstInvalidByte(v.bytes()) >= 0);
    }

    @ParameterizedTest(name = "the vectors agree with RFC 3629 and the JDK: {0}")
    @MethodSource("vectors")
    void vectorVerdictIsRight(Vector v) {
        assertEquals(v.valid(), Utf8Grammar.isValid(v.bytes()), "RFC 3629 grammar");
        boolean jdkValid;
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(v.bytes()));
            jdkValid = true;
        } catch (CharacterCodingException e) {
            jdkValid = false;
        }
        assertEquals(v.valid(), jdkValid, "the JDK's strict decoder");
    }

    @ParameterizedTest(name = "case {0}, in one frame")
    @MethodSource("vectors")
    void vectorInOneFrame(Vector v) throws IOException {
        outcome(v, Frame.text(v.bytes()));
    }

    @ParameterizedTest(name = "beyond case {0}, in 1-byte fragments")
    @MethodSource("vectors")
    void vectorInOneByteFragments(Vector v) throws IOException {
        byte[] bytes = v.bytes();
        int bad = Utf8Grammar.firstInvalidByte(bytes);
        if (bad < 0) {
            outcome(v, fragments(bytes, everyByte(bytes.length)));
            return;
        }
        // Fail fast: fragments up to and including the bad byte, the message left open.
        List<Frame> sent = new ArrayList<>(List.of(fragments(bytes, everyByte(bytes.length))));
        Frame[] upToBad = sent.subList(0, bad + 1).toArray(Frame[]::new);
        upToBad[bad] = upToBad[bad].withFin(false);
        try (RawWebSocket ws = SERVER.connect()) {
            ws.send(upToBad);
            ws.expectFailure(1007);
        }
    }

    @ParameterizedTest(name = "beyond case {0}, one fragment per code point")
    @MethodSource("validVectors")
    void validVectorInCodePointFragments(Vector v) throws IOException {
        List<Integer> ends = Utf8Grammar.codePointEnds(v.bytes());
        assertNotNull(ends);
        echoed(v.bytes(), fragments(v.bytes(), ends));
    }

    @ParameterizedTest(name = "beyond case {0}: the frame announces it all, only bytes up to the first bad one come, 1007 at once")
    @MethodSource("vectorsWithABadByte")
    void invalidVectorFailsAtTheFirstBadByte(Vector v) throws IOException {
        int bad = Utf8Grammar.firstInvalidByte(v.bytes());
        byte[] padded = concat(v.bytes(), Frame.utf8("and more text that never arrives"));
        try (RawWebSocket ws = SERVER.connect()) {
            Frame frame = Frame.text(padded);
            byte[] wire = ws.encode(frame);
            ws.write(Payloads.slice(wire, 0, frame.headerLength() + bad + 1), Integer.MAX_VALUE);
            ws.expectFailure(1007);
        }
    }

    // ---------------------------------------------------------------- beyond Autobahn: all of Unicode

    /** Every Unicode scalar value once, U+0000 to U+10FFFF without the surrogates: 4.3 MB. */
    @Test
    @DisplayName("beyond 6.x: every Unicode scalar value in one text message is echoed byte for byte")
    void everyScalarValue() throws IOException {
        StringBuilder all = new StringBuilder();
        for (int cp = 0; cp <= 0x10ffff; cp++) {
            if (cp < 0xd800 || cp > 0xdfff) {
                all.appendCodePoint(cp);
            }
        }
        byte[] text = Frame.utf8(all.toString());
        assertTrue(text.length > 4_000_000);
        echoed(text, Frame.text(text));
    }

    /** Each surrogate boundary, written as UTF-8 would write it were it allowed: all 1007. */
    @ParameterizedTest(name = "beyond 6.20: surrogate U+{0} in UTF-8's form fails with 1007")
    @ValueSource(strings = {"D800", "DB7F", "DB80", "DBFF", "DC00", "DFFF"})
    void surrogateFails(String codePoint) throws IOException {
        int cp = Integer.parseInt(codePoint, 16);
        byte[] bytes = {(byte) (0xe0 | cp >> 12), (byte) (0x80 | cp >> 6 & 0x3f), (byte) (0x80 | cp & 0x3f)};
        try (RawWebSocket ws = SERVER.connect()) {
            ws.send(Frame.text(bytes));
            ws.expectFailure(1007);
        }
    }

    // ---------------------------------------------------------------- helpers

    private static void outcome(Vector v, Frame... frames) throws IOException {
        if (v.valid()) {
            echoed(v.bytes(), frames);
        } else {
            try (RawWebSocket ws = SERVER.connect()) {
                ws.send(frames);
                ws.expectFailure(1007);
            }
        }
    }

    private static void echoed(byte[] text, Frame... frames) throws IOException {
        try (RawWebSocket ws = SERVER.connect()) {
            ws.send(frames);
            ws.expect(Received.text(text));
            ws.closeNormally();
        }
    }

    /** Offsets 1, 2, ..., n: one byte per fragment. */
    private static List<Integer> everyByte(int length) {
        List<Integer> ends = new ArrayList<>();
        for (int i = 1; i <= length; i++) {
            ends.add(i);
        }
        return ends;
    }

    /** A text message cut at the given end offsets (the last must be the length). */
    private static Frame[] fragments(byte[] text, List<Integer> ends) {
        Frame[] frames = new Frame[ends.size()];
        int start = 0;
        for (int i = 0; i < frames.length; i++) {
            byte[] part = Payloads.slice(text, start, ends.get(i));
            boolean last = i == frames.length - 1;
            frames[i] = i == 0 ? new Frame(last, 0, Frame.TEXT, part) : Frame.continuation(part, last);
            start = ends.get(i);
        }
        return frames;
    }

    private static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
