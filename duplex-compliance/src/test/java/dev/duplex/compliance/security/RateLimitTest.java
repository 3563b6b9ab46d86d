package dev.duplex.compliance.security;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.ConnectionOptions;
import dev.duplex.Rate;
import dev.duplex.RateLimits;
import dev.duplex.Route;
import dev.duplex.WebSocketServer;
import dev.duplex.compliance.robustness.RawPeer;
import dev.duplex.compliance.robustness.RecordingHandler;
import dev.duplex.compliance.robustness.ReturnsToBaseline;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Rows F1 and H3: per-connection message and byte rates. Past the burst the server stops
 * reading and holds the peer back (nothing is lost); a peer still over the rate when the grace
 * runs out is failed with 1008; with {@link RateLimits.Excess#CLOSE} the first event past the
 * burst is. Control frames count, so a ping flood is a message flood. A canary on a route
 * without limits keeps echoing throughout.
 */
@Isolated
@ExtendWith(ReturnsToBaseline.class)
class RateLimitTest {
    private static final Duration GRACE = Duration.ofMillis(300);
    private static final Duration EARLY_SLACK = Duration.ofMillis(50);
    private static final Duration LATE_SLACK = Duration.ofSeconds(5);

    private WebSocketServer server;

    private WebSocketServer start(RateLimits limits) {
        ConnectionOptions limited = ConnectionOptions.builder().rateLimits(limits).build();
        server = WebSocketServer.builder().host("127.0.0.1").port(0)
                .route("/limited", new Route(RecordingHandler.echo(), List.of(), limited))
                .route("/canary", RecordingHandler.echo())
                .build().start();
        return server;
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(Duration.ofSeconds(5));
        }
    }

    private static byte[] texts(int count, String prefix) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (int i = 0; i < count; i++) {
            all.writeBytes(RawPeer.frame(true, 0, RawPeer.TEXT, (prefix + i).getBytes(UTF_8), true));
        }
        return all.toByteArray();
    }

    /** Reads echoes (and pongs) until the close frame; returns how many came before it. */
    private static int framesBeforeClose(RawPeer peer, int expectedCode) throws IOException {
        int frames = 0;
        while (true) {
            RawPeer.Frame f = peer.readFrame(LATE_SLACK.plus(GRACE));
            if (f.opcode() == RawPeer.CLOSE) {
                assertEquals(expectedCode, f.closeCode(), "close reason: " + new String(f.payload(), UTF_8));
                peer.sendClose(expectedCode);
                peer.awaitEndOfStream(LATE_SLACK);
                return frames;
            }
            frames++;
        }
    }

    private static RateLimits messages(Rate rate, RateLimits.Excess onExcess) {
        return RateLimits.builder().messages(rate).grace(GRACE).onExcess(onExcess).build();
    }

    @Test
    void H3_burstAtTheLimitIsEchoedAndOnePastItIs1008WhenClosingAtOnce() throws Exception {
        start(messages(new Rate(1, 5), RateLimits.Excess.CLOSE));
        try (RawPeer peer = RawPeer.connect(server.port(), "/limited")) {
            peer.send(texts(5, "m")); // the limit
            for (int i = 0; i < 5; i++) {
                assertEquals("m" + i, peer.readFrame().text());
            }
        }
        try (RawPeer peer = RawPeer.connect(server.port(), "/limited")) {
            peer.send(texts(6, "m")); // limit + 1
            assertEquals(5, framesBeforeClose(peer, 1008), "the burst is delivered, the one past it is not");
        }
    }

    @Test
    void H3_excessWithinTheGraceIsHeldBackAndThenDeliveredInOrder() throws Exception {
        start(RateLimits.builder().messages(new Rate(20, 2)).grace(Duration.ofSeconds(2)).build());
        try (RawPeer peer = RawPeer.connect(server.port(), "/limited")) {
            long start = System.nanoTime();
            peer.send(texts(6, "q"));
            for (int i = 0; i < 6; i++) {
                assertEquals("q" + i, peer.readFrame().text(), "lost or reordered while held back");
            }
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            // 4 past the burst at 20/s: at least 200 ms of holding back, so the rate was enforced.
            assertTrue(took.compareTo(Duration.ofMillis(200).minus(EARLY_SLACK)) >= 0, "not held back: " + took.toMillis() + " ms");
            peer.sendText("after");
            assertEquals("after", peer.readFrame().text(), "the connection should stay open");
        }
    }

    @Test
    void H3_peerStillOverTheRateWhenTheGraceRunsOutIs1008() throws Exception {
        start(messages(new Rate(10, 5), RateLimits.Excess.PAUSE_THEN_CLOSE));
        try (RawPeer peer = RawPeer.connect(server.port(), "/limited");
             RawPeer canary = RawPeer.connect(server.port(), "/canary")) {
            long start = System.nanoTime();
            peer.send(texts(500, "f"));
            canary.sendText("during the flood");
            assertEquals("during the flood", canary.readFrame().text());
            int delivered = framesBeforeClose(peer, 1008);
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertTrue(took.compareTo(GRACE.minus(EARLY_SLACK)) >= 0, "closed before the grace: " + took.toMillis() + " ms");
            // The burst, plus what the rate allows while held back (generously: 5 s of it).
            assertTrue(delivered >= 5 && delivered <= 5 + 10 * 5, delivered + " echoed");
            canary.sendText("after the flood");
            assertEquals("after the flood", canary.readFrame().text());
        }
    }

    @Test
    void F1_pingFloodCountsAsMessages() throws Exception {
        start(messages(new Rate(10, 5), RateLimits.Excess.PAUSE_THEN_CLOSE));
        try (RawPeer peer = RawPeer.connect(server.port(), "/limited")) {
            ByteArrayOutputStream pings = new ByteArrayOutputStream();
            for (int i = 0; i < 500; i++) {
                pings.writeBytes(RawPeer.frame(true, 0, RawPeer.PING, new byte[] {(byte) i}, true));
            }
            peer.send(pings.toByteArray());
            int pongs = framesBeforeClose(peer, 1008);
            assertTrue(pongs <= 5 + 10 * 5, pongs + " pongs: the flood was not held to the rate");
        }
    }

    @Test
    void H3_byteRateAtItsBurstIsEchoedAndOneBytePastIt1008WhenClosingAtOnce() throws Exception {
        // 10 B/s refills a byte per 100 ms: nothing comes back within the test's few milliseconds.
        start(RateLimits.builder().bytes(new Rate(10, 1000)).grace(GRACE).onExcess(RateLimits.Excess.CLOSE).build());
        try (RawPeer peer = RawPeer.connect(server.port(), "/limited")) {
            byte[] exactly = RawPeer.frame(true, 0, RawPeer.BINARY, new byte[992], true); // 8 + 992
            assertEquals(1000, exactly.length);
            peer.send(exactly);
            assertEquals(992, peer.readFrame().payload().length);
        }
        try (RawPeer peer = RawPeer.connect(server.port(), "/limited")) {
            byte[] onePast = RawPeer.frame(true, 0, RawPeer.BINARY, new byte[993], true);
            assertEquals(1001, onePast.length);
            peer.send(onePast);
            assertEquals(0, framesBeforeClose(peer, 1008));
        }
    }

    @Test
    void H3_byteFloodIsHeldBackThen1008() throws Exception {
        start(RateLimits.builder().bytes(new Rate(1000, 1000)).grace(GRACE).build());
        try (RawPeer peer = RawPeer.connect(server.port(), "/limited")) {
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 0; i < 50; i++) {
                        peer.send(RawPeer.frame(true, 0, RawPeer.BINARY, new byte[1000], true));
                    }
                } catch (IOException closedUnderUs) {
                    // the server gave up on us: what this test expects
                }
            });
            framesBeforeClose(peer, 1008);
            writer.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void H3_bytesPastTheBurstWithinTheGraceAreHeldBackAndDelivered() throws Exception {
        start(RateLimits.builder().bytes(new Rate(4000, 1000)).grace(Duration.ofSeconds(3)).build());
        try (RawPeer peer = RawPeer.connect(server.port(), "/limited")) {
            byte[] payload = new byte[3000];
            payload[2999] = 7;
            peer.send(RawPeer.frame(true, 0, RawPeer.BINARY, payload, true));
            byte[] echoed = peer.readFrame().payload();
            assertEquals(3000, echoed.length);
            assertEquals(7, echoed[2999]);
            peer.sendText("open");
            assertEquals("open", peer.readFrame().text());
        }
    }

    @Test
    void H3_withoutLimitsAFloodIsSimplyEchoed() throws Exception {
        start(RateLimits.NONE);
        try (RawPeer peer = RawPeer.connect(server.port(), "/canary")) {
            peer.send(texts(2000, "n"));
            for (int i = 0; i < 2000; i++) {
                assertEquals("n" + i, peer.readFrame().text());
            }
        }
    }
}
