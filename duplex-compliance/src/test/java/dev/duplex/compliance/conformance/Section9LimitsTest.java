package dev.duplex.compliance.conformance;

import java.io.IOException;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Autobahn section 9, limits and performance: large messages in one frame (9.1, 9.2) and in
 * many (9.3, 9.4), one frame in many small writes (9.5, 9.6), and a thousand round trips
 * (9.7, 9.8), each echoed byte for byte. Autobahn reports the time each takes; here only the
 * outcome is asserted. The server's limits are raised as a conformance run raises them
 * ({@link EchoServer}); the cases beyond Autobahn check those limits at their edges.
 */
@Timeout(120)
class Section9LimitsTest {
    @RegisterExtension
    static final EchoServer SERVER = new EchoServer();

    private static final int KIB = 1024;
    private static final int MIB = 1024 * 1024;

    static Stream<Arguments> messageSizes() {
        return IntStream.of(64 * KIB, 256 * KIB, MIB, 4 * MIB, 8 * MIB, 16 * MIB).mapToObj(Arguments::of);
    }

    @ParameterizedTest(name = "case 9.1.{index}: text message of {0} bytes in one frame is echoed")
    @MethodSource("messageSizes")
    void largeText(int size) throws IOException {
        echo(Frame.TEXT, Payloads.text(size), size, Integer.MAX_VALUE);
    }

    @ParameterizedTest(name = "case 9.2.{index}: binary message of {0} bytes in one frame is echoed")
    @MethodSource("messageSizes")
    void largeBinary(int size) throws IOException {
        echo(Frame.BINARY, Payloads.binary(size), size, Integer.MAX_VALUE);
    }

    static Stream<Arguments> fragmentSizes() {
        return IntStream.of(64, 256, KIB, 4 * KIB, 16 * KIB, 64 * KIB, 256 * KIB, MIB, 4 * MIB)
                .mapToObj(Arguments::of);
    }

    @ParameterizedTest(name = "case 9.3.{index}: 4 MiB text message in fragments of {0} bytes is echoed")
    @MethodSource("fragmentSizes")
    void fragmentedText(int fragmentSize) throws IOException {
        echo(Frame.TEXT, Payloads.text(4 * MIB), fragmentSize, Integer.MAX_VALUE);
    }

    @ParameterizedTest(name = "case 9.4.{index}: 4 MiB binary message in fragments of {0} bytes is echoed")
    @MethodSource("fragmentSizes")
    void fragmentedBinary(int fragmentSize) throws IOException {
        echo(Frame.BINARY, Payloads.binary(4 * MIB), fragmentSize, Integer.MAX_VALUE);
    }

    static Stream<Arguments> chopSizes() {
        return IntStream.of(64, 128, 256, 512, 1024, 2048).mapToObj(Arguments::of);
    }

    @ParameterizedTest(name = "case 9.5.{index}: 1 MiB text frame written {0} bytes at a time is echoed")
    @MethodSource("chopSizes")
    void choppedText(int chop) throws IOException {
        echo(Frame.TEXT, Payloads.text(MIB), MIB, chop);
    }

    @ParameterizedTest(name = "case 9.6.{index}: 1 MiB binary frame written {0} bytes at a time is echoed")
    @MethodSource("chopSizes")
    void choppedBinary(int chop) throws IOException {
        echo(Frame.BINARY, Payloads.binary(MIB), MIB, chop);
    }

    static Stream<Arguments> roundTripSizes() {
        return IntStream.of(0, 16, 64, 256, KIB, 4 * KIB).mapToObj(Arguments::of);
    }

    @ParameterizedTest(name = "case 9.7.{index}: 1000 text messages of {0} bytes, each sent when the last came back")
    @MethodSource("roundTripSizes")
    void textRoundTrips(int size) throws IOException {
        roundTrips(Frame.TEXT, Payloads.text(size));
    }

    @ParameterizedTest(name = "case 9.8.{index}: 1000 binary messages of {0} bytes, each sent when the last came back")
    @MethodSource("roundTripSizes")
    void binaryRoundTrips(int size) throws IOException {
        roundTrips(Frame.BINARY, Payloads.binary(size));
    }

    // ---------------------------------------------------------------- beyond Autobahn

    @ParameterizedTest(name = "beyond 9.7: 1000 distinct text messages of {0} bytes in one write are echoed in order")
    @MethodSource("roundTripSizes")
    void pipelinedMessages(int size) throws IOException {
        Frame[] frames = new Frame[1000];
        Received[] echoes = new Received[1000];
        for (int i = 0; i < frames.length; i++) {
            byte[] text = Payloads.text(size + 4);
            byte[] numbered = Frame.utf8(String.format("%04d", i)); // so a reordering shows
            System.arraycopy(numbered, 0, text, 0, 4);
            frames[i] = Frame.text(text);
            echoes[i] = Received.text(text);
        }
        try (RawWebSocket ws = SERVER.connect()) {
            ws.send(frames);
            ws.expect(echoes);
            ws.closeNormally();
        }
    }

    @Test
    @DisplayName("beyond 9.3.1: one fragment more than the limit (65,537) fails with 1009")
    void oneFragmentTooMany() throws IOException {
        Frame[] frames = Fragments.of(Frame.BINARY, Payloads.binary(EchoServer.MAX_FRAGMENTS + 1), 1);
        try (RawWebSocket ws = SERVER.connect()) {
            ws.send(frames);
            ws.expectFailure(1009);
        }
    }

    @Test
    @DisplayName("beyond 9.1.6: a frame announcing one byte over the size limit fails with 1009 from its header")
    void frameOverTheLimitFailsFromItsHeader() throws IOException {
        byte[] header = {(byte) 0x82, (byte) 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4};
        long length = EchoServer.MAX_MESSAGE_SIZE + 1;
        for (int i = 0; i < 8; i++) {
            header[2 + i] = (byte) (length >>> (56 - 8 * i));
        }
        try (RawWebSocket ws = SERVER.connect()) {
            ws.write(header, Integer.MAX_VALUE);
            ws.expectFailure(1009);
        }
    }

    @Test
    @DisplayName("beyond 9.3: fragments that add up to one byte over the size limit fail with 1009")
    void fragmentsOverTheLimitFail() throws IOException {
        int half = (int) (EchoServer.MAX_MESSAGE_SIZE / 2);
        try (RawWebSocket ws = SERVER.connect()) {
            ws.send(Frame.first(Frame.BINARY, Payloads.binary(half)), Frame.continuation(Payloads.binary(half), false),
                    Frame.ping("at the limit"));
            ws.expect(Received.pong("at the limit")); // exactly at the limit so far: still open
            ws.send(Frame.continuation(new byte[1], true));
            ws.expectFailure(1009);
        }
    }

    // ---------------------------------------------------------------- helpers

    private static void echo(int opcode, byte[] payload, int fragmentSize, int chop) throws IOException {
        try (RawWebSocket ws = SERVER.connect()) {
            ws.sendChopped(chop, Fragments.of(opcode, payload, fragmentSize));
            ws.expect(opcode == Frame.TEXT ? Received.text(payload) : Received.binary(payload));
            ws.closeNormally();
        }
    }

    private static void roundTrips(int opcode, byte[] payload) throws IOException {
        Frame frame = new Frame(true, 0, opcode, payload);
        Received echo = opcode == Frame.TEXT ? Received.text(payload) : Received.binary(payload);
        try (RawWebSocket ws = SERVER.connect()) {
            for (int i = 0; i < 1000; i++) {
                ws.send(frame);
                ws.expect(echo);
            }
            ws.closeNormally();
        }
    }
}
