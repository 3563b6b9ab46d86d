package dev.duplex.compliance.conformance;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Autobahn section 2, pings and pongs (RFC 6455 5.5.2, 5.5.3): every ping is answered with a
 * pong carrying its payload, a ping over 125 bytes fails the connection, and an unsolicited
 * pong is ignored.
 *
 * <p>On 2.10 and 2.11: RFC 6455 5.5.3 lets an endpoint that receives several pings before it
 * has answered the first answer only the latest. Autobahn's strict outcome for these cases is
 * nevertheless one pong per ping, in order (no lenient alternative is listed), and Duplex
 * meets it: its core would merge pongs only while one is still unsent, and the transport takes
 * each pong out of the core as soon as the ping's event is handled. So the strict outcome is
 * asserted here.
 */
@Timeout(30)
class Section2PingPongTest {
    @RegisterExtension
    static final EchoServer SERVER = new EchoServer();

    @Test
    @DisplayName("case 2.1: ping without payload gets an empty pong")
    void emptyPing() throws IOException {
        pingGetsPong(new byte[0], Integer.MAX_VALUE);
    }

    @Test
    @DisplayName("case 2.2: ping with a small text payload gets a pong with that payload")
    void textPing() throws IOException {
        pingGetsPong(Frame.utf8("Hello, world!"), Integer.MAX_VALUE);
    }

    @Test
    @DisplayName("case 2.3: ping with a small binary payload gets a pong with that payload")
    void binaryPing() throws IOException {
        pingGetsPong(new byte[] {0x00, (byte) 0xff, (byte) 0xfe, (byte) 0xfd, (byte) 0xfc, (byte) 0xfb, 0x00, (byte) 0xff},
                Integer.MAX_VALUE);
    }

    @Test
    @DisplayName("case 2.4: ping with 125 bytes of binary payload gets a pong with that payload")
    void longestPing() throws IOException {
        pingGetsPong(Payloads.binary(125), Integer.MAX_VALUE);
    }

    @Test
    @DisplayName("case 2.5: ping with 126 bytes of payload fails the connection with 1002")
    void overlongPingFails() throws IOException {
        try (RawWebSocket ws = SERVER.connect()) {
            ws.send(Frame.ping(Payloads.binary(126)));
            ws.expectFailure(1002);
        }
    }

    @Test
    @DisplayName("case 2.6: ping with 125 bytes sent in 1-byte writes gets a pong with that payload")
    void choppedPing() throws IOException {
        pingGetsPong(Payloads.binary(125), 1);
    }

    @Test
    @DisplayName("case 2.7: unsolicited pong without payload is ignored")
    void unsolicitedEmptyPong() throws IOException {
        try (RawWebSocket ws = SERVER.connect()) {
            ws.send(Frame.pong(new byte[0]));
            ws.closeNormally(); // the close reply must be the next thing to arrive
        }
    }

    @Test
    @DisplayName("case 2.8: unsolicited pong with payload is ignored")
    void unsolicitedPong() throws IOException {
        try (RawWebSocket ws = SERVER.connect()) {
            ws.send(Frame.pong(Frame.utf8("unsolicited pong payload")));
            ws.closeNormally();
        }
    }

    @Test
    @DisplayName("case 2.9: unsolicited pong, then a ping: only the ping is answered")
    void unsolicitedPongThenPing() throws IOException {
        try (RawWebSocket ws = SERVER.connect()) {
            ws.send(Frame.pong(Frame.utf8("unsolicited pong payload")), Frame.ping("ping payload"));
            ws.expect(Received.pong("ping payload"));
            ws.closeNormally();
        }
    }

    @ParameterizedTest(name = "case 2.{0}: 10 pings in a row, 1-byte writes: {1}, get 10 pongs in order")
    @CsvSource({"10, false", "11, true"})
    void tenPingsGetTenPongs(int caseNumber, boolean oneByteWrites) throws IOException {
        List<Frame> pings = new ArrayList<>();
        List<Received> pongs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            pings.add(Frame.ping("payload-" + i));
            pongs.add(Received.pong("payload-" + i));
        }
        try (RawWebSocket ws = SERVER.connect()) {
            ws.sendChopped(oneByteWrites ? 1 : Integer.MAX_VALUE, pings.toArray(Frame[]::new));
            ws.expect(pongs.toArray(Received[]::new));
            ws.closeNormally();
        }
    }

    /** Beyond Autobahn: every legal control payload length, in one write, each answered. */
    @Test
    @DisplayName("beyond 2.4: pings of every length 0..125 in one write get their pongs in order")
    void everyPingLength() throws IOException {
        List<Frame> pings = new ArrayList<>();
        List<Received> pongs = new ArrayList<>();
        for (int length = 0; length <= 125; length++) {
            byte[] payload = Payloads.binary(length);
            pings.add(Frame.ping(payload));
            pongs.add(Received.pong(payload));
        }
        try (RawWebSocket ws = SERVER.connect()) {
            ws.send(pings.toArray(Frame[]::new));
            ws.expect(pongs.toArray(Received[]::new));
            ws.closeNormally();
        }
    }

    @ParameterizedTest(name = "beyond 2.5: ping with {0} bytes of payload fails with 1002 before its payload arrives")
    @ValueSource(ints = {126, 127, 65_536})
    void overlongPingFailsFromItsHeader(int length) throws IOException {
        try (RawWebSocket ws = SERVER.connect()) {
            Frame ping = Frame.ping(Payloads.binary(length));
            byte[] header = Payloads.slice(ws.encode(ping), 0, ping.headerLength());
            ws.write(header, Integer.MAX_VALUE); // RFC 6455 5.5: the header alone is enough to refuse
            ws.expectFailure(1002);
        }
    }

    /** Beyond Autobahn: a pong may go between frames, never inside one; here it also keeps order. */
    @Test
    @DisplayName("beyond 2.2: ping right behind a 4 MiB message: the echo arrives whole, then the pong")
    void pingBehindLargeMessage() throws IOException {
        byte[] data = Payloads.binary(4 * 1024 * 1024);
        try (RawWebSocket ws = SERVER.connect()) {
            ws.send(Frame.binary(data), Frame.ping("behind"));
            ws.expect(Received.binary(data), Received.pong("behind"));
            ws.closeNormally();
        }
    }

    private static void pingGetsPong(byte[] payload, int chop) throws IOException {
        try (RawWebSocket ws = SERVER.connect()) {
            ws.sendChopped(chop, Frame.ping(payload));
            ws.expect(Received.pong(payload));
            ws.closeNormally();
        }
    }
}
