package dev.duplex.auth;

import java.util.Objects;

/** Pieces of {@code WWW-Authenticate} challenges (RFC 9110 11.6.1). */
final class Challenges {
    private Challenges() {}

    /**
     * A realm or other parameter as a quoted-string. Refuses what would need escaping or could
     * not go in a header at all, rather than escaping it: realms are constants chosen by the
     * application, never client input.
     */
    static String quoted(String value) {
        Objects.requireNonNull(value, "realm");
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c > 0x7E || c == '"' || c == '\\') {
                throw new IllegalArgumentException("a realm must be printable ASCII without quotes or backslashes");
            }
        }
        return "\"" + value + "\"";
    }
}
