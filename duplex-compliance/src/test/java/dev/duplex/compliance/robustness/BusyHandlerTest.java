package dev.duplex.compliance.robustness;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.ConnectionOptions;
import dev.duplex.Message;
import dev.duplex.Route;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketHandler;
import dev.duplex.WebSocketServer;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Row H2 over a real socket: while the handler is stuck in onMessage the server still answers
 * a ping at once, holds what else it reads up to its inbound queue limit and then stops reading,
 * so TCP holds the peer back and the server's memory does not grow with what the peer sends;
 * once the handler is free again every message is delivered, once and in order.
 */
@Isolated
@ExtendWith(ReturnsToBaseline.class)
class BusyHandlerTest {
    private static final int MESSAGE_SIZE = 1024;
    /** Far more than socket buffers hold: a server that kept reading would take it all. */
    private static final long TOTAL = 64L * 1024 * 1024;
    private static final Duration QUIET = Duration.ofMillis(500);

    private final CountDownLatch release = new CountDownLatch(1);
    private final CountDownLatch entered = new CountDownLatch(1);
    private final AtomicInteger pingsSeen = new AtomicInteger();
    private final ConcurrentLinkedQueue<String> delivered = new ConcurrentLinkedQueue<>();
    private WebSocketServer server;

    @BeforeEach
    void start() {
        WebSocketHandler blocking = new WebSocketHandler() {
            @Override
            public void onMessage(WebSocket socket, Message message) {
                delivered.add(((Message.Text) message).text().substring(0, 8));
                entered.countDown();
                try {
                    release.await(20, TimeUnit.SECONDS); // a busy application, not a synchronisation
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }

            @Override
            public void onPing(WebSocket socket, byte[] payload) {
                pingsSeen.incrementAndGet();
            }
        };
        // No keepalive: its pings are not what this row is about.
        ConnectionOptions options = ConnectionOptions.builder().pingInterval(Duration.ZERO).build();
        server = WebSocketServer.builder().host("127.0.0.1").port(0)
                .route("/busy", new Route(blocking, List.of(), options))
                .build().start();
    }

    @AfterEach
    void stop() {
        release.countDown();
        server.stop(Duration.ofSeconds(5));
    }

    @Test
    void H2_busyHandlerStillGetsPingsAnsweredThenStopsTheReadingThenGetsEveryMessageInOrder() throws Exception {
        try (RawPeer peer = RawPeer.connect(server.port(), "/busy")) {
            peer.sendText(String.format("%08d", 0) + "x".repeat(MESSAGE_SIZE - 8));
            assertTrue(entered.await(10, TimeUnit.SECONDS), "the handler got the first message");
            peer.sendFrame(true, RawPeer.PING, "are you there".getBytes(UTF_8));
            RawPeer.Frame pong = peer.readFrame();
            assertEquals(RawPeer.PONG, pong.opcode(), () -> "expected the pong, got " + pong);
            assertEquals("are you there", pong.text());
            assertEquals(1, release.getCount(), "the handler was still busy when the pong came");
            assertEquals(0, pingsSeen.get(), "onPing waits for the busy handler");

            AtomicInteger sent = new AtomicInteger(1);
            AtomicBoolean enough = new AtomicBoolean();
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    while (!enough.get() && (long) sent.get() * MESSAGE_SIZE < TOTAL) {
                        String text = String.format("%08d", sent.get()) + "x".repeat(MESSAGE_SIZE - 8);
                        peer.sendFrame(true, RawPeer.TEXT, text.getBytes(UTF_8));
                        sent.incrementAndGet();
                    }
                } catch (IOException e) {
                    // the assertions below report what was sent
                }
            });
            int[] seen = {-1};
            long[] since = {System.nanoTime()};
            Await.until(Duration.ofSeconds(10), () -> {
                int now = sent.get();
                if (now != seen[0]) {
                    seen[0] = now;
                    since[0] = System.nanoTime();
                }
                return System.nanoTime() - since[0] > QUIET.toNanos();
            }, () -> "the writer never stopped: " + sent.get() + " messages taken");
            int stalledAt = sent.get();
            assertTrue((long) stalledAt * MESSAGE_SIZE < TOTAL, "the server kept reading while its handler was busy");
            assertEquals(1, delivered.size(), "only the first message reached the busy handler");

            enough.set(true);
            release.countDown();
            writer.join(Duration.ofSeconds(10));
            int total = sent.get();
            assertTrue(total >= stalledAt, "sent " + total);
            Await.until(Duration.ofSeconds(10), () -> delivered.size() >= total,
                    () -> delivered.size() + " of " + total + " messages delivered");
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < total; i++) {
                expected.add(String.format("%08d", i));
            }
            assertEquals(expected, new ArrayList<>(delivered), "every message once, in order");
            Await.until(Duration.ofSeconds(10), () -> pingsSeen.get() == 1, () -> "onPing called " + pingsSeen.get() + " times");

            peer.sendClose(1000);
            assertEquals(1000, peer.readCloseCode());
        }
    }
}
