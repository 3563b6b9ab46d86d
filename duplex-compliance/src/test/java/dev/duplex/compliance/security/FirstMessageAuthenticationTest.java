package dev.duplex.compliance.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.Message;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketHandler;
import dev.duplex.WebSocketServer;
import dev.duplex.auth.FirstMessageAuthenticator;
import dev.duplex.compliance.robustness.RawPeer;
import dev.duplex.compliance.robustness.ReturnsToBaseline;
import java.security.Principal;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Isolated;

/** Row J: authentication by the first message, with a deadline that ends in 1008. */
@Isolated
@ExtendWith(ReturnsToBaseline.class)
class FirstMessageAuthenticationTest {
    private static final Duration DEADLINE = Duration.ofMillis(400);
    private static final Duration EARLY_SLACK = Duration.ofMillis(50);
    private static final Duration LATE_SLACK = Duration.ofSeconds(3);

    private final BlockingQueue<String> delivered = new LinkedBlockingQueue<>();
    private WebSocketServer server;

    /** What the application's handler for an authenticated connection does: echo with its name. */
    private WebSocketHandler handlerFor(Principal principal) {
        return new WebSocketHandler() {
            @Override
            public void onOpen(WebSocket socket) {
                delivered.add("open " + principal.getName());
            }

            @Override
            public void onMessage(WebSocket socket, Message message) {
                String text = ((Message.Text) message).text();
                delivered.add(text);
                socket.sendText(principal.getName() + ": " + text);
            }
        };
    }

    @BeforeEach
    void start() {
        FirstMessageAuthenticator auth = new FirstMessageAuthenticator(DEADLINE,
                message -> message instanceof Message.Text t && t.text().equals("auth erin")
                        ? Optional.of((Principal) () -> "erin") : Optional.empty(),
                this::handlerFor);
        server = WebSocketServer.builder().host("127.0.0.1").port(0).route("/feed", auth).build().start();
    }

    @AfterEach
    void stop() {
        server.stop(Duration.ofSeconds(5));
    }

    @Test
    void J_goodFirstMessageOpensTheApplicationsHandlerForItsPrincipal() throws Exception {
        try (RawPeer peer = RawPeer.connect(server.port(), "/feed")) {
            peer.sendText("auth erin");
            peer.sendText("hello");
            assertEquals("erin: hello", peer.readFrame().text());
            assertEquals("open erin", delivered.poll(5, TimeUnit.SECONDS));
            assertEquals("hello", delivered.poll(5, TimeUnit.SECONDS), "the credential must not reach the handler");
        }
    }

    @Test
    void J_badFirstMessageIsClosedWith1008AndNothingReachesTheHandler() throws Exception {
        try (RawPeer peer = RawPeer.connect(server.port(), "/feed")) {
            peer.sendText("auth mallory");
            peer.sendText("hello");
            assertEquals(1008, peer.readCloseCode());
            peer.sendClose(1008);
            peer.awaitEndOfStream(LATE_SLACK);
        }
        assertTrue(delivered.isEmpty(), "delivered " + delivered);
    }

    @Test
    void J_noCredentialWithinTheDeadlineIsClosedWith1008EvenWhilePinging() throws Exception {
        try (RawPeer peer = RawPeer.connect(server.port(), "/feed")) {
            long start = System.nanoTime();
            peer.sendFrame(true, RawPeer.PING, new byte[] {1});
            assertEquals(RawPeer.PONG, peer.readFrame().opcode(), "pings are answered meanwhile");
            RawPeer.Frame close = peer.readFrame(DEADLINE.plus(LATE_SLACK));
            Duration waited = Duration.ofNanos(System.nanoTime() - start);
            assertEquals(1008, close.closeCode());
            assertTrue(waited.compareTo(DEADLINE.minus(EARLY_SLACK)) >= 0, "closed after " + waited.toMillis() + " ms");
        }
        assertTrue(delivered.isEmpty());
    }
}
