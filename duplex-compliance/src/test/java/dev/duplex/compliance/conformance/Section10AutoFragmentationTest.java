package dev.duplex.compliance.conformance;

import java.io.IOException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Autobahn section 10, auto-fragmentation: a sender that cuts every message into frames of a
 * fixed size (1300 bytes in 10.1.1, about one Ethernet segment) must be understood; the
 * server joins the frames and echoes the message whole and byte for byte.
 */
@Timeout(30)
class Section10AutoFragmentationTest {
    @RegisterExtension
    static final EchoServer SERVER = new EchoServer();

    private static final int AUTO_FRAGMENT_SIZE = 1300;

    @Test
    @DisplayName("case 10.1.1: 65536-byte text message sent in 1300-byte frames is echoed whole")
    void autoFragmentedText() throws IOException {
        byte[] text = Payloads.text(65_536);
        Frame[] frames = Fragments.of(Frame.TEXT, text, AUTO_FRAGMENT_SIZE);
        try (RawWebSocket ws = SERVER.connect()) {
            ws.send(frames);
            ws.expect(Received.text(text));
            ws.closeNormally();
        }
    }

    @Test
    @DisplayName("beyond 10.1.1: the same with multi-byte text, so frames end inside code points, and as binary")
    void autoFragmentedMultiByteTextAndBinary() throws IOException {
        byte[] text = Frame.utf8("κόσμε €uro 𤭢 ".repeat(3000)); // 1300 is not a multiple of any code point run
        byte[] data = Payloads.binary(65_536);
        try (RawWebSocket ws = SERVER.connect()) {
            ws.send(Fragments.of(Frame.TEXT, text, AUTO_FRAGMENT_SIZE));
            ws.send(Fragments.of(Frame.BINARY, data, AUTO_FRAGMENT_SIZE));
            ws.expect(Received.text(text), Received.binary(data));
            ws.closeNormally();
        }
    }
}
