package dev.duplex.auth;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.Principal;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Mints and redeems single-use tickets for the WebSocket handshake (rows A10, J). A browser
 * cannot set {@code Authorization} on a WebSocket, and a cookie goes along with every request
 * from any site; so the page first asks an authenticated HTTP endpoint for a ticket, then opens
 * the socket with it ({@link TicketAuthenticator}).
 *
 * <p>What makes a ticket safe to put in a URL:
 * <ul>
 *   <li>256 bits from a {@link SecureRandom}, so it cannot be guessed;
 *   <li>short-lived (30 s by default) and single use: {@link #redeem} removes it atomically, so of
 *       two connections racing with one ticket exactly one gets in, and a ticket read later from
 *       a log or a proxy is already spent;
 *   <li>optionally bound to the client address it was issued to;
 *   <li>stored only as its SHA-256 digest, looked up by that digest, and the digest compared with
 *       {@link MessageDigest#isEqual}, so neither the map lookup nor the comparison takes a time
 *       that depends on how much of a guess was right, and a heap dump holds no usable ticket;
 *   <li>never logged: {@link Ticket#toString()} is redacted and nothing here logs.
 * </ul>
 *
 * <p>At most {@code maxOutstanding} tickets are held at once (expired ones are swept out as new
 * ones are issued); past that {@link #issue} refuses, so a client that asks for tickets in a
 * loop cannot fill the heap. Thread-safe.
 */
public final class TicketIssuer {
    /** Long enough for a page to open its socket over a slow link; short enough to be useless once leaked. */
    public static final Duration DEFAULT_TIME_TO_LIVE = Duration.ofSeconds(30);
    public static final int DEFAULT_MAX_OUTSTANDING = 100_000;
    /** 256 bits: twice the 128 the catalogue asks for, at no cost. */
    static final int TICKET_BYTES = 32;
    static final int TICKET_LENGTH = 43; // base64url of 32 bytes, no padding
    private static final int SWEEP_EVERY = 256;

    private final Duration timeToLive;
    private final Clock clock;
    private final SecureRandom random;
    private final int maxOutstanding;
    private final ConcurrentHashMap<String, Entry> tickets = new ConcurrentHashMap<>();
    private final AtomicLong issued = new AtomicLong();

    private record Entry(byte[] digest, Principal principal, InetAddress boundTo, Instant expiresAt) {}

    private TicketIssuer(Builder b) {
        this.timeToLive = b.timeToLive;
        this.clock = b.clock;
        this.random = b.random;
        this.maxOutstanding = b.maxOutstanding;
    }

    /** An issuer with the defaults: 30 s, the system clock, a fresh {@link SecureRandom}. */
    public static TicketIssuer create() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A ticket for {@code principal}, accepted from any address. */
    public Ticket issue(Principal principal) {
        return issue(principal, null);
    }

    /**
     * A ticket for {@code principal}, accepted only from {@code clientAddress} (or from any when
     * it is null). Bind it to the address the ticket request came from when clients reach the
     * server directly; behind a proxy every client has the proxy's address, so binding proves
     * nothing there.
     *
     * @throws IllegalStateException when {@code maxOutstanding} unexpired tickets are held
     */
    public Ticket issue(Principal principal, InetAddress clientAddress) {
        Objects.requireNonNull(principal, "principal");
        Instant now = clock.instant();
        if (issued.incrementAndGet() % SWEEP_EVERY == 0 || tickets.size() >= maxOutstanding) {
            sweep(now);
        }
        if (tickets.size() >= maxOutstanding) {
            throw new IllegalStateException("too many outstanding tickets (" + maxOutstanding + ")");
        }
        byte[] secret = new byte[TICKET_BYTES];
        random.nextBytes(secret);
        String value = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        byte[] digest = digest(value);
        Instant expiresAt = now.plus(timeToLive);
        tickets.put(key(digest), new Entry(digest, principal, clientAddress, expiresAt));
        return new Ticket(value, expiresAt);
    }

    /**
     * Consumes a ticket and returns its principal; empty when the ticket is malformed, unknown,
     * already used, expired, or presented from another address than the one it is bound to. A
     * ticket that is found is spent whatever the outcome, so a stolen ticket that fails its
     * address check cannot be tried again. Which of these it was is not said, on purpose: the
     * client's remedy is the same, and a prober learns nothing.
     *
     * @param ticket what the client presented
     * @param clientAddress where it presented it from
     */
    public Optional<Principal> redeem(String ticket, InetAddress clientAddress) {
        if (ticket == null || ticket.length() != TICKET_LENGTH || !isBase64Url(ticket)) {
            return Optional.empty();
        }
        byte[] digest = digest(ticket);
        String key = key(digest);
        Entry entry = tickets.get(key);
        if (entry == null || !MessageDigest.isEqual(entry.digest(), digest)) {
            return Optional.empty();
        }
        // remove(key, value) succeeds for exactly one caller: single use under any race.
        if (!tickets.remove(key, entry)) {
            return Optional.empty();
        }
        if (!clock.instant().isBefore(entry.expiresAt())) {
            return Optional.empty();
        }
        if (entry.boundTo() != null && !entry.boundTo().equals(clientAddress)) {
            return Optional.empty();
        }
        return Optional.of(entry.principal());
    }

    /** Tickets issued and neither redeemed nor swept out yet. */
    public int outstanding() {
        return tickets.size();
    }

    /** How long a ticket is valid. */
    public Duration timeToLive() {
        return timeToLive;
    }

    private void sweep(Instant now) {
        tickets.values().removeIf(e -> !now.isBefore(e.expiresAt()));
    }

    private static String key(byte[] digest) {
        return HexFormat.of().formatHex(digest);
    }

    private static byte[] digest(String ticket) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(ticket.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static boolean isBase64Url(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "TicketIssuer[ttl " + timeToLive + ", " + tickets.size() + " outstanding]";
    }

    /** Builds a {@link TicketIssuer}; every setting starts at its default. */
    public static final class Builder {
        private Duration timeToLive = DEFAULT_TIME_TO_LIVE;
        private Clock clock = Clock.systemUTC();
        private SecureRandom random;
        private int maxOutstanding = DEFAULT_MAX_OUTSTANDING;

        private Builder() {}

        /** How long a ticket stays valid (default 30 s; the catalogue asks for 30 to 60). */
        public Builder timeToLive(Duration ttl) {
            if (ttl == null || ttl.isNegative() || ttl.isZero()) {
                throw new IllegalArgumentException("timeToLive must be positive");
            }
            this.timeToLive = ttl;
            return this;
        }

        /** The clock expiry is measured by; for tests. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock);
            return this;
        }

        /** The source of ticket bytes (default: a new {@link SecureRandom}). */
        public Builder random(SecureRandom random) {
            this.random = Objects.requireNonNull(random);
            return this;
        }

        /** The most unexpired tickets held at once (default 100,000). */
        public Builder maxOutstanding(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxOutstanding must be at least 1");
            }
            this.maxOutstanding = max;
            return this;
        }

        public TicketIssuer build() {
            if (random == null) {
                random = new SecureRandom();
            }
            return new TicketIssuer(this);
        }
    }
}
