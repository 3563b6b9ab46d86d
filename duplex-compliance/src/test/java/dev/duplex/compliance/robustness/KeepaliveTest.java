package dev.duplex.compliance.robustness;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.ConnectionOptions;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketServer;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Row F3 over a real socket: the server pings every interval; a peer that does not answer
 * within the pong timeout is failed with 1011, and one that answers stays open.
 */
@Isolated
@ExtendWith(ReturnsToBaseline.class)
class KeepaliveTest {
    private static final Duration PING_INTERVAL = Duration.ofMillis(200);
    private static final Duration PONG_TIMEOUT = Duration.ofMillis(300);
    private static final Duration EARLY_SLACK = Duration.ofMillis(50);
    private static final Duration LATE_SLACK = Duration.ofSeconds(3);

    private RecordingHandler events;
    private WebSocketServer server;

    @BeforeEach
    void start() {
        events = RecordingHandler.echo();
        server = WebSocketServer.builder().host("127.0.0.1").port(0)
                .connectionOptions(ConnectionOptions.builder()
                        .pingInterval(PING_INTERVAL).pongTimeout(PONG_TIMEOUT).build())
                .route("/echo", events)
                .build().start();
    }

    @AfterEach
    void stop() {
        server.stop(Duration.ofSeconds(5));
    }

    @Test
    void F3_peerThatNeverAnswersPingsGetsPingThen1011ThenEndOfStream() throws Exception {
        try (RawPeer peer = RawPeer.connect(server.port(), "/echo")) {
            RawPeer.Frame ping = peer.readFrame();
            long pingSeen = System.nanoTime();
            assertEquals(RawPeer.PING, ping.opcode(), () -> "expected a keepalive ping, got " + ping);

            RawPeer.Frame close = peer.readFrame();
            Duration waited = Duration.ofNanos(System.nanoTime() - pingSeen);
            assertEquals(1011, close.closeCode(), "a dead peer is failed with 1011 (internal error)");
            assertTrue(waited.compareTo(PONG_TIMEOUT.minus(EARLY_SLACK)) >= 0,
                    "failed " + waited.toMillis() + " ms after the ping, before the pong timeout");
            assertTrue(waited.compareTo(PONG_TIMEOUT.plus(LATE_SLACK)) < 0,
                    "failed " + waited.toMillis() + " ms after the ping, long after the pong timeout");

            peer.awaitEndOfStream(LATE_SLACK);
        }
        assertEquals(1011, events.awaitClose().code());
    }

    @Test
    void F3_peerThatAnswersPingsStaysOpenPastSeveralIntervals() throws Exception {
        try (RawPeer peer = RawPeer.connect(server.port(), "/echo")) {
            WebSocket serverEnd = events.awaitOpen();
            // Five answered pings span five intervals and so several pong timeouts.
            for (int i = 0; i < 5; i++) {
                RawPeer.Frame frame = peer.readFrame();
                assertEquals(RawPeer.PING, frame.opcode(), () -> "expected only pings, got " + frame);
                peer.sendFrame(true, RawPeer.PONG, frame.payload());
            }

            assertTrue(serverEnd.isOpen(), "the server closed a peer that answered every ping");
            assertTrue(events.closes().isEmpty(), () -> "onClose was called: " + events.closes());
            assertEquals(1, server.connectionCount());
            // And it still carries messages: the next data frame is the echo.
            peer.sendText("still here");
            RawPeer.Frame echo = nextNonPing(peer);
            assertArrayEquals("still here".getBytes(UTF_8), echo.payload());

            peer.sendClose(1000);
            assertEquals(1000, nextNonPing(peer).closeCode());
        }
        assertEquals(1000, events.awaitClose().code());
    }

    /** Skips (and answers) keepalive pings that race with the frame a test waits for. */
    private static RawPeer.Frame nextNonPing(RawPeer peer) throws IOException {
        while (true) {
            RawPeer.Frame frame = peer.readFrame();
            if (frame.opcode() != RawPeer.PING) {
                return frame;
            }
            peer.sendFrame(true, RawPeer.PONG, frame.payload());
        }
    }
}
