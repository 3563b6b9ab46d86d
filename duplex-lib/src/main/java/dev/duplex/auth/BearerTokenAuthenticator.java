package dev.duplex.auth;

import dev.duplex.HandshakeInterceptor;
import dev.duplex.HandshakeRequest;
import dev.duplex.protocol.handshake.Headers;
import java.security.Principal;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Admits an upgrade that carries {@code Authorization: Bearer <token>} (RFC 6750 2.1) which the
 * application's verifier accepts: for clients that can set headers (servers, mobile apps, the
 * Duplex client); browsers cannot, and use tickets instead. The verifier runs on the
 * connection's virtual thread and may block, to ask an identity provider say.
 *
 * <p>Answers (RFC 6750 3): no {@code Authorization} field, or another scheme, 401 with
 * {@code WWW-Authenticate: Bearer realm="…"}; a field that is not one well-formed bearer token,
 * 400 with {@code error="invalid_request"}; a token the verifier refuses, 401 with
 * {@code error="invalid_token"}; a verifier that throws, 500 (logged by the server with the
 * exception's class only). The token is never logged or echoed.
 */
public final class BearerTokenAuthenticator implements HandshakeInterceptor {
    private final String realm;
    private final Function<String, Optional<Principal>> verifier;

    /**
     * @param realm names the protected area in challenges
     * @param verifier the principal a token stands for, or empty when it is not valid; called
     *     from many threads at once. Compare secrets with {@link java.security.MessageDigest#isEqual}.
     */
    public BearerTokenAuthenticator(String realm, Function<String, Optional<Principal>> verifier) {
        this.realm = "realm=" + Challenges.quoted(realm);
        this.verifier = Objects.requireNonNull(verifier, "verifier");
    }

    @Override
    public Decision intercept(HandshakeRequest request) {
        List<String> fields = request.headers().all("Authorization");
        if (fields.isEmpty()) {
            return Decision.unauthorized("Bearer " + realm);
        }
        if (fields.size() == 1 && !scheme(fields.get(0)).equalsIgnoreCase("Bearer")) {
            return Decision.unauthorized("Bearer " + realm); // another scheme: not ours to judge
        }
        String token = fields.size() == 1 ? token(fields.get(0)) : null;
        if (token == null) {
            return Decision.reject(400, Headers.builder()
                    .add("WWW-Authenticate", "Bearer " + realm + ", error=\"invalid_request\"").build());
        }
        Optional<Principal> principal = verifier.apply(token);
        if (principal == null || principal.isEmpty()) {
            return Decision.unauthorized("Bearer " + realm + ", error=\"invalid_token\"");
        }
        return Decision.accept(principal.get());
    }

    private static String scheme(String value) {
        int space = value.indexOf(' ');
        return space < 0 ? value : value.substring(0, space);
    }

    /** RFC 6750 2.1: "Bearer" 1*SP b64token; the scheme is case-insensitive (RFC 9110 11.1). */
    private static String token(String value) {
        if (value.length() < 8 || !value.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        int start = 7;
        while (start < value.length() && value.charAt(start) == ' ') {
            start++;
        }
        String token = value.substring(start);
        int i = 0;
        while (i < token.length() && isB64TokenChar(token.charAt(i))) {
            i++;
        }
        if (i == 0) {
            return null;
        }
        while (i < token.length() && token.charAt(i) == '=') {
            i++;
        }
        return i == token.length() ? token : null;
    }

    private static boolean isB64TokenChar(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
    }

    @Override
    public String toString() {
        return "BearerTokenAuthenticator[" + realm + "]";
    }
}
