package dev.duplex.auth;

import java.time.Instant;
import java.util.Objects;

/**
 * A ticket that {@link TicketIssuer#issue} minted: the secret to hand to one client, and when it
 * stops being valid. {@link #toString()} leaves the secret out, so a ticket that ends up in a log
 * line or an exception message by accident gives nothing away; only {@link #value()} reveals it.
 */
public final class Ticket {
    private final String value;
    private final Instant expiresAt;

    Ticket(String value, Instant expiresAt) {
        this.value = Objects.requireNonNull(value);
        this.expiresAt = Objects.requireNonNull(expiresAt);
    }

    /**
     * The secret, 43 characters of base64url (RFC 4648 5) without padding: safe as it is in a
     * query string and as a {@code Sec-WebSocket-Protocol} token. Send it to the client that
     * asked for it and nowhere else.
     */
    public String value() {
        return value;
    }

    /** When the ticket stops being accepted. */
    public Instant expiresAt() {
        return expiresAt;
    }

    @Override
    public String toString() {
        return "Ticket[redacted, expires " + expiresAt + "]";
    }
}
