package dev.duplex;

import dev.duplex.protocol.Limits;
import java.time.Duration;
import java.util.Objects;

/**
 * How one connection behaves once open, at either end: limits on what the peer may send, the
 * outbound queue, and the timers. Immutable; build with {@link #builder()}.
 *
 * @param limits inbound message size and fragment count (default {@link Limits#DEFAULTS}:
 *     1 MiB, 4096 fragments)
 * @param outboundSoftLimit queued bytes at which {@link WebSocket#isWritable()} turns false:
 *     it is true only while fewer bytes than this are queued (default 64 KiB)
 * @param outboundHardLimit the backlog a send may not take the queue past (row H10): a send
 *     that would fails its future and closes the connection with 1013 (try again later), since
 *     a message has been lost. It bounds a backlog, not one message: any message, however
 *     large, is queued when nothing is waiting. Pongs and close frames count towards it and
 *     are never refused; at most one pong waits at a time (row H7). Default 4 MiB
 * @param writeStallTimeout how long a write may make no progress before the connection is
 *     aborted, since a blocking socket write has no timeout of its own (default 30 s)
 * @param pingInterval how often to ping the peer; zero turns keepalive off (default 20 s)
 * @param pongTimeout how long to wait for a pong before failing with 1011 (default 20 s)
 * @param closeTimeout how long to wait for the peer's close frame, and then for the TCP close,
 *     before aborting (default 10 s)
 * @param rateLimits how fast the peer may send messages and bytes, and what happens past that
 *     (default {@link RateLimits#DEFAULTS}: only control frames are limited; rows F1, H3, H7)
 * @param frameTimeout how long a frame may take from its first byte to its last before the
 *     connection is failed with 1008, so that a peer dripping bytes cannot hold it open; zero
 *     turns it off (default 30 s; row F4)
 * @param messageTimeout the same for a whole message, from its first frame to its final one
 *     (default 60 s; rows D3, F4). Time this end spends in the handler or holding the peer back
 *     for its rate does not count against the peer.
 * @param inboundQueueLimit how many bytes the read loop takes from the socket and holds while
 *     the handler is busy with a message; once it holds this many or more it stops reading, so
 *     TCP holds the peer back and memory stays bounded. Until then it keeps reading, and a ping
 *     or pong at the front of what it holds is answered or taken at once, not behind the busy
 *     handler (default 64 KiB, at least 1; row H2)
 */
