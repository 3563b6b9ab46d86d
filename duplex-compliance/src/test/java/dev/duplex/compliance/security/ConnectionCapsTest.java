package dev.duplex.compliance.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.HandshakeInterceptor;
import dev.duplex.Rate;
import dev.duplex.ServerLimits;
import dev.duplex.WebSocketServer;
import dev.duplex.compliance.robustness.Await;
import dev.duplex.compliance.robustness.RawPeer;
import dev.duplex.compliance.robustness.RecordingHandler;
import dev.duplex.compliance.robustness.ReturnsToBaseline;
import java.io.IOException;
import java.security.Principal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Rows A19 and H4: the global, per-address and attempt-rate caps, each at its limit and one past
 * it. A refused socket is answered as soon as it is accepted, before it has sent a byte, so no
 * request is parsed and no WebSocket state exists for it; the connections already open keep
 * echoing.
 */
@Isolated
@ExtendWith(ReturnsToBaseline.class)
class ConnectionCapsTest {
    private final RecordingHandler events = RecordingHandler.echo();
    private WebSocketServer server;

    private void start(ServerLimits limits) {
        server = WebSocketServer.builder().host("127.0.0.1").port(0).limits(limits).route("/echo", events).build().start();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(Duration.ofSeconds(5));
        }
    }

    /**
     * Waits until the server counts exactly {@code n} connections. A connection is counted just
     * after its 101 is written, so a client that has read its 101 may be a moment ahead.
     */
    private void awaitConnections(int n) {
        Await.until(Duration.ofSeconds(5), () -> server.connectionCount() == n,
                () -> "the server counts " + server.connectionCount() + " connections, not " + n);
    }

    /** Opens a socket and reads the answer without sending anything. */
    private Heads.Answer refusedBeforeSending() throws IOException {
        try (RawPeer peer = RawPeer.open(server.port())) {
            return new Heads.Answer(peer.readResponseHead());
        }
    }

    private static void assertEchoes(RawPeer canary, String text) throws IOException {
        canary.sendText(text);
        assertEquals(text, canary.readFrame().text(), "a canary stopped echoing");
    }

    private static void closeAll(List<RawPeer> peers) throws IOException {
        for (RawPeer p : peers) {
            p.close();
        }
    }

    @Test
    void H4_globalCapAdmitsUpToItsLimitThenAnswers503() throws Exception {
        start(ServerLimits.builder().maxConnections(3).build());
        List<RawPeer> open = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                open.add(RawPeer.connect(server.port(), "/echo")); // the limit: admitted
            }
            Heads.Answer refused = refusedBeforeSending(); // limit + 1
            assertEquals(503, refused.status(), refused.head());
            assertEquals("close", refused.field("Connection"));
            assertEquals("1", refused.field("Retry-After"));
            awaitConnections(3);
            assertEchoes(open.get(0), "canary");

            open.remove(2).close();
            Await.until(Duration.ofSeconds(5), () -> server.connectionCount() == 2, () -> "the closed connection's slot");
            Await.until(Duration.ofSeconds(5), this::upgradeSucceeds, () -> "a freed slot was not reused");
        } finally {
            closeAll(open);
        }
    }

    /** Tries one upgrade and closes it; true when it got its 101. */
    private boolean upgradeSucceeds() {
        return upgradeSucceeds("/echo");
    }

    private boolean upgradeSucceeds(String target) {
        try (RawPeer peer = RawPeer.open(server.port())) {
            return Heads.send(peer, server.port(), target).status() == 101;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void H4_perUserCapAdmitsUpToItsLimitThenAnswers429AndCountsEachUserApart() throws Exception {
        // The interceptor names the user from the query, as an authenticator would from a credential.
        HandshakeInterceptor byQuery = request -> request.queryParameter("user")
                .<HandshakeInterceptor.Decision>map(name -> HandshakeInterceptor.Decision.accept((Principal) () -> name))
                .orElseGet(HandshakeInterceptor.Decision::accept);
        server = WebSocketServer.builder().host("127.0.0.1").port(0)
                .limits(ServerLimits.builder().maxConnectionsPerPrincipal(2).build())
                .handshakeInterceptor(byQuery).route("/echo", events).build().start();
        List<RawPeer> open = new ArrayList<>();
        try {
            open.add(RawPeer.connect(server.port(), "/echo?user=alice"));
            open.add(RawPeer.connect(server.port(), "/echo?user=alice")); // the limit: admitted
            Heads.Answer refused = Heads.upgrade(server.port(), "/echo?user=alice"); // limit + 1
            assertEquals(429, refused.status(), refused.head());
            assertEquals("1", refused.field("Retry-After"));
            assertEquals("close", refused.field("Connection"));
            open.add(RawPeer.connect(server.port(), "/echo?user=bob")); // another user has a count of his own
            for (int i = 0; i < 3; i++) {
                open.add(RawPeer.connect(server.port(), "/echo")); // no principal: not counted
            }
            awaitConnections(6);
            assertEchoes(open.get(1), "canary");

            open.remove(0).close();
            Await.until(Duration.ofSeconds(5), () -> upgradeSucceeds("/echo?user=alice"),
                    () -> "alice's freed slot was not reused");
        } finally {
            closeAll(open);
        }
    }

    @Test
    void A19_perAddressCapAdmitsUpToItsLimitThenAnswers429WithRetryAfter() throws Exception {
        start(ServerLimits.builder().maxConnectionsPerAddress(2).build());
        List<RawPeer> open = new ArrayList<>();
        try {
            open.add(RawPeer.connect(server.port(), "/echo"));
            open.add(RawPeer.connect(server.port(), "/echo"));
            Heads.Answer refused = refusedBeforeSending();
            assertEquals(429, refused.status(), refused.head());
            assertEquals("1", refused.field("Retry-After"));
            assertEquals("close", refused.field("Connection"));
            awaitConnections(2);
            assertEchoes(open.get(1), "canary");

            open.remove(0).close();
            Await.until(Duration.ofSeconds(5), this::upgradeSucceeds, () -> "the address's freed slot was not reused");
        } finally {
            closeAll(open);
        }
    }

    @Test
    void A19_attemptRateAdmitsABurstThenAnswers429UntilATokenIsBack() throws Exception {
        // 3 at once, then one every 2 s: the test finishes long before a token comes back.
        start(ServerLimits.builder().connectionAttemptsPerAddress(new Rate(0.5, 3)).build());
        try (RawPeer canary = RawPeer.connect(server.port(), "/echo")) { // attempt 1
            assertTrue(upgradeSucceeds(), "attempt 2");
            assertTrue(upgradeSucceeds(), "attempt 3, the burst");
            Heads.Answer refused = refusedBeforeSending(); // attempt 4
            assertEquals(429, refused.status(), refused.head());
            int retryAfter = Integer.parseInt(refused.field("Retry-After"));
            assertTrue(retryAfter >= 1 && retryAfter <= 2, "Retry-After " + retryAfter + " for a 2 s refill");
            assertEquals(429, refusedBeforeSending().status(), "a refused attempt does not earn a token");
            assertEchoes(canary, "canary");
        }
    }

    @Test
    void A19_floodFromOneAddressIsRefusedWithoutEverReachingTheHandler() throws Exception {
        start(ServerLimits.builder().maxConnectionsPerAddress(1).connectionAttemptsPerAddress(new Rate(0.5, 2)).build());
        try (RawPeer canary = RawPeer.connect(server.port(), "/echo")) {
            int refused = 0;
            for (int i = 0; i < 50; i++) {
                refused += refusedBeforeSending().status() == 429 ? 1 : 0;
            }
            assertEquals(50, refused);
            assertEchoes(canary, "still echoing");
            awaitConnections(1);
        }
        events.awaitClose();
        assertEquals(1, events.closes().size(), "only the canary ever reached the handler");
    }
}
