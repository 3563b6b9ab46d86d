package dev.duplex.compliance.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.HexFormat;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Autobahn section 7, close handling (RFC 6455 5.5.1, 7): the server echoes a valid close code
 * and then closes TCP; it ignores whatever follows a close frame; and it fails with 1002 a
 * close frame whose body is one byte, whose code may not be sent, or whose payload passes 125
 * bytes, and with 1007 one whose reason is not UTF-8.
 *
 * <p>Which codes are valid: RFC 6455 7.4.1 defines 1000–1003 and 1007–1011, reserves 1004,
 * and forbids 1005, 1006 and 1015 on the wire; the IANA registry it set up has since added
 * 1012 (service restart), 1013 (try again later) and 1014 (bad gateway); 3000–4999 are for
 * libraries and applications. Autobahn's current 7.9 list of invalid codes agrees (it stopped
 * counting 1012–1015 as invalid after its issues #52 and #88; on 1015, which it no longer
 * tests, the RFC's ban is followed here). Codes 5000 and 65535 are outside every range:
 * Autobahn only reports what a server does with them (7.13), and the strict answer, which
 * Duplex gives, is 1002.
 */
@Timeout(30)
class Section7CloseTest {
    @RegisterExtension
    static final EchoServer SERVER = new EchoServer();

    private static final String HELLO = "Hello World!";

    @Test
    @DisplayName("case 7.1.1: text message, then close: echo, then the close reply")
    void messageThenClose() throws IOException {
        try (RawWebSocket ws = SERVER.connect()) {
            ws.send(Frame.text(HELLO));
            ws.expect(Received.text(HELLO));
            ws.closeNormally();
        }
    }

    @Test
    @DisplayName("case 7.1.2: two close frames: one close reply, then TCP closed")
    void twoCloses() throws IOException {
        try (RawWebSocket ws = SERVER.connect()) {
            ws.send(Frame.close(1000), Frame.close(1000));
            closeReply(ws, 1000); // one reply only, then the end
        }
    }

    @Test
    @DisplayName("case 7.1.3: close, then ping: the ping is not answered")
    void pingAfterClose() throws IOException {
        try (RawWebSocket ws = SERVER.connect()) {
            ws.send(Frame.close(1000), Frame.ping("ping after close"));
            closeReply(ws, 1000);
        }
    }

    @Test
    @DisplayName("case 7.1.4: close, then text: the text is not echoed")
    void textAfterClose() throws IOException {
        try (RawWebSocket ws = SERVER.connect()) {
            ws.send(Frame.close(1000), Frame.text(HELLO));
            closeReply(ws, 1000);
        }
    }

    @Test
    @DisplayName("case 7.1.5: text fragment, close, the final fragment: only the close reply")
    void closeInsideMessage() throws IOException {
        try (RawWebSocket ws = SERVER.connect()) {
            ws.send(Frame.first(Frame.TEXT, Frame.utf8("fragment1")), Frame.close(1000),
                    Frame.continuation(Frame.utf8("fragment2"), true));
            closeReply(ws, 1000);
        }
    }

    /**
     * Autobahn calls this informational: a server may answer the close before it has echoed the
     * messages ahead of it. Duplex handles events in wire order, so the strict outcome holds:
     * both echoes, then the close reply, and no pong.
     */
    @Test
    @DisplayName("case 7.1.6: 256 KiB text, small text, close, ping: both echoes in order, then the close reply")
    void messagesAheadOfCloseAreEchoed() throws IOException {
        byte[] big = Payloads.text(256 * 1024);
        try (RawWebSocket ws = SERVER.connect()) {
            ws.send(Frame.text(big), Frame.text(HELLO), Frame.close(1000), Frame.ping(new byte[0]));
            ws.expect(Received.text(big), Received.text(HELLO));
            closeReply(ws, 1000);
        }
    }

    @Test
    @DisplayName("case 7.3.1: close with an empty body gets an empty close or 1000 back")
    void emptyClose() throws IOException {
        try (RawWebSocket ws = SERVER.connect()) {
            ws.send(Frame.closeEmpty());
            Received reply = ws.next();
            assertEquals(Received.Kind.CLOSE, reply.kind(), "expected the close reply, got " + reply);
            assertTrue(reply.closeCode() == -1 || reply.closeCode() == 1000, "reply " + reply);
            ws.expectTcpClosed();
        }
    }

    @Test
    @DisplayName("case 7.3.2: close with a 1-byte body fails with 1002")
    void oneByteClose() throws IOException {
        try (RawWebSocket ws = SERVER.connect()) {
            ws.send(new Frame(true, 0, Frame.CLOSE, new byte[] {0x03}));
            ws.expectFailure(1002);
        }
    }

