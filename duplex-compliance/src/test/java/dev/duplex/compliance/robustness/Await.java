package dev.duplex.compliance.robustness;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits for a condition with a deadline. For states nothing signals, such as a thread that
 * has exited or a socket the kernel has released; everything that can be signalled is waited
 * on with a latch or a future instead.
 */
public final class Await {
    private static final long POLL_NANOS = Duration.ofMillis(20).toNanos();

    private Await() {}

    /**
     * Returns once {@code condition} holds; fails with {@code what} and the time waited when
     * it still does not hold after {@code timeout}.
     */
    public static void until(Duration timeout, BooleanSupplier condition, Supplier<String> what) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline >= 0) {
                throw new AssertionError("still not true after " + timeout.toMillis() + " ms: " + what.get());
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
    }
}
