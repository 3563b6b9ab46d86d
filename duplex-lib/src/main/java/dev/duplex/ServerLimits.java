package dev.duplex;

import java.util.Objects;

/**
 * Limits across a whole server rather than one connection (rows A19, H4, H5). The connection
 * caps are checked as a socket is accepted, before a byte of its request is parsed, so a flood
 * from one address costs the server a refusal and nothing more: over the global cap the answer
 * is 503, over a per-address cap 429, both with {@code Retry-After}. The per-user cap can only be
 * checked once a {@link HandshakeInterceptor} has said who the client is, so it comes after the
 * request is read and before the 101: 429 with {@code Retry-After}. Every cap is off by default
 * except the budget for incomplete messages. Immutable; build with {@link #builder()}.
 *
 * <p>An "address" is the client's IP address; IPv6 addresses count per /64 network, since one
 * host usually holds a whole /64. Behind a proxy every client has the proxy's address: leave the
 * per-address caps off there, or put them in the proxy.
 *
 * @param maxConnections the most connections at once, WebSocket and plain HTTP, handshakes
 *     included (default {@link #UNLIMITED})
 * @param maxConnectionsPerAddress the most connections at once from one address (default
 *     {@link #UNLIMITED})
 * @param connectionAttemptsPerAddress how fast one address may open connections (default
 *     {@link Rate#UNLIMITED})
 * @param maxConnectionsPerPrincipal the most WebSocket connections at once for one user, the
 *     {@link java.security.Principal} an interceptor accepted the handshake with, counted by
 *     {@link java.security.Principal#getName() name}; handshakes accepted without a principal
 *     are not counted (default {@link #UNLIMITED})
 * @param incompleteMessageBudget the bytes that messages still arriving may hold across every
 *     connection together; the connection whose message would take the total past it is failed
 *     with 1013 (try again later), since the server, not that peer alone, is short. Checked
 *     after each read. Default {@link #DEFAULT_INCOMPLETE_MESSAGE_BUDGET}
 */
public record ServerLimits(int maxConnections, int maxConnectionsPerAddress, Rate connectionAttemptsPerAddress,
                           int maxConnectionsPerPrincipal, long incompleteMessageBudget) {

    /** "No cap" for the connection counts. */
    public static final int UNLIMITED = Integer.MAX_VALUE;

    /**
     * 256 MiB, or a quarter of the maximum heap when that is less: room for 256 messages of the
     * default 1 MiB limit arriving at once, and never most of a small heap.
     */
    public static final long DEFAULT_INCOMPLETE_MESSAGE_BUDGET =
            Math.min(256L << 20, Runtime.getRuntime().maxMemory() / 4);

    /** The defaults above. */
    public static final ServerLimits DEFAULTS = builder().build();

    public ServerLimits {
        if (maxConnections < 1 || maxConnectionsPerAddress < 1 || maxConnectionsPerPrincipal < 1) {
            throw new IllegalArgumentException("connection caps must be at least 1");
        }
        Objects.requireNonNull(connectionAttemptsPerAddress, "connectionAttemptsPerAddress");
        if (incompleteMessageBudget < 0) {
            throw new IllegalArgumentException("incompleteMessageBudget must not be negative");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these limits. */
    public Builder toBuilder() {
        return new Builder().maxConnections(maxConnections).maxConnectionsPerAddress(maxConnectionsPerAddress)
                .connectionAttemptsPerAddress(connectionAttemptsPerAddress)
                .maxConnectionsPerPrincipal(maxConnectionsPerPrincipal)
                .incompleteMessageBudget(incompleteMessageBudget);
    }

    /** Builds {@link ServerLimits}; every setting starts at its default. */
    public static final class Builder {
        private int maxConnections = UNLIMITED;
        private int maxConnectionsPerAddress = UNLIMITED;
        private Rate connectionAttemptsPerAddress = Rate.UNLIMITED;
        private int maxConnectionsPerPrincipal = UNLIMITED;
        private long incompleteMessageBudget = DEFAULT_INCOMPLETE_MESSAGE_BUDGET;

        private Builder() {}

        /** The most connections at once; past it new ones get 503. */
        public Builder maxConnections(int max) {
            this.maxConnections = max;
            return this;
        }

        /** The most connections at once from one address; past it new ones get 429. */
        public Builder maxConnectionsPerAddress(int max) {
            this.maxConnectionsPerAddress = max;
            return this;
        }

        /** How fast one address may open connections; faster ones get 429. */
        public Builder connectionAttemptsPerAddress(Rate rate) {
            this.connectionAttemptsPerAddress = Objects.requireNonNull(rate);
            return this;
        }

        /** The most connections at once for one user (principal name); past it new ones get 429. */
        public Builder maxConnectionsPerPrincipal(int max) {
            this.maxConnectionsPerPrincipal = max;
            return this;
        }

        /** Bytes of incomplete messages across all connections; past it 1013. */
        public Builder incompleteMessageBudget(long bytes) {
            this.incompleteMessageBudget = bytes;
            return this;
        }

        public ServerLimits build() {
            return new ServerLimits(maxConnections, maxConnectionsPerAddress, connectionAttemptsPerAddress,
                    maxConnectionsPerPrincipal, incompleteMessageBudget);
        }
    }
}
