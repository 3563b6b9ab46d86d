package dev.duplex.security;

import static dev.duplex.security.Requests.upgrade;
import static dev.duplex.security.Requests.upgradeSelecting;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.duplex.HandshakeInterceptor.Decision;
import dev.duplex.HandshakeInterceptor.SubprotocolChoice;
import dev.duplex.auth.TicketAuthenticator;
import dev.duplex.auth.TicketIssuer;
import java.security.Principal;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** {@link TicketAuthenticator} on requests built by hand (rows A10, J). */
class TicketAuthenticatorTest {
    private static final Principal BOB = () -> "bob";

    private final TicketIssuer issuer = TicketIssuer.create();
    private final TicketAuthenticator tickets = new TicketAuthenticator(issuer, "chat");

    private static void assertUnauthorized(Decision decision) {
        Decision.Reject reject = assertInstanceOf(Decision.Reject.class, decision);
        assertEquals(401, reject.response().status());
        assertEquals("Ticket realm=\"chat\"", reject.response().headers().first("WWW-Authenticate").orElse(null),
                "RFC 9110 15.5.2: a 401 carries a challenge");
    }

    @Test
    void A10_ticketInTheQueryAdmitsItsPrincipal() {
        String t = issuer.issue(BOB).value();
        Decision.Accept accept = assertInstanceOf(Decision.Accept.class, tickets.intercept(upgrade("/chat?ticket=" + t)));
        assertEquals(BOB, accept.principal());
        assertEquals(SubprotocolChoice.ROUTE, accept.subprotocol());
    }

    @Test
    void A10_ticketOfferedAsASubprotocolAdmitsAndIsNeverSelected() {
        String t = issuer.issue(BOB).value();
        String carrier = TicketAuthenticator.SUBPROTOCOL_PREFIX + t;
        // Even a route that (wrongly) selected the carrier does not get it echoed.
        Decision decision = tickets.intercept(upgradeSelecting("/chat", carrier, "Sec-WebSocket-Protocol", "chat.v1, " + carrier));
        Decision.Accept accept = assertInstanceOf(Decision.Accept.class, decision);
        assertEquals(BOB, accept.principal());
        assertEquals(SubprotocolChoice.NONE, accept.subprotocol());

        String t2 = issuer.issue(BOB).value();
        Decision.Accept normal = assertInstanceOf(Decision.Accept.class, tickets.intercept(
                upgradeSelecting("/chat", "chat.v1", "Sec-WebSocket-Protocol", "chat.v1, " + TicketAuthenticator.SUBPROTOCOL_PREFIX + t2)));
        assertEquals(SubprotocolChoice.ROUTE, normal.subprotocol(), "the route's real choice stands");
    }

    @Test
    void A10_missingTicketIs401WithAChallenge() {
        assertUnauthorized(tickets.intercept(upgrade("/chat")));
        assertUnauthorized(tickets.intercept(upgrade("/chat?ticket=")));
    }

    @Test
    void A10_replayedTicketIs401() {
        String t = issuer.issue(BOB).value();
        assertInstanceOf(Decision.Accept.class, tickets.intercept(upgrade("/chat?ticket=" + t)));
        assertUnauthorized(tickets.intercept(upgrade("/chat?ticket=" + t)));
    }

    @Test
    void A10_expiredTicketIs401() {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        TicketIssuer shortLived = TicketIssuer.builder().clock(clock).build();
        String t = shortLived.issue(BOB).value();
        clock.advance(Duration.ofSeconds(31));
        assertUnauthorized(new TicketAuthenticator(shortLived, "chat").intercept(upgrade("/chat?ticket=" + t)));
    }

    @Test
    void A10_twoTicketsAre401AndSpendNeither() {
        String a = issuer.issue(BOB).value();
        String b = issuer.issue(BOB).value();
        assertUnauthorized(tickets.intercept(upgradeSelecting("/chat?ticket=" + a, null,
                "Sec-WebSocket-Protocol", TicketAuthenticator.SUBPROTOCOL_PREFIX + b)));
        assertEquals(2, issuer.outstanding());
    }

    @Test
    void J_refusalNeverQuotesTheTicket() {
        String t = issuer.issue(BOB).value();
        tickets.intercept(upgrade("/chat?ticket=" + t));
        Decision.Reject reject = assertInstanceOf(Decision.Reject.class, tickets.intercept(upgrade("/chat?ticket=" + t)));
        assertFalse(new String(reject.response().toBytes(), java.nio.charset.StandardCharsets.ISO_8859_1).contains(t));
        assertFalse(upgrade("/chat?ticket=" + t).toString().contains(t), "HandshakeRequest.toString shows the query");
    }
}
