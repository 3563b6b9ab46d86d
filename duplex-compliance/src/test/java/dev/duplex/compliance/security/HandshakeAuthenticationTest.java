package dev.duplex.compliance.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.Handshake;
import dev.duplex.HandshakeInterceptor;
import dev.duplex.HandshakeInterceptor.Decision;
import dev.duplex.HandshakeRequest;
import dev.duplex.WebSocketServer;
import dev.duplex.auth.BearerTokenAuthenticator;
import dev.duplex.auth.TicketAuthenticator;
import dev.duplex.auth.TicketIssuer;
import dev.duplex.compliance.robustness.RawPeer;
import dev.duplex.compliance.robustness.RecordingHandler;
import dev.duplex.compliance.robustness.ReturnsToBaseline;
import dev.duplex.protocol.handshake.OriginPolicy;
import java.io.IOException;
import java.security.Principal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Rows A8, A10 and J against the real server: origin checks, tickets, bearer tokens and the
 * interceptor's own powers, each refusal answered before the 101 and before any connection
 * exists, each acceptance carrying its principal to the handler.
 */
@Isolated
@ExtendWith(ReturnsToBaseline.class)
class HandshakeAuthenticationTest {
    private static final Principal DANA = () -> "dana";

    private final MutableClock clock = new MutableClock();
    private final TicketIssuer issuer = TicketIssuer.builder().clock(clock).build();
    private final RecordingHandler events = RecordingHandler.echo();
    private WebSocketServer server;

    private WebSocketServer start(HandshakeInterceptor interceptor) {
        return start(interceptor, OriginPolicy.sameOrigin());
    }

