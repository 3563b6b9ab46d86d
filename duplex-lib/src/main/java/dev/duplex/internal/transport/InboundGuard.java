package dev.duplex.internal.transport;

import dev.duplex.ConnectionOptions;
import dev.duplex.Rate;
import dev.duplex.RateLimits;
import dev.duplex.protocol.CloseStatus;
import dev.duplex.protocol.Connection;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * What one connection's read loop checks about its peer besides the protocol: the message and
 * byte rates (rows F1, H3), the shared budget for incomplete messages (row H5), and the
 * deadlines by which a frame and a message that have begun must end (rows D3, F4), which a peer
 * dripping one byte at a time cannot stretch.
 *
 * <p>Rates are enforced by not reading: while the peer is past its burst the read loop waits for
 * tokens, so its bytes stay in TCP buffers and TCP slows the sender; nothing is dropped. A peer
 * still over the rate after the grace period is failed with 1008. The read loop calls
 * {@link #beforeRead}, {@link #afterRead}, {@link #beforeEvent} and {@link #observe}; the
 * deadlines run on the timers and fail the connection from there.
 */
final class InboundGuard {
    /** While the read loop waits for tokens it looks this often whether the socket was closed. */
    private static final long PAUSE_SLICE_NANOS = Duration.ofMillis(50).toNanos();
    /** A deadline that passes while the handler runs looks again after this long. */
    private static final Duration BUSY_RECHECK = Duration.ofMillis(100);

    /** Where a violation goes: the connection's own fail(code, reason). */
    interface Violations {
        void fail(int code, String reason);
    }

    private final Socket socket;
    private final ThrottledLog failures;
    /** Counts the pauses for a rate and the connections a rate closes. */
    private final MetricsRecorder metrics;
    private final Timers timers;
    private final BooleanSupplier handlerRunning;
    private final Violations violations;
    private final PartialMessageBudget.Account budget;
    private final RateLimits rates;
    private final Throttle messages;     // null when unlimited
    private final TokenBucket bytes;    // null when unlimited
    private final Throttle controls;    // null when unlimited
    private final int maxRead;
    private final Duration frameTimeout;
    private final Duration messageTimeout;

    // Read-loop state (the delivery thread takes message tokens); volatile because the
    // keepalive asks for it from the timers.
    private volatile long bytesThrottledSince;
    private volatile boolean paused;
    private final AtomicBoolean violated = new AtomicBoolean();
    /** The inflation excess already charged to {@link #bytes}; under the connection's lock. */
    private long inflationCharged;

    private final Deadline frame;
    private final Deadline message;

    InboundGuard(Socket socket, ConnectionOptions options, PartialMessageBudget.Account budget, Timers timers,
                 BooleanSupplier handlerRunning, Violations violations, ThrottledLog failures,
                 MetricsRecorder metrics) {
        this.metrics = metrics;
        this.failures = failures;
        this.socket = socket;
        this.timers = timers;
        this.handlerRunning = handlerRunning;
        this.violations = violations;
        this.budget = budget;
        this.rates = options.rateLimits();
        long now = System.nanoTime();
        this.messages = rates.messages().isUnlimited() ? null
                : new Throttle(new TokenBucket(rates.messages(), now), "message rate limit exceeded", 0);
        this.bytes = rates.bytes().isUnlimited() ? null : new TokenBucket(rates.bytes(), now);
        // A flood is never quiet: its grace ends only once the peer lets half the burst refill,
        // not whenever a token happens to be there as the loop comes round (row H7).
        this.controls = rates.controlFrames().isUnlimited() ? null
                : new Throttle(new TokenBucket(rates.controlFrames(), now), "control frame rate limit exceeded",
                        rates.controlFrames().burst() / 2.0);
        Rate byteRate = rates.bytes();
        this.maxRead = byteRate.isUnlimited() ? Integer.MAX_VALUE : (int) Math.min(Integer.MAX_VALUE, byteRate.burst());
        this.frameTimeout = options.frameTimeout();
        this.messageTimeout = options.messageTimeout();
        this.frame = new Deadline("frame", frameTimeout);
        this.message = new Deadline("message", messageTimeout);
    }

    // ---------------------------------------------------------------- rates

    /**
     * Before a read: how many bytes it may take, at most {@code max}. While the peer is in debt
     * to the byte bucket this waits until the debt is paid, or fails the connection when it has
     * been held back for longer than the grace period.
     */
    int beforeRead(int max) {
        if (bytes == null || violated.get()) {
            return max;
        }
        long now = System.nanoTime();
        if (bytes.tokens(now) >= 0) {
            bytesThrottledSince = 0; // the peer is within its rate: no backlog
            return Math.min(max, maxRead);
        }
        if (bytesThrottledSince == 0) {
            bytesThrottledSince = now;
        }
        long wait = bytes.nanosUntil(0, now);
        if (now + wait - bytesThrottledSince > rates.grace().toNanos()) {
            violateRate("byte rate limit exceeded");
            return max;
        }
        pause(wait);
        return Math.min(max, maxRead);
    }

    /**
     * Whether the read loop may read on without asking {@link #beforeRead} first, as it does to
     * drain a burst the socket already holds; not while a byte rate is enforced.
     */
    boolean allowsBurstReads() {
        return bytes == null;
    }

    /** After a read of {@code n} bytes. */
    void afterRead(int n) {
        if (bytes == null || n <= 0 || violated.get()) {
            return;
        }
        long now = System.nanoTime();
        bytes.take(n, now);
        if (rates.onExcess() == RateLimits.Excess.CLOSE && bytes.tokens(now) < 0) {
            violateRate("byte rate limit exceeded");
        }
    }

    /**
     * Before a message goes to the handler: takes a token, waiting for one while the peer is
     * past its burst. False when the connection has been failed instead; the event is then
     * dropped.
     */
    boolean beforeEvent() {
        return take(messages);
    }

    /**
     * Before a ping or pong is answered or goes to the handler: a token of the control-frame
     * rate (rows F1, H7), then one of the message rate, waiting for each as for a message.
     * While a flood waits here, the read loop reads nothing and costs no CPU.
     */
    boolean beforeControlEvent() {
        return take(controls) && take(messages);
    }

    /**
     * A token bucket and since when its peer has been held back for it: each rate has its own,
     * so that a token taken easily from one does not reset the grace of another.
     */
    private static final class Throttle {
        final TokenBucket bucket;
        final String violation;
        /** The tokens left after a take that show the peer is back within the rate. */
        final double quietLevel;
        /** When the peer first found this bucket empty, 0 while it is within the rate. */
        volatile long since;

        Throttle(TokenBucket bucket, String violation, double quietLevel) {
            this.bucket = bucket;
            this.violation = violation;
            this.quietLevel = quietLevel;
        }
    }

    private boolean take(Throttle throttle) {
        if (violated.get()) {
            return false;
        }
        if (throttle == null) {
            return true;
        }
        long now = System.nanoTime();
        if (throttle.bucket.tryTake(1, now)) {
            if (throttle.bucket.tokens(now) >= throttle.quietLevel) {
                throttle.since = 0;
            }
            return true;
        }
        if (rates.onExcess() == RateLimits.Excess.CLOSE) {
            violateRate(throttle.violation);
            return false;
        }
        if (throttle.since == 0) {
            throttle.since = now;
        }
        long wait = throttle.bucket.nanosUntil(1, now);
        if (now + wait - throttle.since > rates.grace().toNanos()) {
            violateRate(throttle.violation);
            return false;
        }
        if (!pause(wait)) {
            return false;
        }
        throttle.bucket.take(1, System.nanoTime());
        return !violated.get();
    }

    /**
     * For a ping or pong the read loop takes while the handler is busy (row H2): takes a token
     * if there is one, without waiting and without failing the connection; false leaves the
     * frame to be handled in its turn, through {@link #beforeEvent}. Called with the
     * connection's lock held while the handler runs, so never at the same time as beforeEvent.
     */
    boolean tryBeforeControlEvent() {
        if (violated.get()) {
            return false;
        }
        long now = System.nanoTime();
        if (controls != null && controls.bucket.tokens(now) < 1) {
            return false;
        }
        if (messages != null && !messages.bucket.tryTake(1, now)) {
            return false;
        }
        if (controls != null) {
            controls.bucket.take(1, now);
            if (controls.bucket.tokens(now) >= controls.quietLevel) {
                controls.since = 0;
            }
        }
        if (messages != null) {
            messages.since = 0;
        }
        return true;
    }

    /**
     * Whether this end is holding the peer back for its rate: waiting for tokens now, or with a
     * backlog it has not yet caught up with. Whatever the peer sent meanwhile (a pong among it)
     * may be waiting unread, so the keepalive must not blame the peer for it; the grace period
     * bounds how long this lasts. Safe to call from any thread.
     */
    boolean holdingBack() {
        return paused || (messages != null && messages.since != 0) || (controls != null && controls.since != 0)
                || bytesThrottledSince != 0;
    }

    /** Waits, looking out for the socket being closed meanwhile; false if it was. */
    private boolean pause(long nanos) {
        metrics.rateLimitPaused();
        paused = true;
        try {
            long deadline = System.nanoTime() + nanos;
            while (true) {
                if (socket.isClosed()) {
                    return false;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return true;
                }
                LockSupport.parkNanos(Math.min(left, PAUSE_SLICE_NANOS));
            }
        } finally {
            paused = false;
        }
    }

    // ---------------------------------------------------------------- budget and deadlines

    /**
     * After the read loop has taken every event the bytes so far make: charges the incomplete
     * message to the shared budget, and starts the frame and message deadlines when a frame or
     * message has begun. Called with the connection's lock held, since it reads the core.
     */
    void observe(Connection core) {
        if (violated.get()) {
            return;
        }
        if (!budget.update(core.incompleteMessageSize())) {
            violate(CloseStatus.TRY_AGAIN_LATER, "server is short of memory for incomplete messages");
            return;
        }
        long now = System.nanoTime();
        chargeInflation(core);
        frame.observe(core.isFrameIncomplete(), now);
        message.observe(core.isMessageIncomplete(), now);
    }

    /**
     * Row H3: the byte rate counts what compressed messages inflate to, not only their wire
     * bytes, so a 3 KB frame that inflates to 1 MiB costs 1 MiB of the rate. The wire bytes are
     * already charged as they are read; here only the growth beyond them. A peer that inflates
     * past its rate waits for tokens like one that sends too fast, and is failed with 1008 when
     * it stays past it for the grace period. Called after each event is taken, before it is
     * delivered, so a message past the rate is not; under the connection's lock.
     */
    void chargeInflation(Connection core) {
        if (bytes == null || violated.get()) {
            return;
        }
        long excess = core.inflationExcess();
        if (excess <= inflationCharged) {
            return;
        }
        long now = System.nanoTime();
        bytes.take(excess - inflationCharged, now);
        inflationCharged = excess;
        if (rates.onExcess() == RateLimits.Excess.CLOSE && bytes.tokens(now) < 0) {
            violateRate("byte rate limit exceeded (inflated bytes)");
        }
    }

    /** The connection is over: gives the budget back and stops the deadlines. */
    void release() {
        violated.set(true);
        frame.stop();
        message.stop();
        budget.release();
    }

    /** A rate passed beyond its grace: 1008, counted as a close by a rate limit. */
    private void violateRate(String reason) {
        if (violate(CloseStatus.POLICY_VIOLATION, reason)) {
            metrics.rateLimitClosed();
        }
    }

    /** Fails the connection; false when it had already failed, so nothing more was done. */
    private boolean violate(int code, String reason) {
        if (!violated.compareAndSet(false, true)) {
            return false; // the read loop and a deadline may find a violation at once: one failure
        }
        failures.log(System.Logger.Level.INFO, "failing connection from {0}: {1} {2}",
                socket.getRemoteSocketAddress(), code, reason);
        violations.fail(code, reason);
        return true;
    }

    /**
     * One completion deadline. At most one timer is pending; when it fires for a frame or
     * message that began later than the one it was set for, it sets itself for the rest of the
     * new one's time instead of the read loop cancelling and setting a timer on every read.
     */
    private final class Deadline {
        private final String what;
        private final Duration timeout;
        private final AtomicBoolean pending = new AtomicBoolean();
        private volatile long since; // 0 when nothing is incomplete
        private volatile ScheduledFuture<?> timer;
        private boolean busyLastTime; // timer thread only

        Deadline(String what, Duration timeout) {
            this.what = what;
            this.timeout = timeout;
        }

        void observe(boolean incomplete, long now) {
            if (timeout.isZero()) {
                return;
            }
            if (!incomplete) {
                since = 0;
            } else if (since == 0) {
                since = now == 0 ? 1 : now;
                if (pending.compareAndSet(false, true)) {
                    timer = timers.schedule(this::check, timeout);
                }
            }
        }

        private void check() {
            // Cleared first, so that a frame the read loop starts meanwhile either sees the flag
            // clear and sets its own timer, or is seen here.
            pending.set(false);
            long started = since;
            if (started == 0 || violated.get()) {
                return;
            }
            long left = started + timeout.toNanos() - System.nanoTime();
            boolean busy = handlerRunning.getAsBoolean() || paused;
            if (left <= 0 && !busy && !busyLastTime) {
                violate(CloseStatus.POLICY_VIOLATION, what + " not completed within " + timeout.toMillis() + " ms");
                return;
            }
            // Time left; or the rest may be waiting unread while this end is busy, which is not
            // the peer's delay: look again once this end has been free for a whole recheck, so
            // that the read loop has caught up with what arrived meanwhile.
            busyLastTime = left <= 0 && busy;
            Duration delay = left > 0 ? Duration.ofNanos(left) : BUSY_RECHECK;
            if (pending.compareAndSet(false, true)) {
                timer = timers.schedule(this::check, delay);
            }
        }

        void stop() {
            since = 0;
            Timers.cancel(timer);
        }
    }
}
