package dev.duplex.security;

import static dev.duplex.security.Requests.upgrade;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.duplex.HandshakeInterceptor.Decision;
import dev.duplex.auth.BearerTokenAuthenticator;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.Principal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link BearerTokenAuthenticator}: RFC 6750 answers, the token handed to the verifier as sent (row A10). */
class BearerTokenAuthenticatorTest {
    private static final Principal CAROL = () -> "carol";
    private static final byte[] GOOD = "s3cr3t-T0ken.v1".getBytes(StandardCharsets.US_ASCII);

    private final List<String> verified = new ArrayList<>();
    private final BearerTokenAuthenticator bearer = new BearerTokenAuthenticator("api", token -> {
        verified.add(token);
        return MessageDigest.isEqual(token.getBytes(StandardCharsets.US_ASCII), GOOD) ? Optional.of(CAROL) : Optional.empty();
    });

    private static Decision.Reject rejected(Decision decision, int status) {
        Decision.Reject reject = assertInstanceOf(Decision.Reject.class, decision);
        assertEquals(status, reject.response().status());
        return reject;
    }

    private static String challenge(Decision.Reject reject) {
        return reject.response().headers().first("WWW-Authenticate").orElse(null);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Bearer s3cr3t-T0ken.v1", "bearer s3cr3t-T0ken.v1", "BEARER   s3cr3t-T0ken.v1"})
    void A10_validTokenAdmitsItsPrincipal(String field) {
        Decision.Accept accept = assertInstanceOf(Decision.Accept.class, bearer.intercept(upgrade("/", "Authorization", field)));
        assertEquals(CAROL, accept.principal());
        assertEquals(List.of("s3cr3t-T0ken.v1"), verified);
    }

    @Test
    void A10_missingTokenIs401WithABearerChallenge() {
        assertEquals("Bearer realm=\"api\"", challenge(rejected(bearer.intercept(upgrade("/")), 401)));
        assertEquals("Bearer realm=\"api\"", challenge(rejected(
                bearer.intercept(upgrade("/", "Authorization", "Basic YTpi")), 401)), "another scheme");
    }

    @Test
    void A10_tokenTheVerifierRefusesIs401InvalidToken() {
        Decision.Reject reject = rejected(bearer.intercept(upgrade("/", "Authorization", "Bearer wrong")), 401);
        assertEquals("Bearer realm=\"api\", error=\"invalid_token\"", challenge(reject));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Bearer", "Bearer ", "Bearer a b", "Bearer a=b", "Bearer é"})
    void A10_malformedFieldIs400InvalidRequestAndNeverReachesTheVerifier(String field) {
        Decision.Reject reject = rejected(bearer.intercept(upgrade("/", "Authorization", field)), 400);
        assertEquals("Bearer realm=\"api\", error=\"invalid_request\"", challenge(reject));
        assertEquals(List.of(), verified);
    }

    @Test
    void A10_twoAuthorizationFieldsAre400() {
        rejected(bearer.intercept(upgrade("/", "Authorization", "Bearer s3cr3t-T0ken.v1",
                "Authorization", "Bearer s3cr3t-T0ken.v1")), 400);
    }

    @Test
    void realmThatWouldBreakTheHeaderIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new BearerTokenAuthenticator("a\"b", t -> Optional.empty()));
        assertThrows(IllegalArgumentException.class, () -> new BearerTokenAuthenticator("a\r\nb", t -> Optional.empty()));
    }
}
