package dev.duplex;

import java.time.Duration;
import java.util.Objects;

/**
 * How fast one peer may send on an open connection (rows F1, H3, H7): messages per second,
 * control frames included so that a ping flood counts, bytes per second, and control frames
 * (pings and pongs) per second on their own. The message and byte rates are off by default;
 * the control-frame rate is on ({@link #DEFAULT_CONTROL_FRAMES}), since no client needs to
 * ping hundreds of times a second and a ping flood otherwise costs the server a pong per ping
 * and a share of its CPU that other connections then lack.
 *
 * <p>What happens to the excess is the queue-then-reject policy: the connection stops reading,
 * so the peer's further bytes wait in TCP buffers and TCP pushes back on the sender (nothing is
 * lost), until the bucket has a token again. A peer that is still over the rate once it has been
 * held back for {@code grace} is failed with 1008 (policy violation); so is one whose backlog
 * could not be worked off within what is left of {@code grace}. With {@link Excess#CLOSE} the
 * first event past the burst fails the connection at once. Immutable; build with
 * {@link #builder()}.
 *
 * @param messages the message rate, each data message, ping or pong one token
 *     (default {@link Rate#UNLIMITED})
 * @param bytes the byte rate over everything read from the socket, and over what compressed
 *     messages inflate to beyond their compressed size, so that a limit in bytes means the
 *     bytes the server handles (row H3; default {@link Rate#UNLIMITED}); a read takes at most a
 *     burst's worth of bytes, so the burst is also the largest read
 * @param grace how long a peer may stay over the rate, held back, before 1008 (default 10 s)
 * @param onExcess whether excess is held back first ({@link Excess#PAUSE_THEN_CLOSE}, the
 *     default) or fails the connection at once ({@link Excess#CLOSE})
 */
public record RateLimits(Rate messages, Rate bytes, Rate controlFrames, Duration grace, Excess onExcess) {

    public static final Duration DEFAULT_GRACE = Duration.ofSeconds(10);

    /**
     * 100 pings and pongs a second, with a burst of 100: far above any keepalive, and a burst
     * of pings (Autobahn's 2.10 sends ten at once) is answered without delay.
     */
    public static final Rate DEFAULT_CONTROL_FRAMES = Rate.perSecond(100);

    /** The defaults: messages and bytes unlimited, control frames at {@link #DEFAULT_CONTROL_FRAMES}. */
    public static final RateLimits DEFAULTS = builder().build();

    /** No rate limits at all, control frames included. */
    public static final RateLimits NONE = builder().controlFrames(Rate.UNLIMITED).build();

    /** What to do with a peer past its burst. */
    public enum Excess {
        /** Stop reading until tokens come back; 1008 if the peer is still over after the grace. */
        PAUSE_THEN_CLOSE,
        /** 1008 at once. */
        CLOSE
    }

    public RateLimits {
        Objects.requireNonNull(messages, "messages");
        Objects.requireNonNull(bytes, "bytes");
        Objects.requireNonNull(controlFrames, "controlFrames");
        Objects.requireNonNull(onExcess, "onExcess");
        if (grace == null || grace.isNegative()) {
            throw new IllegalArgumentException("grace must not be negative");
        }
    }

    /** Whether no rate is limited. */
    public boolean isUnlimited() {
        return messages.isUnlimited() && bytes.isUnlimited() && controlFrames.isUnlimited();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds {@link RateLimits}; starts from the defaults. */
    public static final class Builder {
        private Rate messages = Rate.UNLIMITED;
        private Rate bytes = Rate.UNLIMITED;
        private Rate controlFrames = DEFAULT_CONTROL_FRAMES;
        private Duration grace = DEFAULT_GRACE;
        private Excess onExcess = Excess.PAUSE_THEN_CLOSE;

        private Builder() {}

        /** Messages and control frames per second a peer may send. */
        public Builder messages(Rate rate) {
            this.messages = Objects.requireNonNull(rate);
            return this;
        }

        /** Bytes per second a peer may send. */
        public Builder bytes(Rate rate) {
            this.bytes = Objects.requireNonNull(rate);
            return this;
        }

        /**
         * Pings and pongs per second a peer may send, on top of the message rate (default
         * {@link #DEFAULT_CONTROL_FRAMES}; {@link Rate#UNLIMITED} turns it off).
         */
        public Builder controlFrames(Rate rate) {
            this.controlFrames = Objects.requireNonNull(rate);
            return this;
        }

        /** How long a peer may stay over the rate, held back, before 1008 (default 10 s). */
        public Builder grace(Duration grace) {
            this.grace = grace;
            return this;
        }

        /** Whether excess is held back first (default) or fails the connection at once. */
        public Builder onExcess(Excess onExcess) {
            this.onExcess = Objects.requireNonNull(onExcess);
            return this;
        }

        public RateLimits build() {
            return new RateLimits(messages, bytes, controlFrames, grace, onExcess);
        }
    }
}
