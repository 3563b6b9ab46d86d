package dev.duplex.compliance.conformance;

import java.io.IOException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Autobahn section 4, opcodes (RFC 6455 5.2): the reserved non-control opcodes 3–7 (4.1) and
 * control opcodes 0xB–0xF (4.2) fail the connection with 1002, with or without a payload. In
 * the cases that send a valid message first, its echo arrives before the close frame, and the
 * ping that follows the bad frame goes unanswered.
 */
@Timeout(30)
class Section4OpcodesTest {
    @RegisterExtension
    static final EchoServer SERVER = new EchoServer();

    private static final String HELLO = "Hello, world!";

    /**
     * Autobahn's pattern in each subsection: bare frame; frame with payload; then the same two
     * after a valid text message and followed by a ping; and a third with payload after text.
     */
    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("4.1.1", 3, false, false),
                Arguments.of("4.1.2", 4, true, false),
                Arguments.of("4.1.3", 5, false, true),
                Arguments.of("4.1.4", 6, true, true),
                Arguments.of("4.1.5", 7, true, true),
                Arguments.of("4.2.1", 0xB, false, false),
                Arguments.of("4.2.2", 0xC, true, false),
                Arguments.of("4.2.3", 0xD, false, true),
                Arguments.of("4.2.4", 0xE, true, true),
                Arguments.of("4.2.5", 0xF, true, true));
    }

    @ParameterizedTest(name = "case {0}: reserved opcode {1} (payload: {2}, after a valid text: {3}) fails with 1002")
    @MethodSource("cases")
    void reservedOpcodeFails(String id, int opcode, boolean withPayload, boolean afterValidText) throws IOException {
        Frame bad = new Frame(true, 0, opcode, withPayload ? Frame.utf8(HELLO) : new byte[0]);
        try (RawWebSocket ws = SERVER.connect()) {
            if (afterValidText) {
                ws.send(Frame.text(HELLO), bad, Frame.ping(new byte[0]));
                ws.expect(Received.text(HELLO));
            } else {
                ws.send(bad);
            }
            ws.expectFailure(1002);
        }
    }

    /** Beyond Autobahn: every reserved opcode, the payload never sent, only the frame header. */
    @ParameterizedTest(name = "beyond 4.x: reserved opcode {0} fails with 1002 from the frame header alone")
    @ValueSource(ints = {3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF})
    void reservedOpcodeFailsFromItsHeader(int opcode) throws IOException {
        try (RawWebSocket ws = SERVER.connect()) {
            Frame bad = new Frame(true, 0, opcode, Payloads.binary(1000));
            ws.send(Frame.text(HELLO));
            ws.expect(Received.text(HELLO));
            ws.write(Payloads.slice(ws.encode(bad), 0, 2), Integer.MAX_VALUE);
            ws.expectFailure(1002);
        }
    }
}
