package dev.duplex.protocol.handshake;

import static dev.duplex.protocol.handshake.OriginPolicyTest.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link OriginPolicy#matching}: a predicate decides what the allowlist rules leave open (rows A8,
 * A9, J), and never what they have already decided.
 */
class OriginPredicateTest {
    /** Every subdomain of example.com over https, compared on the host part, not the string. */
    private static final OriginPolicy SUBDOMAINS = OriginPolicy.matching(origin ->
            origin.startsWith("https://") && origin.substring(8).endsWith(".example.com"));

    @ParameterizedTest
    @ValueSource(strings = {"https://app.example.com", "HTTPS://App.Example.COM", "https://app.example.com:443"})
    void A8_originThePredicateAcceptsIsAllowedInItsCanonicalForm(String origin) {
        assertTrue(SUBDOMAINS.allows(request("ws.internal", origin)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://app.example.com", "https://example.com.evil.com", "https://evil.com",
            "https://app.example.com:8443", "https://app.example.com/", "not an origin"})
    void A8_originThePredicateRefusesIsRefused(String origin) {
        assertFalse(SUBDOMAINS.allows(request("ws.internal", origin)));
    }

    @Test
    void predicateSeesSchemeHostAndPortLowerCasedWithTheDefaultPortDropped() {
        List<String> seen = new ArrayList<>();
        OriginPolicy policy = OriginPolicy.matching(origin -> seen.add(origin) && false);
        policy.allows(request("ws.internal", "HTTPS://App.Example.COM:443"));
        policy.allows(request("ws.internal", "http://a.example:8080"));
        assertEquals(List.of("https://app.example.com", "http://a.example:8080"), seen);
    }

    @Test
    void A8_nullOriginIsRefusedWithoutAskingThePredicate() {
        List<String> seen = new ArrayList<>();
        OriginPolicy acceptsAll = OriginPolicy.matching(origin -> seen.add(origin));
        assertFalse(acceptsAll.allows(request("ws.internal", "null")));
        assertTrue(seen.isEmpty(), "the predicate was asked about " + seen);
    }

    @Test
    void A8_severalOriginsAreRefusedEvenWhenThePredicateAcceptsEach() {
        OriginPolicy acceptsAll = OriginPolicy.matching(origin -> true);
        assertFalse(acceptsAll.allows(request("ws.internal", "https://a.example.com", "https://b.example.com")));
    }

    @Test
    void A9_requestWithoutOriginIsAllowedWithoutAskingThePredicate() {
        Predicate<String> never = origin -> {
            throw new AssertionError("asked about " + origin);
        };
        assertTrue(OriginPolicy.matching(never).allows(request("ws.internal")));
    }

    @Test
    void sameOriginIsStillAllowedWhenThePredicateSaysNo() {
        assertTrue(OriginPolicy.matching(origin -> false).allows(request("example.com:8080", "http://example.com:8080")));
    }

    @Test
    void predicateThatThrowsRefusesTheOrigin() {
        OriginPolicy broken = OriginPolicy.matching(origin -> {
            throw new IllegalStateException("database down");
        });
        assertFalse(broken.allows(request("ws.internal", "https://app.example.com")));
    }
}
