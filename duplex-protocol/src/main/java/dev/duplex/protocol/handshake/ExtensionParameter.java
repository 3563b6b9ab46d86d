package dev.duplex.protocol.handshake;

import java.util.Objects;

/**
 * One parameter of an extension offer or response: {@code name} or {@code name=value} (RFC 6455
 * 9.1). A value sent as a quoted-string is held unquoted; RFC 6455 9.1 requires it to be a token
 * once unquoted, so every value here is a token and is written back bare.
 *
 * @param name the parameter name, a token, e.g. {@code client_max_window_bits}
 * @param value the value, a token, or {@code null} for a parameter without one
 */
public record ExtensionParameter(String name, String value) {

    /**
     * Checks that the parameter can be written back as it is.
     *
     * @throws IllegalArgumentException if the name, or a value that is present, is not a token
     */
    public ExtensionParameter {
        Objects.requireNonNull(name, "name");
        if (!HttpSyntax.isToken(name)) {
            throw new IllegalArgumentException("extension parameter name is not a token");
        }
        if (value != null && !HttpSyntax.isToken(value)) {
            throw new IllegalArgumentException("extension parameter value is not a token");
        }
    }

    /** A parameter without a value. */
    public static ExtensionParameter of(String name) {
        return new ExtensionParameter(name, null);
    }

    /** A parameter with a value. */
    public static ExtensionParameter of(String name, String value) {
        return new ExtensionParameter(name, Objects.requireNonNull(value, "value"));
    }

    /** {@code name} or {@code name=value}, as it appears in the header. */
    @Override
    public String toString() {
        return value == null ? name : name + "=" + value;
    }
}
