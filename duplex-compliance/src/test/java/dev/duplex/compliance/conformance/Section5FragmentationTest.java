package dev.duplex.compliance.conformance;

import java.io.IOException;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Autobahn section 5, fragmentation (RFC 6455 5.4): fragmented messages are joined, control
 * frames may come between fragments and are answered at once, control frames may not be
 * fragmented, and a continuation with nothing to continue or a new data frame inside an open
 * message fails the connection with 1002. Autobahn runs several cases three ways — one write,
 * one write per frame, one byte per write — and so does this class.
 */
@Timeout(30)
class Section5FragmentationTest {
    @RegisterExtension
    static final EchoServer SERVER = new EchoServer();

    /** How the frames of a case go out: Autobahn's chop modes. */
    enum Writes {
        ONE_WRITE, FRAME_BY_FRAME, ONE_BYTE_EACH;

        void send(RawWebSocket ws, Frame... frames) {
            switch (this) {
                case ONE_WRITE -> ws.send(frames);
                case FRAME_BY_FRAME -> ws.sendFrameByFrame(frames);
                case ONE_BYTE_EACH -> ws.sendChopped(1, frames);
            }
        }
    }

    @Test
    @DisplayName("case 5.1: ping fragmented into 2 frames fails with 1002")
    void fragmentedPingFails() throws IOException {
        try (RawWebSocket ws = SERVER.connect()) {
            ws.send(new Frame(false, 0, Frame.PING, Frame.utf8("fragment1")),
                    Frame.continuation(Frame.utf8("fragment2"), true));
            ws.expectFailure(1002);
        }
    }

    @Test
    @DisplayName("case 5.2: pong fragmented into 2 frames fails with 1002")
    void fragmentedPongFails() throws IOException {
        try (RawWebSocket ws = SERVER.connect()) {
            ws.send(new Frame(false, 0, Frame.PONG, Frame.utf8("fragment1")),
                    Frame.continuation(Frame.utf8("fragment2"), true));
            ws.expectFailure(1002);
        }
    }

    static Stream<Arguments> twoFragments() {
        return Stream.of(
                Arguments.of("5.3", Writes.ONE_WRITE),
                Arguments.of("5.4", Writes.FRAME_BY_FRAME),
                Arguments.of("5.5", Writes.ONE_BYTE_EACH));
    }

    @ParameterizedTest(name = "case {0}: text message in 2 fragments ({1}) is echoed whole")
    @MethodSource("twoFragments")
    void twoFragmentsAreJoined(String id, Writes writes) throws IOException {
        try (RawWebSocket ws = SERVER.connect()) {
            writes.send(ws, Frame.first(Frame.TEXT, Frame.utf8("fragment1")),
                    Frame.continuation(Frame.utf8("fragment2"), true));
            ws.expect(Received.text("fragment1fragment2"));
            ws.closeNormally();
        }
    }

    static Stream<Arguments> pingBetweenFragments() {
        return Stream.of(
                Arguments.of("5.6", Writes.ONE_WRITE),
                Arguments.of("5.7", Writes.FRAME_BY_FRAME),
                Arguments.of("5.8", Writes.ONE_BYTE_EACH));
    }

    @ParameterizedTest(name = "case {0}: ping between 2 text fragments ({1}) is answered, then the message echoed")
    @MethodSource("pingBetweenFragments")
    void pingBetweenFragmentsIsAnswered(String id, Writes writes) throws IOException {
        try (RawWebSocket ws = SERVER.connect()) {
            writes.send(ws, Frame.first(Frame.TEXT, Frame.utf8("fragment1")),
                    Frame.ping("ping payload"),
                    Frame.continuation(Frame.utf8("fragment2"), true));
            ws.expect(Received.pong("ping payload"), Received.text("fragment1fragment2"));
            ws.closeNormally();
        }
    }

    /** 5.9–5.14: a continuation (FIN set or not) opens the stream, before a valid text message. */
    static Stream<Arguments> continuationWithNothingToContinue() {
        return Stream.of(
                Arguments.of("5.9", true, Writes.ONE_WRITE),
                Arguments.of("5.10", true, Writes.FRAME_BY_FRAME),
                Arguments.of("5.11", true, Writes.ONE_BYTE_EACH),
                Arguments.of("5.12", false, Writes.ONE_WRITE),
                Arguments.of("5.13", false, Writes.FRAME_BY_FRAME),
                Arguments.of("5.14", false, Writes.ONE_BYTE_EACH));
    }

    @ParameterizedTest(name = "case {0}: continuation (FIN {1}) with nothing to continue, then text ({2}), fails with 1002")
    @MethodSource("continuationWithNothingToContinue")
    void continuationWithNothingToContinueFails(String id, boolean fin, Writes writes) throws IOException {
        try (RawWebSocket ws = SERVER.connect()) {
            writes.send(ws, Frame.continuation(Frame.utf8("non-continuation payload"), fin),
                    Frame.text("Hello, world!"));
            ws.expectFailure(1002);
        }
    }

