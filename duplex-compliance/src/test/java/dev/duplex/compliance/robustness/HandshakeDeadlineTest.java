package dev.duplex.compliance.robustness;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.WebSocketServer;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Row A16 over a real socket: a head that never completes is cut off at the handshake
 * deadline, counted from accept, however the bytes trickle.
 */
@Isolated
@ExtendWith(ReturnsToBaseline.class)
class HandshakeDeadlineTest {
    private static final Duration DEADLINE = Duration.ofSeconds(1);
    /** Timers never fire early; this covers the gap between our connect and the server's accept. */
    private static final Duration EARLY_SLACK = Duration.ofMillis(100);
    /** Generous, for a loaded CI machine: this checks a deadline, not speed. */
    private static final Duration LATE_SLACK = Duration.ofSeconds(3);
    /**
     * Faster than the deadline on purpose: a byte every 200 ms would keep an idle timer
     * from ever firing, so only a deadline on the whole head can end this connection.
     */
    private static final Duration TRICKLE_INTERVAL = Duration.ofMillis(200);

    private WebSocketServer server;
    private ScheduledExecutorService trickler;

    @BeforeEach
    void start() {
        server = WebSocketServer.builder().host("127.0.0.1").port(0)
                .handshakeTimeout(DEADLINE)
                .route("/echo", RecordingHandler.echo())
                .build().start();
        trickler = Executors.newSingleThreadScheduledExecutor();
    }

    @AfterEach
    void stop() throws InterruptedException {
        trickler.shutdownNow();
        assertTrue(trickler.awaitTermination(5, TimeUnit.SECONDS), "trickle writer did not stop");
        server.stop(Duration.ofSeconds(5));
    }

    @Test
    void A16_headTrickledByteByByteIsClosedAtTheDeadline() throws IOException {
        byte[] head = RawPeer.upgradeRequest(server.port(), "/echo").getBytes(ISO_8859_1);
        long start = System.nanoTime();
        try (RawPeer peer = RawPeer.open(server.port())) {
            AtomicInteger sent = new AtomicInteger();
            ScheduledFuture<?> trickle = trickler.scheduleAtFixedRate(() -> {
                int i = sent.get();
                if (i >= head.length) {
                    throw new IllegalStateException("the whole head went out before the deadline");
                }
                try {
                    peer.send(new byte[] {head[i]});
                    sent.incrementAndGet();
                } catch (IOException closedByServer) {
                    throw new IllegalStateException("stopped: " + closedByServer.getMessage());
                }
            }, 0, TRICKLE_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);

            long discarded = peer.awaitEndOfStream(DEADLINE.plus(LATE_SLACK));
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            trickle.cancel(false);

            assertEquals(0, discarded, "the server answered a head it never received whole");
            assertTrue(sent.get() >= 3 && sent.get() < head.length,
                    "the trickle should have been under way at the deadline; bytes sent: " + sent.get());
            assertWithinDeadline(elapsed);
        }
    }

    @Test
    void A16_connectionThatSendsNothingIsClosedAtTheDeadline() throws IOException {
        long start = System.nanoTime();
        try (RawPeer peer = RawPeer.open(server.port())) {
            long discarded = peer.awaitEndOfStream(DEADLINE.plus(LATE_SLACK));
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

            assertEquals(0, discarded);
            assertWithinDeadline(elapsed);
        }
    }

    private static void assertWithinDeadline(Duration elapsed) {
        assertTrue(elapsed.compareTo(DEADLINE.minus(EARLY_SLACK)) >= 0,
                "closed after " + elapsed.toMillis() + " ms, before the " + DEADLINE.toMillis() + " ms deadline");
        assertTrue(elapsed.compareTo(DEADLINE.plus(LATE_SLACK)) < 0,
                "closed after " + elapsed.toMillis() + " ms, long past the " + DEADLINE.toMillis() + " ms deadline");
    }
}
