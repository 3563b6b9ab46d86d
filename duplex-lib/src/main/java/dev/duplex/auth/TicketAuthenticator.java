package dev.duplex.auth;

import dev.duplex.HandshakeInterceptor;
import dev.duplex.HandshakeRequest;
import java.security.Principal;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Admits an upgrade only with a ticket from a {@link TicketIssuer}, redeemed (and so spent)
 * before the 101 goes out (rows A10, J). The ticket may come:
 * <ul>
 *   <li>in the query, {@code /chat?ticket=…}, the simplest from a browser
 *       ({@code new WebSocket(url + "?ticket=" + t)}); or
 *   <li>as an offered subprotocol {@code duplex.ticket.…}, which keeps it out of URLs and so out
 *       of access logs: {@code new WebSocket(url, ["chat.v1", "duplex.ticket." + t])}. Such an
 *       entry is never echoed as the selected subprotocol. Browsers fail a handshake whose 101
 *       names no subprotocol when they offered some, so offer the application's real subprotocol
 *       next to it and let the route select that one.
 * </ul>
 *
 * <p>Every failure (no ticket, two tickets, malformed, unknown, used, expired, wrong address)
 * gets the same answer: 401 with {@code WWW-Authenticate: Ticket realm="…"}, as RFC 9110 15.5.2
 * asks of a 401. 401 rather than 403 because the remedy is to authenticate again (fetch a new
 * ticket), and one answer for all so that a prober cannot tell a spent ticket from a wrong one.
 * 403 is left to the application, for a principal it knows and will not admit. Nothing here
 * logs, and the ticket is never part of an answer.
 */
public final class TicketAuthenticator implements HandshakeInterceptor {
    /** The query parameter that carries the ticket. */
    public static final String QUERY_PARAMETER = "ticket";
    /** The prefix of an offered subprotocol that carries the ticket. */
    public static final String SUBPROTOCOL_PREFIX = "duplex.ticket.";

    private final TicketIssuer issuer;
    private final String challenge;

    /** Checks tickets from this issuer; the realm names the protected area in the challenge. */
    public TicketAuthenticator(TicketIssuer issuer, String realm) {
        this.issuer = Objects.requireNonNull(issuer, "issuer");
        this.challenge = "Ticket realm=" + Challenges.quoted(realm);
    }

    /** Checks tickets from this issuer, with the realm {@code duplex}. */
    public TicketAuthenticator(TicketIssuer issuer) {
        this(issuer, "duplex");
    }

    @Override
    public Decision intercept(HandshakeRequest request) {
        List<String> presented = new ArrayList<>(2);
        request.queryParameter(QUERY_PARAMETER).ifPresent(presented::add);
        String carrier = null;
        for (String offered : request.offeredSubprotocols()) {
            if (offered.startsWith(SUBPROTOCOL_PREFIX)) {
                presented.add(offered.substring(SUBPROTOCOL_PREFIX.length()));
                carrier = offered;
            }
        }
        if (presented.size() != 1) {
            return Decision.unauthorized(challenge); // none, or an ambiguous two
        }
        Optional<Principal> principal = issuer.redeem(presented.get(0), request.remoteAddress().getAddress());
        if (principal.isEmpty()) {
            return Decision.unauthorized(challenge);
        }
        Decision.Accept accept = Decision.accept(principal.get());
        // A route cannot list a random ticket, but this makes "never echoed" hold whatever it lists.
        if (carrier != null && carrier.equals(request.subprotocol())) {
            return accept.withoutSubprotocol();
        }
        return accept;
    }

    @Override
    public String toString() {
        return "TicketAuthenticator[" + issuer + "]";
    }
}