    @Test
    @DisplayName("case 7.3.3: close with code 1000 and no reason gets 1000 back")
    void closeWithCodeOnly() throws IOException {
        try (RawWebSocket ws = SERVER.connect()) {
            ws.closeNormally();
        }
    }

    @Test
    @DisplayName("case 7.3.4: close with code 1000 and a short reason gets 1000 back")
    void closeWithReason() throws IOException {
        try (RawWebSocket ws = SERVER.connect()) {
            ws.send(Frame.close(1000, Frame.utf8(HELLO)));
            closeReply(ws, 1000);
        }
    }

    @Test
    @DisplayName("case 7.3.5: close with code 1000 and a 123-byte reason (payload 125) gets 1000 back")
    void closeWithLongestReason() throws IOException {
        try (RawWebSocket ws = SERVER.connect()) {
            ws.send(Frame.close(1000, Payloads.text(123)));
            closeReply(ws, 1000);
        }
    }

    @Test
    @DisplayName("case 7.3.6: close with code 1000 and a 124-byte reason (payload 126) fails with 1002")
    void closeWithOverlongReason() throws IOException {
        try (RawWebSocket ws = SERVER.connect()) {
            ws.send(Frame.close(1000, Payloads.text(124)));
            ws.expectFailure(1002);
        }
    }

    @Test
    @DisplayName("case 7.5.1: close whose reason is invalid UTF-8 fails with 1007")
    void closeWithInvalidReason() throws IOException {
        byte[] reason = HexFormat.of().parseHex("cebae1bdb9cf83cebcceb5eda080656469746564");
        try (RawWebSocket ws = SERVER.connect()) {
            ws.send(Frame.close(1000, reason));
            ws.expectFailure(1007);
        }
    }

    /** In Autobahn's order, so that the index is the case number. */
    @ParameterizedTest(name = "case 7.7.{index}: close with valid code {0} is echoed with {0}")
    @ValueSource(ints = {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999})
    void validCodeIsEchoed(int code) throws IOException {
        try (RawWebSocket ws = SERVER.connect()) {
            ws.send(Frame.close(code));
            closeReply(ws, code);
        }
    }

    @ParameterizedTest(name = "beyond 7.7: close with code {0}, added to the IANA registry after RFC 6455, is echoed")
    @ValueSource(ints = {1012, 1013, 1014})
    void registeredCodeIsEchoed(int code) throws IOException {
        try (RawWebSocket ws = SERVER.connect()) {
            ws.send(Frame.close(code));
            closeReply(ws, code);
        }
    }

    /** In Autobahn's order, so that the index is the case number. */
    @ParameterizedTest(name = "case 7.9.{index}: close with invalid code {0} fails with 1002")
    @ValueSource(ints = {0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999})
    void invalidCodeFails(int code) throws IOException {
        try (RawWebSocket ws = SERVER.connect()) {
            ws.send(Frame.close(code));
            ws.expectFailure(1002);
        }
    }

    /** RFC 6455 7.4.1: 1015 is reported locally for a failed TLS handshake, never sent. */
    @Test
    @DisplayName("beyond 7.9: close with code 1015 fails with 1002")
    void tlsHandshakeCodeFails() throws IOException {
        try (RawWebSocket ws = SERVER.connect()) {
            ws.send(Frame.close(1015));
            ws.expectFailure(1002);
        }
    }

    @ParameterizedTest(name = "case 7.13.{index}: close with code {0}, outside every range, fails with 1002 (strict)")
    @ValueSource(ints = {5000, 65535})
    void codeOutsideEveryRangeFails(int code) throws IOException {
        try (RawWebSocket ws = SERVER.connect()) {
            ws.send(Frame.close(code, Frame.utf8("no such code")));
            ws.expectFailure(1002);
        }
    }

    /** Beyond Autobahn: after a failure nothing is echoed, even what the same write carried. */
    @Test
    @DisplayName("beyond 7.1: messages after a close that came in 1-byte writes are ignored")
    void messagesAfterChoppedCloseAreIgnored() throws IOException {
        try (RawWebSocket ws = SERVER.connect()) {
            ws.sendChopped(1, Frame.text(HELLO), Frame.close(3000, Frame.utf8("bye")));
            ws.expect(Received.text(HELLO));
            closeReply(ws, 3000);
        }
    }

    /** The server's reply must echo {@code code} and be the next thing to arrive; then TCP closes. */
    private static void closeReply(RawWebSocket ws, int code) throws IOException {
        Received reply = ws.next();
        assertEquals(Received.Kind.CLOSE, reply.kind(), "expected the close reply, got " + reply);
        assertEquals(code, reply.closeCode(), "close reply " + reply);
        ws.expectTcpClosed();
    }
}
