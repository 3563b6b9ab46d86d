package dev.duplex.compliance.robustness;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.ConnectionOptions;
import dev.duplex.Rate;
import dev.duplex.RateLimits;
import dev.duplex.Route;
import dev.duplex.WebSocketServer;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Rows F3 and H3 together: while the read loop holds a peer back for its message rate, what
 * that peer sent (its pong among it) waits unread, so the keepalive must not fail it with 1011.
 * A flood still ends with 1008 once the grace has passed; a peer that answers every ping and is
 * merely over its burst is served to the end. The keepalive is short (a ping every 200 ms, 200 ms
 * for the pong) so that it would fire several times during the pause.
 */
@Isolated
@ExtendWith(ReturnsToBaseline.class)
class KeepaliveUnderRateLimitTest {
    private static final Rate RATE = Rate.perSecond(50).withBurst(10);
    /** 60 messages at 50/s past a burst of 10: about 1 s held back, inside a 2 s grace. */
    private static final int HONEST_MESSAGES = 60;
    private static final Duration HONEST_GRACE = Duration.ofSeconds(2);
    private static final Duration FLOOD_GRACE = Duration.ofMillis(800);

    private RecordingHandler events;
    private WebSocketServer server;

    @BeforeEach
    void start() {
        events = RecordingHandler.echo();
        ConnectionOptions.Builder base = ConnectionOptions.builder()
                .pingInterval(Duration.ofMillis(200))
                .pongTimeout(Duration.ofMillis(200));
        server = WebSocketServer.builder().host("127.0.0.1").port(0)
                .route("/honest", new Route(events, List.of(), base.rateLimits(limits(HONEST_GRACE)).build()))
                .route("/flood", new Route(events, List.of(), base.rateLimits(limits(FLOOD_GRACE)).build()))
                .build().start();
    }

    private static RateLimits limits(Duration grace) {
        return RateLimits.builder().messages(RATE).grace(grace).onExcess(RateLimits.Excess.PAUSE_THEN_CLOSE).build();
    }

    @AfterEach
    void stop() {
        server.stop(Duration.ofSeconds(5));
    }

    @Test
    void H3_floodThatIgnoresPingsGets1008NotTheKeepalive1011() throws Exception {
        try (RawPeer peer = RawPeer.connect(server.port(), "/flood")) {
            ByteArrayOutputStream flood = new ByteArrayOutputStream();
            for (int i = 0; i < 2000; i++) {
                flood.write(RawPeer.frame(true, 0, RawPeer.TEXT, "flood".getBytes(UTF_8), true));
            }
            long start = System.nanoTime();
            peer.send(flood.toByteArray());
            int pings = 0;
            RawPeer.Frame frame;
            while ((frame = peer.readFrame()).opcode() != RawPeer.CLOSE) {
                if (frame.opcode() == RawPeer.PING) {
                    pings++; // never answered: the pong timeout passes several times meanwhile
                }
            }
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertEquals(1008, frame.closeCode(), "the rate limit ends a flood, not the keepalive (" + pings
                    + " pings unanswered, closed after " + ms + " ms)");
            assertTrue(ms >= FLOOD_GRACE.toMillis() - 50, () -> "1008 after only " + ms + " ms");
            peer.awaitEndOfStream(Duration.ofSeconds(5));
        }
        assertEquals(1008, events.awaitClose().code());
    }

    @Test
    void H3_honestPeerHeldBackForItsRateIsNotFailedByItsOwnKeepalive() throws Exception {
        try (RawPeer peer = RawPeer.connect(server.port(), "/honest")) {
            ByteArrayOutputStream burst = new ByteArrayOutputStream();
            for (int i = 0; i < HONEST_MESSAGES; i++) {
                burst.write(RawPeer.frame(true, 0, RawPeer.TEXT, ("m" + i).getBytes(UTF_8), true));
            }
            peer.send(burst.toByteArray());
            int pongs = 0;
            for (int i = 0; i < HONEST_MESSAGES; i++) {
                RawPeer.Frame frame;
                while ((frame = peer.readFrame()).opcode() == RawPeer.PING) {
                    // Answered at once; the pong waits behind the burst on the server's side.
                    peer.sendFrame(true, RawPeer.PONG, frame.payload());
                    pongs++;
                }
                RawPeer.Frame echo = frame;
                int n = i;
                assertEquals(RawPeer.TEXT, echo.opcode(), () -> "expected the echo of m" + n + ", got " + echo);
                assertEquals("m" + i, echo.text());
            }
            assertTrue(pongs >= 1, "a keepalive ping came during the pause");
            assertTrue(events.closes().isEmpty(), () -> "onClose was called: " + events.closes());
            peer.sendClose(1000);
            RawPeer.Frame close;
            while ((close = peer.readFrame()).opcode() == RawPeer.PING) {
                // the close reply follows
            }
            assertEquals(1000, close.closeCode());
        }
        assertEquals(1000, events.awaitClose().code());
    }
}