    private WebSocketServer start(HandshakeInterceptor interceptor, OriginPolicy origins) {
        server = WebSocketServer.builder().host("127.0.0.1").port(0)
                .originPolicy(origins)
                .handshakeInterceptor(interceptor)
                .route("/echo", events, List.of("chat.v1"))
                .route("/plain", events)
                .build().start();
        return server;
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(Duration.ofSeconds(5));
        }
    }

    /** The refusal came before the 101, and no connection came of it. */
    private void assertRefusedBeforeUpgrade(Heads.Answer answer, int status) {
        assertEquals(status, answer.status(), answer.head());
        assertEquals("close", answer.field("Connection"), "row A18");
        assertNull(answer.field("Sec-WebSocket-Accept"));
        assertEquals(0, server.connectionCount());
        assertTrue(events.closes().isEmpty(), "a refused upgrade reached the handler");
    }

    @Test
    void A10_ticketInTheQueryGets101AndItsPrincipalReachesTheHandler() throws Exception {
        start(new TicketAuthenticator(issuer));
        String ticket = issuer.issue(DANA).value();
        try (RawPeer peer = RawPeer.open(server.port())) {
            Heads.Answer answer = Heads.send(peer, server.port(), "/plain?ticket=" + ticket);
            assertEquals(101, answer.status(), answer.head());
            Handshake handshake = events.awaitOpen().handshake();
            assertEquals(DANA, handshake.principal());
            assertEquals(Optional.of(DANA), handshake.authenticatedPrincipal());
            peer.sendText("hi");
            assertEquals("hi", peer.readFrame().text());
        }
    }

    @Test
    void A10_replayedTicketGets401WithAChallengeBeforeAnyConnectionExists() throws Exception {
        start(new TicketAuthenticator(issuer));
        String ticket = issuer.issue(DANA).value();
        try (RawPeer first = RawPeer.open(server.port())) {
            assertEquals(101, Heads.send(first, server.port(), "/plain?ticket=" + ticket).status());
            events.awaitOpen();
        }
        events.awaitClose();
        Heads.Answer replay = Heads.upgrade(server.port(), "/plain?ticket=" + ticket);
        assertEquals(401, replay.status(), replay.head());
        assertEquals("Ticket realm=\"duplex\"", replay.field("WWW-Authenticate"));
        assertEquals("close", replay.field("Connection"));
        assertEquals(1, events.closes().size(), "the replay reached the handler");
    }

    @Test
    void A10_missingOrExpiredTicketGets401() throws Exception {
        start(new TicketAuthenticator(issuer));
        assertRefusedBeforeUpgrade(Heads.upgrade(server.port(), "/plain"), 401);
        String ticket = issuer.issue(DANA).value();
        clock.advance(TicketIssuer.DEFAULT_TIME_TO_LIVE);
        assertRefusedBeforeUpgrade(Heads.upgrade(server.port(), "/plain?ticket=" + ticket), 401);
    }

    @Test
    void J_ticketOfferedAsASubprotocolIsNeverEchoed() throws Exception {
        start(new TicketAuthenticator(issuer));
        String carrier = TicketAuthenticator.SUBPROTOCOL_PREFIX + issuer.issue(DANA).value();
        try (RawPeer peer = RawPeer.open(server.port())) {
            Heads.Answer answer = Heads.send(peer, server.port(), "/echo", "Sec-WebSocket-Protocol: chat.v1, " + carrier);
            assertEquals(101, answer.status(), answer.head());
            assertEquals("chat.v1", answer.field("Sec-WebSocket-Protocol"), "the route's real subprotocol is selected");
            assertFalse(answer.head().contains(carrier.substring(TicketAuthenticator.SUBPROTOCOL_PREFIX.length())));
            assertEquals(DANA, events.awaitOpen().handshake().principal());
        }
        String alone = TicketAuthenticator.SUBPROTOCOL_PREFIX + issuer.issue(DANA).value();
        try (RawPeer peer = RawPeer.open(server.port())) {
            Heads.Answer answer = Heads.send(peer, server.port(), "/plain", "Sec-WebSocket-Protocol: " + alone);
            assertEquals(101, answer.status(), answer.head());
            assertNull(answer.field("Sec-WebSocket-Protocol"), "nothing to select, and never the ticket");
        }
    }

    @Test
    void J_ticketNeverReachesALogLine() throws Exception {
        try (LogCapture logs = new LogCapture()) {
            start(new TicketAuthenticator(issuer));
            String used = issuer.issue(DANA).value();
            try (RawPeer peer = RawPeer.open(server.port())) {
                assertEquals(101, Heads.send(peer, server.port(), "/plain?ticket=" + used).status());
                events.awaitOpen();
                peer.send(RawPeer.frame(true, 0, 0x3, new byte[0], true)); // C5: failed and logged
                assertEquals(1002, peer.readCloseCode());
            }
            events.awaitClose();
            assertEquals(401, Heads.upgrade(server.port(), "/plain?ticket=" + used).status());
            String expired = issuer.issue(DANA).value();
            clock.advance(Duration.ofMinutes(1));
            assertEquals(401, Heads.upgrade(server.port(), "/plain?ticket=" + expired).status());
            String inProtocol = issuer.issue(DANA).value();
            assertEquals(401, Heads.upgrade(server.port(), "/plain?ticket=" + used,
                    "Sec-WebSocket-Protocol: " + TicketAuthenticator.SUBPROTOCOL_PREFIX + inProtocol).status());
            server.stop(Duration.ofSeconds(5));

            List<String> lines = logs.lines();
            assertFalse(lines.isEmpty(), "nothing was logged, so nothing was checked");
            for (String line : lines) {
                for (String secret : new String[] {used, expired, inProtocol}) {
                    assertFalse(line.contains(secret), "a ticket reached the log: " + line);
                }
            }
        }
    }

    @Test
    void A10_bearerTokenIsCheckedBeforeThe101() throws Exception {
        start(new BearerTokenAuthenticator("api", token -> token.equals("good-token") ? Optional.of(DANA) : Optional.empty()));
        Heads.Answer missing = Heads.upgrade(server.port(), "/plain");
        assertRefusedBeforeUpgrade(missing, 401);
        assertEquals("Bearer realm=\"api\"", missing.field("WWW-Authenticate"));
        assertRefusedBeforeUpgrade(Heads.upgrade(server.port(), "/plain", "Authorization: Bearer bad-token"), 401);
        try (RawPeer peer = RawPeer.open(server.port())) {
            assertEquals(101, Heads.send(peer, server.port(), "/plain", "Authorization: Bearer good-token").status());
            assertEquals(DANA, events.awaitOpen().handshake().principal());
        }
    }

    @Test
    void interceptorSeesTheRequestAndMayAttachAttributesAndPickAnOfferedSubprotocol() throws Exception {
        ConcurrentLinkedQueue<HandshakeRequest> seen = new ConcurrentLinkedQueue<>();
        start(request -> {
            seen.add(request);
            return Decision.accept(DANA, Map.of("room", request.queryParameter("room").orElse("?")))
                    .withSubprotocol("chat.v2");
        });
        try (RawPeer peer = RawPeer.open(server.port())) {
            Heads.Answer answer = Heads.send(peer, server.port(), "/echo?room=42", "Sec-WebSocket-Protocol: chat.v1, chat.v2");
            assertEquals(101, answer.status(), answer.head());
            assertEquals("chat.v2", answer.field("Sec-WebSocket-Protocol"));
            Handshake handshake = events.awaitOpen().handshake();
            assertEquals("chat.v2", handshake.subprotocol());
            assertEquals("42", handshake.attributes().get("room"));
        }
        HandshakeRequest request = seen.poll();
        assertNotNull(request);
        assertEquals("GET", request.method());
        assertEquals("/echo", request.path());
        assertEquals(Optional.of("chat.v1"), request.selectedSubprotocol(), "what the route would pick");
        assertEquals(List.of("chat.v1", "chat.v2"), request.offeredSubprotocols());
        assertTrue(request.tls().isEmpty(), "plain ws has no TLS session");
        assertEquals("127.0.0.1", request.remoteAddress().getAddress().getHostAddress());
    }

    @Test
    void A12_interceptorNamingASubprotocolTheClientDidNotOfferGets500() throws Exception {
        start(request -> Decision.accept().withSubprotocol("chat.v9"));
        assertRefusedBeforeUpgrade(Heads.upgrade(server.port(), "/echo", "Sec-WebSocket-Protocol: chat.v1"), 500);
    }

    @Test
    void interceptorMaySuppressTheRoutesSubprotocol() throws Exception {
        start(request -> Decision.accept().withoutSubprotocol());
        try (RawPeer peer = RawPeer.open(server.port())) {
            Heads.Answer answer = Heads.send(peer, server.port(), "/echo", "Sec-WebSocket-Protocol: chat.v1");
            assertEquals(101, answer.status(), answer.head());
            assertNull(answer.field("Sec-WebSocket-Protocol"));
        }
    }

    @Test
    void interceptorThatThrowsGets500AndTheServerCarriesOn() throws Exception {
        try (LogCapture logs = new LogCapture()) {
            start(request -> {
                throw new IllegalStateException("token service down; token was " + request.query());
            });
            assertRefusedBeforeUpgrade(Heads.upgrade(server.port(), "/plain?secret-token"), 500);
            assertRefusedBeforeUpgrade(Heads.upgrade(server.port(), "/plain?secret-token"), 500);
            assertTrue(logs.lines().stream().noneMatch(l -> l.contains("secret-token")),
                    "the exception's message, which quotes the request, was logged");
        }
    }

    @Test
    void A8_originThePredicateRefusesGets403BeforeTheInterceptorRuns() throws Exception {
        AtomicInteger intercepted = new AtomicInteger();
        start(request -> {
            intercepted.incrementAndGet();
            return Decision.accept();
        }, OriginPolicy.matching(origin -> origin.equals("https://app.example.com")));
        assertRefusedBeforeUpgrade(Heads.upgrade(server.port(), "/plain", "Origin: https://evil.example.com"), 403);
        assertRefusedBeforeUpgrade(Heads.upgrade(server.port(), "/plain", "Origin: null"), 403);
        assertRefusedBeforeUpgrade(Heads.upgrade(server.port(), "/plain",
                "Origin: https://app.example.com", "Origin: https://app.example.com"), 403);
        assertEquals(0, intercepted.get(), "the interceptor ran for a refused origin");
        try (RawPeer peer = RawPeer.open(server.port())) {
            assertEquals(101, Heads.send(peer, server.port(), "/plain", "Origin: https://APP.example.com:443").status());
        }
        assertEquals(1, intercepted.get());
    }

    @Test
    void attemptRefusedByTheInterceptorLeavesTheServerServingOthers() throws IOException, InterruptedException {
        start(new TicketAuthenticator(issuer));
        for (int i = 0; i < 20; i++) {
            assertEquals(401, Heads.upgrade(server.port(), "/plain?ticket=guess" + i).status());
        }
        try (RawPeer peer = RawPeer.open(server.port())) {
            assertEquals(101, Heads.send(peer, server.port(), "/plain?ticket=" + issuer.issue(DANA).value()).status());
            events.awaitOpen();
            peer.sendText("still here");
            assertEquals("still here", peer.readFrame().text());
        }
    }
}
