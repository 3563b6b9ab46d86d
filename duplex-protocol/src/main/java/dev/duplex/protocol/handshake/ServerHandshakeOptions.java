package dev.duplex.protocol.handshake;

import java.util.List;
import java.util.Objects;

/**
 * What a server accepts in an opening handshake. Immutable; build one with {@link #builder()}.
 *
 * @param subprotocols the subprotocols the server speaks, most preferred first; the first of them
 *     that the client offered is chosen (RFC 6455 4.2.2 item 5.5 leaves the choice to the
 *     server). Default: none, and the handshake succeeds without a subprotocol.
 * @param originPolicy which {@code Origin} is accepted. Default: {@link OriginPolicy#sameOrigin()}.
 * @param extensions which offered extensions are accepted. Default: {@link ExtensionNegotiator#none()}.
 */
public record ServerHandshakeOptions(List<String> subprotocols, OriginPolicy originPolicy, ExtensionNegotiator extensions) {

    /** No subprotocols, same-origin only, no extensions. */
    public static final ServerHandshakeOptions DEFAULTS = builder().build();

    /** @throws IllegalArgumentException if a subprotocol is not a token (RFC 6455 11.3.4) */
    public ServerHandshakeOptions {
        subprotocols = List.copyOf(subprotocols);
        for (String p : subprotocols) {
            if (!HttpSyntax.isToken(p)) {
                throw new IllegalArgumentException("subprotocol is not a token: " + p);
            }
        }
        Objects.requireNonNull(originPolicy, "originPolicy");
        Objects.requireNonNull(extensions, "extensions");
    }

    /** A builder holding the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds {@link ServerHandshakeOptions}; starts from the defaults. */
    public static final class Builder {
        private List<String> subprotocols = List.of();
        private OriginPolicy originPolicy = OriginPolicy.sameOrigin();
        private ExtensionNegotiator extensions = ExtensionNegotiator.none();

        private Builder() {}

        /** The subprotocols the server speaks, most preferred first. */
        public Builder subprotocols(List<String> subprotocols) {
            this.subprotocols = List.copyOf(subprotocols);
            return this;
        }

        /** The subprotocols the server speaks, most preferred first. */
        public Builder subprotocols(String... subprotocols) {
            return subprotocols(List.of(subprotocols));
        }

        /** Which {@code Origin} is accepted. */
        public Builder originPolicy(OriginPolicy originPolicy) {
            this.originPolicy = Objects.requireNonNull(originPolicy, "originPolicy");
            return this;
        }

        /** Which offered extensions are accepted. */
        public Builder extensions(ExtensionNegotiator extensions) {
            this.extensions = Objects.requireNonNull(extensions, "extensions");
            return this;
        }

        public ServerHandshakeOptions build() {
            return new ServerHandshakeOptions(subprotocols, originPolicy, extensions);
        }
    }
}