    @Test
    @DisplayName("case 5.15: whole fragmented message, then a stray continuation, then text: echo of the first, then 1002")
    void strayContinuationAfterCompleteMessage() throws IOException {
        try (RawWebSocket ws = SERVER.connect()) {
            ws.send(Frame.first(Frame.TEXT, Frame.utf8("fragment1")),
                    Frame.continuation(Frame.utf8("fragment2"), true),
                    Frame.continuation(Frame.utf8("fragment3"), false),
                    Frame.text("fragment4"));
            ws.expect(Received.text("fragment1fragment2"));
            ws.expectFailure(1002);
        }
    }

    static Stream<Arguments> strayContinuationFirst() {
        return Stream.of(Arguments.of("5.16", false), Arguments.of("5.17", true));
    }

    @ParameterizedTest(name = "case {0}: twice over, a stray continuation (FIN {1}), a text fragment, a final continuation: 1002 at once")
    @MethodSource("strayContinuationFirst")
    void strayContinuationOpensTheStream(String id, boolean fin) throws IOException {
        Frame stray = Frame.continuation(Frame.utf8("fragment1"), fin);
        Frame start = Frame.first(Frame.TEXT, Frame.utf8("fragment2"));
        Frame end = Frame.continuation(Frame.utf8("fragment3"), true);
        try (RawWebSocket ws = SERVER.connect()) {
            ws.send(stray, start, end, stray, start, end);
            ws.expectFailure(1002);
        }
    }

    @Test
    @DisplayName("case 5.18: two text frames, the first not final (a new message inside a message): 1002")
    void textFrameInsideFragmentedMessage() throws IOException {
        try (RawWebSocket ws = SERVER.connect()) {
            ws.send(Frame.first(Frame.TEXT, Frame.utf8("fragment1")), Frame.text("fragment2"));
            ws.expectFailure(1002);
        }
    }

    static Stream<Arguments> pingsWhileMessageIsOpen() {
        return Stream.of(
                Arguments.of("5.19", Writes.ONE_WRITE),
                Arguments.of("5.20", Writes.FRAME_BY_FRAME));
    }

    /**
     * Autobahn waits a second after the first ping; here the client waits for its pong instead,
     * which is the stronger claim: the server answers while the message is still open.
     */
    @ParameterizedTest(name = "case {0}: pings inside a 5-fragment text message ({1}) are answered at once, then it is echoed")
    @MethodSource("pingsWhileMessageIsOpen")
    void pingsAnsweredWhileMessageIsOpen(String id, Writes writes) throws IOException {
        try (RawWebSocket ws = SERVER.connect()) {
            writes.send(ws, Frame.first(Frame.TEXT, Frame.utf8("fragment1")),
                    Frame.continuation(Frame.utf8("fragment2"), false),
                    Frame.ping("pongme 1!"));
            ws.expect(Received.pong("pongme 1!"));
            writes.send(ws, Frame.continuation(Frame.utf8("fragment3"), false),
                    Frame.continuation(Frame.utf8("fragment4"), false),
                    Frame.ping("pongme 2!"));
            ws.expect(Received.pong("pongme 2!"));
            writes.send(ws, Frame.continuation(Frame.utf8("fragment5"), true));
            ws.expect(Received.text("fragment1fragment2fragment3fragment4fragment5"));
            ws.closeNormally();
        }
    }

    /** Beyond Autobahn: binary fragments, and empty ones, joined in order. */
    @Test
    @DisplayName("beyond 5.3: binary message in 3 fragments, the middle one empty, is echoed whole")
    void binaryFragmentsAreJoined() throws IOException {
        byte[] data = Payloads.binary(300);
        try (RawWebSocket ws = SERVER.connect()) {
            ws.sendChopped(1, Frame.first(Frame.BINARY, Payloads.slice(data, 0, 100)),
                    Frame.continuation(new byte[0], false),
                    Frame.continuation(Payloads.slice(data, 100, 300), true));
            ws.expect(Received.binary(data));
            ws.closeNormally();
        }
    }

    @Test
    @DisplayName("beyond 5.6: close between fragments is answered and the open message is dropped")
    void closeBetweenFragments() throws IOException {
        try (RawWebSocket ws = SERVER.connect()) {
            ws.send(Frame.first(Frame.TEXT, Frame.utf8("fragment1")));
            ws.closeNormally();
        }
    }

    @Test
    @DisplayName("beyond 5.18: binary frame inside a fragmented text message fails with 1002")
    void binaryFrameInsideTextMessage() throws IOException {
        try (RawWebSocket ws = SERVER.connect()) {
            ws.send(Frame.first(Frame.TEXT, Frame.utf8("fragment1")), Frame.binary(Payloads.binary(4)));
            ws.expectFailure(1002);
        }
    }
}
