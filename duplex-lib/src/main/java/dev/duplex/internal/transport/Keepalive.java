package dev.duplex.internal.transport;

import dev.duplex.ConnectionOptions;
import dev.duplex.protocol.CloseStatus;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * A connection's keepalive: a ping every {@link ConnectionOptions#pingInterval()} (none when it
 * is zero), and a failure with 1011 when its pong has not come within
 * {@link ConnectionOptions#pongTimeout()}. The timers call it; the read loop and the delivery
 * thread tell it of pongs.
 */
final class Keepalive {
    private static final String PING_PAYLOAD = "duplex-keepalive";

    private final ReentrantLock lock;
    private final ThrottledLog failures;
    private final Timers timers;
    private final Duration pingInterval;
    private final Duration pongTimeout;
    private final InetSocketAddress peer;
    private final Predicate<ByteBuffer> pingIfOpen;
    private final BooleanSupplier ended;
    private final BooleanSupplier pongMayBeUnread;
    private final InboundGuard.Violations violations;

    // Volatile: set by the timer thread or the read loop, cancelled from whichever thread ends
    // the connection or reads the pong. A deadline that escapes a cancel finds awaitingPong
    // false, or the connection ended, and does nothing.
    private volatile boolean awaitingPong;
    private volatile ScheduledFuture<?> keepaliveTask;
    private volatile ScheduledFuture<?> pongDeadline;

    /**
     * @param lock the connection's lock, held while the ping is queued and its deadline set
     * @param peer the peer's address, for the log
     * @param pingIfOpen queues a ping with this payload if the connection is open, and says
     *     whether it did; called under {@code lock}
     * @param ended whether the connection has ended
     * @param pongMayBeUnread whether a pong may be waiting unread (the handler runs, or the
     *     rate limiter holds the peer back)
     * @param violations where the 1011 goes: the connection's own fail(code, reason)
     * @param failures where the missed pong is logged, throttled with the server's other failures
     */
    Keepalive(ReentrantLock lock, Timers timers, ConnectionOptions options, InetSocketAddress peer,
              Predicate<ByteBuffer> pingIfOpen, BooleanSupplier ended, BooleanSupplier pongMayBeUnread,
              InboundGuard.Violations violations, ThrottledLog failures) {
        this.lock = lock;
        this.failures = failures;
        this.timers = timers;
        this.pingInterval = options.pingInterval();
        this.pongTimeout = options.pongTimeout();
        this.peer = peer;
        this.pingIfOpen = pingIfOpen;
        this.ended = ended;
        this.pongMayBeUnread = pongMayBeUnread;
        this.violations = violations;
    }

    /** Starts the pings; called once, by the read loop before it reads. */
    void start() {
        if (!pingInterval.isZero()) {
            keepaliveTask = timers.scheduleRepeating(this::sendPing, pingInterval);
        }
    }

    /** Stops the pings and the pong deadline; called once, when the connection ends. */
    void stop() {
        Timers.cancel(keepaliveTask);
        Timers.cancel(pongDeadline);
    }

    /** A pong came: the peer is alive. */
    void pongReceived() {
        awaitingPong = false;
        Timers.cancel(pongDeadline);
    }

    private void sendPing() {
        if (awaitingPong || ended.getAsBoolean()) {
            return;
        }
        lock.lock();
        try {
            if (!pingIfOpen.test(ByteBuffer.wrap(PING_PAYLOAD.getBytes(StandardCharsets.US_ASCII)))) {
                return;
            }
            awaitingPong = true;
            pongDeadline = timers.schedule(this::pongTimedOut, pongTimeout);
        } finally {
            lock.unlock();
        }
    }

    private void pongTimedOut() {
        if (!awaitingPong || ended.getAsBoolean()) {
            return;
        }
        if (pongMayBeUnread.getAsBoolean()) {
            // While the handler runs a pong may wait behind a message held for it (row H2), and
            // while the read loop holds the peer back for its rate (row H3) it reads nothing: a
            // pong not yet seen proves nothing about the peer. Look again later; the rate's
            // grace bounds the wait, and a flood then gets its 1008, not this 1011.
            pongDeadline = timers.schedule(this::pongTimedOut, pongTimeout);
            return;
        }
        failures.log(System.Logger.Level.INFO, "no pong from {0} within {1} ms; failing with 1011",
                peer, pongTimeout.toMillis());
        violations.fail(CloseStatus.INTERNAL_ERROR, "keepalive timeout");
    }
}
