package dev.duplex.compliance.conformance;

import java.io.IOException;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Autobahn section 1, framing: text (1.1) and binary (1.2) messages at every payload-length
 * boundary of RFC 6455 5.2 (7-bit, 16-bit, 64-bit) come back whole, in one write and chopped.
 */
@Timeout(60)
class Section1FramingTest {
    @RegisterExtension
    static final EchoServer SERVER = new EchoServer();

    /** The lengths of cases 1.x.1 to 1.x.7, in order: each side of 125/126 and 65535/65536. */
    static IntStream lengths() {
        return IntStream.of(0, 125, 126, 127, 128, 65_535, 65_536);
    }

    @ParameterizedTest(name = "case 1.1.{index}: text message of {0} bytes is echoed")
    @MethodSource("lengths")
    void textMessageIsEchoed(int length) throws IOException {
        echo(Frame.TEXT, Payloads.text(length), Integer.MAX_VALUE);
    }

    @Test
    @DisplayName("case 1.1.8: text message of 65536 bytes sent in 997-byte writes is echoed")
    void choppedTextMessageIsEchoed() throws IOException {
        echo(Frame.TEXT, Payloads.text(65_536), 997);
    }

    @ParameterizedTest(name = "case 1.2.{index}: binary message of {0} bytes is echoed")
    @MethodSource("lengths")
    void binaryMessageIsEchoed(int length) throws IOException {
        echo(Frame.BINARY, Payloads.binary(length), Integer.MAX_VALUE);
    }

    @Test
    @DisplayName("case 1.2.8: binary message of 65536 bytes sent in 997-byte writes is echoed")
    void choppedBinaryMessageIsEchoed() throws IOException {
        echo(Frame.BINARY, Payloads.binary(65_536), 997);
    }

    /** Beyond Autobahn: the header itself split, every length boundary, one byte per write. */
    @ParameterizedTest(name = "cases 1.1.{index}/1.2.{index} in 1-byte writes: text and binary of {0} bytes are echoed")
    @MethodSource("lengths")
    void messageInOneByteWritesIsEchoed(int length) throws IOException {
        echo(Frame.TEXT, Payloads.text(length), 1);
        echo(Frame.BINARY, Payloads.binary(length), 1);
    }

    private static void echo(int opcode, byte[] payload, int chop) throws IOException {
        try (RawWebSocket ws = SERVER.connect()) {
            ws.sendChopped(chop, new Frame(true, 0, opcode, payload));
            ws.expect(opcode == Frame.TEXT ? Received.text(payload) : Received.binary(payload));
            ws.closeNormally();
        }
    }
}
