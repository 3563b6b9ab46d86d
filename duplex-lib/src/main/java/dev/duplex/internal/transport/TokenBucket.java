package dev.duplex.internal.transport;

import dev.duplex.Rate;

/**
 * A token bucket over {@link System#nanoTime()} readings that the caller passes in, so tests
 * can drive it with any clock. Holds up to {@code burst} tokens and refills at the rate; a
 * {@link #take} may leave it in debt (negative), which later refills pay off first. Not
 * thread-safe: one owner, or the caller's lock.
 */
final class TokenBucket {
    private final double perNano;
    private final double capacity;
    private double tokens;
    private long last;

    TokenBucket(Rate rate, long nowNanos) {
        this.perNano = rate.perSecond() / 1e9;
        this.capacity = rate.burst();
        this.tokens = capacity;
        this.last = nowNanos;
    }

    /** The tokens there are now; negative while in debt. */
    double tokens(long nowNanos) {
        refill(nowNanos);
        return tokens;
    }

    /** Takes {@code n} tokens whether or not there are that many. */
    void take(double n, long nowNanos) {
        refill(nowNanos);
        tokens -= n;
    }

    /** Takes {@code n} tokens if there are that many; false, and nothing taken, if not. */
    boolean tryTake(double n, long nowNanos) {
        refill(nowNanos);
        if (tokens < n) {
            return false;
        }
        tokens -= n;
        return true;
    }

    /** How long until the bucket holds {@code level} tokens; 0 if it already does. */
    long nanosUntil(double level, long nowNanos) {
        refill(nowNanos);
        if (tokens >= level) {
            return 0;
        }
        return (long) Math.ceil((level - tokens) / perNano);
    }

    /** Whether the bucket is full, so forgetting it loses nothing. */
    boolean isFull(long nowNanos) {
        refill(nowNanos);
        return tokens >= capacity;
    }

    private void refill(long nowNanos) {
        long elapsed = nowNanos - last;
        if (elapsed > 0) {
            tokens = Math.min(capacity, tokens + elapsed * perNano);
            last = nowNanos;
        }
    }
}
