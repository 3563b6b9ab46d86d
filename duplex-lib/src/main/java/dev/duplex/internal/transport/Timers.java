package dev.duplex.internal.transport;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The timers that deadlines, keepalive and the write watchdog run on: one daemon platform
 * thread. Tasks must be short; they only queue frames or close sockets, never block.
 */
public final class Timers implements AutoCloseable {
    private final ScheduledThreadPoolExecutor executor;

    public Timers(String name) {
        executor = new ScheduledThreadPoolExecutor(1, task -> {
            Thread t = new Thread(task, name);
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true); // cancelled deadlines must not pile up
    }

    /** One instance for clients, which have no server to own their timers. */
    public static Timers shared() {
        return Shared.INSTANCE;
    }

    private static final class Shared {
        static final Timers INSTANCE = new Timers("duplex-client-timers"); // created on first use
    }

    /** Runs the task once after the delay; returns null once these timers are closed. */
    public ScheduledFuture<?> schedule(Runnable task, Duration delay) {
        try {
            return executor.schedule(guarded(task), delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closed) {
            return null; // the server is stopping; its connections are being aborted anyway
        }
    }

    /** Runs the task every period; returns null once these timers are closed. */
    public ScheduledFuture<?> scheduleRepeating(Runnable task, Duration period) {
        long nanos = period.toNanos();
        try {
            return executor.scheduleAtFixedRate(guarded(task), nanos, nanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closed) {
            return null;
        }
    }

    private static Runnable guarded(Runnable task) {
        // An exception would cancel a repeating task silently and kill nothing else: log it.
        return () -> {
            try {
                task.run();
            } catch (Throwable e) {
                try {
                    System.getLogger("dev.duplex").log(System.Logger.Level.ERROR, "timer task failed", e);
                } catch (Throwable again) {
                    // Out of memory, say: the line is lost, but the one timer thread lives on.
                }
            }
        };
    }

    /** Cancels a task if there is one; null-safe. */
    public static void cancel(ScheduledFuture<?> task) {
        if (task != null) {
            task.cancel(false);
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
