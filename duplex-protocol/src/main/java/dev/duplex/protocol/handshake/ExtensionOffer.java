package dev.duplex.protocol.handshake;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One element of a {@code Sec-WebSocket-Extensions} field (RFC 6455 9.1): an extension name and
 * its parameters in order. The same shape serves a client's offer and a server's acceptance.
 *
 * @param name the extension token, e.g. {@code permessage-deflate}
 * @param params the parameters in the order sent; names are distinct (case-insensitively) when
 *     the offer came from {@link HeaderTokens#extensions}
 */
public record ExtensionOffer(String name, List<ExtensionParameter> params) {

    /**
     * Checks the element and copies the parameter list.
     *
     * @throws IllegalArgumentException if the name is not a token
     */
    public ExtensionOffer {
        Objects.requireNonNull(name, "name");
        if (!HttpSyntax.isToken(name)) {
            throw new IllegalArgumentException("extension name is not a token");
        }
        params = List.copyOf(params);
    }

    /** An offer or acceptance with these parameters. */
    public static ExtensionOffer of(String name, ExtensionParameter... params) {
        return new ExtensionOffer(name, List.of(params));
    }

    /** The first parameter with this name, compared case-insensitively. */
    public Optional<ExtensionParameter> parameter(String name) {
        for (ExtensionParameter p : params) {
            if (p.name().equalsIgnoreCase(name)) return Optional.of(p);
        }
        return Optional.empty();
    }

    /** This element as it goes in the header: {@code name; p1; p2=value}. */
    public String toHeaderValue() {
        StringBuilder sb = new StringBuilder(name);
        for (ExtensionParameter p : params) {
            sb.append("; ").append(p);
        }
        return sb.toString();
    }

    /** Several elements as one field value, separated by {@code ", "}. */
    static String toHeaderValue(List<ExtensionOffer> elements) {
        StringBuilder sb = new StringBuilder();
        for (ExtensionOffer e : elements) {
            if (!sb.isEmpty()) sb.append(", ");
            sb.append(e.toHeaderValue());
        }
        return sb.toString();
    }
}
