package dev.duplex;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * When and how often a client connects again after its connection drops: exponential backoff
 * with full jitter. Attempt {@code n} (from 1) waits a uniformly random time between zero and
 * {@code min(maxDelay, initialDelay * multiplier^(n-1))}, so a fleet of clients that lost the
 * same server spreads its attempts instead of arriving together. Off unless set with
 * {@link ClientOptions.Builder#reconnect}.
 *
 * <p>What is never retried: a close the application started itself (by calling
 * {@link WebSocket#close} or {@link WebSocket#abort}), and a close from the server with 1008
 * (policy violation), 1003 (unsupported data) or an application code 4000–4999, which say that
 * trying again would meet the same answer. A reconnect attempt refused with 429 or 503 and a
 * {@code Retry-After} (RFC 9110 10.2.3) waits at least that long. Every attempt goes through
 * the same gate as any connect, so attempts to one host stay one at a time (RFC 6455 4.1, row B7).
 *
 * <p>Each new connection gets {@link WebSocketHandler#onOpen} as the first did, and
 * {@link Listener#reconnected}, the place to resubscribe or resend state. The first connect is
 * not retried: its failure completes {@link WebSocketClient#connect}'s future as it would
 * without a policy, so a wrong URI or a refused login shows at once.
 *
 * @param initialDelay the cap on the first attempt's delay (default 500 ms)
 * @param maxDelay the cap no delay exceeds, Retry-After aside (default 30 s)
 * @param multiplier how much the cap grows per attempt, at least 1 (default 2)
 * @param maxAttempts attempts after each drop before giving up, or {@link #FOREVER} (default 10)
 * @param listener told of each attempt, each reconnect and the end; called on the connector's
 *     threads, so it should return quickly (default: none)
 * @param random the source of the jitter (default: a new {@link java.util.SplittableRandom}
 *     per client connection); tests may pass a seeded one
 */
public record ReconnectPolicy(Duration initialDelay, Duration maxDelay, double multiplier, int maxAttempts,
                              Listener listener, RandomGenerator random) {
    /** {@link #maxAttempts()} for a client that never gives up. */
    public static final int FOREVER = Integer.MAX_VALUE;

    /** What a reconnecting client reports. Every method has an empty default. */
    public interface Listener {
        /**
         * Attempt {@code attempt} (from 1) will start after {@code delay}; {@code cause} is why
         * the previous connection or attempt ended (the close code, or the exception).
         */
        default void attemptScheduled(int attempt, Duration delay, String cause) {}

        /** Attempt {@code attempt} is starting now, its delay over. */
        default void attemptStarting(int attempt) {}

        /**
         * A new connection is open after {@code attempts} attempts: resubscribe or resend state
         * here. Called once per reconnect. {@link WebSocketHandler#onOpen} runs for the same
         * connection on the connection's own thread and may not have returned yet, so state
         * that both set up needs its own synchronisation.
         */
        default void reconnected(WebSocket socket, int attempts) {}

        /** No more attempts will be made: {@code reason} says why (a code not to retry, the attempts used up). */
        default void gaveUp(String reason) {}
    }

    public ReconnectPolicy {
        requirePositive(initialDelay, "initialDelay");
        requirePositive(maxDelay, "maxDelay");
        if (maxDelay.compareTo(initialDelay) < 0) {
            throw new IllegalArgumentException("maxDelay must be at least initialDelay");
        }
        if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
            throw new IllegalArgumentException("multiplier must be a finite number of at least 1, not " + multiplier);
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1");
        }
        listener = listener == null ? new Listener() { } : listener;
    }

    /** Whether a close with this code, received from the server, may be followed by a reconnect. */
    public static boolean isRetryable(int closeCode) {
        return closeCode != 1008 && closeCode != 1003 && (closeCode < 4000 || closeCode > 4999);
    }

    /**
     * The cap on attempt {@code attempt}'s delay (from 1): {@code min(maxDelay, initialDelay *
     * multiplier^(attempt-1))}.
     */
    public Duration ceiling(int attempt) {
        double nanos = initialDelay.toNanos() * Math.pow(multiplier, Math.max(0, attempt - 1));
        return nanos >= maxDelay.toNanos() ? maxDelay : Duration.ofNanos((long) nanos);
    }

    /** A delay for attempt {@code attempt} with full jitter: uniform in [0, {@link #ceiling}]. */
    public Duration delay(int attempt, RandomGenerator jitter) {
        long ceiling = ceiling(attempt).toNanos();
        return Duration.ofNanos(jitter.nextLong(ceiling + 1));
    }

    public static Builder builder() {
        return new Builder();
    }

    private static void requirePositive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive");
        }
    }

    /** Builds a {@link ReconnectPolicy}; every setting starts at its default. Not thread-safe. */
    public static final class Builder {
        private Duration initialDelay = Duration.ofMillis(500);
        private Duration maxDelay = Duration.ofSeconds(30);
        private double multiplier = 2.0;
        private int maxAttempts = 10;
        private Listener listener;
        private RandomGenerator random;

        private Builder() {}

        /** The cap on the first attempt's delay (default 500 ms). */
        public Builder initialDelay(Duration delay) {
            this.initialDelay = delay;
            return this;
        }

        /** The cap no delay exceeds, except one a {@code Retry-After} asks for (default 30 s). */
        public Builder maxDelay(Duration delay) {
            this.maxDelay = delay;
            return this;
        }

        /** How much the cap grows per attempt (default 2). */
        public Builder multiplier(double multiplier) {
            this.multiplier = multiplier;
            return this;
        }

        /** Attempts after each drop before giving up (default 10). */
        public Builder maxAttempts(int attempts) {
            this.maxAttempts = attempts;
            return this;
        }

        /** Never gives up. */
        public Builder forever() {
            this.maxAttempts = FOREVER;
            return this;
        }

        /** Told of each attempt and each reconnect (default: none). */
        public Builder listener(Listener listener) {
            this.listener = listener;
            return this;
        }

        /** The jitter's random source (default: a fresh one per connection). */
        public Builder random(RandomGenerator random) {
            this.random = Objects.requireNonNull(random, "random");
            return this;
        }

        public ReconnectPolicy build() {
            return new ReconnectPolicy(initialDelay, maxDelay, multiplier, maxAttempts, listener, random);
        }
    }
}
