package dev.duplex.compliance.conformance;

import java.io.IOException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Autobahn section 3, reserved bits (RFC 6455 5.2): with no extension negotiated, a frame with
 * any RSV bit set fails the connection with 1002. Where a valid message goes first, its echo
 * must arrive before the close frame (Autobahn's strict outcome; its lenient one, no echo at
 * all, is not accepted here), and a ping sent after the bad frame must not be answered.
 */
@Timeout(30)
class Section3ReservedBitsTest {
    @RegisterExtension
    static final EchoServer SERVER = new EchoServer();

    private static final String HELLO = "Hello, world!";

    @Test
    @DisplayName("case 3.1: text frame with RSV = 1 fails with 1002")
    void rsv1OnText() throws IOException {
        try (RawWebSocket ws = SERVER.connect()) {
            ws.send(Frame.text(HELLO).withRsv(1));
            ws.expectFailure(1002);
        }
    }

    @Test
    @DisplayName("case 3.2: text, then text with RSV = 2, then ping: echo of the first, then 1002, no pong")
    void rsv2AfterValidText() throws IOException {
        try (RawWebSocket ws = SERVER.connect()) {
            ws.send(Frame.text(HELLO), Frame.text(HELLO).withRsv(2), Frame.ping(new byte[0]));
            ws.expect(Received.text(HELLO));
            ws.expectFailure(1002);
        }
    }

    @Test
    @DisplayName("case 3.3: as 3.2 with RSV = 3, each frame in a write of its own")
    void rsv3FrameByFrame() throws IOException {
        try (RawWebSocket ws = SERVER.connect()) {
            ws.sendFrameByFrame(Frame.text(HELLO), Frame.text(HELLO).withRsv(3), Frame.ping(new byte[0]));
            ws.expect(Received.text(HELLO));
            ws.expectFailure(1002);
        }
    }

    @Test
    @DisplayName("case 3.4: as 3.2 with RSV = 4, in 1-byte writes")
    void rsv4InOneByteWrites() throws IOException {
        try (RawWebSocket ws = SERVER.connect()) {
            ws.sendChopped(1, Frame.text(HELLO), Frame.text(HELLO).withRsv(4), Frame.ping(new byte[0]));
            ws.expect(Received.text(HELLO));
            ws.expectFailure(1002);
        }
    }

    @Test
    @DisplayName("case 3.5: binary frame with RSV = 5 fails with 1002")
    void rsv5OnBinary() throws IOException {
        try (RawWebSocket ws = SERVER.connect()) {
            ws.send(Frame.binary(Payloads.binary(8)).withRsv(5));
            ws.expectFailure(1002);
        }
    }

    @Test
    @DisplayName("case 3.6: ping with RSV = 6 fails with 1002 and is not answered")
    void rsv6OnPing() throws IOException {
        try (RawWebSocket ws = SERVER.connect()) {
            ws.send(Frame.ping(Payloads.binary(8)).withRsv(6));
            ws.expectFailure(1002);
        }
    }

    @Test
    @DisplayName("case 3.7: close with RSV = 7 fails with 1002")
    void rsv7OnClose() throws IOException {
        try (RawWebSocket ws = SERVER.connect()) {
            ws.send(Frame.close(1000).withRsv(7));
            ws.expectFailure(1002);
        }
    }

    /** Beyond Autobahn: every RSV combination on every frame type, after a valid message. */
    @ParameterizedTest(name = "beyond 3.x: RSV = {0} on text, binary, continuation, ping, pong and close each fail with 1002 after a valid echo")
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7})
    void everyRsvOnEveryFrameType(int rsv) throws IOException {
        Frame[] bad = {
            Frame.text(HELLO).withRsv(rsv),
            Frame.binary(Payloads.binary(8)).withRsv(rsv),
            Frame.ping(Payloads.binary(8)).withRsv(rsv),
            Frame.pong(Payloads.binary(8)).withRsv(rsv),
            Frame.close(1000).withRsv(rsv),
        };
        for (Frame frame : bad) {
            try (RawWebSocket ws = SERVER.connect()) {
                ws.send(Frame.text(HELLO), frame);
                ws.expect(Received.text(HELLO));
                ws.expectFailure(1002);
            }
        }
        try (RawWebSocket ws = SERVER.connect()) {
            ws.send(Frame.first(Frame.TEXT, Frame.utf8("Hello, ")),
                    Frame.continuation(Frame.utf8("world!"), true).withRsv(rsv));
            ws.expectFailure(1002);
        }
    }
}
