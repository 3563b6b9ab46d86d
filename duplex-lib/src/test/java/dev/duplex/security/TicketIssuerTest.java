package dev.duplex.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.auth.Ticket;
import dev.duplex.auth.TicketIssuer;
import java.io.IOException;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Principal;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Single-use tickets (rows A10, J): unguessable, short-lived, spent once, bound, never shown. */
class TicketIssuerTest {
    private static final Principal ALICE = () -> "alice";
    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

    private static InetAddress address(String literal) throws IOException {
        return InetAddress.getByName(literal);
    }

    @Test
    void A10_ticketIs256BitsOfBase64UrlAndNeverRepeats() {
        TicketIssuer issuer = TicketIssuer.create();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String value = issuer.issue(ALICE).value();
            assertEquals(43, value.length());
            assertTrue(value.matches("[A-Za-z0-9_-]{43}"), value);
            assertEquals(32, Base64.getUrlDecoder().decode(value).length);
            assertTrue(seen.add(value), "a ticket repeated after " + i);
        }
    }

    @Test
    void A10_ticketIsSingleUse() throws IOException {
        TicketIssuer issuer = TicketIssuer.create();
        Ticket ticket = issuer.issue(ALICE);
        InetAddress from = address("127.0.0.1");
        assertEquals(Optional.of(ALICE), issuer.redeem(ticket.value(), from));
        assertEquals(Optional.empty(), issuer.redeem(ticket.value(), from), "a replayed ticket was accepted");
        assertEquals(0, issuer.outstanding());
    }

    @Test
    void A10_ticketIsValidUntilJustBeforeItsTimeToLiveAndNotAtIt() throws IOException {
        MutableClock clock = new MutableClock(START);
        TicketIssuer issuer = TicketIssuer.builder().clock(clock).build();
        assertEquals(Duration.ofSeconds(30), issuer.timeToLive(), "default time to live");
        assertEquals(TicketIssuer.DEFAULT_TIME_TO_LIVE, issuer.timeToLive());
        InetAddress from = address("127.0.0.1");

        Ticket early = issuer.issue(ALICE);
        Ticket late = issuer.issue(ALICE);
        assertEquals(START.plusSeconds(30), early.expiresAt());
        clock.advance(Duration.ofSeconds(30).minusNanos(1));
        assertEquals(Optional.of(ALICE), issuer.redeem(early.value(), from), "valid 1 ns before it expires");
        clock.advance(Duration.ofNanos(1));
        assertEquals(Optional.empty(), issuer.redeem(late.value(), from), "accepted at its expiry");
    }

    @Test
    void A10_timeToLiveIsAnOption() throws IOException {
        MutableClock clock = new MutableClock(START);
        TicketIssuer issuer = TicketIssuer.builder().clock(clock).timeToLive(Duration.ofSeconds(5)).build();
        Ticket ticket = issuer.issue(ALICE);
        clock.advance(Duration.ofSeconds(5));
        assertEquals(Optional.empty(), issuer.redeem(ticket.value(), address("127.0.0.1")));
        assertThrows(IllegalArgumentException.class, () -> TicketIssuer.builder().timeToLive(Duration.ZERO));
    }

    @Test
    void J_ticketBoundToAnAddressIsRefusedFromAnotherAndThenSpent() throws IOException {
        TicketIssuer issuer = TicketIssuer.create();
        InetAddress owner = address("127.0.0.1");
        Ticket ticket = issuer.issue(ALICE, owner);
        assertEquals(Optional.empty(), issuer.redeem(ticket.value(), address("127.0.0.2")));
        assertEquals(Optional.empty(), issuer.redeem(ticket.value(), owner),
                "a ticket tried from the wrong address must be spent, so a thief gets one try");

        Ticket second = issuer.issue(ALICE, owner);
        assertEquals(Optional.of(ALICE), issuer.redeem(second.value(), owner));
    }

    @Test
    void J_ticketRacedByManyConnectionsAdmitsExactlyOne() throws Exception {
        TicketIssuer issuer = TicketIssuer.create();
        InetAddress from = address("127.0.0.1");
        int racers = 16;
        ExecutorService pool = Executors.newFixedThreadPool(racers);
        try {
            for (int round = 0; round < 50; round++) {
                String value = issuer.issue(ALICE).value();
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Optional<Principal>>> results = new ArrayList<>();
                for (int i = 0; i < racers; i++) {
                    results.add(pool.submit(() -> {
                        go.await();
                        return issuer.redeem(value, from);
                    }));
                }
                go.countDown();
                int admitted = 0;
                for (Future<Optional<Principal>> r : results) {
                    admitted += r.get(10, TimeUnit.SECONDS).isPresent() ? 1 : 0;
                }
                assertEquals(1, admitted, "round " + round);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void A10_malformedOrAlteredTicketsAreRefused() throws IOException {
        TicketIssuer issuer = TicketIssuer.create();
        String value = issuer.issue(ALICE).value();
        InetAddress from = address("127.0.0.1");
        char last = value.charAt(value.length() - 1);
        String altered = value.substring(0, value.length() - 1) + (last == 'A' ? 'B' : 'A');
        for (String bad : new String[] {null, "", "x", value + "A", value.substring(1), altered,
                value.substring(0, 42) + "=", value.replace(value.charAt(0), '%')}) {
            assertEquals(Optional.empty(), issuer.redeem(bad, from), "accepted " + bad);
        }
        assertEquals(Optional.of(ALICE), issuer.redeem(value, from), "a refused look-alike spent the real ticket");
    }

    @Test
    void J_ticketToStringIsRedacted() {
        Ticket ticket = TicketIssuer.create().issue(ALICE);
        assertFalse(ticket.toString().contains(ticket.value()), ticket.toString());
        assertTrue(ticket.toString().contains("redacted"));
    }

    @Test
    void J_issuerHoldsOnlyDigestsAndComparesThemInConstantTime() throws Exception {
        TicketIssuer issuer = TicketIssuer.create();
        String value = issuer.issue(ALICE).value();
        Field field = TicketIssuer.class.getDeclaredField("tickets");
        field.setAccessible(true);
        Map<?, ?> held = (Map<?, ?>) field.get(issuer);
        assertEquals(1, held.size());
        for (Map.Entry<?, ?> e : held.entrySet()) {
            assertFalse(e.getKey().toString().contains(value), "the map is keyed by the ticket itself");
            assertFalse(e.getValue().toString().contains(value), "the map holds the ticket itself");
        }
        // The comparison itself cannot be timed reliably in a unit test; that it goes through
        // MessageDigest.isEqual, and only after a lookup by digest, is checked in the source.
        String source = Files.readString(Path.of("src/main/java/dev/duplex/auth/TicketIssuer.java"));
        assertTrue(source.contains("MessageDigest.isEqual(entry.digest(), digest)"), "constant-time compare missing");
        assertTrue(source.contains("tickets.get(key)") && source.contains("String key = key(digest)"),
                "lookup is not by digest");
    }

    @Test
    void outstandingTicketsAreCappedAtTheLimitAndExpiredOnesMakeRoom() {
        MutableClock clock = new MutableClock(START);
        TicketIssuer issuer = TicketIssuer.builder().clock(clock).maxOutstanding(3).build();
        for (int i = 0; i < 3; i++) {
            issuer.issue(ALICE);
        }
        assertEquals(3, issuer.outstanding());
        assertThrows(IllegalStateException.class, () -> issuer.issue(ALICE), "limit + 1");
        clock.advance(TicketIssuer.DEFAULT_TIME_TO_LIVE);
        issuer.issue(ALICE);
        assertEquals(1, issuer.outstanding(), "expired tickets were not swept");
        assertEquals(100_000, TicketIssuer.DEFAULT_MAX_OUTSTANDING);
    }
}
