package dev.duplex.compliance.robustness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.ConnectionOptions;
import dev.duplex.WebSocketHandler;
import dev.duplex.WebSocketServer;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Row E7 over a real socket: a peer that never answers the server's close frame is cut off
 * at the close timeout, and one that answers but keeps TCP open is cut off at once, because
 * the server closes TCP first (RFC 6455 7.1.1).
 */
@Isolated
@ExtendWith(ReturnsToBaseline.class)
class CloseTimeoutTest {
    private static final Duration CLOSE_TIMEOUT = Duration.ofMillis(500);
    private static final Duration EARLY_SLACK = Duration.ofMillis(50);
    private static final Duration LATE_SLACK = Duration.ofSeconds(3);

    @Test
    void E7_peerThatNeverAnswersCloseIsAbortedAtTheCloseTimeout() throws Exception {
        RecordingHandler events = RecordingHandler.silent(socket -> socket.close(1000, "done"));
        try (WebSocketServer server = server(events)) {
            // Taken before the handshake, so before the server's close() starts its timer.
            long start = System.nanoTime();
            try (RawPeer peer = RawPeer.connect(server.port(), "/echo")) {
                assertEquals(1000, peer.readCloseCode());
                // ...and never answers.
                peer.awaitEndOfStream(CLOSE_TIMEOUT.plus(LATE_SLACK));
                Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

                assertTrue(elapsed.compareTo(CLOSE_TIMEOUT.minus(EARLY_SLACK)) >= 0,
                        "aborted after " + elapsed.toMillis() + " ms, before the close timeout");
                RecordingHandler.Closed closed = events.awaitClose();
                assertEquals(1006, closed.code(), "no close frame came back, so the close was abnormal");
            }
        }
    }

    @Test
    void E7_serverClosesTcpRightAfterEchoingTheClientsClose() throws Exception {
        RecordingHandler events = RecordingHandler.echo();
        // A close timeout far beyond the read deadline: only an immediate TCP close passes.
        try (WebSocketServer server = server(events, Duration.ofSeconds(30))) {
            try (RawPeer peer = RawPeer.connect(server.port(), "/echo")) {
                peer.sendClose(1000);
                assertEquals(1000, peer.readCloseCode());
                // The peer keeps its end open; the server must not wait for it to end its own.
                peer.awaitEndOfStream(Duration.ofSeconds(5));
            }
            RecordingHandler.Closed closed = events.awaitClose();
            assertEquals(1000, closed.code());
        }
    }

    private static WebSocketServer server(WebSocketHandler handler) {
        return server(handler, CLOSE_TIMEOUT);
    }

    private static WebSocketServer server(WebSocketHandler handler, Duration closeTimeout) {
        return WebSocketServer.builder().host("127.0.0.1").port(0)
                .connectionOptions(ConnectionOptions.builder().closeTimeout(closeTimeout).build())
                .route("/echo", handler)
                .build().start();
    }
}
