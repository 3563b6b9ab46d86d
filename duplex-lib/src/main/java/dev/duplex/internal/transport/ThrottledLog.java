package dev.duplex.internal.transport;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Log lines that a peer can cause, each kind written at most once per interval: refusals and
 * failed connections are what an attacker makes by the thousand, and one client must not be
 * able to fill the disk or spend the server's time on logging (row H9). A kind is a format
 * string, so one kind cannot hide another; the first line of a kind in each interval is
 * written, with how many like it were left out since the last one.
 *
 * <p>Logging can never throw out of here: the accept loop and the read loops log through this,
 * and a logger that fails (say, opening a file when no descriptor is left) must not end them.
 * Thread-safe.
 */
final class ThrottledLog {
    private static final System.Logger LOG = System.getLogger("dev.duplex");

    /** One kind's throttle: when it may log next, and what it left out meanwhile. */
    private static final class Kind {
        final AtomicLong nextAllowed = new AtomicLong(Long.MIN_VALUE);
        final AtomicLong suppressed = new AtomicLong();
    }

    private final long intervalNanos;
    /** Keyed by format string: the call sites' constants, so a handful of entries. */
    private final ConcurrentHashMap<String, Kind> kinds = new ConcurrentHashMap<>();

    /** One line a second of each kind. */
    ThrottledLog() {
        this(1_000_000_000L);
    }

    ThrottledLog(long intervalNanos) {
        this.intervalNanos = intervalNanos;
    }

    /** Logs the line unless one of its kind was logged within the interval; never throws. */
    void log(System.Logger.Level level, String format, Object... args) {
        try {
            if (!LOG.isLoggable(level)) {
                return;
            }
            Kind kind = kinds.computeIfAbsent(format, f -> new Kind());
            long now = System.nanoTime();
            long next = kind.nextAllowed.get();
            if ((next != Long.MIN_VALUE && now - next < 0) || !kind.nextAllowed.compareAndSet(next, now + intervalNanos)) {
                kind.suppressed.incrementAndGet();
                return;
            }
            long left = kind.suppressed.getAndSet(0);
            Object[] shown = left == 0 ? args.clone() : Arrays.copyOf(args, args.length + 1);
            if (left > 0) {
                shown[args.length] = left;
            }
            for (int i = 0; i < shown.length; i++) {
                if (shown[i] instanceof Number n) {
                    shown[i] = n.toString(); // a close code is 1013, not "1,013"
                }
            }
            LOG.log(level, left == 0 ? format : format + " ({" + args.length + "} like it left out)", shown);
        } catch (Throwable ignored) {
            // Nothing to do: the line is lost, the caller goes on.
        }
    }
}
