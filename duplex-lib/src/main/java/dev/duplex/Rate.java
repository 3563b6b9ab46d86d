package dev.duplex;

/**
 * A token-bucket rate: on average {@code perSecond} events (messages, bytes, connection
 * attempts), with up to {@code burst} at once after a quiet spell. The bucket holds
 * {@code burst} tokens, refills at {@code perSecond}, and each event takes one token (each byte
 * one token, for a byte rate).
 *
 * @param perSecond the sustained rate; {@link #UNLIMITED} has positive infinity
 * @param burst how many events may come at once; at least 1
 */
public record Rate(double perSecond, long burst) {

    /** No limit at all: the default of every rate option. */
    public static final Rate UNLIMITED = new Rate(Double.POSITIVE_INFINITY, Long.MAX_VALUE);

    /** @throws IllegalArgumentException if the rate is not positive or the burst is under 1 */
    public Rate {
        if (!(perSecond > 0)) {
            throw new IllegalArgumentException("a rate must be positive, not " + perSecond);
        }
        if (burst < 1) {
            throw new IllegalArgumentException("a burst must be at least 1, not " + burst);
        }
    }

    /** {@code perSecond} on average, with a burst of one second's worth (at least 1). */
    public static Rate perSecond(double perSecond) {
        if (!(perSecond > 0) || Double.isInfinite(perSecond)) {
            throw new IllegalArgumentException("a rate must be positive and finite, not " + perSecond);
        }
        return new Rate(perSecond, Math.max(1, (long) Math.ceil(perSecond)));
    }

    /** This rate with another burst. */
    public Rate withBurst(long burst) {
        return new Rate(perSecond, burst);
    }

    /** Whether this is {@link #UNLIMITED}. */
    public boolean isUnlimited() {
        return Double.isInfinite(perSecond);
    }

    @Override
    public String toString() {
        return isUnlimited() ? "Rate[unlimited]" : "Rate[" + perSecond + "/s, burst " + burst + "]";
    }
}