public record ConnectionOptions(
        Limits limits,
        long outboundSoftLimit,
        long outboundHardLimit,
        Duration writeStallTimeout,
        Duration pingInterval,
        Duration pongTimeout,
        Duration closeTimeout,
        RateLimits rateLimits,
        Duration frameTimeout,
        Duration messageTimeout,
        long inboundQueueLimit) {

    public static final long DEFAULT_OUTBOUND_SOFT_LIMIT = 64 * 1024;
    public static final long DEFAULT_OUTBOUND_HARD_LIMIT = 4 * 1024 * 1024;
    public static final Duration DEFAULT_WRITE_STALL_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_PING_INTERVAL = Duration.ofSeconds(20);
    public static final Duration DEFAULT_PONG_TIMEOUT = Duration.ofSeconds(20);
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(10);
    /** Room for a 1 MiB frame at about 35 KB/s, while a byte drip is cut off within a minute. */
    public static final Duration DEFAULT_FRAME_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_MESSAGE_TIMEOUT = Duration.ofSeconds(60);
    /** Room for a few pipelined messages behind a busy handler; bounded like the outbound soft limit. */
    public static final long DEFAULT_INBOUND_QUEUE_LIMIT = 64 * 1024;

    /** The defaults listed above. */
    public static final ConnectionOptions DEFAULTS = builder().build();

    public ConnectionOptions {
        Objects.requireNonNull(limits, "limits");
        if (outboundSoftLimit < 0 || outboundHardLimit < outboundSoftLimit) {
            throw new IllegalArgumentException("need 0 <= outboundSoftLimit <= outboundHardLimit");
        }
        requirePositive(writeStallTimeout, "writeStallTimeout");
        Objects.requireNonNull(pingInterval, "pingInterval");
        if (pingInterval.isNegative()) {
            throw new IllegalArgumentException("pingInterval must not be negative");
        }
        requirePositive(pongTimeout, "pongTimeout");
        requirePositive(closeTimeout, "closeTimeout");
        Objects.requireNonNull(rateLimits, "rateLimits");
        requireNotNegative(frameTimeout, "frameTimeout");
        requireNotNegative(messageTimeout, "messageTimeout");
        if (inboundQueueLimit < 1) {
            throw new IllegalArgumentException("inboundQueueLimit must be at least 1");
        }
    }

    private static void requireNotNegative(Duration d, String name) {
        if (d == null || d.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative");
        }
    }

    private static void requirePositive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        return new Builder().limits(limits).outboundSoftLimit(outboundSoftLimit)
                .outboundHardLimit(outboundHardLimit).writeStallTimeout(writeStallTimeout)
                .pingInterval(pingInterval).pongTimeout(pongTimeout).closeTimeout(closeTimeout)
                .rateLimits(rateLimits).frameTimeout(frameTimeout).messageTimeout(messageTimeout)
                .inboundQueueLimit(inboundQueueLimit);
    }

    /** Builds {@link ConnectionOptions}; every setting starts at its default. */
    public static final class Builder {
        private Limits limits = Limits.DEFAULTS;
        private long outboundSoftLimit = DEFAULT_OUTBOUND_SOFT_LIMIT;
        private long outboundHardLimit = DEFAULT_OUTBOUND_HARD_LIMIT;
        private Duration writeStallTimeout = DEFAULT_WRITE_STALL_TIMEOUT;
        private Duration pingInterval = DEFAULT_PING_INTERVAL;
        private Duration pongTimeout = DEFAULT_PONG_TIMEOUT;
        private Duration closeTimeout = DEFAULT_CLOSE_TIMEOUT;
        private RateLimits rateLimits = RateLimits.DEFAULTS;
        private Duration frameTimeout = DEFAULT_FRAME_TIMEOUT;
        private Duration messageTimeout = DEFAULT_MESSAGE_TIMEOUT;
        private long inboundQueueLimit = DEFAULT_INBOUND_QUEUE_LIMIT;

        private Builder() {}

        public Builder limits(Limits limits) {
            this.limits = limits;
            return this;
        }

        public Builder maxMessageSize(long bytes) {
            this.limits = limits.withMaxMessageSize(bytes);
            return this;
        }

        public Builder maxFragments(int count) {
            this.limits = limits.withMaxFragments(count);
            return this;
        }

        public Builder outboundSoftLimit(long bytes) {
            this.outboundSoftLimit = bytes;
            return this;
        }

        public Builder outboundHardLimit(long bytes) {
            this.outboundHardLimit = bytes;
            return this;
        }

        public Builder writeStallTimeout(Duration timeout) {
            this.writeStallTimeout = timeout;
            return this;
        }

        /** Zero turns keepalive pings off. */
        public Builder pingInterval(Duration interval) {
            this.pingInterval = interval;
            return this;
        }

        public Builder pongTimeout(Duration timeout) {
            this.pongTimeout = timeout;
            return this;
        }

        public Builder closeTimeout(Duration timeout) {
            this.closeTimeout = timeout;
            return this;
        }

        /** How fast the peer may send (default: no limits). */
        public Builder rateLimits(RateLimits rateLimits) {
            this.rateLimits = rateLimits;
            return this;
        }

        /** How long one frame may take to arrive; zero turns the deadline off (default 30 s). */
        public Builder frameTimeout(Duration timeout) {
            this.frameTimeout = timeout;
            return this;
        }

        /** How long one message may take to arrive; zero turns the deadline off (default 60 s). */
        public Builder messageTimeout(Duration timeout) {
            this.messageTimeout = timeout;
            return this;
        }

        /**
         * How many bytes read while the handler is busy are held before reading stops
         * (default 64 KiB, at least 1; row H2).
         */
        public Builder inboundQueueLimit(long bytes) {
            this.inboundQueueLimit = bytes;
            return this;
        }

        public ConnectionOptions build() {
            return new ConnectionOptions(limits, outboundSoftLimit, outboundHardLimit,
                    writeStallTimeout, pingInterval, pongTimeout, closeTimeout,
                    rateLimits, frameTimeout, messageTimeout, inboundQueueLimit);
        }
    }
}
