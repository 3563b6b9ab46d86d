package dev.duplex;

import com.sun.management.UnixOperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.util.Objects;

/**
 * Limits across a whole server rather than one connection (rows A19, H4, H5). The connection
 * caps are checked as a socket is accepted, before a byte of its request is parsed, so a flood
 * from one address costs the server a refusal and nothing more: over the global cap the answer
 * is 503, over a per-address cap 429, both with {@code Retry-After}. The per-user cap can only be
 * checked once a {@link HandshakeInterceptor} has said who the client is, so it comes after the
 * request is read and before the 101: 429 with {@code Retry-After}. Every cap is off by default
 * except the connection cap under the file descriptor limit and the two byte budgets.
 * Immutable; build with {@link #builder()}.
 *
 * <p>An "address" is the client's IP address; IPv6 addresses count per /64 network, since one
 * host usually holds a whole /64. Behind a proxy every client has the proxy's address: leave the
 * per-address caps off there, or put them in the proxy.
 *
 * @param maxConnections the most connections at once, WebSocket and plain HTTP, handshakes
 *     included (default {@link #DEFAULT_MAX_CONNECTIONS}: what the process's file descriptor
 *     limit leaves, once the descriptors open at start and a headroom of a tenth of the
 *     limit (at least 64) are set aside; unlimited where the limit cannot be read)
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
 * @param outboundBudget the bytes that may wait to be written across every connection
 *     together (row H8): each connection's hard limit bounds its own backlog, and this bounds
 *     their sum. Past it, the connection holding the most is closed: its queue is dropped and
 *     its socket closed at once (its peer is not reading, so a close frame behind the backlog
 *     would not reach it), and its {@code onClose} reports 1013 (try again later). Default
 *     {@link #DEFAULT_OUTBOUND_BUDGET}
 */
public record ServerLimits(int maxConnections, int maxConnectionsPerAddress, Rate connectionAttemptsPerAddress,
                           int maxConnectionsPerPrincipal, long incompleteMessageBudget, long outboundBudget) {

    /** "No cap" for the connection counts. */
    public static final int UNLIMITED = Integer.MAX_VALUE;

    /**
     * 256 MiB, or a quarter of the maximum heap when that is less: room for 256 messages of the
     * default 1 MiB limit arriving at once, and never most of a small heap.
     */
    public static final long DEFAULT_INCOMPLETE_MESSAGE_BUDGET =
            Math.min(256L << 20, Runtime.getRuntime().maxMemory() / 4);

    /**
     * 1 GiB, or an eighth of the maximum heap when that is less: with the incomplete-message
     * budget and what handlers hold, peers that do not read cannot take most of a small heap.
     */
    public static final long DEFAULT_OUTBOUND_BUDGET = Math.min(1L << 30, Runtime.getRuntime().maxMemory() / 8);

    /**
     * The process's limit on open file descriptors, read when this class is loaded, less the
     * descriptors already open then (the JVM's jars and sockets) and a headroom of a tenth of
     * the limit, at least 64, for what the application opens later: so that a flood of
     * connections meets a 503 rather than the limit itself (row H9). At least 1;
     * {@link #UNLIMITED} where the limit cannot be read.
     */
    public static final int DEFAULT_MAX_CONNECTIONS = connectionsUnderFileLimit();

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
        if (outboundBudget < 1) {
            throw new IllegalArgumentException("outboundBudget must be at least 1 byte");
        }
    }

    private static int connectionsUnderFileLimit() {
        if (!(ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix)) {
            return UNLIMITED;
        }
        long limit = unix.getMaxFileDescriptorCount();
        if (limit <= 0 || limit >= UNLIMITED) {
            return UNLIMITED;
        }
        long open = Math.max(0, unix.getOpenFileDescriptorCount());
        long headroom = Math.max(64, limit / 10);
        return (int) Math.max(1, limit - open - headroom);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these limits. */
    public Builder toBuilder() {
        return new Builder().maxConnections(maxConnections).maxConnectionsPerAddress(maxConnectionsPerAddress)
                .connectionAttemptsPerAddress(connectionAttemptsPerAddress)
                .maxConnectionsPerPrincipal(maxConnectionsPerPrincipal)
                .incompleteMessageBudget(incompleteMessageBudget)
                .outboundBudget(outboundBudget);
    }

    /** Builds {@link ServerLimits}; every setting starts at its default. */
    public static final class Builder {
        private int maxConnections = DEFAULT_MAX_CONNECTIONS;
        private int maxConnectionsPerAddress = UNLIMITED;
        private Rate connectionAttemptsPerAddress = Rate.UNLIMITED;
        private int maxConnectionsPerPrincipal = UNLIMITED;
        private long incompleteMessageBudget = DEFAULT_INCOMPLETE_MESSAGE_BUDGET;
        private long outboundBudget = DEFAULT_OUTBOUND_BUDGET;

        private Builder() {}

        /** The most connections at once; past it new ones get 503. {@link #UNLIMITED} turns the cap off. */
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

        /** Bytes waiting to be written across all connections; past it the largest holder is closed (1013). */
        public Builder outboundBudget(long bytes) {
            this.outboundBudget = bytes;
            return this;
        }

        public ServerLimits build() {
            return new ServerLimits(maxConnections, maxConnectionsPerAddress, connectionAttemptsPerAddress,
                    maxConnectionsPerPrincipal, incompleteMessageBudget, outboundBudget);
        }
    }
}
